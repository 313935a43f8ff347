"""Value types of the JSON API's inputs: what an operator may send, refused with a sentence.

Everything the API takes ends up in a database column and in a partner's document, so the types
here refuse what either cannot hold: control characters (PostgreSQL text cannot store NUL; a
partner's parser chokes on the others), numbers beyond the store's `NUMERIC(36, 18)`, and dates
that are not ISO 8601 text (pydantic would read `0` as 1970-01-01 in epoch seconds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from schemas import Quantity

SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""Identifiers and filters: no control character at all (tabs and newlines included)."""
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Free text: line breaks and tabs, but no other control character (NUL above all)."""

_SINGLE_LINE = re.compile(SINGLE_LINE_PATTERN)
_MULTI_LINE = re.compile(MULTI_LINE_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")

MAX_INTEGER_DIGITS = 12
"""Amounts and quantities below 10^12: far beyond any order, and safe to multiply and round
within Python's 28-digit decimal context and the store's 18 integer digits."""
MAX_DECIMAL_PLACES = 6
"""Finer than any currency or unit of measure needs; the store keeps 18."""


def _single_line(value: str) -> str:
    if not _SINGLE_LINE.match(value):
        msg = "must be one line of text without control characters (NUL, tab, line break...)"
        raise ValueError(msg)
    return value


def _multi_line(value: str) -> str:
    if not _MULTI_LINE.match(value):
        msg = "must be text without control characters such as NUL (line breaks and tabs are fine)"
        raise ValueError(msg)
    return value


def _iso_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        msg = (
            "must be an ISO 8601 date and time with its zone, e.g. 2026-12-01T12:00:00+00:00 "
            "(numbers are not read as epoch seconds)"
        )
        raise ValueError(msg)
    return value


def _representable(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        msg = "must lie between the years 1 and 9999 in UTC"
        raise ValueError(msg) from None
    return value


SingleLine = Annotated[
    str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN})
]
"""One line of text (an id, a tracking number, a name)."""

MultiLine = Annotated[
    str, AfterValidator(_multi_line), Field(json_schema_extra={"pattern": MULTI_LINE_PATTERN})
]
"""Free text for the buyer (comments, reasons)."""

IsoDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(_representable),
    Field(json_schema_extra={"format": "date-time"}),
]
"""A date and time as ISO 8601 text with its zone; never a number."""

BoundedQuantity = Annotated[
    Quantity,
    Field(lt=Decimal(10) ** MAX_INTEGER_DIGITS, decimal_places=MAX_DECIMAL_PLACES),
]
"""An amount or quantity the store and the arithmetic on it can hold exactly."""

FILTER_MAX_LENGTH = 255
"""Longer than any key or id the hub stores."""

MAX_OFFSET = 1_000_000_000
"""Deepest page offset: far past any table, and within every database's integer range."""

FilterText = Annotated[SingleLine, Field(max_length=FILTER_MAX_LENGTH)]
"""A query filter (partner key, order number, payloadID): one line, as long as a stored key."""

__all__ = [
    "FILTER_MAX_LENGTH",
    "MAX_DECIMAL_PLACES",
    "MAX_INTEGER_DIGITS",
    "MAX_OFFSET",
    "MULTI_LINE_PATTERN",
    "SINGLE_LINE_PATTERN",
    "BoundedQuantity",
    "FilterText",
    "IsoDatetime",
    "MultiLine",
    "SingleLine",
]
