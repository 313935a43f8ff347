"""Jobs: plain functions with typed reports, called by the Airflow DAGs, the CLI and the tests.

Each job takes the `Runtime` (the composition root) and does one idempotent, resumable piece of
work; running it twice does no harm, and a run that dies is finished by the next one.
"""

from __future__ import annotations

from typing import Protocol

from gateway_api.runtime import Runtime
from gateway_api.services.file_drops import FileDropReport, poll_file_drops
from gateway_api.services.outbox_dispatch import DispatchReport
from gateway_api.services.pulls import PullReport


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


class JobReport(Protocol):
    """What every job returns: a JSON-ready summary and whether something needs a person."""

    def as_dict(self) -> dict[str, object]: ...

    @property
    def failed(self) -> int: ...


class Job(Protocol):
    """A job function as the CLI and the DAGs call it."""

    def __call__(
        self, runtime: Runtime, *, partner_key: str | None = ..., max_documents: int | None = ...
    ) -> JobReport: ...


JOBS: dict[str, Job] = {
    "dispatch-outbox": dispatch_outbox,
    "poll-file-drops": poll_partner_file_drops,
    "pull-orders": pull_orders,
}
"""Jobs by the name `b2connect jobs run <name>` takes."""
