"""Jobs: plain functions with typed reports, called by the Airflow DAGs, the CLI and the tests.

Each job takes the `Runtime` (the composition root) and does one idempotent, resumable piece of
work; running it twice does no harm, and a run that dies is finished by the next one.
`run_by_partner` runs a job partner by partner and reports after each (the CLI's progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from gateway_api.runtime import Runtime
from gateway_api.services.erp_pull import ErpPull, ErpPullReport
from gateway_api.services.feeds import Feed, FeedReport, FeedService, takes_feed
from gateway_api.services.file_drops import FileDropReport, poll_file_drops
from gateway_api.services.job_problems import JobFailedError, JobProblem, ProblemKind
from gateway_api.services.outbox_dispatch import DispatchReport
from gateway_api.services.partners import Partner
from gateway_api.services.pulls import PullReport
from gateway_api.services.reconciliation import reconcile
from gateway_api.services.retention import RetentionReport, purge_raw_documents
from gateway_api.services.sales_orders import SalesOrderQueue, SalesOrderQueueReport
from gateway_api.services.scheduled_replay import ScheduledReplay, ScheduledReplayReport
from gateway_api.services.shipments import TrackingRunReport
from gateway_api.store.job_tags import tagged_with
from gateway_api.store.records import JobRunTag


def dispatch_outbox(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> DispatchReport:
    """Deliver every due outbox document (of one partner, when given); see `OutboxDispatcher`.

    Confirmations, ship notices and invoices wait in the outbox until this job sends them; the
    Airflow DAGs `asn_dispatch` and `invoice_dispatch` run it on a schedule.
    """
    return runtime.dispatcher.run(partner_key=partner_key, max_documents=max_documents)


def poll_partner_file_drops(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> FileDropReport:
    """Pick up files from the partners' file drops; see `file_drops.poll_file_drops`."""
    del max_documents  # every complete file is taken; a drop is drained per run
    return poll_file_drops(runtime.directory, runtime.ingest, partner_key=partner_key)


