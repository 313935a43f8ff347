"""Bounded retries of one partner call: tenacity's strategies, the hub's error tree.

Used where the caller knows the call is safe to repeat (a carrier booking keyed by our
reference, a query): `TransientError` is retried with exponential backoff and jitter, a 429
waits its Retry-After, everything else (auth, rejections, configuration) is raised at once, and
so is a wait longer than `max_wait` (the next scheduled run tries again instead).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from connectors.core.errors import RateLimitedError, TransientError

T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryBounds:
    """How hard to try one call."""

    attempts: int = 3
    """Tries in all, the first included."""
    initial_wait: float = 1.0
    """Seconds before the second try; doubles after that, plus up to a second of jitter."""
    max_wait: float = 30.0
    """Longest backoff between two tries."""
    max_retry_after: float | None = None
    """Longest Retry-After (429) worth waiting for within the call; a longer one is given up
    on, so the next scheduled run tries instead. None: `max_wait`."""


def call_with_retries(
    call: Callable[[], T],
    *,
    bounds: RetryBounds,
    sleep: Callable[[float], None],
    what: str,
    on_wait: Callable[[float, BaseException], None] | None = None,
) -> T:
    """`call()`, retried on transient errors within `bounds`; the last error is re-raised."""
    backoff = tenacity.wait_exponential_jitter(
        multiplier=bounds.initial_wait, max=bounds.max_wait, jitter=1
    )

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return float(error.retry_after)
        return float(backoff(state))

    def retryable(error: BaseException) -> bool:
        return isinstance(error, TransientError) and not _waits_too_long(error, bounds)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        seconds = state.next_action.sleep if state.next_action is not None else 0.0
        error = state.outcome.exception() if state.outcome is not None else None
        logger.info("%s: retrying in %.1f s after: %s", what, seconds, error)
        if on_wait is not None and error is not None:
            on_wait(seconds, error)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(retryable),
        stop=tenacity.stop_after_attempt(bounds.attempts),
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)


def _waits_too_long(error: BaseException, bounds: RetryBounds) -> bool:
    limit = bounds.max_wait if bounds.max_retry_after is None else bounds.max_retry_after
    return (
        isinstance(error, RateLimitedError)
        and error.retry_after is not None
        and error.retry_after > limit
    )
