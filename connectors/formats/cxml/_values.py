"""Typed values read from cXML text, each failure naming where in the document it happened."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation

from connectors.core.errors import DocumentError, MalformedDocumentError
from connectors.formats.cxml._datetime import parse_cxml_datetime
from connectors.formats.cxml._xml import shorten

_MAX_SHOWN = 40
_MAX_DIGITS = 18
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""Integer and fractional digits allowed in an amount or quantity. Beyond money sense, and a
guard: `1E+999999999` is a finite Decimal whose plain-notation JSON would take a gigabyte."""
_MAX_INT_DIGITS = 9


def decimal_at(text: str, location: str) -> Decimal:
    """A finite `Decimal` from `text`; `MalformedDocumentError` at `location` otherwise."""
    value = text.strip()
    number = None
    if _PLAIN_DECIMAL.fullmatch(value):  # Decimal() alone also takes "1_000", "٣", "NaN"
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        msg = f"{shown(value)} is not a decimal number"
        raise MalformedDocumentError(msg, location=location)
    exponent = number.as_tuple().exponent
    if number.adjusted() >= _MAX_DIGITS or (isinstance(exponent, int) and exponent < -_MAX_DIGITS):
        msg = (
            f"{shown(value)} is out of range "
            f"(at most {_MAX_DIGITS} integer and {_MAX_DIGITS} fractional digits)"
        )
        raise MalformedDocumentError(msg, location=location)
    return number


def positive_int(text: str) -> int | None:
    """A positive integer of at most 9 ASCII digits (fits any int column), else `None`."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_INT_DIGITS and int(text) >= 1:
        return int(text)
    return None


def datetime_at(text: str, location: str, default_tz: tzinfo) -> datetime:
    """An aware datetime from `text` (tolerant forms); `MalformedDocumentError` at `location`."""
    try:
        return parse_cxml_datetime(text, default_tz=default_tz)
    except DocumentError as error:
        raise MalformedDocumentError(str(error), location=location) from None


def optional_datetime_at(text: str, location: str, default_tz: tzinfo) -> datetime | None:
    """Like `datetime_at`, `None` for an empty value."""
    return datetime_at(text, location, default_tz) if text.strip() else None


def shown(value: str) -> str:
    """A document value quoted for an error message, cut to a readable length."""
    return f'"{shorten(value, _MAX_SHOWN)}"'
