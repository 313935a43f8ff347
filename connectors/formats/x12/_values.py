"""X12 value types both ways: R and N2 numbers, CCYYMMDD/YYMMDD dates, HHMM[SS[D..]] times.

Reading is strict about shape (a guessed number or date changes an order) and returns `None`
for empty elements; the caller decides whether the element was mandatory. Writing never
produces exponents, and dates are written in the partner's zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from connectors.formats.x12._text import is_digits

_REAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_IMPLIED = re.compile(r"[+-]?[0-9]+")
MAX_DIGITS = 18
"""Numbers longer than this (integer or fraction part) are refused: no X12 field is that wide."""

_CENTURY_PIVOT = 70
"""Two-digit years below this are 20xx, the others 19xx (only YYMMDD in 003xxx data)."""

_FIXED_ZONES = {
    "UT": 0,
    "GM": 0,
    "ES": -5,
    "ED": -4,
    "CS": -6,
    "CD": -5,
    "MS": -7,
    "MD": -6,
    "PS": -8,
    "PD": -7,
    "AS": -4,
    "AD": -3,
    "HS": -10,
}
_NAMED_ZONES = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
    "AT": "America/Halifax",
    "HT": "Pacific/Honolulu",
}


class X12ValueError(ValueError):
    """A value that does not have the X12 shape its element requires; `code` is its AK403."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=8192)
def parse_real(text: str) -> Decimal | None:
    """An R (decimal) element: `12`, `-3.5`, `.25`; `None` when empty.

    Cached (a `Decimal` is immutable): quantities and prices repeat across lines and orders."""
    if text.isascii():
        integer, _, fraction = text.partition(".")
        if (
            (is_digits(integer) or (not integer and fraction))
            and (not fraction or is_digits(fraction))
            and len(integer) <= MAX_DIGITS
            and len(fraction) <= MAX_DIGITS
        ):
            return Decimal(text)
    text = text.strip()
    if not text:
        return None
    if not _REAL.fullmatch(text):
        msg = f"{text!r} is not a decimal number"
        raise X12ValueError(msg, "6")
    integer, _, fraction = text.lstrip("+-").partition(".")
    if len(integer) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        msg = f"{text!r} has more than {MAX_DIGITS} digits"
        raise X12ValueError(msg, "5")
    return Decimal(text)


def parse_implied(text: str, decimals: int = 2) -> Decimal | None:
    """An Nn element (implied decimals, e.g. TDS01 or SAC05 in cents); `None` when empty."""
    text = text.strip()
    if not text:
        return None
    if not _IMPLIED.fullmatch(text) or len(text.lstrip("+-")) > MAX_DIGITS:
        msg = f"{text!r} is not a whole number with {decimals} implied decimals"
        raise X12ValueError(msg, "6")
    return Decimal(text).scaleb(-decimals)


@lru_cache(maxsize=4096)
def parse_date(text: str, tz: tzinfo, time: str = "", time_code: str = "") -> datetime:
    """A DT element (CCYYMMDD, or YYMMDD before 004010) with an optional TM element and DTM04
    time code, as an aware datetime; `tz` applies when no time code names the zone.

    Cached (a `datetime` is immutable): an order repeats the same few dates on every line."""
    text = text.strip()
    if len(text) == 6 and is_digits(text):
        year = int(text[:2])
        text = f"{20 if year < _CENTURY_PIVOT else 19}{text}"
    if len(text) != 8 or not is_digits(text):
        msg = f"{text!r} is not a CCYYMMDD date"
        raise X12ValueError(msg, "8")
    hours, minutes, seconds, micros = _clock(time.strip())
    try:
        naive = datetime(  # noqa: DTZ001 - the zone is attached below
            int(text[:4]), int(text[4:6]), int(text[6:]), hours, minutes, seconds, micros
        )
    except ValueError:
        msg = f"{text!r} is not a calendar date"
        raise X12ValueError(msg, "8") from None
    return naive.replace(tzinfo=_zone(time_code.strip()) or tz)


def _clock(time: str) -> tuple[int, int, int, int]:
    if not time:
        return 0, 0, 0, 0
    if not is_digits(time) or len(time) not in {4, 6, 7, 8}:
        msg = f"{time!r} is not an HHMM[SS[D[D]]] time"
        raise X12ValueError(msg, "9")
    hours, minutes = int(time[:2]), int(time[2:4])
    seconds = int(time[4:6]) if len(time) >= 6 else 0
    micros = int(time[6:].ljust(6, "0")) if len(time) > 6 else 0
    if hours > 23 or minutes > 59 or seconds > 59:
        msg = f"{time!r} is not a time of day"
        raise X12ValueError(msg, "9")
    return hours, minutes, seconds, micros


def _zone(code: str) -> tzinfo | None:
    if code in _FIXED_ZONES:
        hours = _FIXED_ZONES[code]
        return UTC if hours == 0 else timezone(timedelta(hours=hours))
    if code in _NAMED_ZONES:
        return ZoneInfo(_NAMED_ZONES[code])
    return None


def format_real(value: Decimal) -> str:
    """An R element: no exponent, no trailing fractional zeros (`9.50` -> `9.5`, `100`)."""
    if not value.is_finite():
        msg = f"{value} is not a finite number"
        raise ValueError(msg)
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def format_implied(value: Decimal, decimals: int = 2) -> str:
    """An Nn element: `12.345` with 2 decimals -> `1235` (half up), `-1.5` -> `-150`."""
    try:
        scaled = value.scaleb(decimals).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        msg = f"{value} cannot be written with {decimals} implied decimals"
        raise ValueError(msg) from None
    return format(scaled, "f")


def format_date(value: datetime, tz: tzinfo, *, century: bool = True) -> str:
    """CCYYMMDD (or YYMMDD) of an aware datetime, in `tz`."""
    local = value.astimezone(tz)
    return local.strftime("%Y%m%d" if century else "%y%m%d")


def format_time(value: datetime, tz: tzinfo, *, seconds: bool = False) -> str:
    """HHMM (or HHMMSS) of an aware datetime, in `tz`."""
    return value.astimezone(tz).strftime("%H%M%S" if seconds else "%H%M")
