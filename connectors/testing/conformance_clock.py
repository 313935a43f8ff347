"""The conformance suite's clock: a fixed, unusual time that only the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CLOCK_START = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=5, minutes=30)))
"""The injected clock's time: far from today and in an unusual zone, so defaults cannot match."""


class SettableClock:
    """A clock that says what the test set it to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
