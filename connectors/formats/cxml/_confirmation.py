"""ConfirmationRequest (Fulfill.dtd) to and from the canonical `schemas.OrderConfirmation`.

Layout, in DTD order:

    ConfirmationRequest
      ConfirmationHeader(confirmID, operation, type, noticeDate, invoiceID)
        DocumentReference (update: the confirmation it replaces), Total, Shipping, Tax,
        Comments, Extrinsic*
      OrderReference(orderID, orderDate) > DocumentReference(payloadID of the order)
      ConfirmationItem(quantity, lineNumber)*        none for reject
        UnitOfMeasure
        ConfirmationStatus(quantity, type, shipmentDate, deliveryDate)+
          UnitOfMeasure, UnitPrice?, Comments?, Extrinsic*

`ConfirmationLine.supplier_part_id` has no element of its own in a ConfirmationItem (ItemIn
would need a full ItemDetail with Classification); it travels as
`<Extrinsic name="SupplierPartID">` on the line's first ConfirmationStatus, the convention of
the Ariba-routed samples, and the reader lifts it back out of the status extensions.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml._emit import (
    amount,
    comments,
    date,
    document_reference,
    extrinsics,
    localized,
    money,
    order_reference,
    sub,
)
from connectors.formats.cxml._envelope import CxmlDocument
from connectors.formats.cxml._extrinsic import flatten_extrinsics
from connectors.formats.cxml._follow_up import (
    Amounts,
    choice,
    comments_text,
    decimal_attribute,
    expect_payload,
    line_number,
    model_error,
    order_reference_values,
    referenced_document,
    required_attribute,
    required_child,
)
from connectors.formats.cxml._outbound import (
    FULFILL_MINIMUM_VERSION,
    OutboundEnvelope,
    new_document,
    require_version,
    serialize,
)
from connectors.formats.cxml._values import datetime_at, optional_datetime_at
from connectors.formats.cxml._xml import attribute, first, full_text, index, optional
from schemas import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    LineStatus,
    OrderConfirmation,
)

_REQUEST = "ConfirmationRequest"
_HEADER = "ConfirmationHeader"
_ITEM = "ConfirmationItem"
SUPPLIER_PART_ID = "SupplierPartID"
"""Extrinsic name that carries a confirmation line's supplier part number."""

_ALL_STATUSES = frozenset(LineStatus)
_STATUSES_ALLOWED: dict[ConfirmationType, frozenset[LineStatus]] = {
    ConfirmationType.ACCEPT: frozenset({LineStatus.ACCEPT}),
    ConfirmationType.BACKORDERED: frozenset({LineStatus.BACKORDERED}),
    ConfirmationType.DETAIL: _ALL_STATUSES - {LineStatus.ALL_DETAIL},
    ConfirmationType.EXCEPT: _ALL_STATUSES - {LineStatus.ALL_DETAIL},
    ConfirmationType.ALL_DETAIL: _ALL_STATUSES,
    ConfirmationType.REJECT: frozenset(),
}
"""Line statuses each confirmation type may list (Fulfill.dtd, ConfirmationHeader@type)."""


# --- reading -----------------------------------------------------------------------------------


def read_confirmation_request(
    document: CxmlDocument, *, default_tz: tzinfo = UTC
) -> OrderConfirmation:
    """Map a ConfirmationRequest to an `OrderConfirmation`; naive dates are read in `default_tz`.

    Raises `UnsupportedDocumentError` for another kind or a type the model lacks
    (`requestToPay`, `replace`), `MalformedDocumentError` (with `location`) when the document
    breaks a cXML rule or does not fit the canonical model.
    """
    request = index(expect_payload(document, _REQUEST))
    header = required_child(request, _HEADER, _REQUEST)
    reference = required_child(request, "OrderReference", _REQUEST)
    order = order_reference_values(reference, f"{_REQUEST}/OrderReference", default_tz)
    if order is None:
        msg = "OrderReference names no order: no orderID and no DocumentReference@payloadID"
        raise MalformedDocumentError(msg, location=f"{_REQUEST}/OrderReference")
    amounts = Amounts("confirmation")
    values = _header_values(header, amounts, default_tz)
    values["order"] = order
    values["lines"] = [
        _line_values(item, position, amounts, default_tz)
        for position, item in enumerate(request.get(_ITEM, ()), 1)
    ]
    values["currency"] = amounts.currency
    try:
        return OrderConfirmation.model_validate(values)
    except ValidationError as error:
        raise model_error(error, "order confirmation", _HEADER, {"lines": _ITEM}) from None


