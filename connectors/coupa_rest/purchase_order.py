"""Coupa's purchase-order JSON as the canonical `schemas.PurchaseOrder`, without I/O.

Field names are Coupa's dash-separated JSON names (partners.md §1.1, reconstructed from the PO
export spec): `po-number`, `version`, `status`, `created-at`, `currency.code`, `supplier`,
`ship-to-address`, `order-lines[].line-num`, `quantity`, `price`, `uom.code`,
`need-by-date`, `source-part-num`. Coupa sends decimals as strings; numbers are accepted too,
binary floats are not (`CoupaPurchaseOrderApi` parses JSON floats as `Decimal`).

Every refusal is a `MalformedDocumentError` whose `location` is the JSON path of the problem,
with 0-based list indexes: `order-lines[2].quantity`, `ship-to-address.country.code`, `$` for
the whole document. Nothing else escapes: no `KeyError`, `ValueError` or pydantic
`ValidationError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.core.errors import MalformedDocumentError
from schemas import OrderChange, PurchaseOrder

__all__ = [
    "CANCELLED_STATUS",
    "CoupaRestRules",
    "purchase_order_id",
    "purchase_order_key",
    "purchase_order_updated_at",
    "read_purchase_order",
]

CANCELLED_STATUS = "cancelled"
"""[ASSUME] Coupa's `status` of a cancelled order; such an order reads as `change=delete`."""
ADDRESS_ID_SCHEME = "addressID"
"""Scheme of a ship-to `location-code`: the cXML reader's scheme for `Address@addressID`."""
COUPA_ADDRESS_ID_SCHEME = "CoupaAddressID"
"""Scheme of the ship-to address record's Coupa id."""

_DECIMAL = re.compile(r"[+-]?[0-9]{1,18}(?:\.[0-9]{1,18})?")
_MAX_DIGITS = 18
_MAX_INT_DIGITS = 9
_MAX_INT_TEXT = 10**_MAX_DIGITS
"""Larger integers are refused where text is expected (and never turned into long text)."""
_MAX_DATETIME_CHARS = 40
_MAX_SHOWN = 40
_SHOWN_PROBLEMS = 3
_STREET_KEYS = ("street1", "street2", "street3", "street4")
_FieldName = Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")]


class CoupaRestRules(BaseModel):
    """How one customer's Coupa instance fills the fields the canonical order needs."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    buyer_identity: Annotated[str, Field(min_length=1)]
    """Who the buyer is: the Coupa instance (`acme.coupahost.com`) or the customer's id in the
    scheme below; Coupa's PO JSON does not name its own organisation."""
    buyer_scheme: Annotated[str, Field(min_length=1)] = "CoupaInstance"
    """Scheme of `buyer_identity` (use the cXML From domain to match the cXML channel)."""
    buyer_name: str | None = None
    """Display name of the buying organisation."""
    supplier_id_scheme: Annotated[str, Field(min_length=1)] = "CoupaSupplierID"
    """Scheme of `supplier.id`, Coupa's internal id of the supplier record (us)."""
    supplier_number_scheme: Annotated[str, Field(min_length=1)] = "CoupaSupplierNumber"
    """Scheme of `supplier.number`, the customer's own number for us."""
    default_unit_of_measure: Annotated[str, Field(min_length=1, max_length=35)] | None = "EA"
    """Unit of a line without `uom.code`; `None` refuses such a line instead."""
    supplier_part_id_field: _FieldName = "source-part-num"
    """Line field (a dotted path into nested objects) holding our part number."""
    supplier_part_auxiliary_id_field: _FieldName | None = None
    """Line field holding the supplier auxiliary part id, if the customer uses one."""
    buyer_part_id_field: _FieldName | None = None
    """Line field holding the buyer's own part number (e.g. `item.item-number`), if wanted."""


