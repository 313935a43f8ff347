"""InvoiceDetailRequest (InvoiceDetail.dtd) to and from the canonical `schemas.Invoice`.

Layout, in DTD order:

    InvoiceDetailRequest
      InvoiceDetailRequestHeader(invoiceID, purpose, operation, invoiceDate)
        InvoiceDetailHeaderIndicator(isHeaderInvoice), InvoiceDetailLineIndicator(isTaxInLine,
        isShippingInLine), InvoicePartner* (issuerOfInvoice, billTo, remitTo),
        DocumentReference (delete: the invoice it cancels), PaymentTerm, Comments, Extrinsic*
      InvoiceDetailOrder+        line-level: InvoiceDetailOrderInfo, InvoiceDetailItem+
      | InvoiceDetailHeaderOrder+  header-level: InvoiceDetailOrderInfo, InvoiceDetailOrderSummary
      InvoiceDetailSummary
        SubtotalAmount, Tax(Money, Description, TaxDetail*), SpecialHandlingAmount?,
        ShippingAmount?, InvoiceDetailDiscount?, NetAmount, DueAmount

`InvoiceDetailOrderInfo` names the order as `OrderReference > DocumentReference` when the
order's payloadID is known and as `OrderIDInfo(orderID, orderDate)` otherwise (the DTD's form
for an order known only by its number), and the contract as `MasterAgreementIDInfo@agreementID`.
Line shipping needs an `InvoiceDetailShipping` with two Contacts the canonical line does not
have; they are written as `shipFrom`/`shipTo` Contacts with empty names.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml._emit import (
    amount,
    comments,
    contact,
    date,
    document_reference,
    extrinsics,
    item_id,
    localized,
    money,
    other_identifiers,
    sub,
    write_id_references,
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
    INVOICE_MINIMUM_VERSION,
    OutboundEnvelope,
    new_document,
    require_version,
    serialize,
    version_key,
)
from connectors.formats.cxml._party import party_from_contact
from connectors.formats.cxml._values import datetime_at, decimal_at, shown
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
from schemas import (
    Invoice,
    InvoiceLine,
    InvoiceOperation,
    InvoiceOrder,
    InvoicePurpose,
    Party,
    TaxDetail,
)

_REQUEST = "InvoiceDetailRequest"
_HEADER = "InvoiceDetailRequestHeader"
_LINE_ORDER = "InvoiceDetailOrder"
_HEADER_ORDER = "InvoiceDetailHeaderOrder"
_SUMMARY = "InvoiceDetailSummary"
_SHORT_NAME = frozenset({"ShortName"})
_YES = "yes"
_SUPPLIER_ROLE = "issuerOfInvoice"
_PARTNER_FIELDS = {
    "issuerofinvoice": "supplier",
    "invoicefrom": "supplier",  # Coupa's samples
    "from": "supplier",
    "billto": "bill_to",
    "remitto": "remit_to",
}
"""`InvoicePartner/Contact@role` (case-insensitive) to the canonical party it fills."""
_ROLES = {"supplier": _SUPPLIER_ROLE, "bill_to": "billTo", "remit_to": "remitTo"}
_FULL_ELEMENT_SET = "1.2.037"
"""First vendored InvoiceDetail.dtd with `lineLevelDebitMemo`, `ItemID/BuyerPartID` and
`InvoiceDetailItem/ShipNoticeIDInfo`; 1.2.020 has none of them."""


# --- reading -----------------------------------------------------------------------------------


def read_invoice_detail_request(document: CxmlDocument, *, default_tz: tzinfo = UTC) -> Invoice:
    """Map an InvoiceDetailRequest to an `Invoice`; naive dates are read in `default_tz`.

    Empty amounts are tolerated where the summary defines them: an empty summary `Tax/Money` is
    the sum of its TaxDetails (else 0), an empty `NetAmount` is subtotal + tax + special
    handling + shipping - discount. `due_amount` is `None` unless DueAmount differs from
    NetAmount. Raises `UnsupportedDocumentError` for another kind or service lines,
    `MalformedDocumentError` (with `location`) when the document breaks a cXML rule or does
    not fit the canonical model.
    """
    request = index(expect_payload(document, _REQUEST))
    header = required_child(request, _HEADER, _REQUEST)
    line_orders, header_orders = request.get(_LINE_ORDER, []), request.get(_HEADER_ORDER, [])
    if line_orders and header_orders:
        msg = f"{_REQUEST} mixes {_LINE_ORDER} and {_HEADER_ORDER}; cXML allows one form"
        raise MalformedDocumentError(msg, location=f"{_REQUEST}/{_HEADER_ORDER}")
    if not line_orders and not header_orders:
        msg = f"{_REQUEST} has no {_LINE_ORDER} or {_HEADER_ORDER}"
        raise MalformedDocumentError(msg, location=_REQUEST)
    summary = required_child(request, _SUMMARY, _REQUEST)
    amounts = Amounts("invoice")
    values = _header_values(header, default_tz)
    values["header_level"] = bool(header_orders)
    if header_orders:
        values["orders"] = [
            _header_order(order, f"{_HEADER_ORDER}[{position}]", amounts, default_tz)
            for position, order in enumerate(header_orders, 1)
        ]
    else:
        values["orders"] = [
            _line_order(order, f"{_LINE_ORDER}[{position}]", amounts, default_tz)
            for position, order in enumerate(line_orders, 1)
        ]
    values.update(_summary_values(summary, amounts))
    if amounts.currency is None:
        msg = "no currency: no Money in the invoice states one"
        raise MalformedDocumentError(msg, location=f"{_SUMMARY}/SubtotalAmount/Money/@currency")
    values["currency"] = amounts.currency
    try:
        return Invoice.model_validate(values)
    except ValidationError as error:
        places = {"orders": _HEADER_ORDER if header_orders else _LINE_ORDER}
        raise model_error(error, "invoice", _HEADER, places) from None


def _header_values(header: etree._Element, tz: tzinfo) -> dict[str, Any]:
    parts = index(header)
    values: dict[str, Any] = {
        "invoice_id": required_attribute(header, "invoiceID", _HEADER),
        "operation": choice(
            attribute(header, "operation"),
            InvoiceOperation,
            f"{_HEADER}/@operation",
            default=InvoiceOperation.NEW,
        ),
        "supersedes": referenced_document(parts),
        "purpose": choice(
            attribute(header, "purpose"),
            InvoicePurpose,
            f"{_HEADER}/@purpose",
            default=InvoicePurpose.STANDARD,
        ),
        "invoice_date": datetime_at(
            required_attribute(header, "invoiceDate", _HEADER), f"{_HEADER}/@invoiceDate", tz
        ),
        "payment_terms_days": _payment_days(parts),
        "comments": comments_text(parts),
        "extensions": flatten_extrinsics(parts.get("Extrinsic", ())),
    }
    for partner in parts.get("InvoicePartner", ()):
        contact_element = child(partner, "Contact")
        field = _PARTNER_FIELDS.get(attribute(contact_element, "role").casefold())
        if contact_element is not None and field is not None and field not in values:
            references = index(partner).get("IdReference", ())
            values[field] = party_from_contact(contact_element, references)
    return values


def _payment_days(parts: Index) -> int | None:
    """The longest `payInNumberOfDays` of the payment terms: the net term of "2/10 net 30"."""
    terms = [*parts.get("PaymentTerm", ()), *parts.get("InvoiceDetailPaymentTerm", ())]
    days = []
    for term in terms:
        text = attribute(term, "payInNumberOfDays")
        if not (text.isascii() and text.isdigit() and len(text) <= 5):
            msg = f"PaymentTerm@payInNumberOfDays {shown(text)} is not a number of days"
            raise MalformedDocumentError(msg, location=f"{_HEADER}/PaymentTerm/@payInNumberOfDays")
        days.append(int(text))
    return max(days, default=None)


def _order_info(order: Index, where: str, tz: tzinfo) -> dict[str, Any]:
    """What an `InvoiceDetailOrderInfo` bills: the order and/or the contract."""
    info = index(required_child(order, "InvoiceDetailOrderInfo", where))
    where = f"{where}/InvoiceDetailOrderInfo"
    reference = None
    for tag in ("OrderReference", "OrderIDInfo"):
        element = first(info, tag)
        if element is not None and reference is None:
            reference = order_reference_values(element, f"{where}/{tag}", tz)
    agreement = first(info, "MasterAgreementReference")
    agreement_id = attribute(agreement, "agreementID") or attribute(
        child(agreement, "DocumentReference"), "payloadID"
    )
    agreement_id = agreement_id or attribute(first(info, "MasterAgreementIDInfo"), "agreementID")
    if reference is None and not agreement_id:
        msg = f"{where} names no order and no contract (an order or agreement id is required)"
        raise MalformedDocumentError(msg, location=where)
    return {"order": reference, "agreement_id": optional(agreement_id)}


def _header_order(
    element: etree._Element, where: str, amounts: Amounts, tz: tzinfo
) -> dict[str, Any]:
    parts = index(element)
    summary = index(required_child(parts, "InvoiceDetailOrderSummary", where))
    subtotal_where = f"{where}/InvoiceDetailOrderSummary/SubtotalAmount"
    return {
        **_order_info(parts, where, tz),
        "subtotal": amounts.of(first(summary, "SubtotalAmount"), subtotal_where),
    }


def _line_order(
    element: etree._Element, where: str, amounts: Amounts, tz: tzinfo
) -> dict[str, Any]:
    parts = index(element)
    if parts.get("InvoiceDetailServiceItem"):
        msg = f"{where} bills service lines (InvoiceDetailServiceItem), which are not supported"
        raise UnsupportedDocumentError(msg, location=f"{where}/InvoiceDetailServiceItem")
    return {
        **_order_info(parts, where, tz),
        "lines": [
            _line(item, f"{where}/InvoiceDetailItem[{position}]", amounts)
            for position, item in enumerate(parts.get("InvoiceDetailItem", ()), 1)
        ],
    }


def _line(item: etree._Element, where: str, amounts: Amounts) -> dict[str, Any]:
    parts = index(item)
    unit = full_text(first(parts, "UnitOfMeasure"))
    if not unit:
        msg = f"{where}/UnitOfMeasure is required"
        raise MalformedDocumentError(msg, location=f"{where}/UnitOfMeasure")
    reference_where = f"{where}/InvoiceDetailItemReference"
    reference = required_child(parts, "InvoiceDetailItemReference", where)
    reference_parts = index(reference)
    item_ids = index(first(reference_parts, "ItemID"))
    tax, taxes = _tax(first(parts, "Tax"), f"{where}/Tax", amounts)
    return {
        "invoice_line_number": line_number(item, "invoiceLineNumber", where),
        "order_line_number": line_number(reference, "lineNumber", reference_where),
        "quantity": decimal_attribute(item, "quantity", where),
        "unit_of_measure": unit,
        "unit_price": amounts.required(first(parts, "UnitPrice"), f"{where}/UnitPrice"),
        "subtotal": amounts.of(first(parts, "SubtotalAmount"), f"{where}/SubtotalAmount"),
        "tax": tax,
        "taxes": taxes,
        "shipping": amounts.of(
            first(parts, "InvoiceDetailLineShipping"), f"{where}/InvoiceDetailLineShipping"
        ),
        "supplier_part_id": optional(full_text(first(item_ids, "SupplierPartID"))),
        "buyer_part_id": optional(full_text(first(item_ids, "BuyerPartID"))),
        "description": optional(own_text(first(reference_parts, "Description"), skip=_SHORT_NAME)),
        "ship_notice_id": optional(attribute(first(parts, "ShipNoticeIDInfo"), "shipNoticeID")),
    }


def _tax(
    tax: etree._Element | None, where: str, amounts: Amounts
) -> tuple[Decimal | None, list[dict[str, Any]]]:
    """A `Tax`: its amount (an empty Money is the sum of the details) and its TaxDetails."""
    details = [
        _tax_detail(detail, f"{where}/TaxDetail[{position}]", amounts)
        for position, detail in enumerate(index(tax).get("TaxDetail", ()), 1)
    ]
    total = amounts.of(tax, where)
    if total is None and details:
        total = sum((detail["amount"] for detail in details), Decimal(0))
    return total, details


def _tax_detail(detail: etree._Element, where: str, amounts: Amounts) -> dict[str, Any]:
    parts = index(detail)
    rate = attribute(detail, "percentageRate")
    description = own_text(first(parts, "Description"), skip=_SHORT_NAME)
    return {
        "category": required_attribute(detail, "category", where),
        "amount": amounts.required(first(parts, "TaxAmount"), f"{where}/TaxAmount"),
        "rate": decimal_at(rate, f"{where}/@percentageRate") if rate else None,
        "taxable_amount": amounts.of(first(parts, "TaxableAmount"), f"{where}/TaxableAmount"),
        "description": optional(description or full_text(first(parts, "TaxLocation"))),
    }


def _summary_values(summary: etree._Element, amounts: Amounts) -> dict[str, Any]:
    parts = index(summary)

    def of(tag: str) -> Decimal | None:
        return amounts.of(first(parts, tag), f"{_SUMMARY}/{tag}")

    subtotal = amounts.required(first(parts, "SubtotalAmount"), f"{_SUMMARY}/SubtotalAmount")
    tax, taxes = _tax(first(parts, "Tax"), f"{_SUMMARY}/Tax", amounts)
    tax = Decimal(0) if tax is None else tax
    shipping = of("ShippingAmount")
    handling = of("SpecialHandlingAmount")
    discount = of("InvoiceDetailDiscount")
    net = of("NetAmount")
    if net is None:  # "Gross amount minus discounts"; gross = subtotal, tax, handling, shipping
        extras = (handling, shipping)
        net = subtotal + tax + sum((x for x in extras if x is not None), Decimal(0))
        net -= discount or Decimal(0)
    due = of("DueAmount")
    return {
        "subtotal": subtotal,
        "tax": tax,
        "taxes": taxes,
        "special_handling": handling,
        "shipping": shipping,
        "discount": discount,
        "net_amount": net,
        "due_amount": None if due is None or due == net else due,
    }


# --- building ----------------------------------------------------------------------------------


def build_invoice_detail_request(document: Invoice, envelope: OutboundEnvelope) -> bytes:
    """The cXML InvoiceDetailRequest of `document`, DOCTYPE InvoiceDetail.dtd of the version.

    Valid against InvoiceDetail.dtd 1.2.020, 1.2.037 and 1.2.069; versions below 1.2.020 are
    refused, and below 1.2.037 an invoice that needs `lineLevelDebitMemo`, a line's
    `buyer_part_id` or `ship_notice_id` is refused (1.2.020 has no element for them). Also
    raises `ValueError` when `invoice_date` is after the envelope timestamp (cXML: invoiceDate
    is earlier than the document), or a header invoice with several orders leaves an order's
    `subtotal` unset. A header invoice with one order and no order subtotal bills the invoice
    subtotal; a line-level order's `subtotal` has no element and is not written.
    """
    require_version(envelope, INVOICE_MINIMUM_VERSION, _REQUEST)
    _check(document, envelope)
    currency, lang = document.currency, envelope.lang
    root, request = new_document(envelope, _REQUEST)
    _header(request, document, lang)
    for position, portion in enumerate(document.orders, 1):
        if document.header_level:
            element = etree.SubElement(request, _HEADER_ORDER)
            _order_info_element(element, portion)
            summary = sub(element, "InvoiceDetailOrderSummary", invoiceLineNumber=str(position))
            subtotal = document.subtotal if portion.subtotal is None else portion.subtotal
            money(summary, "SubtotalAmount", subtotal, currency)
        else:
            element = etree.SubElement(request, _LINE_ORDER)
            _order_info_element(element, portion)
            for line in portion.lines:
                _item(element, line, currency, lang)
    summary = etree.SubElement(request, _SUMMARY)
    money(summary, "SubtotalAmount", document.subtotal, currency)
    _tax_element(summary, document.tax, document.taxes, currency, lang)
    if document.special_handling is not None:
        money(summary, "SpecialHandlingAmount", document.special_handling, currency)
    if document.shipping is not None:
        money(summary, "ShippingAmount", document.shipping, currency)
    if document.discount is not None:
        money(summary, "InvoiceDetailDiscount", document.discount, currency)
    money(summary, "NetAmount", document.net_amount, currency)
    due = document.net_amount if document.due_amount is None else document.due_amount
    money(summary, "DueAmount", due, currency)
    return serialize(root, envelope, "InvoiceDetail")


def _header(request: etree._Element, document: Invoice, lang: str) -> None:
    header = sub(
        request,
        _HEADER,
        invoiceID=document.invoice_id,
        purpose=document.purpose.value,
        operation=document.operation.value,
        invoiceDate=date(document.invoice_date),
    )
    sub(header, "InvoiceDetailHeaderIndicator", isHeaderInvoice=_flag(document.header_level))
    lines = document.lines()
    sub(
        header,
        "InvoiceDetailLineIndicator",
        isTaxInLine=_flag(any(line.tax is not None or line.taxes for line in lines)),
        isShippingInLine=_flag(any(line.shipping is not None for line in lines)),
    )
    for field, role in _ROLES.items():
        party: Party | None = getattr(document, field)
        if party is not None:
            partner = etree.SubElement(header, "InvoicePartner")
            contact(partner, party, role, lang, id_references=False)
            write_id_references(partner, other_identifiers(party))
    if document.supersedes is not None:
        document_reference(header, document.supersedes)
    if document.payment_terms_days is not None:
        sub(header, "PaymentTerm", payInNumberOfDays=str(document.payment_terms_days))
    comments(header, document.comments, lang)
    extrinsics(header, document.extensions)


def _flag(value: bool) -> str | None:
    return _YES if value else None


def _order_info_element(parent: etree._Element, portion: InvoiceOrder) -> None:
    info = etree.SubElement(parent, "InvoiceDetailOrderInfo")
    order = portion.order
    if order is not None and order.payload_id is not None:
        element = sub(
            info, "OrderReference", orderID=order.order_id, orderDate=date(order.order_date)
        )
        document_reference(element, order.payload_id)
        order = None  # written
    if portion.agreement_id is not None:
        sub(info, "MasterAgreementIDInfo", agreementID=portion.agreement_id)
    if order is not None:
        sub(info, "OrderIDInfo", orderID=order.order_id, orderDate=date(order.order_date))


def _item(parent: etree._Element, line: InvoiceLine, currency: str, lang: str) -> None:
    item = sub(
        parent,
        "InvoiceDetailItem",
        invoiceLineNumber=str(line.invoice_line_number),
        quantity=amount(line.quantity),
    )
    sub(item, "UnitOfMeasure", line.unit_of_measure)
    money(item, "UnitPrice", line.unit_price, currency)
    reference = sub(item, "InvoiceDetailItemReference", lineNumber=str(line.order_line_number))
    item_id(reference, line.supplier_part_id, line.buyer_part_id)
    if line.description is not None:
        localized(reference, "Description", line.description, lang)
    if line.subtotal is not None:
        money(item, "SubtotalAmount", line.subtotal, currency)
    if line.tax is not None or line.taxes:
        tax = line.tax if line.tax is not None else sum((t.amount for t in line.taxes), Decimal(0))
        _tax_element(item, tax, line.taxes, currency, lang)
    if line.shipping is not None:
        shipping = etree.SubElement(item, "InvoiceDetailLineShipping")
        route = etree.SubElement(shipping, "InvoiceDetailShipping")
        contact(route, Party(), "shipFrom", lang)
        contact(route, Party(), "shipTo", lang)
        sub(shipping, "Money", amount(line.shipping), currency=currency)
    if line.ship_notice_id is not None:
        sub(item, "ShipNoticeIDInfo", shipNoticeID=line.ship_notice_id)


def _tax_element(
    parent: etree._Element, total: Decimal, details: tuple[TaxDetail, ...], currency: str, lang: str
) -> None:
    tax = money(parent, "Tax", total, currency)
    localized(tax, "Description", "", lang)
    for detail in details:
        rate = None if detail.rate is None else amount(detail.rate)
        element = sub(tax, "TaxDetail", category=detail.category, percentageRate=rate)
        if detail.taxable_amount is not None:
            money(element, "TaxableAmount", detail.taxable_amount, currency)
        money(element, "TaxAmount", detail.amount, currency)
        if detail.description is not None:
            localized(element, "Description", detail.description, lang)


def _check(document: Invoice, envelope: OutboundEnvelope) -> None:
    """The cXML rules the canonical model leaves to the builder (`ValueError`)."""
    if document.invoice_date > envelope.timestamp:
        msg = "invoiceDate must be earlier than the document timestamp"
        raise ValueError(msg)
    if document.header_level and len(document.orders) > 1:
        missing = [n for n, p in enumerate(document.orders, 1) if p.subtotal is None]
        if missing:
            msg = f"a header invoice states each order's subtotal; orders {missing} have none"
            raise ValueError(msg)
    if version_key(envelope.version) >= version_key(_FULL_ELEMENT_SET):
        return
    needs = []
    if document.purpose is InvoicePurpose.LINE_LEVEL_DEBIT_MEMO:
        needs.append("purpose lineLevelDebitMemo")
    lines = document.lines()
    if any(line.buyer_part_id is not None for line in lines):
        needs.append("a line's buyer_part_id (ItemID/BuyerPartID)")
    if any(line.ship_notice_id is not None for line in lines):
        needs.append("a line's ship_notice_id (InvoiceDetailItem/ShipNoticeIDInfo)")
    if needs:
        msg = (
            f"InvoiceDetail {envelope.version} cannot carry {', '.join(needs)}; "
            f"use version {_FULL_ELEMENT_SET} or later"
        )
        raise ValueError(msg)
