"""EDIFACT value types both ways: numbers with the UNA decimal mark, DTM dates (2379 formats).

Reading is strict about shape (a guessed number or date changes an order) and tolerant about
form: a sign, a leading decimal mark (`,5`) and surrounding blanks are accepted; the decimal mark
must be the one the UNA advises. Writing never produces exponents or a bare decimal mark.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache

from connectors.formats.edifact._codes import SyntaxErrorCode

MAX_DIGITS = 35
"""No numeric EDIFACT element is wider (MOA 5004 is n..35 in syntax version 4)."""

_CENTURY_PIVOT = 70
"""Two-digit years below this are 20xx, the others 19xx (YYMMDD formats, UNB in versions 1-3)."""


class EdifactValueError(ValueError):
    """A value without the shape its element requires; `code` is its 0085 syntax error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=8192)
def parse_number(text: str, decimal: str = ".") -> Decimal | None:
    """A numeric element (`12`, `-3,5` with a comma mark); `None` when empty.

    Cached: quantities and prices repeat across lines and messages (a `Decimal` is immutable)."""
    text = text.strip()
    if not text:
        return None
    other = "," if decimal == "." else "."
    sign = ""
    body = text
    if body[0] == "-":
        sign, body = "-", body[1:]
    if other in body and decimal not in body and _digits(body.replace(other, "", 1)):
        msg = f"{text!r} uses {other!r} as decimal mark, the service string advises {decimal!r}"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_DECIMAL_NOTATION)
    integer, mark, fraction = body.partition(decimal)
    if (integer and not _digits(integer)) or (fraction and not _digits(fraction)):
        msg = f"{text!r} is not a number"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_TYPE_OF_CHARACTER)
    if not integer and not fraction:
        msg = f"{text!r} is not a number"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_TYPE_OF_CHARACTER)
    if len(integer) + len(fraction) > MAX_DIGITS:
        msg = f"{text!r} has more than {MAX_DIGITS} digits"
        raise EdifactValueError(msg, SyntaxErrorCode.TOO_LONG)
    if mark and fraction:
        return Decimal(f"{sign}{integer or '0'}.{fraction}")
    return Decimal(f"{sign}{integer or '0'}")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def format_number(value: Decimal, decimal: str = ".") -> str:
    """A numeric element: no exponent, no trailing fractional zeros, the advised decimal mark."""
    if not value.is_finite():
        msg = f"{value} is not a finite number"
        raise ValueError(msg)
    text = format(value.normalize(), "f")
    if text in {"-0", "0"}:
        return "0"
    return text.replace(".", decimal) if decimal != "." else text


_ZONE = re.compile(r"([+-])(\d{2})(\d{2})?")
_NAMED_ZONES = {"UTC": 0, "GMT": 0, "UT": 0, "Z": 0}
_FORMATS: dict[str, tuple[str, int]] = {
    "101": ("%y%m%d", 6),
    "102": ("%Y%m%d", 8),
    "201": ("%y%m%d%H%M", 10),
    "203": ("%Y%m%d%H%M", 12),
    "204": ("%Y%m%d%H%M%S", 14),
}
"""Fixed-length 2379 formats: strptime pattern and length."""

_ZONED: dict[str, int] = {"205": 12, "303": 12, "304": 14}
"""2379 formats with a time zone after the local date and time (its length)."""

_PERIODS: dict[str, str] = {"718": "102", "719": "203"}
"""2379 periods `start-end`: the start is read in the format given here."""


@lru_cache(maxsize=4096)
def parse_dtm(value: str, code: str, tz: tzinfo) -> datetime:
    """A DTM 2380 value in 2379 format `code` as an aware datetime (`tz` when the value has no
    zone; 205/303/304 carry one). A period (718, 719) gives its start. An empty `code` is guessed
    from the length (8: 102, 12: 203, 14: 204), as partners who omit 2379 mean.

    Cached (a `datetime` is immutable): an order repeats the same dates on every line."""
    value = value.strip()
    code = code.strip() or {8: "102", 12: "203", 14: "204", 6: "101"}.get(len(value), "")
    if code in _PERIODS:
        start = value.split("-", 1)[0]
        return parse_dtm(start, _PERIODS[code], tz)
    if code in _ZONED:
        length = _ZONED[code]
        local, zone_text = value[:length], value[length:]
        pattern = "%Y%m%d%H%M%S" if length == 14 else "%Y%m%d%H%M"
        return _strict(local, pattern, length, code).replace(tzinfo=_zone(zone_text, code))
    if code not in _FORMATS:
        msg = f"date/time format {code or '(none)'!r} is not one this reader knows"
        raise EdifactValueError(msg, SyntaxErrorCode.VALUE_NOT_SUPPORTED)
    pattern, length = _FORMATS[code]
    naive = _strict(value, pattern, length, code)
    if pattern.startswith("%y"):
        year = int(value[:2])
        naive = naive.replace(year=(2000 if year < _CENTURY_PIVOT else 1900) + year)
    return naive.replace(tzinfo=tz)


def _strict(value: str, pattern: str, length: int, code: str) -> datetime:
    if len(value) != length or not _digits(value):
        msg = f"{value!r} is not a date/time in format {code} ({length} digits)"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_VALUE)
    try:
        return datetime.strptime(value, pattern)  # noqa: DTZ007 - the zone is attached by the caller
    except ValueError:
        msg = f"{value!r} is not a valid date/time in format {code}"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_VALUE) from None


def _zone(text: str, code: str) -> tzinfo:
    text = text.strip().upper()
    if text in _NAMED_ZONES:
        return UTC
    match = _ZONE.fullmatch(text)
    if match is None:
        msg = f"{text!r} is not a time zone (format {code}: +HH, +HHMM or UTC)"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_VALUE)
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset >= timedelta(hours=15):
        msg = f"{text!r} is not a time zone offset"
        raise EdifactValueError(msg, SyntaxErrorCode.INVALID_VALUE)
    return timezone(-offset if sign == "-" else offset)


def format_dtm(value: datetime, code: str, tz: tzinfo) -> str:
    """An aware datetime as DTM 2380 in format `code` (102, 203, 204), in the partner's `tz`."""
    pattern, _ = _FORMATS[code]
    return value.astimezone(tz).strftime(pattern)
