"""DAG `reconciliation`: every hour, look for what fell through.

Set-based checks over the database: orders past the partner's deadline without a confirmation
or ship notice, outbound EDI whose acknowledgement is overdue or rejected, ordered vs shipped
vs invoiced quantities and amounts per line, documents stuck in the outbox. Each finding is one
row (`GET /reconciliation`, the hub's Reconciliation page); it closes itself when the data is
fixed. The task log summarises what opened, stayed open and closed.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, run_job


@dag(
    dag_id="reconciliation",
    schedule=timedelta(hours=1),
    tags=["b2connect", "reconciliation"],
    doc_md=__doc__,
    **hub_dag("reconciliation", deadline=timedelta(minutes=30)),
)
def reconciliation() -> None:
    """One task over every partner: the checks are set-based."""

    @task
    def reconcile() -> dict[str, object]:
        """Open, keep and close findings."""
        return run_job("reconcile")

    reconcile()


reconciliation()
