"""MNG's times: ISO 8601 or `dd.MM.yyyy HH:mm:ss` / `dd-MM-yyyy HH:mm:ss`, usually without a zone.

A time without a zone is read as Turkey time (UTC+3 all year since 2016) [ASSUME: MNG does not
state the zone; its systems and public clients are Turkish].
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

TURKEY = timezone(timedelta(hours=3), "TRT")
_DOTTED = re.compile(
    r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def parse_mng_time(value: object) -> datetime | None:
    """`value` as an aware time, or None when it is not a time we can read."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        match = _DOTTED.fullmatch(text)
        if match is None:
            return None
        day, month, year, hour, minute, second = match.groups()
        try:
            moment = datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                tzinfo=TURKEY,
            )
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TURKEY)


def format_mng_time(moment: datetime) -> str:
    """`dd.MM.yyyy HH:mm:ss` in Turkey time (how the fake writes `jwtExpireDate`)."""
    return moment.astimezone(TURKEY).strftime("%d.%m.%Y %H:%M:%S")
