"""The scheduled dead-letter replay: due dead letters are replayed with backoff, then parked.

Many dead letters heal on their own: a change that arrived before its order (`sequence`), a
platform that was down for longer than the outbox's attempts, a mapping fixed since. The
Airflow DAG `dead_letter_replay` runs this job; each open dead letter is replayed when its
`next_attempt_at` is due, a failure schedules the next try further out (the same tenacity
policy as the outbox, with minutes instead of seconds), and after `dead_letter_replays`
scheduled tries it is parked: it waits for a person, who can still replay it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from connectors.core import Clock
from gateway_api.services.dead_letters import DeadLetterClosedError, DeadLetterService
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.store.ports import UnitOfWorkFactory

DEAD_LETTER_BACKOFF = RetryPolicy(
    max_attempts=6, multiplier_seconds=300.0, max_wait_seconds=6 * 3600.0, jitter_seconds=60.0
)
"""5, 10, 20, 40, 80 and 160 minutes apart (plus up to a minute of jitter)."""


@dataclass
class ScheduledReplayReport:
    """What one run of the scheduled replay did."""

    due: int = 0
    replayed: int = 0
    rescheduled: int = 0
    parked: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready counts and the errors of the replays that failed."""
        return {
            "due": self.due,
            "replayed": self.replayed,
            "rescheduled": self.rescheduled,
            "parked": self.parked,
            "errors": list(self.errors),
        }

    @property
    def failed(self) -> int:
        """Dead letters parked in this run: a person has to look at them."""
        return self.parked

    @property
    def problems(self) -> list[JobProblem]:
        """None: a replay that fails is rescheduled or parked, not a failure of the run."""
        return []


class ScheduledReplay:
    """Replays due dead letters, reschedules failures with backoff, parks after the limit."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        dead_letters: DeadLetterService,
        *,
        clock: Clock,
        max_replays: int,
        backoff: RetryPolicy = DEAD_LETTER_BACKOFF,
    ) -> None:
        self._uow = uow
        self._dead_letters = dead_letters
        self._clock = clock
        self._max_replays = max_replays
        self._backoff = backoff

    def run(
        self, *, partner_key: str | None = None, max_documents: int | None = None
    ) -> ScheduledReplayReport:
        """One pass over the dead letters due now (of one partner, when given)."""
        report = ScheduledReplayReport()
        with self._uow() as uow:
            due = uow.dead_letters.due(
                now=self._clock(), limit=max_documents or 1000, partner_key=partner_key
            )
        for record in due:
            report.due += 1
            if record.scheduled_replays >= self._max_replays:
                self._park(record.id)
                report.parked += 1
                continue
            try:
                result = self._dead_letters.replay(record.id)
            except DeadLetterClosedError:
                continue  # replayed by someone else since it was read
            if result.succeeded:
                report.replayed += 1
                continue
            report.errors.append(f"{record.id}: {result.error}")
            if record.scheduled_replays + 1 >= self._max_replays:
                self._park(record.id)
                report.parked += 1
            else:
                self._reschedule(record.id, record.scheduled_replays + 1)
                report.rescheduled += 1
        return report

    def _reschedule(self, dead_letter_id: UUID, replays: int) -> None:
        at = self._clock() + self._backoff.wait_after(replays)
        with self._uow() as uow:
            uow.dead_letters.schedule(dead_letter_id, next_attempt_at=at)
            uow.commit()

    def _park(self, dead_letter_id: UUID) -> None:
        with self._uow() as uow:
            uow.dead_letters.park(dead_letter_id, at=self._clock())
            uow.commit()
