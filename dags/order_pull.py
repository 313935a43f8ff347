"""DAG `order_pull`: every 15 minutes, fetch new and changed orders from partners that do not
push (Coupa's REST API), one mapped task per partner.

A pull stores each page's orders before it saves the cursor and confirms them with the partner,
so a run that dies is finished by the next one without losing or doubling an order. Rate limits
(429 with Retry-After) are waited out inside the run; a partner that stays unreachable fails the
task, which Airflow retries with backoff; a refused API key fails at once and alerts.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "pull-orders"


@dag(
    dag_id="order_pull",
    schedule=timedelta(minutes=15),
    tags=["b2connect", "inbound", "pull"],
    doc_md=__doc__,
    **hub_dag("order_pull"),
)
def order_pull() -> None:
    """One mapped task per partner with a pull connector."""

    @task
    def partners() -> list[str]:
        """Partners we pull from (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def pull(partner_key: str) -> dict[str, object]:
        """Pull this partner until it has nothing new."""
        return run_job(JOB, partner_key)

    pull.expand(partner_key=partners())


order_pull()
