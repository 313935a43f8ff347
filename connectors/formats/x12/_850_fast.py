"""The 850 fast path: a `PurchaseOrder` built from values that are already what validation returns.

Why: pydantic validation of the canonical order was about 40 % of an 850's translation, and
most of it checked again what the reader had just established (numbers and dates parsed into
`Decimal` and aware `datetime`, stripped element text, positive line numbers). `build_order`
checks only what the reader does not guarantee by construction (lengths, code shapes, blanks
inside elements, ASCII-only printable text, unique line numbers, ...) and then creates the
models as `model_validate` would: the same values, the same field order, the same
`model_fields_set`. Anything outside that common case returns `None`, and the caller validates
as before, so every refusal and every error message stays `model_validate`'s.

Guard: the checks encode the canonical model as it was written (`SCHEMA_FINGERPRINT`). When
`schemas/` changes these models, the fingerprint differs and `build_order` switches itself off
(every order is validated); `tests/unit/test_x12_850_fast.py` fails until the checks are
reviewed and the fingerprint updated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from schemas.order import OrderChange, OrderLine, PurchaseOrder
from schemas.party import Party, PostalAddress
from schemas.types import Identifier

SCHEMA_FINGERPRINT = "479a8d16"
"""First 8 hex digits of `schema_fingerprint()` for the models the checks below were written
against; replace it only after reviewing `build_order` against the changed models."""

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
_LINE_KEYS = frozenset(
    {
        "line_number",
        "quantity",
        "unit_of_measure",
        "unit_price",
        "supplier_part_id",
        "buyer_part_id",
        "description",
        "comments",
        "classifications",
        "extensions",
        "requested_delivery_date",
    }
)
_PARTY_KEYS = frozenset({"name", "identifiers", "address", "email", "phone"})
_ADDRESS_KEYS = frozenset({"deliver_to", "street", "city", "region", "postal_code", "country"})
_ID_KEYS = frozenset({"scheme", "value"})
_ZONES = (timezone, ZoneInfo)
"""tzinfo types whose `utcoffset` is never `None` (what `AwareDatetime` requires)."""
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
    return joined.isascii() and joined.isprintable()


def build_order(values: dict[str, Any], segments: Sequence[str]) -> PurchaseOrder | None:
    """The order `PurchaseOrder.model_validate(values)` returns, or `None` outside the common
    case (the caller then validates). `values` is `_OrderReader.values()` for `segments`."""
    if not enabled() or not plain_text(segments):
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


def _stripped(text: object) -> str:
    """`text` when it is a string validation keeps as is (nothing to strip)."""
    if type(text) is not str or text != text.strip():
        raise _NotPlainError
    return text


def _optional_text(text: object) -> str | None:
    return None if text is None else _stripped(text)


def _identifier_text(text: object, limit: int = _MAX_ID) -> str:
    """Single-line text up to `limit` characters (the segments are printable ASCII)."""
    value = _stripped(text)
    if len(value) > limit:
        raise _NotPlainError
    return value


def _amount(value: object) -> Decimal | None:
    if value is None:
        return None
    if type(value) is not Decimal or not value.is_finite():
        raise _NotPlainError
    return value


def _moment(value: object) -> datetime:
    if type(value) is not datetime or not isinstance(value.tzinfo, _ZONES):
        raise _NotPlainError
    return value


def _currency(code: object) -> str:
    if type(code) is not str or not (
        len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()
    ):
        raise _NotPlainError
    return code


def _extensions(extensions: object) -> dict[str, str]:
    if type(extensions) is not dict:
        raise _NotPlainError
    for key, value in extensions.items():
        _stripped(key)
        _stripped(value)
    return extensions


def _identifiers(items: object) -> tuple[Identifier, ...]:
    if type(items) is not list:
        raise _NotPlainError
    built = []
    for item in items:
        if type(item) is not dict or item.keys() != _ID_KEYS:
            raise _NotPlainError
        scheme, value = _stripped(item["scheme"]), _stripped(item["value"])
        if not scheme or not value or not scheme.isascii() or not value.isascii():
            raise _NotPlainError  # ISA ids are not in the segments checked by `plain_text`
        built.append(_make(Identifier, {"scheme": scheme, "value": value}, set(_ID_KEYS)))
    return tuple(built)


def _texts(items: object) -> tuple[str, ...]:
    if type(items) is not list:
        raise _NotPlainError
    return tuple(_stripped(item) for item in items)


def _address(address: object) -> PostalAddress | None:
    if address is None:
        return None
    if type(address) is not dict or address.keys() != _ADDRESS_KEYS:
        raise _NotPlainError
    country = address["country"]
    if country is not None and not (
        type(country) is str
        and len(country) == 2
        and country.isascii()
        and country.isalpha()
        and country.isupper()
    ):
        raise _NotPlainError
    fields = {
        "deliver_to": _texts(address["deliver_to"]),
        "street": _texts(address["street"]),
        "city": _optional_text(address["city"]),
        "region": _optional_text(address["region"]),
        "postal_code": _optional_text(address["postal_code"]),
        "country": country,
    }
    return _make(PostalAddress, fields, set(_ADDRESS_KEYS))


def _party(party: object) -> Party | None:
    if party is None:
        return None
    if type(party) is not dict or party.keys() != _PARTY_KEYS:
        raise _NotPlainError
    fields = {
        "name": _optional_text(party["name"]),
        "identifiers": _identifiers(party["identifiers"]),
        "address": _address(party["address"]),
        "email": _optional_text(party["email"]),
        "phone": _optional_text(party["phone"]),
    }
    return _make(Party, fields, set(_PARTY_KEYS))


def _line(line: object) -> OrderLine:
    if type(line) is not dict or not line.keys() <= _LINE_KEYS:
        raise _NotPlainError
    number = line["line_number"]
    quantity = _amount(line["quantity"])
    if type(number) is not int or number < 1 or quantity is None or not quantity > 0:
        raise _NotPlainError
    supplier, buyer = line["supplier_part_id"], line["buyer_part_id"]
    delivery = line.get("requested_delivery_date")
    fields = {
        "line_number": number,
        "supplier_part_id": None if supplier is None else _identifier_text(supplier),
        "supplier_part_auxiliary_id": None,
        "buyer_part_id": None if buyer is None else _identifier_text(buyer),
        "sku": None,
        "description": _optional_text(line["description"]),
        "quantity": quantity,
        "unit_of_measure": _identifier_text(line["unit_of_measure"], _MAX_UNIT),
        "unit_price": _amount(line["unit_price"]),
        "unit_price_currency": None,
        "requested_delivery_date": None if delivery is None else _moment(delivery),
        "classifications": _identifiers(line["classifications"]),
        "comments": _optional_text(line["comments"]),
        "extensions": _extensions(line["extensions"]),
    }
    if not fields["unit_of_measure"]:
        raise _NotPlainError
    return _make(OrderLine, fields, set(line))


def _order(values: dict[str, Any]) -> PurchaseOrder:
    if not values.keys() <= _ORDER_KEYS:
        raise _NotPlainError
    change = values["change"]
    order_id = _identifier_text(values["order_id"])
    is_test = values["is_test"]
    if type(change) is not OrderChange or not order_id or type(is_test) is not bool:
        raise _NotPlainError
    raw_lines = values["lines"]
    if type(raw_lines) is not list:
        raise _NotPlainError
    lines = tuple(_line(line) for line in raw_lines)
    if not lines and change is not OrderChange.DELETE:
        raise _NotPlainError
    if len({line.line_number for line in lines}) != len(lines):
        raise _NotPlainError
    delivery = values.get("requested_delivery_date")
    buyer, supplier = _party(values["buyer"]), _party(values["supplier"])
    if buyer is None or supplier is None:
        raise _NotPlainError
    fields = {
        "document_type": "purchase_order",
        "order_id": order_id,
        "change": change,
        "version": None,
        "supersedes": None,
        "order_date": _moment(values["order_date"]),
        "order_type": _stripped(values["order_type"]),
        "currency": _currency(values["currency"]),
        "total": _amount(values.get("total")),
        "total_currency": None,
        "tax": _amount(values["tax"]),
        "tax_currency": None,
        "shipping": _amount(values["shipping"]),
        "shipping_currency": None,
        "buyer": buyer,
        "supplier": supplier,
        "ship_to": _party(values["ship_to"]),
        "bill_to": _party(values["bill_to"]),
        "requested_delivery_date": None if delivery is None else _moment(delivery),
        "comments": _optional_text(values["comments"]),
        "is_test": is_test,
        "extensions": _extensions(values["extensions"]),
        "lines": lines,
    }
    return _make(PurchaseOrder, fields, set(values))
