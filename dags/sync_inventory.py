"""DAG `sync_inventory`: every 15 minutes, the stock that changed, to every partner that takes
a stock feed, in its own format (X12 846, EDIFACT INVRPT, cXML ProductActivityMessage).

The ERP keeps the hub's stock current (the integration API, or the `erp_pull` DAG for an ERP
that cannot push); every change lands in the catalogue's change log. For each partner with
`feeds.inventory` in its profile, one mapped task queues what changed since that partner's
cursor - only the locations it sees, only the items in its cross-reference, named by its part
numbers - and moves the cursor in the same transaction; then the partner's documents are
delivered. A partner that sees none of the changes gets nothing. A run that dies before its
commit sends nothing and the next run takes the same changes; after it, the outbox delivers
each document exactly once, retrying a partner that is down with backoff.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "sync-inventory"


@dag(
    dag_id="sync_inventory",
    schedule=timedelta(minutes=15),
    tags=["b2connect", "feeds", "outbound"],
    doc_md=__doc__,
    **hub_dag("sync_inventory", deadline=timedelta(minutes=30)),
)
def sync_inventory() -> None:
    """Per partner taking a stock feed: queue the changes, then deliver them."""

    @task
    def partners() -> list[str]:
        """Partners that take a stock feed (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def queue_feed(partner_key: str) -> dict[str, object]:
        """The changed stock this partner sees, as its documents in the outbox."""
        return run_job(JOB, partner_key)

    @task(max_active_tis_per_dagrun=2)
    def deliver(partner_key: str) -> dict[str, object]:
        """Send this partner's due documents."""
        return run_job("dispatch-outbox", partner_key)

    keys = partners()
    queue_feed.expand(partner_key=keys) >> deliver.expand(partner_key=keys)


sync_inventory()
