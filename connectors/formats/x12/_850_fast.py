"""The 850 fast path: a `PurchaseOrder` built from values that are already what validation returns.

Why: pydantic validation of the canonical order was about a third of an 850's translation, and
most of it checked again what the reader had just established (numbers and dates parsed into
`Decimal` and aware `datetime`, stripped element text, positive line numbers). `build_order`
checks only what the reader does not guarantee by construction (lengths, code shapes, blanks
inside elements, ASCII-only printable text, unique line numbers, ...) and then creates the
models as `model_validate` would: the same values, the same field order, the same
`model_fields_set`. Anything outside that common case returns `None`, and the caller validates
as before, so every refusal and every error message stays `model_validate`'s.

Guard: the checks encode the canonical model as it was written (`SCHEMA_FINGERPRINT`). When
`schemas/` changes these models, the fingerprint differs and `build_order` switches itself off
(every order is validated); `tests/unit/x12/test_x12_850_fast.py` fails until the checks are
reviewed and the fingerprint updated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import timezone, tzinfo
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from schemas.order import OrderChange, OrderLine, PurchaseOrder
from schemas.party import Party, PostalAddress
from schemas.types import Identifier

SCHEMA_FINGERPRINT = "b7015667"
"""First 8 hex digits of `schema_fingerprint()` for the models the checks below were written
against; replace it only after reviewing `build_order` against the changed models.

Reviewed for `f99ac19` (amounts lost their Python finiteness after-validator; pydantic's own
Decimal validator refuses NaN and infinities): the amounts built here come from the X12
reader's `Decimal`s, which refuse anything not finite, so the checks stand."""

_VOLATILE = re.compile(r" at 0x[0-9a-f]+|:[0-9]{6,}")
_ORDER_KEYS = frozenset(
    {
        "extensions",
        "change",
        "order_type",
        "order_id",
        "order_date",
        "currency",
        "requested_delivery_date",
        "total",
        "tax",
        "shipping",
        "buyer",
        "supplier",
        "ship_to",
        "bill_to",
        "comments",
        "is_test",
        "lines",
    }
)
_PARTY_KEYS = frozenset({"name", "identifiers", "address", "email", "phone"})
_ADDRESS_KEYS = frozenset({"deliver_to", "street", "city", "region", "postal_code", "country"})
_ID_KEYS = frozenset({"scheme", "value"})
_ZONES = (timezone, ZoneInfo)
"""tzinfo types whose `utcoffset` is never `None` (what `AwareDatetime` requires); the reader's
dates carry the caller's `tz` or one of these (`_values._zone`)."""
_CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
"""The ASCII characters `str.isprintable` refuses."""
_MAX_ID = 255
_MAX_UNIT = 35

_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


class _NotPlainError(Exception):
    """A value outside the common case: the caller validates instead."""


def schema_fingerprint() -> str:
    """SHA-256 of `PurchaseOrder`'s pydantic-core schema (every nested model, constraint,
    validator and config flag), without the memory addresses and ids that differ per run."""
    text = _VOLATILE.sub("", repr(PurchaseOrder.__pydantic_core_schema__))
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def enabled() -> bool:
    """True when the canonical models are the ones the checks were written for."""
    return schema_fingerprint()[: len(SCHEMA_FINGERPRINT)] == SCHEMA_FINGERPRINT


def plain_text(segments: Sequence[str]) -> bool:
    """True when every segment is printable ASCII: then no element value holds a control
    character, an undecodable byte (a lone surrogate) or a blank other than a space."""
    joined = "".join(segments)
    if not joined.isascii():
        return False
    data = joined.encode("ascii")  # `bytes.translate` deletes in C, ~4x faster than isprintable
    return len(data.translate(None, _CONTROL_BYTES)) == len(data)


def build_order(
    values: dict[str, Any], segments: Sequence[str], tz: tzinfo
) -> PurchaseOrder | None:
    """The order `PurchaseOrder.model_validate(values)` returns, or `None` outside the common
    case (the caller then validates). `values` is `_OrderReader.values()` for `segments`, with
    naive dates read in `tz`.

    What the reader guarantees and is not checked again here: every element value it keeps is
    stripped (`str.strip`, a superset of the blanks pydantic strips), except the PO1 product id
    qualifiers and values; numbers are finite `Decimal`s (`parse_real`, `parse_implied`), dates
    carry `tz` or a zone of `_values._zone`, line numbers are positive `int`s, identifiers
    (N1, TC2, ISA) are non-empty and stripped, an N4 country is two upper-cased letters or
    `None` (ASCII letters once `plain_text` holds). `tests/unit/x12/test_x12_850_fast.py` compares
    the result with `model_validate` on generated 850s, so a reader change that breaks one of
    these shows there.
    """
    if not isinstance(tz, _ZONES) or not enabled() or not plain_text(segments):
        return None
    try:
        return _order(values)
    except (_NotPlainError, KeyError):
        return None


