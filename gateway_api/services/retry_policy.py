"""When to try an outbound document again, and when to give up: tenacity's strategies, our state.

A platform can be down for hours, far longer than any process should sleep, so retries are not
a loop around the send: the attempt count lives in the outbox row and the next attempt is a
timestamp a later dispatcher run picks up. tenacity still decides: its `stop_after_attempt` and
`wait_exponential_jitter` are evaluated against a `RetryCallState` built from the row's attempt
count, so the policy reads like any tenacity policy and is configured in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import tenacity


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded attempts, and a lease for in-flight sends.

    The defaults wait about 20 s, 40 s, 1, 2, 4, 8, 16 and 32 minutes, then an hour between
    attempts, giving up after the 12th attempt: a platform may be down for about four hours
    before a document becomes a dead letter (Coupa itself retries five times, an hour apart).
    """

    max_attempts: int = 12
    """Attempts before the document becomes a dead letter."""
    multiplier_seconds: float = 15.0
    """Scale of the exponential wait: attempt n waits about `multiplier * 2**n` seconds."""
    max_wait_seconds: float = 3600.0
    """Longest wait between two attempts."""
    jitter_seconds: float = 15.0
    """Up to this much random delay is added, so retries of many documents spread out."""
    lease_seconds: float = 300.0
    """How long a claimed document is left to its dispatcher before another may send it again
    (longer than the HTTP timeout, so a live send is never duplicated)."""
    batch_size: int = 200
    """Documents claimed per transaction (bench/dispatch.py: 200 is about 20% faster than 50)."""

    def _retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            wait=tenacity.wait_exponential_jitter(
                multiplier=self.multiplier_seconds,
                max=self.max_wait_seconds,
                jitter=self.jitter_seconds,
            ),
        )

    def _state(self, attempts: int) -> tuple[tenacity.Retrying, tenacity.RetryCallState]:
        retrying = self._retrying()
        state = tenacity.RetryCallState(retrying, None, (), {})
        state.attempt_number = attempts
        return retrying, state

    def gives_up(self, attempts: int) -> bool:
        """True when `attempts` attempts are all the policy allows."""
        retrying, state = self._state(attempts)
        return bool(retrying.stop(state))

    def wait_after(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """How long to wait after attempt number `attempts` failed; at least `retry_after`."""
        retrying, state = self._state(attempts)
        seconds = float(retrying.wait(state))
        if retry_after is not None:
            seconds = max(seconds, min(retry_after, self.max_wait_seconds * 4))
        return timedelta(seconds=seconds)