def pull_orders(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> PullReport:
    """Fetch new and changed orders from partners that do not push (Coupa REST); see
    `pulls.PullService`."""
    del max_documents  # a pull runs until the partner has nothing new
    return runtime.pulls.run(partner_key=partner_key)


def replay_dead_letters(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> ScheduledReplayReport:
    """Replay the dead letters that are due, with backoff; park them after the configured number
    of scheduled replays; see `scheduled_replay.ScheduledReplay`."""
    replay = ScheduledReplay(
        runtime.uow,
        runtime.dead_letters,
        clock=runtime.clock,
        max_replays=runtime.settings.dead_letter_replays,
    )
    return replay.run(partner_key=partner_key, max_documents=max_documents)


def purge_raw_document_bodies(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> RetentionReport:
    """Empty raw bodies older than `retention_days`; see `retention.purge_raw_documents`."""
    del partner_key  # the policy is the hub's, not a partner's
    return purge_raw_documents(
        runtime.uow,
        clock=runtime.clock,
        retention_days=runtime.settings.retention_days,
        max_documents=max_documents,
    )


def track_shipments(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> TrackingRunReport:
    """Poll a carrier's open shipments in its batch size; the first pickup sends the buyer's
    ship notice; see `shipments.ShipmentService.track`."""
    if partner_key is None:
        return TrackingRunReport("-")  # no carrier is configured: nothing to poll
    return runtime.shipments.track(partner_key, limit=max_documents)


def queue_sales_orders(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> SalesOrderQueueReport:
    """Queue every open order of every channel for the ERP (each once) as a sales order in the
    outbox, where the dispatcher delivers it; see `sales_orders.SalesOrderQueue`."""
    del max_documents  # a run queues everything due, in batches of its own
    queue = SalesOrderQueue(runtime.uow, runtime.directory, clock=runtime.clock)
    return queue.run(partner_key=partner_key)


def pull_from_erp(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> ErpPullReport:
    """Read each ERP's delivery notes (the buyers' ship notices) and, for an ERP that cannot
    push, its items, prices and stock; see `erp_pull.ErpPull`."""
    del max_documents  # a pull runs until the ERP has nothing new
    pull = ErpPull(runtime.uow, runtime.directory, runtime.fulfilment, clock=runtime.clock)
    return pull.run(partner_key=partner_key)


def _feed(feed: Feed, runtime: Runtime, partner_key: str | None) -> FeedReport:
    if partner_key is None:
        return FeedReport(feed)  # `run_by_partner` runs a feed partner by partner
    return FeedService(runtime.uow, runtime.directory, clock=runtime.clock).run(feed, partner_key)


def sync_inventory(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> FeedReport:
    """Queue the stock that changed since the partner's last feed, in its format (846, INVRPT,
    ProductActivityMessage); see `feeds.FeedService`."""
    del max_documents  # a feed sends every change since its cursor
    return _feed("inventory", runtime, partner_key)


def sync_prices(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> FeedReport:
    """Queue the prices and catalogue changes since the partner's last feed (832, PRICAT,
    CatalogUploadRequest); see `feeds.FeedService`."""
    del max_documents  # a feed sends every change since its cursor
    return _feed("prices", runtime, partner_key)


class JobReport(Protocol):
    """What every job returns: a JSON-ready summary and whether something needs a person."""

    def as_dict(self) -> dict[str, object]: ...

    @property
    def failed(self) -> int: ...

    @property
    def problems(self) -> list[JobProblem]:
        """Why parts of the run failed, classified (see `job_problems`)."""
        ...


class Job(Protocol):
    """A job function as the CLI and the DAGs call it."""

    def __call__(
        self, runtime: Runtime, *, partner_key: str | None = ..., max_documents: int | None = ...
    ) -> JobReport: ...


JOBS: dict[str, Job] = {
    "dispatch-outbox": dispatch_outbox,
    "poll-file-drops": poll_partner_file_drops,
    "pull-orders": pull_orders,
    "replay-dead-letters": replay_dead_letters,
    "purge-raw-documents": purge_raw_document_bodies,
    "reconcile": reconcile,
    "track-shipments": track_shipments,
    "queue-sales-orders": queue_sales_orders,
    "erp-pull": pull_from_erp,
    "sync-inventory": sync_inventory,
    "sync-prices": sync_prices,
}
"""Jobs by the name `b2connect jobs run <name>` takes."""


@dataclass(frozen=True)
class JobScope:
    """Which partners a job works for, so a run over every partner can go one at a time."""

    serves: Callable[[Partner], bool]
    """True for a partner the job has work for."""
    sweeps_the_rest: bool = False
    """Run once more for every partner after the per-partner runs: the outbox holds rows of
    partners that are disabled now, which the dispatcher still settles."""
    transient_fails_run: bool = True
    """A transient problem fails the run, so the scheduler retries it. False where the job keeps
    its own retry state (the outbox reschedules each document with backoff)."""


SCOPES: dict[str, JobScope] = {
    "dispatch-outbox": JobScope(
        lambda p: p.push is not None or p.erp is not None, sweeps_the_rest=True
    ),
    "poll-file-drops": JobScope(lambda p: p.file_drop is not None and p.inbound is not None),
    "pull-orders": JobScope(lambda p: p.pull is not None),
    "replay-dead-letters": JobScope(lambda _p: False),
    "purge-raw-documents": JobScope(lambda _p: False),
    "reconcile": JobScope(lambda _p: False),
    "track-shipments": JobScope(lambda p: p.carrier is not None),
    "queue-sales-orders": JobScope(lambda p: p.erp is not None),
    "erp-pull": JobScope(lambda p: p.erp is not None),
    "sync-inventory": JobScope(lambda p: takes_feed(p, "inventory") is not None),
    "sync-prices": JobScope(lambda p: takes_feed(p, "prices") is not None),
}


@dataclass(frozen=True)
class CombinedReport:
    """The reports of one job run partner by partner, added up (same keys as each report)."""

    parts: tuple[JobReport, ...]

    def as_dict(self) -> dict[str, object]:
        """Counts summed, lists concatenated, in the order of the parts."""
        total: dict[str, object] = {}
        for part in self.parts:
            for name, value in part.as_dict().items():
                total[name] = _add(total.get(name), value)
        return total

    @property
    def failed(self) -> int:
        """Items a person has to look at, over every part."""
        return sum(part.failed for part in self.parts)

    @property
    def problems(self) -> list[JobProblem]:
        """The problems of every part, in order."""
        return [problem for part in self.parts for problem in part.problems]


def _add(left: object, right: object) -> object:
    if left is None:
        return list(right) if isinstance(right, list) else right
    if isinstance(left, list) and isinstance(right, list):
        return [*left, *right]
    if isinstance(left, int) and isinstance(right, int):
        return left + right
    return right


def run_by_partner(
    name: str,
    runtime: Runtime,
    *,
    partner_key: str | None = None,
    max_documents: int | None = None,
    progress: Callable[[str, JobReport], None] = lambda _key, _report: None,
) -> JobReport:
    """Run job `name` for one partner, or for each partner it has work for in turn, calling
    `progress(partner_key, report)` after each, so a long run shows where it is (the CLI)."""
    job, scope = JOBS[name], SCOPES[name]
    if partner_key is not None:
        report = job(runtime, partner_key=partner_key, max_documents=max_documents)
        progress(partner_key, report)
        return report
    parts: list[JobReport] = []
    remaining = max_documents
    for partner in runtime.directory.all():
        if not scope.serves(partner) or (remaining is not None and remaining <= 0):
            continue
        report = job(runtime, partner_key=partner.key, max_documents=remaining)
        progress(partner.key, report)
        parts.append(report)
        if remaining is not None:
            remaining -= _claimed(report)
    if not parts or (scope.sweeps_the_rest and (remaining is None or remaining > 0)):
        # Rows of partners disabled since (dispatch), or a report of the right shape when no
        # partner has work for this job.
        rest = job(runtime, max_documents=remaining)
        if _claimed(rest):
            progress("other partners", rest)
        parts.append(rest)
    return CombinedReport(tuple(parts))


def _claimed(report: JobReport) -> int:
    claimed = report.as_dict().get("claimed", 0)
    return claimed if isinstance(claimed, int) else 0


def run_scheduled(
    name: str,
    runtime: Runtime,
    *,
    partner_key: str | None = None,
    tag: JobRunTag | None = None,
    max_documents: int | None = None,
) -> dict[str, object]:
    """Run job `name` for a scheduler (an Airflow task): every document it logs is tagged with
    `tag`; the JSON-ready report is returned; `JobFailedError` is raised when the run must fail:
    any auth or configuration problem (not retryable), or a transient one where the job keeps
    no retry state of its own (retryable)."""
    with tagged_with(tag):
        report = run_by_partner(name, runtime, partner_key=partner_key, max_documents=max_documents)
    failing = [
        p
        for p in report.problems
        if p.kind in (ProblemKind.AUTH, ProblemKind.CONFIG)
        or (p.kind is ProblemKind.TRANSIENT and SCOPES[name].transient_fails_run)
    ]
    if failing:
        raise JobFailedError(name, failing)
    return report.as_dict()