def _make(cls: type[_M], fields: dict[str, Any], given: set[str]) -> _M:
    """An instance as validation leaves it (what `model_construct` does, without its per-field
    Python loop): `fields` in the model's field order, `given` = the input's keys."""
    model = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", given)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _part_id(text: str | None) -> str | None:
    """A PO1 product id (not stripped by the reader) that validation keeps as is."""
    if text is not None and (text != text.strip() or len(text) > _MAX_ID):
        raise _NotPlainError
    return text


def _identifiers(items: list[dict[str, str]]) -> tuple[Identifier, ...]:
    return tuple(
        _make(Identifier, {"scheme": item["scheme"], "value": item["value"]}, set(_ID_KEYS))
        for item in items
    )


def _party(party: dict[str, Any] | None) -> Party | None:
    if party is None:
        return None
    address = party["address"]
    if address is not None:
        address = _make(
            PostalAddress,
            {
                "deliver_to": tuple(address["deliver_to"]),
                "street": tuple(address["street"]),
                "city": address["city"],
                "region": address["region"],
                "postal_code": address["postal_code"],
                "country": address["country"],
            },
            set(_ADDRESS_KEYS),
        )
    fields = {
        "name": party["name"],
        "identifiers": _identifiers(party["identifiers"]),
        "address": address,
        "email": party["email"],
        "phone": party["phone"],
    }
    return _make(Party, fields, set(_PARTY_KEYS))


def _line(line: dict[str, Any]) -> OrderLine:
    quantity = line["quantity"]
    unit = line["unit_of_measure"]
    if not quantity > 0 or len(unit) > _MAX_UNIT:
        raise _NotPlainError
    extensions = line["extensions"]
    for key, value in extensions.items():
        if key != key.strip() or value != value.strip():
            raise _NotPlainError  # a PO1 product id qualifier or value with blanks around it
    fields = {
        "line_number": line["line_number"],
        "supplier_part_id": _part_id(line["supplier_part_id"]),
        "supplier_part_auxiliary_id": None,
        "buyer_part_id": _part_id(line["buyer_part_id"]),
        "sku": None,
        "description": line["description"],
        "quantity": quantity,
        "unit_of_measure": unit,
        "unit_price": line["unit_price"],
        "unit_price_currency": None,
        "requested_delivery_date": line.get("requested_delivery_date"),
        "classifications": _identifiers(line["classifications"]),
        "comments": line["comments"],
        "extensions": extensions,
    }
    return _make(OrderLine, fields, set(line))


def _order(values: dict[str, Any]) -> PurchaseOrder:
    if not values.keys() <= _ORDER_KEYS:
        raise _NotPlainError
    change, order_id, order_type = values["change"], values["order_id"], values["order_type"]
    currency = values["currency"]
    if (
        type(change) is not OrderChange
        or len(order_id) > _MAX_ID
        or order_type != order_type.strip()  # a partner's order type map may hold blanks
        or not (len(currency) == 3 and currency.isascii() and currency.isalpha())
        or not currency.isupper()
    ):
        raise _NotPlainError
    for party in (values["buyer"], values["supplier"]):
        for identifier in party["identifiers"]:
            if not (identifier["scheme"].isascii() and identifier["value"].isascii()):
                raise _NotPlainError  # the ISA ids are not in the segments `plain_text` saw
    lines = tuple(map(_line, values["lines"]))
    if not lines and change is not OrderChange.DELETE:
        raise _NotPlainError
    if len({line.line_number for line in lines}) != len(lines):
        raise _NotPlainError
    fields = {
        "document_type": "purchase_order",
        "order_id": order_id,
        "change": change,
        "version": None,
        "supersedes": None,
        "order_date": values["order_date"],
        "order_type": order_type,
        "currency": currency,
        "total": values.get("total"),
        "total_currency": None,
        "tax": values["tax"],
        "tax_currency": None,
        "shipping": values["shipping"],
        "shipping_currency": None,
        "buyer": _party(values["buyer"]),
        "supplier": _party(values["supplier"]),
        "ship_to": _party(values["ship_to"]),
        "bill_to": _party(values["bill_to"]),
        "requested_delivery_date": values.get("requested_delivery_date"),
        "comments": values["comments"],
        "is_test": values["is_test"],
        "extensions": values["extensions"],
        "lines": lines,
    }
    return _make(PurchaseOrder, fields, set(values))