def read_purchase_order(
    data: Mapping[str, Any], *, tz: tzinfo, rules: CoupaRestRules
) -> PurchaseOrder:
    """Map one purchase order of Coupa's JSON to a `PurchaseOrder`.

    `version` 1 is a `new` order, a higher version an `update` (a full replacement), and
    `status` "cancelled" a `delete` whatever the version [ASSUME]. Datetimes without an
    offset are read in `tz`.
    """
    if not isinstance(data, Mapping):
        msg = f"a Coupa purchase order is a JSON object, not {_kind(data)}"
        raise MalformedDocumentError(msg, location="$")
    version = _positive_int(data, "version", "", required=True)
    status = _text(data, "status", "") or ""
    if status.lower() == CANCELLED_STATUS:
        change = OrderChange.DELETE
    else:
        change = OrderChange.NEW if version == 1 else OrderChange.UPDATE
    currency = _code(data, "currency", "", required=True)
    lines = _lines(data, change=change, currency=currency, tz=tz, rules=rules)
    coupa_id = _positive_int(data, "id", "", required=False)
    extensions = {"coupa-id": str(coupa_id)} if coupa_id is not None else {}
    payment_term = _code(data, "payment-term", "", required=False)
    if payment_term:
        extensions["payment-term"] = payment_term
    values: dict[str, Any] = {
        "order_id": _text(data, "po-number", "", required=True),
        "change": change,
        "version": version,
        "order_date": _datetime(data, "created-at", "", tz, required=True),
        "currency": currency,
        "buyer": {
            "name": rules.buyer_name,
            "identifiers": [{"scheme": rules.buyer_scheme, "value": rules.buyer_identity}],
        },
        "supplier": _supplier(data, rules),
        "ship_to": _ship_to(data),
        "extensions": extensions,
        "lines": lines,
    }
    try:
        return PurchaseOrder.model_validate(values)
    except ValidationError as error:
        raise _describe(error, rules) from None


def purchase_order_key(data: Mapping[str, Any]) -> str:
    """Our idempotency key of one order: `"<id>:<version>"`, `":cancelled"` appended when
    the order is cancelled.

    Coupa keys a version of an order by (`id`, `version`) (partners.md §7). Whether
    cancelling bumps `version` is not documented; the suffix makes sure a cancellation is never
    taken for a duplicate of the version it cancels.
    """
    po_id = purchase_order_id(data)
    version = _positive_int(data, "version", "", required=True)
    status = _text(data, "status", "") or ""
    suffix = f":{CANCELLED_STATUS}" if status.lower() == CANCELLED_STATUS else ""
    return f"{po_id}:{version}{suffix}"


def purchase_order_id(data: Mapping[str, Any]) -> int:
    """Coupa's internal `id` of the order (what `mark_exported` takes)."""
    if not isinstance(data, Mapping):
        msg = f"a Coupa purchase order is a JSON object, not {_kind(data)}"
        raise MalformedDocumentError(msg, location="$")
    po_id = _positive_int(data, "id", "", required=True)
    assert po_id is not None  # required=True
    return po_id


def purchase_order_updated_at(data: Mapping[str, Any], *, tz: tzinfo) -> datetime:
    """The order's `updated-at` (the pull's cursor); without an offset it is read in `tz`."""
    if not isinstance(data, Mapping):
        msg = f"a Coupa purchase order is a JSON object, not {_kind(data)}"
        raise MalformedDocumentError(msg, location="$")
    moment = _datetime(data, "updated-at", "", tz, required=True)
    assert moment is not None  # required=True
    return moment


# -- parts of the order -------------------------------------------------------------------------


def _lines(
    data: Mapping[str, Any],
    *,
    change: OrderChange,
    currency: str | None,
    tz: tzinfo,
    rules: CoupaRestRules,
) -> list[dict[str, Any]]:
    items = data.get("order-lines")
    if items is None and change is OrderChange.DELETE:
        return []
    if not isinstance(items, list):
        msg = f"order-lines must be a list of lines, not {_kind(items)}"
        raise MalformedDocumentError(msg, location="order-lines")
    if not items and change is not OrderChange.DELETE:
        msg = f"a {change.value} purchase order needs at least one line"
        raise MalformedDocumentError(msg, location="order-lines")
    lines = [
        _line(item, f"order-lines[{index}]", index + 1, currency=currency, tz=tz, rules=rules)
        for index, item in enumerate(items)
    ]
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line["line_number"] in seen:
            msg = f"line-num {line['line_number']} appears more than once"
            raise MalformedDocumentError(msg, location=f"order-lines[{index}].line-num")
        seen.add(line["line_number"])
    return lines


def _line(
    item: Any,
    where: str,
    position: int,
    *,
    currency: str | None,
    tz: tzinfo,
    rules: CoupaRestRules,
) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        msg = f"an order line is a JSON object, not {_kind(item)}"
        raise MalformedDocumentError(msg, location=where)
    line_currency = _code(item, "currency", where, required=False)
    if line_currency is not None and line_currency != currency:
        msg = f"line currency {_shown(line_currency)} differs from the order's {currency}"
        raise MalformedDocumentError(msg, location=_at(where, "currency.code"))
    unit = _code(item, "uom", where, required=False) or rules.default_unit_of_measure
    if unit is None:
        msg = "uom.code is required (no default unit of measure is configured)"
        raise MalformedDocumentError(msg, location=_at(where, "uom.code"))
    extensions = {}
    line_id = _positive_int(item, "id", where, required=False)
    if line_id is not None:
        extensions["coupa-line-id"] = str(line_id)
    account = _code(item, "account", where, required=False)
    if account:
        extensions["account"] = account
    return {
        "line_number": _positive_int(item, "line-num", where, required=False) or position,
        "description": _text(item, "description", where),
        "quantity": _decimal(item, "quantity", where, required=True),
        "unit_price": _decimal(item, "price", where, required=False),
        "unit_of_measure": unit,
        "requested_delivery_date": _datetime(item, "need-by-date", where, tz, required=False),
        "supplier_part_id": _text_at(item, rules.supplier_part_id_field, where),
        "supplier_part_auxiliary_id": _text_at(item, rules.supplier_part_auxiliary_id_field, where),
        "buyer_part_id": _text_at(item, rules.buyer_part_id_field, where),
        "extensions": extensions,
    }


