"""DAG `raw_document_retention`: daily, empty raw bodies older than the retention policy.

`B2CONNECT_RETENTION_DAYS` (400 by default) decides. The document log rows stay (partner, kind,
outcome, size, sha256, time), so the log still proves what arrived; bodies an open or parked
dead letter needs are kept until it is replayed. Batches keep each transaction short.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, run_job


@dag(
    dag_id="raw_document_retention",
    schedule=timedelta(days=1),
    tags=["b2connect", "retention"],
    doc_md=__doc__,
    **hub_dag("raw_document_retention"),
)
def raw_document_retention() -> None:
    """One task: the purge runs in batches until nothing is due."""

    @task
    def purge() -> dict[str, object]:
        """Empty the bodies past the policy."""
        return run_job("purge-raw-documents")

    purge()


raw_document_retention()
