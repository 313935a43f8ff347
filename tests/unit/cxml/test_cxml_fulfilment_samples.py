"""Every real ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest in the shared corpus.

Samples are found by content and checked against the official DTDs here, not by a list: a
DTD-valid sample must be read into the canonical model with its facts asserted below (or be a
documented refusal), and any other sample must be read or refused with a `DocumentError`, never
another exception. The samples are read from the shared directory, never copied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from connectors.core.errors import DocumentError, MalformedDocumentError
from connectors.formats.cxml import (
    CxmlDocument,
    DtdValidator,
    parse_cxml,
    read_confirmation_request,
    read_invoice_detail_request,
    read_ship_notice_request,
)
from schemas import (
    ConfirmationOperation,
    ConfirmationType,
    Identifier,
    Invoice,
    InvoicePurpose,
    LineStatus,
    OrderConfirmation,
    OrderReference,
    ShipControl,
    ShipNotice,
    ShipNoticeOperation,
    TaxDetail,
)
from tests.support.paths import CXML_SAMPLES
from tests.unit.cxml.cxml_outbound_support import read_or_refuse_all

Reader = Callable[..., Any]
READERS: dict[str, Reader] = {
    "ConfirmationRequest": read_confirmation_request,
    "ShipNoticeRequest": read_ship_notice_request,
    "InvoiceDetailRequest": read_invoice_detail_request,
}
CDT = timezone(timedelta(hours=-5))
PDT = timezone(timedelta(hours=-7))
PST = timezone(timedelta(hours=-8))


def _kind(body: bytes) -> str | None:
    return next((kind for kind in READERS if f"<{kind}".encode() in body), None)


def fulfilment_samples() -> list[str]:
    """Every shared sample that is a confirmation, ship notice or invoice (by content)."""
    return sorted(
        str(path.relative_to(CXML_SAMPLES))
        for path in CXML_SAMPLES.rglob("*.xml")
        if _kind(path.read_bytes())
    )


# --- the facts of each DTD-valid sample ---------------------------------------------------------


def _office_depot(confirmation: OrderConfirmation) -> None:
    """Office Depot via Ariba: detail confirmation, three accepted lines, part ids as Extrinsic."""
    assert confirmation.confirmation_id is None  # confirmID=""
    assert (confirmation.type, confirmation.operation) == (
        ConfirmationType.DETAIL,
        ConfirmationOperation.NEW,
    )
    assert confirmation.notice_date == datetime(2012, 9, 4, 2, 37, 49, tzinfo=CDT)
    assert confirmation.invoice_id == "623612976001"
    assert confirmation.order == OrderReference(
        order_id="400-2591453-0",
        payload_id="20120904023747.cXMLPurchaseOrder.984556224@eprosvcs.com",
    )
    assert confirmation.currency == "USD"
    assert (confirmation.total, confirmation.tax, confirmation.shipping) == (None, None, None)
    assert [
        (line.line_number, line.quantity, line.unit_of_measure, line.supplier_part_id)
        for line in confirmation.lines
    ] == [
        (1, Decimal(20), "RM", "751441"),
        (2, Decimal(12), "BX", "429175"),
        (3, Decimal(2), "EA", "908194"),
    ]
    statuses = [line.statuses for line in confirmation.lines]
    assert [[(s.status, s.quantity, s.unit_price) for s in line] for line in statuses] == [
        [(LineStatus.ACCEPT, Decimal(20), Decimal("4.44"))],
        [(LineStatus.ACCEPT, Decimal(12), Decimal("1.52"))],
        [(LineStatus.ACCEPT, Decimal(2), Decimal("4.14"))],
    ]
    for (status,) in statuses:
        assert status.shipment_date == datetime(2012, 9, 5, 12, tzinfo=CDT)
        assert status.delivery_date == datetime(2012, 9, 5, 12, tzinfo=CDT)
        assert (status.unit_of_measure, status.comments) == (None, None)


def _envelope3(confirmation: OrderConfirmation) -> None:
    _office_depot(confirmation)
    assert [line.statuses[0].extensions for line in confirmation.lines] == [{}, {}, {}]


def _request_doc(confirmation: OrderConfirmation) -> None:
    _office_depot(confirmation)
    assert [line.statuses[0].extensions for line in confirmation.lines] == [
        {"SupplierPartAuxilliaryID": "751441"},
        {"SupplierPartAuxilliaryID": "429175"},
        {},
    ]


def _friends_of_cxml_ship_notice(notice: ShipNotice) -> None:
    assert (notice.shipment_id, notice.operation, notice.supersedes) == (
        "S2-123",
        ShipNoticeOperation.NEW,
        None,
    )
    assert notice.notice_date == datetime(2000, 10, 14, 18, 39, 9, tzinfo=PST)
    assert notice.shipment_date == datetime(2000, 10, 14, 8, 30, 19, tzinfo=PST)
    assert notice.delivery_date == datetime(2000, 10, 18, 9, 0, tzinfo=PST)
    assert notice.carriers == (
        ShipControl(
            carrier=(
                Identifier(scheme="SCAC", value="FDE"),
                Identifier(scheme="companyName", value="Federal Express"),
            ),
            tracking_numbers=("8202 8261 1194",),
        ),
    )
    assert [(o.order, o.lines) for o in notice.orders] == [
        (OrderReference(order_id="DO1234", payload_id="32232995@hub.acme.com"), ())
    ]
    assert notice.comments == "Got it all into one shipment."
    assert (notice.packages, notice.ship_from, notice.fulfillment) == ((), None, None)


def _coupa_lines(invoice: Invoice) -> list[tuple[Any, ...]]:
    return [
        (
            line.invoice_line_number,
            line.order_line_number,
            line.quantity,
            line.unit_of_measure,
            line.unit_price,
            line.subtotal,
            line.description,
        )
        for line in invoice.lines()
    ]


def _coupa_zero_tax(invoice: Invoice) -> None:
    """The two Coupa 1.2.020 samples with a zero tax, zero shipping and zero net amount."""
    assert (invoice.purpose, invoice.header_level, invoice.currency) == (
        InvoicePurpose.STANDARD,
        False,
        "USD",
    )
    assert invoice.invoice_date == datetime(2010, 12, 16, tzinfo=UTC)
    assert invoice.payment_terms_days == 30
    assert (invoice.subtotal, invoice.tax, invoice.shipping, invoice.net_amount) == (
        Decimal("220.00"),
        Decimal(0),
        Decimal(0),
        Decimal(0),
    )
    assert invoice.taxes == (
        TaxDetail(category="tax", amount=Decimal(0), description="CA"),  # empty TaxableAmount
    )
    assert invoice.due_amount is None


def _backed_and_unbacked(invoice: Invoice) -> None:
    _coupa_zero_tax(invoice)
    assert invoice.invoice_id == "INVOICENUMBER"
    assert [(o.order, o.agreement_id) for o in invoice.orders] == [
        (OrderReference(payload_id="E14994"), None),
        (None, "l"),
    ]
    assert _coupa_lines(invoice) == [
        (1, 1, Decimal(3), "EA", Decimal(100), Decimal(200), "Item1"),
        (
            2,
            1,
            Decimal(2),
            "EA",
            Decimal(10),
            Decimal(20),
            "Non PO or Contract Line Item Description",
        ),
    ]


def _multiple_pos(invoice: Invoice) -> None:
    _coupa_zero_tax(invoice)
    assert invoice.invoice_id == "INV00001"
    assert [(o.order, o.agreement_id) for o in invoice.orders] == [
        (OrderReference(payload_id="2252"), None),
        (OrderReference(payload_id="2253"), None),
    ]
    assert _coupa_lines(invoice) == [
        (1, 1, Decimal("2.00"), "EA", Decimal(100), Decimal(200), "Item1"),
        (2, 1, Decimal(2), "EA", Decimal(10), Decimal(20), "Test Item"),
    ]


def _nintendo(invoice: Invoice, invoice_id: str) -> None:
    """The two Coupa samples billing one console: $365, $8 tax, $5 handling, $30 shipping."""
    assert (invoice.invoice_id, invoice.currency, invoice.payment_terms_days) == (
        invoice_id,
        "USD",
        30,
    )
    assert invoice.invoice_date == datetime(2009, 5, 1, 11, 45, 51, tzinfo=PDT)
    assert [(o.order, o.agreement_id) for o in invoice.orders] == [
        (OrderReference(payload_id="123"), None)
    ]
    description = "NEW 1 NINTENDO WII GAME CONSOLE + WII FIT BUNDLE +GAMES"
    assert _coupa_lines(invoice) == [
        (1, 1, Decimal(1), "EA", Decimal(365), Decimal(365), description)
    ]
    assert (invoice.subtotal, invoice.tax, invoice.special_handling, invoice.shipping) == (
        Decimal(365),
        Decimal(8),
        Decimal(5),
        Decimal(30),
    )
    assert invoice.net_amount == Decimal(408)  # empty NetAmount: 365 + 8 + 5 + 30


CA_TAX = TaxDetail(
    category="CA",
    amount=Decimal(8),
    rate=Decimal("8.25"),
    taxable_amount=Decimal(365),
    description="CA",
)


def _taxes_at_line(invoice: Invoice) -> None:
    _nintendo(invoice, "3495")
    (line,) = invoice.lines()
    assert (line.tax, line.taxes) == (Decimal(8), (CA_TAX,))
    assert invoice.taxes == ()


def _taxes_at_total(invoice: Invoice) -> None:
    _nintendo(invoice, "3492")
    (line,) = invoice.lines()
    assert (line.tax, line.taxes) == (None, ())
    assert invoice.taxes == (CA_TAX,)


FACTS: dict[str, Callable[[Any], None]] = {
    "sosedoff-cxml/envelope3.xml": _envelope3,
    "officeluv-cxml-ruby/request_doc.xml": _request_doc,
    "friendsofcxml-php/tests__metadata__cxml__samples__ShipNoticeRequest.xml": (
        _friends_of_cxml_ship_notice
    ),
    "officeluv-cxml-ruby/invoice_backed_and_unbacked_by_pos.xml": _backed_and_unbacked,
    "officeluv-cxml-ruby/invoice_backed_by_multiple_pos.xml": _multiple_pos,
    "officeluv-cxml-ruby/invoice_taxes_at_line.xml": _taxes_at_line,
    "officeluv-cxml-ruby/invoice_taxes_at_total.xml": _taxes_at_total,
}
"""What each DTD-valid sample must read as."""

VALID_BUT_REFUSED: dict[str, str] = {
    # A Coupa template: DTD-valid, but invoiceDate="invoice_date" and currency="currency_code"
    # are placeholders, not values; no canonical invoice can hold them.
    "officeluv-cxml-ruby/invoice_taxes_at_line_multiple_taxes.xml": (
        "InvoiceDetailRequestHeader/@invoiceDate"
    ),
}
"""DTD-valid samples that are refused, with the location the refusal names."""


# --- the tests ----------------------------------------------------------------------------------


def _dtd_errors(validator: DtdValidator, body: bytes) -> list[str]:
    try:
        return validator.validate(body)
    except DocumentError as error:  # unsafe or not well-formed: not even parsed
        return [str(error)]


def _read_or_refusal(body: bytes) -> object:
    """The canonical document, or the `DocumentError` refusing it; other exceptions escape."""
    try:
        return _read(body)
    except DocumentError as error:
        return error


def _read(body: bytes) -> Any:
    document: CxmlDocument = parse_cxml(body)
    kind = _kind(body)
    assert kind is not None
    return READERS[kind](document)


def test_the_corpus_holds_fulfilment_samples() -> None:
    names = fulfilment_samples()
    assert {_kind((CXML_SAMPLES / name).read_bytes()) for name in names} == set(READERS)
    assert len(names) >= 10


@pytest.mark.parametrize("name", fulfilment_samples())
def test_sample(dtd_validator: DtdValidator, name: str) -> None:
    body = (CXML_SAMPLES / name).read_bytes()
    if _dtd_errors(dtd_validator, body):
        # Invalid or not well-formed: read or refused as a document problem, nothing else.
        outcome = _read_or_refusal(body)
        assert isinstance(outcome, OrderConfirmation | ShipNotice | Invoice | DocumentError)
        return
    if name in VALID_BUT_REFUSED:
        with pytest.raises(MalformedDocumentError) as caught:
            _read(body)
        assert caught.value.location == VALID_BUT_REFUSED[name]
        return
    assert name in FACTS, f"{name} is DTD-valid: assert its facts in FACTS"
    FACTS[name](_read(body))


def test_every_listed_sample_is_still_valid(dtd_validator: DtdValidator) -> None:
    for name in [*FACTS, *VALID_BUT_REFUSED]:
        assert _dtd_errors(dtd_validator, (CXML_SAMPLES / name).read_bytes()) == [], name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("dnas-marketplace-docs/asn-block1.xml", "not well-formed XML"),
        ("dnas-marketplace-docs/orderacknowledgment-block1.xml", "cXML@payloadID is required"),
        ("dnas-marketplace-docs/invoice-block1.xml", "invoice line numbers must be unique"),
    ],
)
def test_the_invalid_marketplace_samples_are_refused_for_their_real_fault(
    dtd_validator: DtdValidator, name: str, message: str
) -> None:
    body = (CXML_SAMPLES / name).read_bytes()
    assert _dtd_errors(dtd_validator, body) != []
    with pytest.raises(MalformedDocumentError, match=message):
        _read(body)


def _parseable(name: str) -> bool:
    try:
        parse_cxml((CXML_SAMPLES / name).read_bytes())
    except DocumentError:
        return False
    return True


@pytest.mark.parametrize("name", [name for name in fulfilment_samples() if _parseable(name)])
def test_every_single_mutation_of_a_sample_is_read_or_refused(name: str) -> None:
    body = (CXML_SAMPLES / name).read_bytes()
    kind = _kind(body)
    assert kind is not None
    outcomes = read_or_refuse_all(READERS[kind], parse_cxml(body))
    assert outcomes["refused"] > 0
    assert outcomes["read"] > 0 or name in VALID_BUT_REFUSED