def _supplier(data: Mapping[str, Any], rules: CoupaRestRules) -> dict[str, Any]:
    """Us, as Coupa's supplier record names us: `id` and `number` as identifiers, `name`."""
    supplier = _object(data, "supplier", "", required=True)
    assert supplier is not None  # required=True
    identifiers = []
    supplier_id = _text(supplier, "id", "supplier")
    if supplier_id:
        identifiers.append({"scheme": rules.supplier_id_scheme, "value": supplier_id})
    number = _text(supplier, "number", "supplier")
    if number:
        identifiers.append({"scheme": rules.supplier_number_scheme, "value": number})
    return {"name": _text(supplier, "name", "supplier"), "identifiers": identifiers}


def _ship_to(data: Mapping[str, Any]) -> dict[str, Any] | None:
    where = "ship-to-address"
    address = _object(data, where, "", required=False)
    if address is None:
        return None
    identifiers = []
    location_code = _text(address, "location-code", where)
    if location_code:
        identifiers.append({"scheme": ADDRESS_ID_SCHEME, "value": location_code})
    address_id = _text(address, "id", where)
    if address_id:
        identifiers.append({"scheme": COUPA_ADDRESS_ID_SCHEME, "value": address_id})
    attention = _text(address, "attention", where)
    country = _code(address, "country", where, required=False)
    return {
        "name": _text(address, "name", where),
        "identifiers": identifiers,
        "address": {
            "deliver_to": [attention] if attention else [],
            "street": [s for s in (_text(address, k, where) for k in _STREET_KEYS) if s],
            "city": _text(address, "city", where),
            "region": _text(address, "state", where),
            "postal_code": _text(address, "postal-code", where),
            "country": country.upper() if country else None,
        },
    }


# -- typed values, each refusal naming its place ------------------------------------------------


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _object(
    obj: Mapping[str, Any], key: str, where: str, *, required: bool
) -> Mapping[str, Any] | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, Mapping):
        msg = f"{key} must be an object, not {_kind(value)}"
        raise MalformedDocumentError(msg, location=_at(where, key))
    return value


