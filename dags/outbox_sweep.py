"""DAG `outbox_sweep`: every 5 minutes, deliver what is due in the outbox, partner by partner.

The delivery worker (`b2connect worker`) sends documents within a second of their commit; this
sweep is Airflow's view of the same queue and its safety net: it delivers what is due when the
worker is down, shows per partner what left and what is backing up, and alerts when a partner
refuses our credentials. Leases on the outbox rows keep the two from sending anything twice.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "dispatch-outbox"


@dag(
    dag_id="outbox_sweep",
    schedule=timedelta(minutes=5),
    tags=["b2connect", "outbound"],
    doc_md=__doc__,
    **hub_dag("outbox_sweep", deadline=timedelta(minutes=15)),
)
def outbox_sweep() -> None:
    """Partners with a push connector, one mapped task each, then the rows of the rest."""

    @task
    def partners() -> list[str]:
        """Partners we deliver to (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def deliver(partner_key: str) -> dict[str, object]:
        """Deliver this partner's due documents; credentials refused: fail, no retry."""
        return run_job(JOB, partner_key)

    @task(trigger_rule="all_done")
    def settle_the_rest() -> dict[str, object]:
        """Rows of partners disabled since they were queued: the dispatcher still settles them."""
        return run_job(JOB)

    deliver.expand(partner_key=partners()) >> settle_the_rest()


outbox_sweep()
