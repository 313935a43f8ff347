"""Value types of the canonical model: decimals as strings, codes, identifiers.

Amounts and quantities are `Decimal` in Python and decimal *strings* in JSON, so no consumer of the
public JSON ever meets a binary float. Floats are refused on input for the same reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from schemas._base import CanonicalModel

_DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
"""Identifiers are single-line text: no newlines, tabs or other control characters."""


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        msg = "binary floats are not accepted for amounts or quantities; send a decimal string"
        raise ValueError(msg)
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    # NaN and infinities are refused by pydantic's own Decimal validator (allow_inf_nan is
    # False by default; tests/unit/test_canonical_model.py), in Rust: no Python check per amount.
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _DECIMAL_PATTERN}),
]
"""A money amount in the document's currency: `Decimal`, a decimal string in JSON."""

Quantity = Amount
"""A quantity in a unit of measure: `Decimal`, a decimal string in JSON."""

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
"""ISO 4217 alphabetic currency code, e.g. `USD`."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2 country code, e.g. `US`."""

UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=35)]
"""Unit of measure: a UN/ECE Recommendation 20 code (e.g. `EA`, `H87`, `KGM`) once the partner's
mapping has run; before mapping, the code exactly as the partner sent it."""


class Identifier(CanonicalModel):
    """A partner-issued identifier with the scheme that gives it meaning.

    cXML credentials become `Identifier(scheme=<domain>, value=<identity>)`, X12 ids
    `Identifier(scheme=<qualifier>, value=<id>)`; no partner-specific field names in the model.
    """

    scheme: Annotated[str, StringConstraints(min_length=1)]
    """Who issued the value or what kind it is: `NetworkID`, `DUNS`, `UNSPSC`, `ZZ`..."""
    value: Annotated[str, StringConstraints(min_length=1)]
    """The identifier itself, as issued."""
