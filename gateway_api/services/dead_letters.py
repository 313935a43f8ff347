"""Dead-letter replay: run a held document through decode -> map -> apply again, or send an
undeliverable outbound document once more.

Inbound replay trusts the document's original authentication (it was checked when it arrived;
the stored copy has its SharedSecret masked) and answers nobody: the partner already got its
answer. A replay that fails again keeps the dead letter open with the newest error.

Outbound replay (stage `delivery`) puts the outbox row back in the queue and makes one attempt
right away, with the same payloadID and idempotency key as before: after the partner or the
profile was fixed, the document is delivered; if it fails again, it stays dead with the new
error and the dead letter stays open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from connectors.core import Clock, ConnectorError
from gateway_api.services.ingest import IngestPipeline, ReplayError
from gateway_api.services.outbox_dispatch import OutboxDispatcher
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.records import DeadLetterRecord, DeadLetterStatus

logger = logging.getLogger(__name__)


class DeadLetterNotFoundError(LookupError):
    """No dead letter has this id."""


class DeadLetterClosedError(Exception):
    """The dead letter was already replayed successfully."""


@dataclass(frozen=True)
class ReplayResult:
    """How a replay went."""

    dead_letter_id: UUID
    succeeded: bool
    error: str | None = None
    order_uuid: UUID | None = None
    order_version: int | None = None


class DeadLetterService:
    """Lists and replays dead letters."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        pipeline: IngestPipeline,
        *,
        clock: Clock,
        dispatcher: OutboxDispatcher | None = None,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._pipeline = pipeline
        self._clock = clock
        self._dispatcher = dispatcher

    def list(
        self, *, status: str | None = None, partner_key: str | None = None, limit: int = 100
    ) -> list[DeadLetterRecord]:
        """Dead letters, oldest first."""
        with self._uow() as uow:
            return uow.dead_letters.query(status=status, partner_key=partner_key, limit=limit)

    def get(self, dead_letter_id: UUID) -> DeadLetterRecord:
        """One dead letter; `DeadLetterNotFoundError` if unknown."""
        with self._uow() as uow:
            record = uow.dead_letters.get(dead_letter_id)
        if record is None:
            raise DeadLetterNotFoundError(str(dead_letter_id))
        return record

    def replay(self, dead_letter_id: UUID) -> ReplayResult:
        """Replay one open dead letter and record the outcome."""
        now = self._clock()
        with self._uow() as uow:
            record = uow.dead_letters.get(dead_letter_id, for_update=True)
            if record is None:
                raise DeadLetterNotFoundError(str(dead_letter_id))
            if record.status is DeadLetterStatus.REPLAYED:
                msg = f"dead letter {dead_letter_id} was already replayed at {record.resolved_at}"
                raise DeadLetterClosedError(msg)
            if record.outbox_id is not None:
                uow.outbox.requeue(record.outbox_id, at=now)
                uow.commit()
                return self._redeliver(record)
            stored = uow.documents.get(record.document_id)
            assert stored is not None  # guaranteed by the foreign key
            partner = self._directory.get(record.partner_key)
            try:
                if partner is None:
                    msg = f"partner {record.partner_key!r} is not configured or not enabled"
                    raise ReplayError(msg)
                order = self._pipeline.replay(uow, partner, stored, record)
            except (ReplayError, ConnectorError) as error:
                failure = str(error)  # leaving the block rolls the attempt back
            else:
                uow.dead_letters.mark_replayed(dead_letter_id, at=now)
                uow.commit()
                logger.info("dead letter %s replayed into order %s", dead_letter_id, order.order_id)
                return ReplayResult(
                    dead_letter_id, True, order_uuid=order.id, order_version=order.version
                )
        return self._record_failure(dead_letter_id, failure)

    def _redeliver(self, record: DeadLetterRecord) -> ReplayResult:
        """One delivery attempt of a requeued outbox row; the dead letter closes if it lands."""
        assert record.outbox_id is not None
        if self._dispatcher is None:
            msg = "no outbox dispatcher is wired; the document was requeued for the next run"
            return self._record_failure(record.id, msg)
        report = self._dispatcher.run(outbox_id=record.outbox_id, final_attempt=True)
        if report.delivered:
            with self._uow() as uow:
                uow.dead_letters.mark_replayed(record.id, at=self._clock())
                uow.commit()
            logger.info("dead letter %s delivered on replay", record.id)
            return ReplayResult(record.id, True)
        error = report.errors[-1] if report.errors else "the document was not due for delivery"
        return self._record_failure(record.id, error)

    def _record_failure(self, dead_letter_id: UUID, error: str) -> ReplayResult:
        with self._uow() as uow:
            uow.dead_letters.record_failed_replay(dead_letter_id, error=error, at=self._clock())
            uow.commit()
        logger.warning("replay of dead letter %s failed: %s", dead_letter_id, error)
        return ReplayResult(dead_letter_id, False, error=error)
