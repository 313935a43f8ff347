"""Jobs: plain functions with typed reports, called by the Airflow DAGs, the CLI and the tests.

Each job takes the `Runtime` (the composition root) and does one idempotent, resumable piece of
work; running it twice does no harm, and a run that dies is finished by the next one.
"""

from __future__ import annotations

from gateway_api.runtime import Runtime
from gateway_api.services.outbox_dispatch import DispatchReport


def dispatch_outbox(
    runtime: Runtime, *, partner_key: str | None = None, max_documents: int | None = None
) -> DispatchReport:
    """Deliver every due outbox document (of one partner, when given); see `OutboxDispatcher`.

    Confirmations, ship notices and invoices wait in the outbox until this job sends them; the
    Airflow DAGs `asn_dispatch` and `invoice_dispatch` run it on a schedule.
    """
    return runtime.dispatcher.run(partner_key=partner_key, max_documents=max_documents)


JOBS = {"dispatch-outbox": dispatch_outbox}
"""Jobs by the name `b2connect jobs run <name>` takes."""
