"""DAG `dead_letter_replay`: every 10 minutes, replay the dead letters that are due.

Held documents often heal on their own: a change that arrived before its order, a platform that
was down longer than the outbox's attempts, a mapping fixed since. Each open dead letter is
replayed when due; a failure is tried again later with backoff (5, 10, 20, 40 minutes...),
and after `B2CONNECT_DEAD_LETTER_REPLAYS` scheduled tries it is parked for a person (the hub's
Dead letters page in this UI, or `b2connect dead-letters replay`).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, run_job


@dag(
    dag_id="dead_letter_replay",
    schedule=timedelta(minutes=10),
    tags=["b2connect", "dead-letters"],
    doc_md=__doc__,
    **hub_dag("dead_letter_replay"),
)
def dead_letter_replay() -> None:
    """One task: the replay keeps its own schedule per dead letter."""

    @task
    def replay_due() -> dict[str, object]:
        """Replay what is due; reschedule or park what fails."""
        return run_job("replay-dead-letters")

    replay_due()


dead_letter_replay()
