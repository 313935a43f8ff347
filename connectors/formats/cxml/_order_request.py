"""`read_order_request`: a cXML OrderRequest as a canonical `schemas.PurchaseOrder`.

Tolerant where real senders deviate harmlessly (element order, date forms, credential domain
case, missing `lineNumber`), strict where the DTD or the cXML specification is broken and a guess
would change the order (unknown `type`, an `orderVersion` that is no positive number, an empty
`Money@currency`, no `ItemOut`). Every refusal is a `MalformedDocumentError` whose `location`
names the place in the document.

What the DTD allows is never refused for a business rule: an amount in another currency than
the order's keeps its own currency (`*_currency`), and a `Money` whose free text is no amount
(SAP Fieldglass sends an empty UnitPrice) raises `UnreadableAmountError`, which the connector
holds for a person instead of refusing (SAP Ariba never resends after a 4xx).
"""

from __future__ import annotations

import itertools
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml._amounts import UnreadableAmountError
from connectors.formats.cxml._envelope import CxmlDocument, payload_element
from connectors.formats.cxml._extrinsic import flatten_extrinsics
from connectors.formats.cxml._party import party_from_address, party_from_credentials
from connectors.formats.cxml._values import (
    datetime_at,
    decimal_at,
    optional_datetime_at,
    positive_int,
    shown,
)
from connectors.formats.cxml._xml import (
    Index,
    attribute,
    child,
    first,
    full_text,
    index,
    optional,
    own_text,
)
from schemas import OrderChange, PurchaseOrder

_HEADER = "OrderRequestHeader"
_CHANGES = {change.value: change for change in OrderChange}
_DESCRIPTION_SKIP = frozenset({"ShortName"})
_COMMENTS_SKIP = frozenset({"Attachment", "AttachmentReference"})
_SHOWN_PROBLEMS = 3


def read_order_request(document: CxmlDocument, *, default_tz: tzinfo = UTC) -> PurchaseOrder:
    """Map an OrderRequest document to a `PurchaseOrder`; naive dates are read in `default_tz`.

    Raises `UnsupportedDocumentError` for any other kind, `MalformedDocumentError` when the
    order breaks a cXML rule or does not fit the canonical model.
    """
    if document.kind != "OrderRequest":
        msg = f"expected an OrderRequest, got {shown(document.kind)}"
        raise UnsupportedDocumentError(msg)
    order_request = index(payload_element(document))
    header = first(order_request, _HEADER)
    if header is None:
        msg = f"OrderRequest has no {_HEADER}"
        raise MalformedDocumentError(msg, location="OrderRequest")
    items = order_request.get("ItemOut")
    if not items:
        msg = "OrderRequest has no ItemOut; cXML requires at least one"
        raise MalformedDocumentError(msg, location="OrderRequest")
    currency = _Currency()
    values = _header_values(header, currency, default_tz)
    values["lines"] = [
        _line_values(item, number, currency, default_tz) for number, item in enumerate(items, 1)
    ]
    values["currency"] = currency.required()
    values["is_test"] = (document.deployment_mode or "").lower() == "test"
    cxml_header = document.header
    values["buyer"] = party_from_credentials(cxml_header.from_ if cxml_header else ())
    values["supplier"] = party_from_credentials(cxml_header.to if cxml_header else ())
    try:
        return PurchaseOrder.model_validate(values)
    except ValidationError as error:
        raise _describe(error) from None


