"""Failure injection for the fake platforms: a thread-safe FIFO of faults for the next requests.

Each `fail_next`/`reject_next`/`timeout_next`/`process_then_fail_next` call queues `n` faults
behind those already queued; every POST to a document endpoint takes the next one. Being down
is a state (`down()`/`up()`), not a queued fault.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from connectors.formats.cxml import CxmlStatus
from connectors.testing.fake_platform_records import Injected


@dataclass(frozen=True)
class Fault:
    """What to do to one request instead of (or after) processing it."""

    kind: Injected
    status: CxmlStatus | None = None
    """The answer for `fail`, `reject` and `process_then_fail` (`None` there: drop the line)."""
    seconds: float | None = None
    """How long a `timeout` holds the request in live mode; `None`: until the server stops."""


class FaultQueue:
    """Faults waiting for the next requests; safe to use from the test and server threads."""

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, fault: Fault, n: int) -> None:
        """Queue `fault` for the next `n` requests (after the ones already queued)."""
        if n < 1:
            msg = f"n must be at least 1, not {n}"
            raise ValueError(msg)
        with self._lock:
            self._faults.extend([fault] * n)

    def take(self) -> Fault | None:
        """The fault for the request arriving now, if any."""
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
