"""DAG `sync_prices`: every hour, the prices and catalogue changes, to every partner that takes
a price feed, in its own format (X12 832, EDIFACT PRICAT, cXML CatalogUploadRequest).

Products and prices come from the ERP (the integration API, or the `erp_pull` DAG); every change
lands in the catalogue's change log. For each partner with `feeds.prices` in its profile, one
mapped task queues the items whose product or prices changed since that partner's cursor - on
its price list and currency, in its part numbers, with the whole tier list of each item, a
withdrawn item as a delete - and moves the cursor in the same transaction; then the partner's
documents are delivered. Exactly once, as for every outbound document: the outbox retries a
partner that is down, and a refusal becomes a dead letter an engineer can replay.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "sync-prices"


@dag(
    dag_id="sync_prices",
    schedule=timedelta(hours=1),
    tags=["b2connect", "feeds", "outbound"],
    doc_md=__doc__,
    **hub_dag("sync_prices", deadline=timedelta(hours=1)),
)
def sync_prices() -> None:
    """Per partner taking a price feed: queue the changes, then deliver them."""

    @task
    def partners() -> list[str]:
        """Partners that take a price feed (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def queue_feed(partner_key: str) -> dict[str, object]:
        """The changed items on this partner's price list, as its documents in the outbox."""
        return run_job(JOB, partner_key)

    @task(max_active_tis_per_dagrun=2)
    def deliver(partner_key: str) -> dict[str, object]:
        """Send this partner's due documents."""
        return run_job("dispatch-outbox", partner_key)

    keys = partners()
    queue_feed.expand(partner_key=keys) >> deliver.expand(partner_key=keys)


sync_prices()
