"""The pull job: fetch documents from partners that do not push, page by page, exactly once.

For every partner whose connector can PULL (`b2connect jobs run pull-orders`, an Airflow task):

    cursor = stored cursor (partner, stream)
    page   = connector.fetch(cursor)            retried within bounds: Retry-After honoured on
                                                429, backoff on 5xx and timeouts
    each item -> the ingest pipeline            stored raw, deduplicated, mapped, held...
    save page.cursor                            after its items are stored
    connector.confirm(items stored)             the partner marks them taken
    again while page.more (and the page brought something new)

Every step is safe to repeat: a crash between storing and confirming fetches the items again,
and they are duplicates of what was stored (the pipeline's idempotency keys), confirmed again.
An item the pipeline refused as a whole (not even readable as the partner's document) is not
confirmed, and the cursor stays before its page: the partner keeps offering it, every run reports
why. What can be read but not applied is held as a dead letter (nobody reads an answer to a pull)
and confirmed. The store being down stops the partner's run with nothing confirmed.
An auth or configuration error stops that partner at once (no retry); the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from connectors.core import Clock, ConnectorError
from connectors.core.inbound import (
    Disposition,
    InboundRequest,
    StoreUnavailableError,
    Transport,
)
from connectors.core.pull import PullConnector, PulledItem, PulledPage
from connectors.core.retrying import RetryBounds, call_with_retries
from gateway_api.services.ingest import IngestPipeline
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.ports import StoreError, UnitOfWorkFactory

logger = logging.getLogger(__name__)

T = TypeVar("T")

Sleep = Callable[[float], None]
"""Waits so many seconds (injected: tests pass a recorder instead of sleeping)."""

MAX_WAIT_SECONDS = 300.0
"""The longest a pull waits for one Retry-After or backoff; beyond it the run gives up."""


@dataclass
class PullReport:
    """What one pull run did."""

    partners: int = 0
    pages: int = 0
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    held: int = 0
    refused: int = 0
    confirmed: int = 0
    waits: list[float] = field(default_factory=list)
    """Seconds waited for rate limits and backoff, in order."""
    errors: list[str] = field(default_factory=list)
    problems: list[JobProblem] = field(default_factory=list)
    """The errors, classified (a scheduler retries only transient ones)."""

    @property
    def failed(self) -> int:
        """Items a person has to look at (exit status 1 in the CLI)."""
        return len(self.errors) + self.refused

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "partners": self.partners,
            "pages": self.pages,
            "fetched": self.fetched,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "held": self.held,
            "refused": self.refused,
            "confirmed": self.confirmed,
            "waits": list(self.waits),
            "errors": list(self.errors),
        }


class PullService:
    """Runs the pulls of every partner that has one."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        pipeline: IngestPipeline,
        *,
        clock: Clock,
        sleep: Sleep = time.sleep,
        attempts: int = 5,
        max_pages: int = 1000,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._pipeline = pipeline
        self._clock = clock
        self._sleep = sleep
        self._attempts = attempts
        self._max_pages = max_pages

    def run(self, *, partner_key: str | None = None) -> PullReport:
        """Pull every partner (or one) until it has nothing new."""
        report = PullReport()
        for partner in self._directory.all():
            if partner.pull is None or (partner_key is not None and partner.key != partner_key):
                continue
            report.partners += 1
            try:
                self._pull(partner, partner.pull, report)
            except (ConnectorError, StoreError) as error:
                report.errors.append(f"{partner.key}: {error}")
                report.problems.append(JobProblem.of(partner.key, error))
                logger.warning("pull of %s stopped: %s", partner.key, error)
        return report

    def _pull(self, partner: Partner, connector: PullConnector, report: PullReport) -> None:
        stream = connector.stream
        with self._uow() as uow:
            cursor = uow.cursors.get(partner.key, stream)
        for _ in range(self._max_pages):
            page = self._fetch(connector, cursor, report)
            report.pages += 1
            report.fetched += len(page.items)
            taken = [item for item in page.items if self._store(partner, item, report)]
            complete = len(taken) == len(page.items)
            if complete:
                # Only past a page whose every item is stored: the cursor must never skip an
                # item the partner still offers (the next run fetches it again).
                with self._uow() as uow:
                    uow.cursors.save(partner.key, stream, page.cursor, at=self._clock())
                    uow.commit()
            if taken:
                self._confirm(connector, taken, report)
                report.confirmed += len(taken)
            if not complete:
                return
            progressed = page.cursor != cursor or bool(taken)
            cursor = page.cursor
            if not page.more or not progressed:
                return
        logger.warning("pull of %s stopped after %d pages", partner.key, self._max_pages)

    def _fetch(
        self, connector: PullConnector, cursor: str | None, report: PullReport
    ) -> PulledPage:
        return self._retrying(lambda: connector.fetch(cursor), report)

    def _confirm(
        self, connector: PullConnector, items: list[PulledItem], report: PullReport
    ) -> None:
        def confirm() -> None:
            connector.confirm(items)

        self._retrying(confirm, report)

    def _store(self, partner: Partner, item: PulledItem, report: PullReport) -> bool:
        """Run one item through the pipeline; True when it is safely stored (or was before)."""
        request = InboundRequest(
            body=item.body,
            transport=Transport.PULL,
            content_type=item.content_type,
            remote_addr=f"pull:{item.reference}",
        )
        result = self._pipeline.receive_from(partner, request)
        if result.refusal is not None and isinstance(result.refusal.error, StoreUnavailableError):
            raise result.refusal.error  # stop this partner's run; nothing of the page is lost
        if result.refusal is not None:
            report.refused += 1
            report.errors.append(f"{partner.key} {item.reference}: {result.refusal.error}")
            return False
        outcomes = {r.disposition for r in result.results}
        report.stored += result.count(Disposition.STORED)
        report.duplicates += result.count(Disposition.DUPLICATE)
        report.held += result.count(Disposition.HELD)
        refused = result.count(Disposition.REFUSED)
        report.refused += refused
        if refused:
            reasons = "; ".join(
                r.message or "" for r in result.results if r.disposition is Disposition.REFUSED
            )
            report.errors.append(f"{partner.key} {item.reference}: {reasons}")
        return Disposition.REFUSED not in outcomes

    def _retrying(self, call: Callable[[], T], report: PullReport) -> T:
        """`call`, retried on transient errors within bounds (`call_with_retries`): a 429
        waits exactly its Retry-After, other transient errors back off exponentially; auth and
        configuration errors, and waits beyond `MAX_WAIT_SECONDS`, end the run at once."""
        bounds = RetryBounds(
            attempts=self._attempts,
            initial_wait=1.0,
            max_wait=30.0,
            max_retry_after=MAX_WAIT_SECONDS,
        )
        return call_with_retries(
            call,
            bounds=bounds,
            sleep=self._sleep,
            what="pull",
            on_wait=lambda seconds, _error: report.waits.append(seconds),
        )