def _header_values(header: etree._Element, amounts: Amounts, tz: tzinfo) -> dict[str, Any]:
    parts = index(header)
    notice_date = required_attribute(header, "noticeDate", _HEADER)
    return {
        "confirmation_id": optional(attribute(header, "confirmID")),
        "operation": choice(
            attribute(header, "operation"),
            ConfirmationOperation,
            f"{_HEADER}/@operation",
            default=ConfirmationOperation.NEW,
        ),
        "supersedes": referenced_document(parts),
        "type": choice(
            required_attribute(header, "type", _HEADER),
            ConfirmationType,
            f"{_HEADER}/@type",
            unsupported=frozenset({"requestToPay", "replace"}),
        ),
        "notice_date": datetime_at(notice_date, f"{_HEADER}/@noticeDate", tz),
        "total": amounts.of(first(parts, "Total"), f"{_HEADER}/Total"),
        "shipping": amounts.of(first(parts, "Shipping"), f"{_HEADER}/Shipping"),
        "tax": amounts.of(first(parts, "Tax"), f"{_HEADER}/Tax"),
        "invoice_id": optional(attribute(header, "invoiceID")),
        "comments": comments_text(parts),
        "extensions": flatten_extrinsics(parts.get("Extrinsic", ())),
    }


def _line_values(
    item: etree._Element, position: int, amounts: Amounts, tz: tzinfo
) -> dict[str, Any]:
    where = f"{_ITEM}[{position}]"
    parts = index(item)
    statuses = parts.get("ConfirmationStatus", [])
    if not statuses:
        msg = f"{where} has no ConfirmationStatus; cXML requires at least one"
        raise MalformedDocumentError(msg, location=f"{where}/ConfirmationStatus")
    unit = full_text(first(parts, "UnitOfMeasure")) or full_text(
        first(index(statuses[0]), "UnitOfMeasure")
    )
    if not unit:
        msg = f"{where}/UnitOfMeasure is required"
        raise MalformedDocumentError(msg, location=f"{where}/UnitOfMeasure")
    status_values = [
        _status_values(status, f"{where}/ConfirmationStatus[{number}]", unit, amounts, tz)
        for number, status in enumerate(statuses, 1)
    ]
    return {
        "line_number": line_number(item, "lineNumber", where),
        "quantity": decimal_attribute(item, "quantity", where),
        "unit_of_measure": unit,
        "statuses": status_values,
        "supplier_part_id": _lift_supplier_part_id(statuses, status_values),
    }


def _status_values(
    status: etree._Element, where: str, line_unit: str, amounts: Amounts, tz: tzinfo
) -> dict[str, Any]:
    parts = index(status)
    unit = full_text(first(parts, "UnitOfMeasure"))
    price = first(parts, "UnitPrice")
    if price is None:  # a substitution carries its price in ItemIn/ItemDetail
        price = first(index(first(index(first(parts, "ItemIn")), "ItemDetail")), "UnitPrice")
    return {
        "status": choice(
            required_attribute(status, "type", where),
            LineStatus,
            f"{where}/@type",
            unsupported=frozenset({"requestToPay"}),
        ),
        "quantity": decimal_attribute(status, "quantity", where),
        "unit_of_measure": unit if unit and unit != line_unit else None,
        "unit_price": amounts.of(price, f"{where}/UnitPrice"),
        "shipment_date": optional_datetime_at(
            attribute(status, "shipmentDate"), f"{where}/@shipmentDate", tz
        ),
        "delivery_date": optional_datetime_at(
            attribute(status, "deliveryDate"), f"{where}/@deliveryDate", tz
        ),
        "comments": comments_text(parts),
        "extensions": flatten_extrinsics(parts.get("Extrinsic", ())),
    }


def _lift_supplier_part_id(
    statuses: list[etree._Element], values: list[dict[str, Any]]
) -> str | None:
    """The line's supplier part: `ItemIn/ItemID/SupplierPartID` of a status, else the
    `SupplierPartID` extrinsic, which then leaves the status extensions that repeat it."""
    for status in statuses:
        item_id = first(index(first(index(status), "ItemIn")), "ItemID")
        substituted = full_text(first(index(item_id), SUPPLIER_PART_ID))
        if substituted:
            return substituted
    extensions: list[dict[str, str]] = [v["extensions"] for v in values]
    part = next((e[SUPPLIER_PART_ID] for e in extensions if e.get(SUPPLIER_PART_ID)), None)
    if part is None:
        return None
    for status_extensions in extensions:
        if status_extensions.get(SUPPLIER_PART_ID) == part:
            del status_extensions[SUPPLIER_PART_ID]
    return part