def _header_values(header: etree._Element, currency: _Currency, tz: tzinfo) -> dict[str, Any]:
    order_id = attribute(header, "orderID")
    if not order_id:
        msg = f"{_HEADER}@orderID is required"
        raise MalformedDocumentError(msg, location=f"{_HEADER}/@orderID")
    order_date = attribute(header, "orderDate")
    if not order_date:
        msg = f"{_HEADER}@orderDate is required"
        raise MalformedDocumentError(msg, location=f"{_HEADER}/@orderDate")
    parts = index(header)
    return {
        "order_id": order_id,
        "change": _change(attribute(header, "type")),
        "version": _order_version(attribute(header, "orderVersion")),
        "supersedes": optional(attribute(first(parts, "DocumentReference"), "payloadID")),
        "order_date": datetime_at(order_date, f"{_HEADER}/@orderDate", tz),
        "order_type": attribute(header, "orderType") or "regular",
        **currency.money(first(parts, "Total"), f"{_HEADER}/Total", "total"),
        **currency.money(first(parts, "Tax"), f"{_HEADER}/Tax", "tax"),
        **currency.money(first(parts, "Shipping"), f"{_HEADER}/Shipping", "shipping"),
        "ship_to": party_from_address(first(parts, "ShipTo")),
        "bill_to": party_from_address(first(parts, "BillTo")),
        "requested_delivery_date": optional_datetime_at(
            attribute(header, "requestedDeliveryDate"), f"{_HEADER}/@requestedDeliveryDate", tz
        ),
        "comments": _comments(parts),
        "extensions": flatten_extrinsics(parts.get("Extrinsic", ())),
    }


def _line_values(
    item: etree._Element, number: int, currency: _Currency, tz: tzinfo
) -> dict[str, Any]:
    where = f"ItemOut[{number}]"
    quantity = attribute(item, "quantity")
    if not quantity:
        msg = f"{where}@quantity is required"
        raise MalformedDocumentError(msg, location=f"{where}/@quantity")
    parts = index(item)
    detail_element = first(parts, "ItemDetail")
    if detail_element is None:
        detail_element = first(parts, "BlanketItemDetail")
    detail = index(detail_element)
    unit = full_text(first(detail, "UnitOfMeasure"))
    if detail_element is None or not unit:
        msg = f"{where}/ItemDetail/UnitOfMeasure is required"
        raise MalformedDocumentError(msg, location=f"{where}/ItemDetail/UnitOfMeasure")
    item_id = index(first(parts, "ItemID"))
    return {
        "line_number": _line_number(attribute(item, "lineNumber"), number, where),
        "quantity": decimal_at(quantity, f"{where}/@quantity"),
        "unit_of_measure": unit,
        "supplier_part_id": optional(full_text(first(item_id, "SupplierPartID"))),
        "supplier_part_auxiliary_id": optional(
            full_text(first(item_id, "SupplierPartAuxiliaryID"))
        ),
        "buyer_part_id": optional(full_text(first(item_id, "BuyerPartID"))),
        "description": optional(own_text(first(detail, "Description"), skip=_DESCRIPTION_SKIP)),
        **currency.money(
            first(detail, "UnitPrice"), f"{where}/{detail_element.tag}/UnitPrice", "unit_price"
        ),
        "requested_delivery_date": optional_datetime_at(
            attribute(item, "requestedDeliveryDate"), f"{where}/@requestedDeliveryDate", tz
        ),
        "classifications": [
            {"scheme": scheme, "value": value}
            for scheme, value in (
                (attribute(c, "domain"), full_text(c)) for c in detail.get("Classification", ())
            )
            if scheme and value
        ],
        "comments": _comments(parts),
        "extensions": flatten_extrinsics(
            itertools.chain(detail.get("Extrinsic", ()), parts.get("Extrinsic", ()))
        ),
    }


class _Currency:
    """The order currency: the first `Money@currency` met (Total first). A Money in another
    currency keeps it: its field gets a `<name>_currency` beside it.

    A Money without a currency attribute (the DTD requires one, senders omit it) is taken to be
    in the order currency; an empty one (`currency=""`) is refused: it states no currency.
    """

    def __init__(self) -> None:
        self.code: str | None = None

    def money(self, holder: etree._Element | None, where: str, name: str) -> dict[str, Any]:
        """`{name: amount}` of `holder/Money`, with `{name}_currency` when it is not the order
        currency; nothing when there is no Money."""
        money = child(holder, "Money") if holder is not None else None
        if money is None:
            return {}
        location = f"{where}/Money"
        code = money.get("currency")
        if code is not None and not code.strip():
            msg = (
                f"{location}@currency is empty; cXML requires the ISO 4217 code of every "
                "amount (USD, EUR...)"
            )
            raise MalformedDocumentError(msg, location=f"{location}/@currency")
        values: dict[str, Any] = {name: _amount(full_text(money), location)}
        if code is None:
            return values
        code = code.strip().upper()
        if self.code is None:
            self.code = code
        elif code != self.code:
            values[f"{name}_currency"] = code
        return values

    def required(self) -> str:
        """The order currency; refuses an order in which no Money states one."""
        if self.code is None:
            msg = "no currency (no Money@currency in Total, Tax, Shipping, UnitPrice)"
            raise MalformedDocumentError(msg, location=f"{_HEADER}/Total/Money/@currency")
        return self.code