def _text(obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    """A string (an integer is taken as its digits); empty or absent is `None`."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < _MAX_INT_TEXT:
        value = str(value)
    if value is not None and not isinstance(value, str):
        msg = f"{key} must be a string, not {_kind(value)}"
        raise MalformedDocumentError(msg, location=_at(where, key))
    text = value.strip() if value is not None else ""
    if not text and required:
        msg = f"{key} is required"
        raise MalformedDocumentError(msg, location=_at(where, key))
    return text or None


def _text_at(obj: Mapping[str, Any], path: str | None, where: str) -> str | None:
    """The text at a dotted `path` (`item.item-number`); `None` when any step is absent."""
    if path is None:
        return None
    *steps, last = path.split(".")
    for step in steps:
        nested = _object(obj, step, where, required=False)
        if nested is None:
            return None
        obj, where = nested, _at(where, step)
    return _text(obj, last, where)


def _code(obj: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    """A Coupa reference's `code` (`{"code": "TRY"}`); a bare string is taken as the code."""
    value = obj.get(key)
    if isinstance(value, str) or (value is None and not required):
        return _text(obj, key, where, required=required)
    if value is None:
        msg = f"{key}.code is required"
        raise MalformedDocumentError(msg, location=_at(where, f"{key}.code"))
    nested = _object(obj, key, where, required=True)
    assert nested is not None  # required=True
    return _text(nested, "code", _at(where, key), required=required)


def _positive_int(obj: Mapping[str, Any], key: str, where: str, *, required: bool) -> int | None:
    """A positive integer of at most 9 digits, as a JSON number or a string of digits."""
    value = obj.get(key)
    if value is None and not required:
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= _MAX_INT_DIGITS else None
    if number is None or not 1 <= number < 10**_MAX_INT_DIGITS:
        shown = _shown_value(value) if value is not None else "missing"
        msg = f"{key} must be a positive integer below 10^{_MAX_INT_DIGITS}, got {shown}"
        raise MalformedDocumentError(msg, location=_at(where, key))
    return number


def _decimal(obj: Mapping[str, Any], key: str, where: str, *, required: bool) -> Decimal | None:
    """A decimal string or a JSON number (`Decimal` or integer; binary floats are refused)."""
    value = obj.get(key)
    location = _at(where, key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            msg = f"{key} is required"
            raise MalformedDocumentError(msg, location=location)
        return None
    number: Decimal | None = None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        number = Decimal(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    if number is None:
        msg = f'{key} must be a decimal string such as "10.5", got {_shown_value(value)}'
        raise MalformedDocumentError(msg, location=location)
    exponent = number.as_tuple().exponent
    if number.adjusted() >= _MAX_DIGITS or (isinstance(exponent, int) and exponent < -_MAX_DIGITS):
        msg = f"{key} {_shown_value(value)} is out of range (at most {_MAX_DIGITS} digits)"
        raise MalformedDocumentError(msg, location=location)
    return number


def _datetime(
    obj: Mapping[str, Any], key: str, where: str, tz: tzinfo, *, required: bool
) -> datetime | None:
    """An ISO 8601 date or date-time string; one without an offset is read in `tz`."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        msg = f"{key} must be an ISO 8601 date-time string, not {_kind(value)}"
        raise MalformedDocumentError(msg, location=_at(where, key))
    text = _text(obj, key, where, required=required)
    if text is None:
        return None
    moment = None
    if text.isascii() and len(text) <= _MAX_DATETIME_CHARS:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
    if moment is None:
        msg = f"{key} {_shown(text)} is not an ISO 8601 date-time"
        raise MalformedDocumentError(msg, location=_at(where, key))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def _shown_value(value: Any) -> str:
    """`value` quoted for a message; huge integers are not printed (CPython limits that)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MAX_INT_TEXT:
        return "a number too large to show"
    return _shown(value if isinstance(value, str) else repr(value))


def _shown(text: str) -> str:
    return f'"{text[:_MAX_SHOWN]}…"' if len(text) > _MAX_SHOWN else f'"{text}"'


# -- canonical model refusals, located in Coupa's terms -----------------------------------------

_HEADER_FIELDS = {
    "order_id": "po-number",
    "version": "version",
    "order_date": "created-at",
    "currency": "currency.code",
    "supplier": "supplier",
}
_ADDRESS_FIELDS = {
    "deliver_to": "attention",
    "street": "street1",
    "city": "city",
    "region": "state",
    "postal_code": "postal-code",
    "country": "country.code",
}


def _line_fields(rules: CoupaRestRules) -> dict[str, str]:
    return {
        "line_number": "line-num",
        "description": "description",
        "quantity": "quantity",
        "unit_price": "price",
        "unit_of_measure": "uom.code",
        "requested_delivery_date": "need-by-date",
        "supplier_part_id": rules.supplier_part_id_field,
        "supplier_part_auxiliary_id": rules.supplier_part_auxiliary_id_field or "",
        "buyer_part_id": rules.buyer_part_id_field or "",
    }


def _coupa_path(loc: tuple[int | str, ...], rules: CoupaRestRules) -> str:
    """A canonical path (`("lines", 1, "quantity")`) as Coupa's (`order-lines[1].quantity`)."""
    head = loc[0] if loc else ""
    if head == "lines" and len(loc) > 1 and isinstance(loc[1], int):
        where = f"order-lines[{loc[1]}]"
        field = _line_fields(rules).get(str(loc[2])) if len(loc) > 2 else None
        return _at(where, field) if field else where
    if head == "ship_to":
        field = _ADDRESS_FIELDS.get(str(loc[2])) if len(loc) > 2 and loc[1] == "address" else None
        return _at("ship-to-address", field) if field else "ship-to-address"
    return _HEADER_FIELDS.get(str(head), "$")


def _describe(error: ValidationError, rules: CoupaRestRules) -> MalformedDocumentError:
    """A readable refusal for an order that does not fit the canonical model."""
    problems = error.errors(include_url=False)
    parts = []
    for problem in problems[:_SHOWN_PROBLEMS]:
        reason = str(problem["msg"]).removeprefix("Value error, ")
        value = problem.get("input")
        if isinstance(value, str):
            reason = f"{reason} (got {_shown(value)})"
        parts.append(f"{_coupa_path(problem['loc'], rules)}: {reason}")
    if len(problems) > _SHOWN_PROBLEMS:
        parts.append(f"and {len(problems) - _SHOWN_PROBLEMS} more")
    location = _coupa_path(problems[0]["loc"], rules) if problems else "$"
    msg = "the order does not fit the canonical purchase order: " + "; ".join(parts)
    return MalformedDocumentError(msg, location=location)
