"""DAG `file_drop_poll`: every 2 minutes, pick up complete files from EDI partners' drops.

Each partner with a file drop (local or SFTP) is one mapped task: its complete files go through
the same ingest pipeline as HTTP (duplicates detected by control number, acknowledgements
written back to the drop), then move to `archive/` or `error/`. An unreachable SFTP server is
retried with backoff; refused credentials fail at once and alert.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "poll-file-drops"


@dag(
    dag_id="file_drop_poll",
    schedule=timedelta(minutes=2),
    tags=["b2connect", "inbound", "edi"],
    doc_md=__doc__,
    **hub_dag("file_drop_poll"),
)
def file_drop_poll() -> None:
    """One mapped task per partner with a file drop."""

    @task
    def partners() -> list[str]:
        """Partners with a file drop (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def poll(partner_key: str) -> dict[str, object]:
        """Take this partner's complete files."""
        return run_job(JOB, partner_key)

    poll.expand(partner_key=partners())


file_drop_poll()
