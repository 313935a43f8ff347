"""LOGO's dates and times: ISO dates without a zone, and times packed into one integer.

REST answers carry dates as `2024-01-15T00:00:00` (no zone: the firm's local time, the
configured `timezone`) and the time of a slip separately, packed as LObjects' `PackTime` does:
`hour << 24 | minute << 16 | second << 8` [ASSUME: the LObjects layout as used by public
clients; a value that does not unpack to a valid time is read as midnight].
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo


def logo_date(moment: datetime, zone: tzinfo) -> str:
    """The local date of `moment` in LOGO's form (`2024-01-15T00:00:00`)."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT00:00:00")


def pack_time(moment: datetime, zone: tzinfo) -> int:
    """The local time of day of `moment`, packed as LOGO's `TIME` field."""
    local = moment.astimezone(zone)
    return (local.hour << 24) | (local.minute << 16) | (local.second << 8)


def unpack_time(value: object) -> time:
    """LOGO's packed `TIME` as a time of day (midnight when it cannot be read)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return time(0)
    try:
        packed = int(value)
    except ValueError:
        return time(0)
    hour, minute, second = (packed >> 24) & 0xFF, (packed >> 16) & 0xFF, (packed >> 8) & 0xFF
    if packed < 0 or hour > 23 or minute > 59 or second > 59:
        return time(0)
    return time(hour, minute, second)


def parse_logo_date(value: object) -> date | None:
    """The date part of a LOGO date (`2024-01-15T00:00:00`, or `2024-01-15`), or None."""
    if not isinstance(value, str) or len(value.strip()) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def local_moment(day: date, at: time, zone: tzinfo) -> datetime:
    """`day` at `at` in `zone`, aware."""
    return datetime.combine(day, at, tzinfo=zone)
