"""DAG `reconciliation`: every hour, look for what fell through.

Set-based checks over the database: orders past the partner's deadline without a confirmation
or ship notice, outbound EDI whose acknowledgement is overdue or rejected, ordered vs shipped
vs invoiced quantities and amounts per line, documents stuck in the outbox. Each finding is one
row (`GET /reconciliation`, the hub's Reconciliation page); it closes itself when the data is
fixed. The task log summarises what opened, stayed open and closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import dag, task
from airflow.sdk.definitions.callback import SyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from hub_tasks import default_args, run_job


@dag(
    dag_id="reconciliation",
    schedule=timedelta(hours=1),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["b2connect", "reconciliation"],
    doc_md=__doc__,
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=30),
        callback=SyncCallback(
            "gateway_api.services.alerts.deadline_missed",
            kwargs={"flow": "reconciliation", "deadline": "30 minutes"},
        ),
    ),
)
def reconciliation() -> None:
    """One task over every partner: the checks are set-based."""

    @task
    def reconcile() -> dict[str, object]:
        """Open, keep and close findings."""
        return run_job("reconcile")

    reconcile()


reconciliation()
