"""A controllable clock for tests: time moves only when the test says so (plus a tick)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Returns `now`, advancing one millisecond per call so that events keep their order."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        self.now += timedelta(**delta)