# --- building ----------------------------------------------------------------------------------


def build_confirmation_request(document: OrderConfirmation, envelope: OutboundEnvelope) -> bytes:
    """The cXML ConfirmationRequest of `document`, DOCTYPE Fulfill.dtd of `envelope.version`.

    Valid against every Fulfill.dtd from 1.2.050 to 1.2.069; versions below 1.2.050 are refused
    (no older Fulfill.dtd to check against). Raises `ValueError` for a confirmation cXML
    cannot carry: an update without `confirmation_id`, a line status the type does not allow
    (e.g. backordered in an accept), a `detail` status with neither price nor delivery date, an
    amount without `currency`, an order reference without the order's payloadID.
    """
    require_version(envelope, FULFILL_MINIMUM_VERSION, _REQUEST)
    _check(document)
    lang = envelope.lang
    root, request = new_document(envelope, _REQUEST)
    header = sub(
        request,
        _HEADER,
        confirmID=document.confirmation_id,
        operation=document.operation.value,
        type=document.type.value,
        noticeDate=date(document.notice_date),
        invoiceID=document.invoice_id,
    )
    if document.supersedes is not None:
        document_reference(header, document.supersedes)
    currency = document.currency or ""
    if document.total is not None:
        money(header, "Total", document.total, currency)
    if document.shipping is not None:
        localized(money(header, "Shipping", document.shipping, currency), "Description", "", lang)
    if document.tax is not None:
        localized(money(header, "Tax", document.tax, currency), "Description", "", lang)
    comments(header, document.comments, lang)
    extrinsics(header, document.extensions)
    order_reference(request, document.order, _REQUEST)
    for line in document.lines:
        _item(request, line, currency, lang)
    return serialize(root, envelope, "Fulfill")


def _item(request: etree._Element, line: ConfirmationLine, currency: str, lang: str) -> None:
    item = sub(request, _ITEM, quantity=amount(line.quantity), lineNumber=str(line.line_number))
    sub(item, "UnitOfMeasure", line.unit_of_measure)
    for position, status in enumerate(line.statuses):
        element = sub(
            item,
            "ConfirmationStatus",
            quantity=amount(status.quantity),
            type=status.status.value,
            shipmentDate=date(status.shipment_date),
            deliveryDate=date(status.delivery_date),
        )
        sub(element, "UnitOfMeasure", status.unit_of_measure or line.unit_of_measure)
        if status.unit_price is not None:
            money(element, "UnitPrice", status.unit_price, currency)
        comments(element, status.comments, lang)
        extensions = status.extensions
        if position == 0 and line.supplier_part_id is not None:
            extensions = {SUPPLIER_PART_ID: line.supplier_part_id, **extensions}
        extrinsics(element, extensions)


def _check(document: OrderConfirmation) -> None:
    """The cXML rules the canonical model leaves to the builder (`ValueError`)."""
    if document.operation is ConfirmationOperation.UPDATE and document.confirmation_id is None:
        msg = "an update confirmation repeats the confirmID of the one it replaces; none is set"
        raise ValueError(msg)
    amounts = [document.total, document.shipping, document.tax]
    allowed = _STATUSES_ALLOWED[document.type]
    for line in document.lines:
        if line.supplier_part_id is not None and any(
            SUPPLIER_PART_ID in status.extensions for status in line.statuses[:1]
        ):
            msg = (
                f"line {line.line_number}: supplier_part_id is written as the Extrinsic "
                f"{SUPPLIER_PART_ID!r}, which the first status's extensions also name"
            )
            raise ValueError(msg)
        for status in line.statuses:
            amounts.append(status.unit_price)
            if status.status not in allowed:
                msg = (
                    f"line {line.line_number}: a {document.type.value} confirmation may not "
                    f"list a {status.status.value} status"
                )
                raise ValueError(msg)
            if status.status is LineStatus.DETAIL and (
                status.unit_price is None and status.delivery_date is None
            ):
                msg = (
                    f"line {line.line_number}: a detail status states what changes "
                    "(unit_price or delivery_date)"
                )
                raise ValueError(msg)
    if document.currency is None and any(value is not None for value in amounts):
        msg = "the confirmation states amounts but no currency"
        raise ValueError(msg)
