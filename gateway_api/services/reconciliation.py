"""Reconciliation: find what fell through, one row per finding, closed when the data is fixed.

The job runs every rule (`Rule`) over a window of recent data, set-based in the store: orders
past the partner's deadline without a confirmation or ship notice, documents whose functional
acknowledgement is overdue or rejected, order lines whose shipped or invoiced figures do not
match the order, documents stuck in the outbox, carrier shipments picked up and not delivered in
time or reported in trouble. Each rule runs in its own transaction and brings its findings in
line with what it finds now (opened, still open, closed), so running it twice changes nothing
and a fixed order's finding closes on the next run. Deadlines come from each partner's profile
(`deadlines:`; a shipment's delivery deadline from its carrier's); docs/reconciliation.md
describes rules and defaults.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from connectors.core import Clock
from gateway_api.runtime import Runtime
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import StoreError, UnitOfWorkFactory
from gateway_api.store.reconciliation_records import (
    FindingRecord,
    FindingStatus,
    PartnerDeadlines,
    ReconciliationScope,
    Rule,
    RuleOutcome,
)
from mappings.engine import Deadlines

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(days=90)
"""How far back a run looks unless the settings say otherwise (`reconciliation_window_days`)."""


@dataclass
class ReconciliationReport:
    """What one reconciliation run found, per rule, and how many findings are open after it."""

    window_start: str = ""
    rules: dict[str, RuleOutcome] = field(default_factory=dict)
    open_by_rule: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each rule (its statements and commit), to see where a run's time goes."""
    problem_list: list[JobProblem] = field(default_factory=list)
    backfilled: int = 0
    """Orders whose per-line figures were folded first (issued before migration 0006)."""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary: totals, then per rule found/opened/still_open/closed/open."""
        outcomes = self.rules.values()
        return {
            "window_start": self.window_start,
            "backfilled": self.backfilled,
            "found": sum(o.found for o in outcomes),
            "opened": sum(o.opened for o in outcomes),
            "still_open": sum(o.still_open for o in outcomes),
            "closed": sum(o.closed for o in outcomes),
            "open": self.failed,
            "rules": {
                rule: {
                    "found": o.found,
                    "opened": o.opened,
                    "still_open": o.still_open,
                    "closed": o.closed,
                    "open": self.open_by_rule.get(rule, 0),
                    "seconds": round(self.seconds.get(rule, 0.0), 3),
                }
                for rule, o in self.rules.items()
            },
            "problems": [f"{p.kind}: {p.message}" for p in self.problem_list],
        }

    @property
    def failed(self) -> int:
        """Open findings after the run: each needs a person (or a fix upstream)."""
        return sum(self.open_by_rule.values())

    @property
    def problems(self) -> list[JobProblem]:
        """Rules that could not run (the store failed), classified."""
        return list(self.problem_list)


def partner_deadlines(profile: Deadlines) -> PartnerDeadlines:
    """A profile's `deadlines:` section as the store's values."""

    def hours(value: float | None) -> timedelta | None:
        return None if value is None else timedelta(hours=value)

    return PartnerDeadlines(
        confirmation=hours(profile.confirmation_hours),
        ship_notice=None
        if profile.ship_notice_days is None
        else timedelta(days=profile.ship_notice_days),
        ship_notice_grace=timedelta(hours=profile.ship_notice_grace_hours),
        acknowledgement=hours(profile.acknowledgement_hours),
        outbox_stuck=None
        if profile.outbox_stuck_minutes is None
        else timedelta(minutes=profile.outbox_stuck_minutes),
        delivery=None if profile.delivery_days is None else timedelta(days=profile.delivery_days),
    )


def directory_deadlines(directory: PartnerDirectory) -> dict[str, PartnerDeadlines]:
    """The deadlines of every working partner, from its profile."""
    return {p.profile.key: partner_deadlines(p.profile.deadlines) for p in directory.all()}


class Reconciler:
    """Runs the rules, each in its own transaction, and reports what changed."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        clock: Clock,
        deadlines: Callable[[], Mapping[str, PartnerDeadlines]],
        window: timedelta = DEFAULT_WINDOW,
        default: PartnerDeadlines | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._deadlines = deadlines
        self._window = window
        self._default = default or partner_deadlines(Deadlines())

    def run(self, *, partner_key: str | None = None) -> ReconciliationReport:
        """Every rule over the window (of one partner, when given); a rule the store fails is
        reported as a problem and the others still run."""
        now = self._clock()
        scope = ReconciliationScope(
            now=now,
            since=now - self._window,
            partner_key=partner_key,
            deadlines=self._deadlines(),
            default=self._default,
        )
        report = ReconciliationReport(window_start=scope.since.isoformat())
        for rule in Rule:
            started = time.perf_counter()
            try:
                with self._uow() as uow:
                    outcome = uow.reconciliation.reconcile(rule, scope)
                    uow.commit()
            except StoreError as error:
                logger.exception("reconciliation rule %s failed", rule.value)
                report.problem_list.append(JobProblem.of(partner_key, error))
                continue
            report.rules[rule.value] = outcome
            report.seconds[rule.value] = time.perf_counter() - started
            logger.info(
                "reconciliation %s: %d found, %d opened, %d still open, %d closed (%.2f s)",
                rule.value,
                outcome.found,
                outcome.opened,
                outcome.still_open,
                outcome.closed,
                report.seconds[rule.value],
                extra={"partner": partner_key, "rule": rule.value},
            )
        with self._uow() as uow:
            report.open_by_rule = uow.reconciliation.open_counts(partner_key=partner_key)
        logger.info(
            "reconciliation: %d open finding(s) %s",
            report.failed,
            ", ".join(f"{rule} {n}" for rule, n in sorted(report.open_by_rule.items())) or "",
            extra={"partner": partner_key},
        )
        return report


BACKFILL_BATCH = 500
BACKFILL_BATCHES = 2000
"""Orders folded per transaction batch, and batches per run (a million orders at most)."""


def reconcile(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> ReconciliationReport:
    """Run every reconciliation rule over the configured window (see `Reconciler`).

    The Airflow DAG `reconciliation` runs it hourly; `b2connect jobs run reconcile` by hand.
    """
    del max_documents  # set-based: each rule is one statement over the window
    backfilled = 0
    for _ in range(BACKFILL_BATCHES):  # bounded: an order that folds to no line stays "missing"
        batch = runtime.fulfilment.backfill_line_figures(limit=BACKFILL_BATCH)
        backfilled += batch
        if batch < BACKFILL_BATCH:
            break
    reconciler = Reconciler(
        runtime.uow,
        clock=runtime.clock,
        deadlines=lambda: directory_deadlines(runtime.directory),
        window=timedelta(days=runtime.settings.reconciliation_window_days),
    )
    report = reconciler.run(partner_key=partner_key)
    report.backfilled = backfilled
    return report


def list_findings(
    uow: UnitOfWorkFactory,
    *,
    status: str | None = FindingStatus.OPEN.value,
    rule: str | None = None,
    partner_key: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[FindingRecord]:
    """Findings for the operator, most recently seen first (`GET /reconciliation`)."""
    with uow() as unit:
        return unit.reconciliation.findings(
            status=status, rule=rule, partner_key=partner_key, limit=limit, offset=offset
        )
