"""cXML date/time values: read tolerantly, always return aware datetimes; write ISO 8601.

The DTD asks for ISO 8601 with a time zone (`%datetime.tz`), but real senders also use `-0800`
(no colon), `Z`, milliseconds or more digits, a space instead of `T`, bare dates and no zone at
all (Oracle Supplier Network, JAGGAER). A value without a zone is read in `default_tz`, the one
the partner profile names, UTC unless told.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml._xml import shorten

_MAX_SHOWN = 64
_EARLIEST_YEAR = 1900
_LATEST_YEAR = 9000
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_cxml_datetime(text: str, *, default_tz: tzinfo = UTC) -> datetime:
    """Read a cXML date, date-time or timestamp; naive values are placed in `default_tz`.

    Raises `MalformedDocumentError` when the text is not a date in any form senders use.
    """
    value = text.strip()
    parsed = _fromisoformat(value)
    if parsed is None:
        # The rare forms: lower-case `t`/`z`, more than six fractional digits (.NET sends seven).
        parsed = _fromisoformat(_LONG_FRACTION.sub(r"\1", value.upper()))
    if parsed is None:
        shown = shorten(value, _MAX_SHOWN)
        msg = f'"{shown}" is not a date or date-time (expected ISO 8601: 2024-01-15T10:30:00-08:00)'
        raise MalformedDocumentError(msg)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=default_tz)
    # Stored in UTC: a date whose UTC form leaves the calendar (year 1 or 9999 at the edge of a
    # zone) cannot be kept, and no order is dated before 1900 or after 9000.
    try:
        year = parsed.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        shown = shorten(value, _MAX_SHOWN)
        msg = f'"{shown}" is out of range (years {_EARLIEST_YEAR} to {_LATEST_YEAR})'
        raise MalformedDocumentError(msg)
    return parsed


def format_cxml_datetime(value: datetime) -> str:
    """ISO 8601 with its offset and seconds precision, as the DTD wants (`%datetime.tz`)."""
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "cXML timestamps need a time zone; pass an aware datetime"
        raise ValueError(msg)
    return value.isoformat(timespec="seconds")


def _fromisoformat(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
