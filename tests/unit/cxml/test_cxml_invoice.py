"""InvoiceDetailRequest: what we build is DTD-valid and reads back; what partners send is read."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml import (
    DtdValidator,
    OutboundEnvelope,
    build_invoice_detail_request,
    parse_cxml,
    read_invoice_detail_request,
)
from schemas import (
    Identifier,
    Invoice,
    InvoiceLine,
    InvoiceOperation,
    InvoiceOrder,
    InvoicePurpose,
    OrderReference,
    Party,
    PostalAddress,
    TaxDetail,
)
from tests.unit.cxml.cxml_outbound_support import (
    attribute_at,
    family_versions,
    inbound_document,
    invoices,
    read_or_refuse_all,
)

PST = timezone(timedelta(hours=-8))
INVOICED = datetime(2026, 12, 1, 9, 0, tzinfo=PST)
PO_1 = OrderReference(
    order_id="PO-1001",
    payload_id="po-1001@buyer.example",
    order_date=datetime(2026, 11, 22, tzinfo=PST),
)
PO_2 = OrderReference(order_id="PO-1002")
SUPPLIER = Party(
    name="Widgets Inc.",
    identifiers=(
        Identifier(scheme="addressID", value="SUP-1"),
        Identifier(scheme="taxNumber", value="US-99-1234567"),
    ),
    address=PostalAddress(street=("1 Industrial Way",), city="Fresno", region="CA", country="US"),
)
SALES_TAX = TaxDetail(
    category="sales",
    amount=Decimal("1.65"),
    rate=Decimal("8.25"),
    taxable_amount=Decimal("20.00"),
    description="California",
)


def _line(number: int, **changes: object) -> InvoiceLine:
    values: dict[str, object] = {
        "invoice_line_number": number,
        "order_line_number": number,
        "quantity": Decimal("2"),
        "unit_of_measure": "EA",
        "unit_price": Decimal("10.00"),
        "subtotal": Decimal("20.00"),
    }
    values.update(changes)
    return InvoiceLine.model_validate(values)


def _invoice(**changes: object) -> Invoice:
    values: dict[str, object] = {
        "invoice_id": "INV-2026-0042",
        "invoice_date": INVOICED,
        "currency": "USD",
        "orders": (InvoiceOrder(order=PO_1, lines=(_line(1),)),),
        "subtotal": Decimal("20.00"),
        "net_amount": Decimal("20.00"),
    }
    values.update(changes)
    return Invoice.model_validate(values)


def _build_valid(
    document: Invoice, envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> bytes:
    body = build_invoice_detail_request(document, envelope)
    assert dtd_validator.validate(body) == []
    return body


def _read(body: bytes, default_tz: tzinfo = UTC) -> Invoice:
    return read_invoice_detail_request(parse_cxml(body), default_tz=default_tz)


def _request(body: bytes) -> etree._Element:
    request = parse_cxml(body).root.find("Request/InvoiceDetailRequest")
    assert request is not None
    return request


# --- building: the DTD rules -----------------------------------------------------------------


def _line_level() -> Invoice:
    return _invoice(
        supplier=SUPPLIER,
        bill_to=Party(name="Buyer Corp AP"),
        remit_to=Party(
            name="Widgets Lockbox", identifiers=(Identifier(scheme="bank", value="B1"),)
        ),
        payment_terms_days=30,
        orders=(
            InvoiceOrder(
                order=PO_1,
                lines=(
                    _line(
                        1,
                        tax=Decimal("1.65"),
                        taxes=(SALES_TAX,),
                        shipping=Decimal("5.00"),
                        supplier_part_id="SKU-1",
                        buyer_part_id="B-1",
                        description="Blue widget",
                        ship_notice_id="SHIP-77",
                    ),
                    _line(2, quantity=Decimal("1"), subtotal=Decimal("10.00")),
                ),
            ),
        ),
        subtotal=Decimal("30.00"),
        tax=Decimal("1.65"),
        shipping=Decimal("5.00"),
        net_amount=Decimal("36.65"),
        comments="Thank you",
        extensions={"DueDate": "2026-12-31", "CreditReason": ""},
    )


def test_standard_line_level_invoice_with_line_tax_and_shipping(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _line_level()
    body = _build_valid(document, envelope, dtd_validator)
    assert b"/cXML/1.2.069/InvoiceDetail.dtd" in body
    request = _request(body)
    assert [child.tag for child in request] == [
        "InvoiceDetailRequestHeader",
        "InvoiceDetailOrder",
        "InvoiceDetailSummary",
    ]
    header = request[0]
    assert dict(header.items()) == {
        "invoiceID": "INV-2026-0042",
        "purpose": "standard",
        "operation": "new",
        "invoiceDate": "2026-12-01T09:00:00-08:00",
    }
    assert [c.tag for c in header] == [
        "InvoiceDetailHeaderIndicator",
        "InvoiceDetailLineIndicator",
        "InvoicePartner",
        "InvoicePartner",
        "InvoicePartner",
        "PaymentTerm",
        "Comments",
        "Extrinsic",
        "Extrinsic",
    ]
    assert dict(header[0].items()) == {}
    assert dict(header[1].items()) == {"isTaxInLine": "yes", "isShippingInLine": "yes"}
    assert [attribute_at(p, "Contact", "role") for p in header.findall("InvoicePartner")] == [
        "issuerOfInvoice",
        "billTo",
        "remitTo",
    ]
    issuer = header.find("InvoicePartner")
    assert issuer is not None
    assert attribute_at(issuer, "Contact", "addressID") == "SUP-1"
    assert [(r.get("domain"), r.get("identifier")) for r in issuer.findall("IdReference")] == [
        ("taxNumber", "US-99-1234567")
    ]
    assert attribute_at(header, "PaymentTerm", "payInNumberOfDays") == "30"
    item = request.find("InvoiceDetailOrder/InvoiceDetailItem")
    assert item is not None
    assert [c.tag for c in item] == [
        "UnitOfMeasure",
        "UnitPrice",
        "InvoiceDetailItemReference",
        "SubtotalAmount",
        "Tax",
        "InvoiceDetailLineShipping",
        "ShipNoticeIDInfo",
    ]
    detail = item.find("Tax/TaxDetail")
    assert detail is not None
    assert (detail.get("category"), detail.get("percentageRate")) == ("sales", "8.25")
    assert detail.findtext("TaxAmount/Money") == "1.65"
    roles = [
        c.get("role")
        for c in item.findall("InvoiceDetailLineShipping/InvoiceDetailShipping/Contact")
    ]
    assert roles == ["shipFrom", "shipTo"]
    assert item.findtext("InvoiceDetailLineShipping/Money") == "5.00"
    summary = request[2]
    assert [(c.tag, c.findtext("Money")) for c in summary] == [
        ("SubtotalAmount", "30.00"),
        ("Tax", "1.65"),
        ("ShippingAmount", "5.00"),
        ("NetAmount", "36.65"),
        ("DueAmount", "36.65"),
    ]
    assert _read(body) == document


def test_header_taxes(envelope: OutboundEnvelope, dtd_validator: DtdValidator) -> None:
    vat = TaxDetail(category="vat", amount=Decimal("3.80"), rate=Decimal("19"))
    document = _invoice(
        currency="EUR", tax=Decimal("5.45"), taxes=(SALES_TAX, vat), net_amount=Decimal("25.45")
    )
    body = _build_valid(document, envelope, dtd_validator)
    request = _request(body)
    line_indicator = request.find("InvoiceDetailRequestHeader/InvoiceDetailLineIndicator")
    assert line_indicator is not None
    assert dict(line_indicator.items()) == {}
    details = request.findall("InvoiceDetailSummary/Tax/TaxDetail")
    assert [(d.get("category"), d.findtext("TaxAmount/Money")) for d in details] == [
        ("sales", "1.65"),
        ("vat", "3.80"),
    ]
    assert {m.get("currency") for m in request.iter("Money")} == {"EUR"}
    assert _read(body) == document


def test_multi_order_invoice_names_each_order_as_the_dtd_allows(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _invoice(
        orders=(
            InvoiceOrder(order=PO_1, lines=(_line(1),)),
            InvoiceOrder(order=PO_2, agreement_id="MA-7", lines=(_line(2),)),
            InvoiceOrder(agreement_id="MA-8", lines=(_line(3),)),
        ),
        subtotal=Decimal("60.00"),
        net_amount=Decimal("60.00"),
        due_amount=Decimal("50.00"),
    )
    body = _build_valid(document, envelope, dtd_validator)
    infos = _request(body).findall("InvoiceDetailOrder/InvoiceDetailOrderInfo")
    assert [[c.tag for c in info] for info in infos] == [
        ["OrderReference"],
        ["MasterAgreementIDInfo", "OrderIDInfo"],
        ["MasterAgreementIDInfo"],
    ]
    assert infos[1][1].get("orderID") == "PO-1002"
    assert _request(body).findtext("InvoiceDetailSummary/DueAmount/Money") == "50.00"
    assert _read(body) == document


def _credit_memo() -> Invoice:
    return _invoice(
        purpose=InvoicePurpose.CREDIT_MEMO,
        header_level=True,
        orders=(
            InvoiceOrder(order=PO_1, subtotal=Decimal("-40.00")),
            InvoiceOrder(order=PO_2, subtotal=Decimal("-10.00")),
        ),
        subtotal=Decimal("-50.00"),
        tax=Decimal("-4.13"),
        net_amount=Decimal("-54.13"),
    )


def test_header_level_credit_memo_keeps_negative_amounts(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _credit_memo()
    body = _build_valid(document, envelope, dtd_validator)
    request = _request(body)
    assert [child.tag for child in request] == [
        "InvoiceDetailRequestHeader",
        "InvoiceDetailHeaderOrder",
        "InvoiceDetailHeaderOrder",
        "InvoiceDetailSummary",
    ]
    header = request[0]
    assert header.get("purpose") == "creditMemo"
    assert dict(header[0].items()) == {"isHeaderInvoice": "yes"}
    summaries = request.findall("InvoiceDetailHeaderOrder/InvoiceDetailOrderSummary")
    assert [
        (s.get("invoiceLineNumber"), s.findtext("SubtotalAmount/Money")) for s in summaries
    ] == [
        ("1", "-40.00"),
        ("2", "-10.00"),
    ]
    assert request.findtext("InvoiceDetailSummary/DueAmount/Money") == "-54.13"
    assert _read(body) == document


def test_header_invoice_with_one_order_bills_the_invoice_subtotal(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _invoice(
        purpose=InvoicePurpose.DEBIT_MEMO,
        header_level=True,
        orders=(InvoiceOrder(order=PO_1),),
        subtotal=Decimal("7.50"),
        net_amount=Decimal("7.50"),
    )
    body = _build_valid(document, envelope, dtd_validator)
    summary = _request(body).find("InvoiceDetailHeaderOrder/InvoiceDetailOrderSummary")
    assert summary is not None
    assert summary.findtext("SubtotalAmount/Money") == "7.50"
    assert _read(body).orders == (InvoiceOrder(order=PO_1, subtotal=Decimal("7.50")),)


def test_line_level_credit_memo(envelope: OutboundEnvelope, dtd_validator: DtdValidator) -> None:
    document = _invoice(
        purpose=InvoicePurpose.LINE_LEVEL_CREDIT_MEMO,
        orders=(
            InvoiceOrder(
                order=PO_1,
                lines=(_line(1, quantity=Decimal("-2"), subtotal=Decimal("-20.00")),),
            ),
        ),
        subtotal=Decimal("-20.00"),
        net_amount=Decimal("-20.00"),
    )
    body = _build_valid(document, envelope, dtd_validator)
    request = _request(body)
    assert request[0].get("purpose") == "lineLevelCreditMemo"
    assert dict(request[0][0].items()) == {}
    item = request.find("InvoiceDetailOrder/InvoiceDetailItem")
    assert item is not None
    assert (item.get("quantity"), item.findtext("SubtotalAmount/Money")) == ("-2", "-20.00")
    assert _read(body) == document


def test_cancellation_points_at_the_cancelled_invoice(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _invoice(operation=InvoiceOperation.DELETE, supersedes="inv-42@hub.example")
    body = _build_valid(document, envelope, dtd_validator)
    header = _request(body)[0]
    assert header.get("operation") == "delete"
    reference = header.find("DocumentReference")
    assert reference is not None
    assert reference.get("payloadID") == "inv-42@hub.example"
    assert _read(body) == document


@pytest.mark.parametrize("version", family_versions("InvoiceDetail"))
def test_every_vendored_invoice_version_accepts_our_invoice(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, version: str
) -> None:
    document = _invoice(
        supplier=SUPPLIER,
        payment_terms_days=45,
        orders=(
            InvoiceOrder(
                order=PO_1,
                lines=(_line(1, taxes=(SALES_TAX,), shipping=Decimal(1), supplier_part_id="S"),),
            ),
            InvoiceOrder(order=PO_2, agreement_id="MA-1", lines=(_line(2),)),
        ),
        taxes=(SALES_TAX,),
        extensions={"DueDate": "2027-01-15"},
    )
    body = build_invoice_detail_request(document, dataclasses.replace(envelope, version=version))
    assert parse_cxml(body).version == version
    assert f"/cXML/{version}/InvoiceDetail.dtd".encode() in body
    assert dtd_validator.validate(body) == []


def test_the_vendored_invoice_versions_are_the_checked_ones() -> None:
    assert family_versions("InvoiceDetail") == ["1.2.020", "1.2.037", "1.2.069"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"purpose": InvoicePurpose.LINE_LEVEL_DEBIT_MEMO}, "lineLevelDebitMemo"),
        (
            {"orders": (InvoiceOrder(order=PO_1, lines=(_line(1, buyer_part_id="B"),)),)},
            "BuyerPartID",
        ),
        (
            {"orders": (InvoiceOrder(order=PO_1, lines=(_line(1, ship_notice_id="S"),)),)},
            "ShipNoticeIDInfo",
        ),
    ],
)
def test_what_invoice_detail_1_2_020_cannot_carry_is_refused(
    envelope: OutboundEnvelope, changes: dict[str, object], message: str
) -> None:
    old = dataclasses.replace(envelope, version="1.2.020")
    with pytest.raises(ValueError, match=message):
        build_invoice_detail_request(_invoice(**changes), old)


def test_hostile_text_stays_well_formed_and_valid(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    hostile = "A&B <Ltd> \"quoted\" 'single'\x01\x08 \uffff end"
    document = _invoice(
        supplier=Party(name=hostile),
        orders=(InvoiceOrder(order=PO_1, lines=(_line(1, description=hostile),)),),
        comments=hostile,
        extensions={"Note": hostile},
    )
    invoice = _read(_build_valid(document, envelope, dtd_validator))
    shown = "A&B <Ltd> \"quoted\" 'single'\ufffd\ufffd \ufffd end"
    assert invoice.supplier == Party(name=shown)
    assert invoice.lines()[0].description == shown
    assert (invoice.comments, invoice.extensions) == (shown, {"Note": shown})


# --- building: what cXML cannot carry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"invoice_date": datetime(2100, 6, 2, tzinfo=PST)}, "earlier than the document timestamp"),
        (
            {
                "header_level": True,
                "orders": (InvoiceOrder(order=PO_1), InvoiceOrder(order=PO_2)),
            },
            r"orders \[1, 2\] have none",
        ),
    ],
)
def test_documents_cxml_cannot_carry_are_refused(
    envelope: OutboundEnvelope, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_invoice_detail_request(_invoice(**changes), envelope)


def test_versions_older_than_the_oldest_invoice_dtd_are_refused(envelope: OutboundEnvelope) -> None:
    with pytest.raises(ValueError, match=r"needs cXML 1\.2\.020 or later"):
        build_invoice_detail_request(_invoice(), dataclasses.replace(envelope, version="1.2.014"))


# --- the property ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=invoices())
def test_any_invoice_builds_valid_and_reads_back_equal(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, document: Invoice
) -> None:
    body = build_invoice_detail_request(document, envelope)
    assert dtd_validator.validate(body) == []
    assert _read(body) == _as_read_back(document)


def _as_read_back(document: Invoice) -> Invoice:
    """Normalisations: a line whose tax total is unset but which lists taxes states their sum;
    a DueAmount equal to the NetAmount reads back as `due_amount=None`; a party's `addressID`
    identifier comes back first."""
    orders = tuple(
        portion.model_copy(update={"lines": tuple(_line_tax(line) for line in portion.lines)})
        for portion in document.orders
    )
    due = None if document.due_amount == document.net_amount else document.due_amount
    return document.model_copy(
        update={
            "orders": orders,
            "due_amount": due,
            "supplier": _address_id_first(document.supplier),
            "bill_to": _address_id_first(document.bill_to),
            "remit_to": _address_id_first(document.remit_to),
        }
    )


def _line_tax(line: InvoiceLine) -> InvoiceLine:
    if line.tax is None and line.taxes:
        return line.model_copy(update={"tax": sum((t.amount for t in line.taxes), Decimal(0))})
    return line


def _address_id_first(party: Party | None) -> Party | None:
    if party is None:
        return None
    identifiers = list(party.identifiers)
    first = next((i for i in identifiers if i.scheme == "addressID"), None)
    if first is not None:
        identifiers.remove(first)
        identifiers.insert(0, first)
    return party.model_copy(update={"identifiers": tuple(identifiers)})


@pytest.mark.parametrize("make", [_line_level, _credit_memo])
def test_every_single_mutation_of_a_built_document_is_read_or_refused(
    envelope: OutboundEnvelope, make: Callable[[], Invoice]
) -> None:
    body = build_invoice_detail_request(make(), envelope)
    outcomes = read_or_refuse_all(read_invoice_detail_request, parse_cxml(body))
    assert outcomes["read"] > 0
    assert outcomes["refused"] > 0


# --- reading what partners send ----------------------------------------------------------------

_DOCUMENT = inbound_document(
    "inv-1@supplier",
    "2026-12-01T10:00:00-08:00",
    """\
    <InvoiceDetailRequest>
      <InvoiceDetailRequestHeader {header}>
        <InvoiceDetailHeaderIndicator/><InvoiceDetailLineIndicator/>{header_children}
      </InvoiceDetailRequestHeader>
      {orders}
      <InvoiceDetailSummary>{summary}</InvoiceDetailSummary>
    </InvoiceDetailRequest>""",
)
_HEADER = 'invoiceID="INV-1" invoiceDate="2026-12-01T09:00:00"'
_ORDER_INFO = (
    '<InvoiceDetailOrderInfo><OrderReference orderID="PO-9">'
    '<DocumentReference payloadID="po-9@buyer"/></OrderReference></InvoiceDetailOrderInfo>'
)
_ITEM = """<InvoiceDetailItem invoiceLineNumber="1" quantity="2">
          <UnitOfMeasure>EA</UnitOfMeasure><UnitPrice><Money currency="USD">5</Money></UnitPrice>
          <InvoiceDetailItemReference lineNumber="3"/>{more}
        </InvoiceDetailItem>"""
_SUMMARY = (
    '<SubtotalAmount><Money currency="USD">10</Money></SubtotalAmount>'
    '<Tax><Money currency="USD">1</Money><Description xml:lang="en"/></Tax>'
    '<NetAmount><Money currency="USD">11</Money></NetAmount>'
)


def _inbound(
    *,
    header: str = _HEADER,
    header_children: str = "",
    order_info: str = _ORDER_INFO,
    items: str = _ITEM.format(more=""),
    orders: str | None = None,
    summary: str = _SUMMARY,
) -> bytes:
    if orders is None:
        orders = f"<InvoiceDetailOrder>{order_info}{items}</InvoiceDetailOrder>"
    text = _DOCUMENT.format(
        header=header, header_children=header_children, orders=orders, summary=summary
    )
    return text.encode()


def test_reading_a_plain_invoice() -> None:
    invoice = _read(_inbound(), default_tz=PST)
    assert (invoice.invoice_id, invoice.invoice_date, invoice.currency) == (
        "INV-1",
        INVOICED,
        "USD",
    )
    assert (invoice.subtotal, invoice.tax, invoice.net_amount, invoice.due_amount) == (
        Decimal(10),
        Decimal(1),
        Decimal(11),
        None,
    )
    (portion,) = invoice.orders
    assert portion.order == OrderReference(order_id="PO-9", payload_id="po-9@buyer")
    (line,) = portion.lines
    assert (line.invoice_line_number, line.order_line_number, line.quantity, line.unit_price) == (
        1,
        3,
        Decimal(2),
        Decimal(5),
    )


def test_empty_amounts_are_derived_as_the_dtd_defines_them() -> None:
    summary = (
        '<SubtotalAmount><Money currency="USD">100</Money></SubtotalAmount>'
        '<Tax><Money currency="USD"/><Description xml:lang="en"/>'
        '<TaxDetail category="state"><TaxAmount><Money currency="USD">6</Money></TaxAmount>'
        '<TaxLocation xml:lang="en">CA</TaxLocation></TaxDetail>'
        '<TaxDetail category="city" percentageRate="1.5"><TaxableAmount><Money currency="USD"/>'
        '</TaxableAmount><TaxAmount><Money currency="USD">1.50</Money></TaxAmount></TaxDetail>'
        "</Tax>"
        '<SpecialHandlingAmount><Money currency="USD">5</Money></SpecialHandlingAmount>'
        '<ShippingAmount><Money currency="USD">30</Money></ShippingAmount>'
        '<InvoiceDetailDiscount><Money currency="USD">2.50</Money></InvoiceDetailDiscount>'
        '<NetAmount><Money currency="USD"/></NetAmount>'
        '<DueAmount><Money currency="USD">90</Money></DueAmount>'
    )
    invoice = _read(_inbound(summary=summary))
    assert invoice.tax == Decimal("7.50")
    assert invoice.taxes == (
        TaxDetail(category="state", amount=Decimal(6), description="CA"),
        TaxDetail(category="city", amount=Decimal("1.50"), rate=Decimal("1.5")),
    )
    assert (invoice.special_handling, invoice.shipping, invoice.discount) == (
        Decimal(5),
        Decimal(30),
        Decimal("2.50"),
    )
    assert invoice.net_amount == Decimal("140.00")  # 100 + 7.50 + 5 + 30 - 2.50
    assert invoice.due_amount == Decimal(90)


def test_partners_payment_terms_and_coupa_roles() -> None:
    partners = (
        '<InvoicePartner><Contact role="invoiceFrom" addressID="S1"><Name xml:lang="en">Sup'
        '</Name></Contact><IdReference domain="taxNumber" identifier="T-1"/></InvoicePartner>'
        '<InvoicePartner><Contact role="soldTo"><Name xml:lang="en">Ignored</Name></Contact>'
        "</InvoicePartner>"
        '<InvoicePartner><Contact role="BillTo"><Name xml:lang="en">AP</Name></Contact>'
        "</InvoicePartner>"
        '<PaymentTerm payInNumberOfDays="10"><Discount><DiscountPercent percent="2"/></Discount>'
        '</PaymentTerm><PaymentTerm payInNumberOfDays="30"/>'
    )
    invoice = _read(_inbound(header_children=partners))
    assert invoice.supplier == Party(
        name="Sup",
        identifiers=(
            Identifier(scheme="addressID", value="S1"),
            Identifier(scheme="taxNumber", value="T-1"),
        ),
    )
    assert invoice.bill_to == Party(name="AP")
    assert invoice.remit_to is None
    assert invoice.payment_terms_days == 30


def test_order_info_forms() -> None:
    info = (
        '<InvoiceDetailOrderInfo><MasterAgreementReference agreementID="MA-1">'
        '<DocumentReference payloadID="ma-doc"/></MasterAgreementReference>'
        '<OrderIDInfo orderID="PO-7" orderDate="2026-11-01"/></InvoiceDetailOrderInfo>'
    )
    (portion,) = _read(_inbound(order_info=info)).orders
    assert portion.agreement_id == "MA-1"
    assert portion.order is not None
    assert (portion.order.order_id, portion.order.payload_id) == ("PO-7", None)
    coupa = (
        "<InvoiceDetailOrderInfo><MasterAgreementReference>"
        '<DocumentReference payloadID="C-42"/></MasterAgreementReference></InvoiceDetailOrderInfo>'
    )
    (portion,) = _read(_inbound(order_info=coupa)).orders
    assert (portion.order, portion.agreement_id) == (None, "C-42")


def test_header_invoice_reads_order_subtotals() -> None:
    orders = (
        f"<InvoiceDetailHeaderOrder>{_ORDER_INFO}"
        '<InvoiceDetailOrderSummary invoiceLineNumber="1"><SubtotalAmount>'
        '<Money currency="USD">10</Money></SubtotalAmount></InvoiceDetailOrderSummary>'
        "</InvoiceDetailHeaderOrder>"
    )
    invoice = _read(_inbound(orders=orders))
    assert invoice.header_level is True
    assert [(p.order.order_id if p.order else None, p.subtotal) for p in invoice.orders] == [
        ("PO-9", Decimal(10))
    ]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (_inbound(header='invoiceDate="2026-12-01"'), "InvoiceDetailRequestHeader/@invoiceID"),
        (_inbound(header='invoiceID="I"'), "InvoiceDetailRequestHeader/@invoiceDate"),
        (_inbound(header=_HEADER + ' purpose="refund"'), "InvoiceDetailRequestHeader/@purpose"),
        (
            _inbound(header=_HEADER + ' operation="update"'),
            "InvoiceDetailRequestHeader/@operation",
        ),
        (
            _inbound(header_children='<PaymentTerm payInNumberOfDays="net 30"/>'),
            "InvoiceDetailRequestHeader/PaymentTerm/@payInNumberOfDays",
        ),
        (_inbound(orders=""), "InvoiceDetailRequest"),
        (
            _inbound(
                orders=f"<InvoiceDetailOrder>{_ORDER_INFO}{_ITEM.format(more='')}"
                f"</InvoiceDetailOrder><InvoiceDetailHeaderOrder>{_ORDER_INFO}"
                "</InvoiceDetailHeaderOrder>"
            ),
            "InvoiceDetailRequest/InvoiceDetailHeaderOrder",
        ),
        (
            _inbound(
                order_info='<InvoiceDetailOrderInfo><SupplierOrderInfo orderID="SO-1"/>'
                "</InvoiceDetailOrderInfo>"
            ),
            "InvoiceDetailOrder[1]/InvoiceDetailOrderInfo",
        ),
        (
            _inbound(items=_ITEM.format(more="").replace('<Money currency="USD">5</Money>', "")),
            "InvoiceDetailOrder[1]/InvoiceDetailItem[1]/UnitPrice/Money",
        ),
        (
            _inbound(items=_ITEM.format(more="").replace(' lineNumber="3"', "")),
            "InvoiceDetailOrder[1]/InvoiceDetailItem[1]/InvoiceDetailItemReference/@lineNumber",
        ),
        (
            _inbound(summary=_SUMMARY.replace('currency="USD">1<', 'currency="EUR">1<')),
            "InvoiceDetailSummary/Tax/Money/@currency",
        ),
        (
            _inbound(summary=_SUMMARY.replace(">10<", "><")),
            "InvoiceDetailSummary/SubtotalAmount/Money",
        ),
        (
            _inbound(header=_HEADER + ' purpose="creditMemo"'),
            "InvoiceDetailRequestHeader",  # a credit memo is a header invoice
        ),
        (
            _inbound(items=_ITEM.format(more="") * 2),
            "InvoiceDetailRequestHeader",  # invoice line numbers are unique
        ),
    ],
)
def test_unusable_documents_are_refused_with_a_location(body: bytes, location: str) -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        _read(body)
    assert caught.value.location == location


def test_service_lines_and_other_documents_are_unsupported() -> None:
    service = _inbound(items="<InvoiceDetailServiceItem/>")
    with pytest.raises(UnsupportedDocumentError, match="service lines"):
        _read(service)
    with pytest.raises(UnsupportedDocumentError, match="expected an InvoiceDetailRequest"):
        _read(_inbound().replace(b"InvoiceDetailRequest>", b"ProviderSetupRequest>"))