def _amount(text: str, location: str) -> Decimal:
    """The amount of a Money; `UnreadableAmountError` when its free text is none."""
    if not text.strip():
        msg = (
            f"{location} is empty, so the amount cannot be read; fix the order (or the reading "
            "of this platform's documents) and replay it"
        )
        raise UnreadableAmountError(msg, location=location)
    try:
        return decimal_at(text, location)
    except MalformedDocumentError as error:
        raise UnreadableAmountError(str(error), location=location) from None


def _change(text: str) -> OrderChange:
    if not text:
        return OrderChange.NEW
    change = _CHANGES.get(text.lower())
    if change is None:
        msg = f"{_HEADER}@type {shown(text)} is not one of new, update, delete"
        raise MalformedDocumentError(msg, location=f"{_HEADER}/@type")
    return change


def _order_version(text: str) -> int | None:
    """`orderVersion`: a positive integer (the DTD comment: 1 for the original, then 2, 3...);
    `None` when absent or empty (the hub numbers it); refused otherwise, since a guess would
    put the change in the wrong place in the order's history."""
    if not text.strip():
        return None
    version = positive_int(text.strip())
    if version is None:
        msg = (
            f"{_HEADER}@orderVersion {shown(text)} is not a positive whole number below 10^9; "
            "cXML numbers an order's versions 1, 2, 3...: send the version or leave it out"
        )
        raise MalformedDocumentError(msg, location=f"{_HEADER}/@orderVersion")
    return version


def _line_number(text: str, position: int, where: str) -> int:
    if not text:
        return position
    number = positive_int(text)
    if number is None:
        msg = f"{where}@lineNumber {shown(text)} is not a positive integer below 10^9"
        raise MalformedDocumentError(msg, location=f"{where}/@lineNumber")
    return number


def _comments(parts: Index) -> str | None:
    """All `Comments` of an element, own text only (no attachment URLs), one per line."""
    texts = (own_text(c, skip=_COMMENTS_SKIP) for c in parts.get("Comments", ()))
    return optional("\n".join(text for text in texts if text))


def _describe(error: ValidationError) -> MalformedDocumentError:
    """A readable refusal for an order that does not fit the canonical model."""
    problems = error.errors(include_url=False)
    parts = []
    for problem in problems[:_SHOWN_PROBLEMS]:
        path = _path(problem["loc"])
        reason = str(problem["msg"]).removeprefix("Value error, ")
        value = problem.get("input")
        if isinstance(value, str):
            reason = f"{reason} (got {shown(value)})"
        parts.append(f"{path}: {reason}" if path else reason)
    if len(problems) > _SHOWN_PROBLEMS:
        parts.append(f"and {len(problems) - _SHOWN_PROBLEMS} more")
    loc = problems[0]["loc"] if problems else ()
    location = f"ItemOut[{_index(loc) + 1}]" if _is_line(loc) else _HEADER
    msg = "the order does not fit the canonical purchase order: " + "; ".join(parts)
    return MalformedDocumentError(msg, location=location)


def _is_line(loc: tuple[int | str, ...]) -> bool:
    return len(loc) > 1 and loc[0] == "lines" and isinstance(loc[1], int)


def _index(loc: tuple[int | str, ...]) -> int:
    return int(loc[1])


def _path(loc: tuple[int | str, ...]) -> str:
    """`("lines", 1, "unit_of_measure")` as `ItemOut[2].unit_of_measure`."""
    if _is_line(loc):
        head = f"ItemOut[{_index(loc) + 1}]"
        return ".".join([head, *(str(part) for part in loc[2:])])
    return ".".join(str(part) for part in loc)
