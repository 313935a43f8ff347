"""FakePlatform: Coupa, SAP Ariba and JAGGAER receiving our confirmations, ship notices and
invoices, in-process (httpx.MockTransport) and on a real socket.

The documents are built here by hand, in DTD order, as a supplier would send them, so these
tests also check that the hub's readers (which the fake uses) read a platform-shaped document.
Answers are read with the kit's own plain lxml parse (`fake_platform.read_answer`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree

from connectors.formats.cxml import (
    OutboundCredential,
    OutboundEnvelope,
    build_confirmation_request,
    build_invoice_detail_request,
    build_ship_notice_request,
)
from connectors.testing.cxml_documents import XML_LANG, CxmlParty, TradingPartners, order_request
from connectors.testing.fake_platform import PlatformAnswer, read_answer
from connectors.testing.fake_platform_flavours import CredentialSet
from connectors.testing.fake_platform_rules import business_id
from connectors.testing.fake_platform_server import (
    ENDPOINTS,
    DocumentKind,
    ExpectedCredentials,
    FakePlatform,
    Flavour,
    PlatformCredentials,
)
from schemas import (
    ConfirmationLine,
    ConfirmationType,
    ConfirmedQuantity,
    Identifier,
    Invoice,
    InvoiceLine,
    InvoiceOrder,
    LineStatus,
    OrderConfirmation,
    OrderLine,
    OrderReference,
    Party,
    PurchaseOrder,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOrder,
)
from schemas.order import OrderChange
from tests.support.clock import FakeClock
from tests.support.paths import CXML_DTD_DIR, REPO_ROOT

FLAVOURS: tuple[Flavour, ...] = ("coupa", "ariba", "jaggaer")
KINDS: tuple[DocumentKind, ...] = (
    "ConfirmationRequest",
    "ShipNoticeRequest",
    "InvoiceDetailRequest",
)

COUPA_PO = ExpectedCredentials(
    from_=CxmlParty("DUNS", "SUPPLIER-PO-123456"),
    to=CxmlParty("DUNS", "COUPA-BUYER-98765"),
    sender=CxmlParty("DUNS", "SUPPLIER-PO-123456"),
    shared_secret="Coupa-PO-Secret-5e1f9a",
)
COUPA_INVOICING = ExpectedCredentials(
    from_=CxmlParty("DUNS", "SUPPLIER-INV-654321"),
    to=CxmlParty("DUNS", "COUPA-INV-BUYER-555"),
    sender=CxmlParty("DUNS", "SUPPLIER-INV-654321"),
    shared_secret="Coupa-Invoice-Secret-8c2d71",
)
ARIBA = ExpectedCredentials(
    from_=CxmlParty("NetworkID", "AN01000000123"),
    to=CxmlParty("NetworkID", "AN01000000999"),
    sender=CxmlParty("NetworkID", "AN01000000123"),
    shared_secret="Ariba-Secret-3c9e07",
)
JAGGAER = ExpectedCredentials(
    from_=CxmlParty("DUNS", "117593846"),
    to=CxmlParty("NetworkID", "JAGGAER-UNIVERSITY-7"),
    sender=CxmlParty("DUNS", "117593846"),
    shared_secret="Jaggaer-Secret-d4a611",
)
CREDENTIALS: dict[Flavour, PlatformCredentials] = {
    "coupa": PlatformCredentials(purchase_orders=COUPA_PO, invoicing=COUPA_INVOICING),
    "ariba": PlatformCredentials(purchase_orders=ARIBA),
    "jaggaer": PlatformCredentials(purchase_orders=JAGGAER),
}

ORDER_ID = "PO-1001"
ORDER_PAYLOAD_ID = "1736875512000.4242.a1b2c3d4@buyer.example"
ORDER = PurchaseOrder(
    order_id=ORDER_ID,
    order_date=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    currency="USD",
    buyer=Party(name="Buyer Inc."),
    supplier=Party(name="B2Connect Supplies"),
    lines=(
        OrderLine(
            line_number=1, quantity=Decimal(10), unit_of_measure="EA", unit_price=Decimal("12.50")
        ),
        OrderLine(
            line_number=2, quantity=Decimal(4), unit_of_measure="KGM", unit_price=Decimal("4.00")
        ),
    ),
)
NOTICE_DATE = "2026-11-22T10:00:00+00:00"
CONTENT_TYPE = {"Content-Type": "text/xml; charset=UTF-8"}

Line = tuple[int, str, str]
"""(order line number, quantity, unit of measure)."""


# -- documents, built as a supplier sends them ----------------------------------------------


def expected(flavour: Flavour, kind: DocumentKind) -> ExpectedCredentials:
    """The credential set `flavour` checks for `kind` (Coupa: invoicing set for ASN/invoice)."""
    group: CredentialSet = "purchase_orders" if kind == "ConfirmationRequest" else "invoicing"
    return CREDENTIALS[flavour].select(group)


def _envelope(
    creds: ExpectedCredentials, payload: str, payload_id: str | None, version: str
) -> tuple[etree._Element, etree._Element]:
    root = etree.Element("cXML", payloadID=payload_id or _payload_id(), timestamp=NOTICE_DATE)
    root.set("version", version)
    root.set(XML_LANG, "en-US")
    header = etree.SubElement(root, "Header")
    for tag, party in (("From", creds.from_), ("To", creds.to), ("Sender", creds.sender)):
        holder = etree.SubElement(header, tag)
        credential = etree.SubElement(holder, "Credential", domain=party.domain)
        etree.SubElement(credential, "Identity").text = party.identity
        if tag == "Sender":
            etree.SubElement(credential, "SharedSecret").text = creds.shared_secret
            etree.SubElement(holder, "UserAgent").text = "B2Connect 0.1"
    request = etree.SubElement(root, "Request", deploymentMode="production")
    return root, etree.SubElement(request, payload)


_counter = iter(range(1, 1_000_000))


def _payload_id() -> str:
    return f"1795000000000.{next(_counter)}.0f0e0d0c@supplier.example"


def _bytes(root: etree._Element, family: str, version: str) -> bytes:
    doctype = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/{family}.dtd">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype)


def _order_reference(parent: etree._Element, order_id: str | None, payload_id: str) -> None:
    reference = etree.SubElement(parent, "OrderReference")
    if order_id is not None:
        reference.set("orderID", order_id)
    etree.SubElement(reference, "DocumentReference", payloadID=payload_id)


def confirmation(
    creds: ExpectedCredentials,
    *,
    payload_id: str | None = None,
    confirm_id: str = "C-1",
    type_: str = "detail",
    operation: str = "new",
    supersedes: str | None = None,
    order_id: str | None = ORDER_ID,
    order_payload_id: str = ORDER_PAYLOAD_ID,
    lines: tuple[Line, ...] = ((1, "10", "EA"),),
    version: str = "1.2.069",
) -> bytes:
    """A ConfirmationRequest; each line confirmed in full with status accept."""
    root, request = _envelope(creds, "ConfirmationRequest", payload_id, version)
    header = etree.SubElement(request, "ConfirmationHeader", type=type_, noticeDate=NOTICE_DATE)
    header.set("confirmID", confirm_id)
    header.set("operation", operation)
    if supersedes:
        etree.SubElement(header, "DocumentReference", payloadID=supersedes)
    _order_reference(request, order_id, order_payload_id)
    for number, quantity, unit in lines if type_ != "reject" else ():
        item = etree.SubElement(
            request, "ConfirmationItem", quantity=quantity, lineNumber=str(number)
        )
        etree.SubElement(item, "UnitOfMeasure").text = unit
        status = etree.SubElement(item, "ConfirmationStatus", quantity=quantity, type="accept")
        status.set("deliveryDate", "2026-11-30T12:00:00+00:00")
        etree.SubElement(status, "UnitOfMeasure").text = unit
    return _bytes(root, "Fulfill", version)


def ship_notice(
    creds: ExpectedCredentials,
    *,
    payload_id: str | None = None,
    shipment_id: str = "SN-1",
    operation: str = "new",
    supersedes: str | None = None,
    order_id: str | None = ORDER_ID,
    order_payload_id: str = ORDER_PAYLOAD_ID,
    lines: tuple[Line, ...] = ((1, "6", "EA"),),
    control_last: bool = False,
) -> bytes:
    """A ShipNoticeRequest (`control_last` puts ShipControl after the portion: DTD-invalid)."""
    root, request = _envelope(creds, "ShipNoticeRequest", payload_id, "1.2.069")
    header = etree.SubElement(request, "ShipNoticeHeader", shipmentID=shipment_id)
    header.set("operation", operation)
    header.set("noticeDate", NOTICE_DATE)
    if operation != "delete":
        header.set("shipmentDate", "2026-11-22T08:00:00+00:00")
        header.set("deliveryDate", "2026-11-25T17:00:00+00:00")
    if supersedes:
        etree.SubElement(header, "DocumentReference", payloadID=supersedes)
    control = etree.SubElement(request, "ShipControl")
    etree.SubElement(control, "CarrierIdentifier", domain="SCAC").text = "FDEG"
    etree.SubElement(control, "ShipmentIdentifier").text = "1Z999AA10123456784"
    if operation != "delete":
        portion = etree.SubElement(request, "ShipNoticePortion")
        _order_reference(portion, order_id, order_payload_id)
        for number, quantity, unit in lines:
            item = etree.SubElement(
                portion, "ShipNoticeItem", quantity=quantity, lineNumber=str(number)
            )
            etree.SubElement(item, "UnitOfMeasure").text = unit
    if control_last:
        request.append(control)
    return _bytes(root, "Fulfill", "1.2.069")


def invoice(
    creds: ExpectedCredentials,
    *,
    payload_id: str | None = None,
    invoice_id: str = "INV-1",
    operation: str = "new",
    supersedes: str | None = None,
    order_id: str | None = ORDER_ID,
    order_payload_id: str = ORDER_PAYLOAD_ID,
    lines: tuple[Line, ...] = ((1, "6", "EA"),),
) -> bytes:
    """A line-level standard InvoiceDetailRequest at the order's prices, no tax."""
    root, request = _envelope(creds, "InvoiceDetailRequest", payload_id, "1.2.069")
    header = etree.SubElement(request, "InvoiceDetailRequestHeader", invoiceID=invoice_id)
    header.set("purpose", "standard")
    header.set("operation", operation)
    header.set("invoiceDate", "2026-11-22T09:00:00+00:00")
    etree.SubElement(header, "InvoiceDetailHeaderIndicator")
    etree.SubElement(header, "InvoiceDetailLineIndicator")
    if supersedes:
        etree.SubElement(header, "DocumentReference", payloadID=supersedes)
    order = etree.SubElement(request, "InvoiceDetailOrder")
    _order_reference(etree.SubElement(order, "InvoiceDetailOrderInfo"), order_id, order_payload_id)
    total = Decimal(0)
    for position, (number, quantity, unit) in enumerate(lines, 1):
        price = Decimal("12.50") if number == 1 else Decimal("4.00")
        subtotal = price * Decimal(quantity)
        total += subtotal
        item = etree.SubElement(
            order, "InvoiceDetailItem", invoiceLineNumber=str(position), quantity=quantity
        )
        etree.SubElement(item, "UnitOfMeasure").text = unit
        _money(etree.SubElement(item, "UnitPrice"), price)
        etree.SubElement(item, "InvoiceDetailItemReference", lineNumber=str(number))
        _money(etree.SubElement(item, "SubtotalAmount"), subtotal)
    summary = etree.SubElement(request, "InvoiceDetailSummary")
    _money(etree.SubElement(summary, "SubtotalAmount"), total)
    tax = etree.SubElement(summary, "Tax")
    _money(tax, Decimal(0))
    etree.SubElement(tax, "Description").set(XML_LANG, "en-US")
    _money(etree.SubElement(summary, "NetAmount"), total)
    _money(etree.SubElement(summary, "DueAmount"), total)
    return _bytes(root, "InvoiceDetail", "1.2.069")


def _money(parent: etree._Element, amount: Decimal) -> None:
    etree.SubElement(parent, "Money", currency="USD").text = f"{amount:.2f}"


BUILDERS: dict[str, Callable[..., bytes]] = {
    "ConfirmationRequest": confirmation,
    "ShipNoticeRequest": ship_notice,
    "InvoiceDetailRequest": invoice,
}


def document(flavour: Flavour, kind: DocumentKind, **changes: Any) -> bytes:
    """A valid document of `kind` with the credentials `flavour` expects for it."""
    return BUILDERS[kind](expected(flavour, kind), **changes)


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    value: Flavour = request.param
    return value


@pytest.fixture
def platform(flavour: Flavour, clock: FakeClock) -> FakePlatform:
    """A platform that issued ORDER, validating against the vendored DTDs."""
    fake = FakePlatform(
        flavour, credentials=CREDENTIALS[flavour], dtd_dir=CXML_DTD_DIR, clock=clock
    )
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    return fake


@pytest.fixture
def client(platform: FakePlatform) -> Iterator[httpx.Client]:
    with httpx.Client(transport=platform.transport(), base_url=platform.base_url) as http:
        yield http


def post(
    client: httpx.Client,
    platform: FakePlatform,
    kind: DocumentKind,
    body: bytes,
    *,
    key: str | None = None,
    path: str | None = None,
) -> PlatformAnswer:
    """POST `body` where `kind` goes (or to `path`) and read the cXML answer."""
    headers = {**CONTENT_TYPE, **({"Idempotency-Key": key} if key else {})}
    url = path or platform.endpoint_for(kind).path
    response = client.post(url, content=body, headers=headers)
    return read_answer(response.content, http_status=response.status_code)


def outcome(answer: PlatformAnswer) -> tuple[int, int]:
    """(cXML code, HTTP status)."""
    return answer.code, answer.http_status


# -- accepted documents ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_valid_document_of_each_kind_is_accepted(
    platform: FakePlatform, client: httpx.Client, kind: DocumentKind, clock: FakeClock
) -> None:
    body = document(platform.flavour, kind)
    answer = post(client, platform, kind, body, key="key-1")
    assert outcome(answer) == (200, 200)
    assert answer.text == "OK"
    assert answer.payload_id.endswith(f"@{platform.flavour}.fake.test")
    [received] = platform.received
    assert (received.kind, received.raw, received.idempotency_key) == (kind, body, "key-1")
    assert received.payload_id == etree.fromstring(body).get("payloadID")
    assert received.path == platform.endpoint_for(kind).path
    assert received.answer == answer.body
    assert received.received_at <= clock.now
    assert platform.exchanges[-1].received == received


def test_the_canonical_confirmation_is_read_with_the_hub_reader(
    platform: FakePlatform, client: httpx.Client
) -> None:
    post(client, platform, "ConfirmationRequest", document(platform.flavour, "ConfirmationRequest"))
    confirmation_read = platform.received[0].document
    assert isinstance(confirmation_read, OrderConfirmation)
    assert (confirmation_read.confirmation_id, confirmation_read.type.value) == ("C-1", "detail")
    assert (confirmation_read.order.order_id, confirmation_read.order.payload_id) == (
        ORDER_ID,
        ORDER_PAYLOAD_ID,
    )
    assert [(x.line_number, x.quantity) for x in confirmation_read.lines] == [(1, Decimal(10))]


def test_the_canonical_ship_notice_and_invoice_carry_the_sent_values(
    platform: FakePlatform, client: httpx.Client
) -> None:
    post(client, platform, "ShipNoticeRequest", document(platform.flavour, "ShipNoticeRequest"))
    post(
        client, platform, "InvoiceDetailRequest", document(platform.flavour, "InvoiceDetailRequest")
    )
    notice, bill = (r.document for r in platform.received)
    assert isinstance(notice, ShipNotice)
    assert notice.shipment_id == "SN-1"
    assert [
        (line.line_number, line.quantity, line.unit_of_measure) for line in notice.orders[0].lines
    ] == [(1, Decimal(6), "EA")]
    assert isinstance(bill, Invoice)
    assert (bill.invoice_id, bill.net_amount) == ("INV-1", Decimal("75.00"))
    assert [(x.order_line_number, x.quantity) for x in bill.lines()] == [(1, Decimal(6))]


HUB_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CANONICAL: dict[str, OrderConfirmation | ShipNotice | Invoice] = {
    "ConfirmationRequest": OrderConfirmation(
        confirmation_id="C-9",
        type=ConfirmationType.DETAIL,
        notice_date=HUB_NOW,
        order=OrderReference(order_id=ORDER_ID, payload_id=ORDER_PAYLOAD_ID),
        lines=(
            ConfirmationLine(
                line_number=2,
                quantity=Decimal(4),
                unit_of_measure="KGM",
                statuses=(
                    ConfirmedQuantity(
                        status=LineStatus.ACCEPT, quantity=Decimal(4), delivery_date=HUB_NOW
                    ),
                ),
            ),
        ),
    ),
    "ShipNoticeRequest": ShipNotice(
        shipment_id="SN-9",
        notice_date=HUB_NOW,
        shipment_date=HUB_NOW,
        delivery_date=HUB_NOW,
        carriers=(
            ShipControl(
                carrier=(Identifier(scheme="SCAC", value="FDEG"),),
                tracking_numbers=("1Z999AA10123456784",),
            ),
        ),
        orders=(
            ShipNoticeOrder(
                order=OrderReference(order_id=ORDER_ID, payload_id=ORDER_PAYLOAD_ID),
                lines=(ShipNoticeLine(line_number=1, quantity=Decimal(10), unit_of_measure="EA"),),
            ),
        ),
    ),
    "InvoiceDetailRequest": Invoice(
        invoice_id="INV-9",
        invoice_date=datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        currency="USD",
        orders=(
            InvoiceOrder(
                order=OrderReference(order_id=ORDER_ID, payload_id=ORDER_PAYLOAD_ID),
                lines=(
                    InvoiceLine(
                        invoice_line_number=1,
                        order_line_number=2,
                        quantity=Decimal(4),
                        unit_of_measure="KGM",
                        unit_price=Decimal("4.00"),
                        subtotal=Decimal("16.00"),
                    ),
                ),
            ),
        ),
        subtotal=Decimal("16.00"),
        net_amount=Decimal("16.00"),
    ),
}
HUB_BUILDERS: dict[str, Callable[[Any, OutboundEnvelope], bytes]] = {
    "ConfirmationRequest": build_confirmation_request,
    "ShipNoticeRequest": build_ship_notice_request,
    "InvoiceDetailRequest": build_invoice_detail_request,
}


@pytest.mark.parametrize("kind", KINDS)
def test_documents_from_the_hub_builders_are_accepted_and_read_back_unchanged(
    platform: FakePlatform, client: httpx.Client, kind: DocumentKind
) -> None:
    creds = expected(platform.flavour, kind)
    envelope = OutboundEnvelope(
        payload_id=f"hub-{kind}@b2connect.test",
        timestamp=HUB_NOW,
        from_=(OutboundCredential(creds.from_.domain, creds.from_.identity),),
        to=(OutboundCredential(creds.to.domain, creds.to.identity),),
        sender=OutboundCredential(creds.sender.domain, creds.sender.identity),
        shared_secret=creds.shared_secret,
        user_agent="B2Connect 0.1",
    )
    answer = post(client, platform, kind, HUB_BUILDERS[kind](CANONICAL[kind], envelope))
    assert (outcome(answer), answer.message) == (
        (200, 200),
        f"{kind} {business_id(CANONICAL[kind])} accepted",
    )
    [received] = platform.received
    assert received.document == CANONICAL[kind]


# -- refusals -------------------------------------------------------------------------------


def test_a_dtd_invalid_document_is_400_with_the_dtd_error(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = document(platform.flavour, "ShipNoticeRequest", control_last=True)
    answer = post(client, platform, "ShipNoticeRequest", body)
    assert outcome(answer) == (400, 400)
    assert answer.message.startswith("DTD: line ")
    assert "ShipNoticeRequest" in answer.message
    assert platform.received == []


def test_without_dtd_dir_the_same_document_gets_past_the_dtd(flavour: Flavour) -> None:
    fake = FakePlatform(flavour, credentials=CREDENTIALS[flavour], dtd_dir=None)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    with httpx.Client(transport=fake.transport(), base_url=fake.base_url) as http:
        body = document(flavour, "ShipNoticeRequest", control_last=True)
        answer = post(http, fake, "ShipNoticeRequest", body)
    assert outcome(answer) == (200, 200)


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_shared_secret_is_401_and_the_message_names_no_secret(
    platform: FakePlatform, client: httpx.Client, kind: DocumentKind
) -> None:
    creds = expected(platform.flavour, kind)
    wrong = replace(creds, shared_secret=creds.shared_secret + "x")
    answer = post(client, platform, kind, BUILDERS[kind](wrong))
    assert outcome(answer) == (401, 401)
    assert answer.message == "the Sender SharedSecret is not the one registered for this supplier"
    assert creds.shared_secret not in answer.body.decode()
    assert platform.received == []


def test_a_wrong_buyer_is_401(platform: FakePlatform, client: httpx.Client) -> None:
    creds = expected(platform.flavour, "InvoiceDetailRequest")
    stranger = replace(creds, to=CxmlParty(creds.to.domain, "SOMEONE-ELSE"))
    answer = post(client, platform, "InvoiceDetailRequest", invoice(stranger))
    assert outcome(answer) == (401, 401)
    assert answer.message == f"To is not this buyer ({creds.to.domain}/SOMEONE-ELSE)"


@pytest.mark.parametrize("kind", ["ShipNoticeRequest", "InvoiceDetailRequest"])
def test_coupa_wants_the_invoicing_credentials_for_ship_notices_and_invoices(
    clock: FakeClock, kind: DocumentKind
) -> None:
    coupa = FakePlatform("coupa", credentials=CREDENTIALS["coupa"], dtd_dir=None, clock=clock)
    coupa.register_order(ORDER, ORDER_PAYLOAD_ID)
    build = ship_notice if kind == "ShipNoticeRequest" else invoice
    with httpx.Client(transport=coupa.transport(), base_url=coupa.base_url) as http:
        with_po_set = post(http, coupa, kind, build(COUPA_PO))
        with_invoicing_set = post(http, coupa, kind, build(COUPA_INVOICING))
        confirmation_with_po_set = post(http, coupa, "ConfirmationRequest", confirmation(COUPA_PO))
    assert outcome(with_po_set) == (401, 401)
    assert with_po_set.message == "From is not the registered supplier (DUNS/SUPPLIER-PO-123456)"
    assert outcome(with_invoicing_set) == (200, 200)
    assert outcome(confirmation_with_po_set) == (200, 200)
    assert [r.kind for r in coupa.received] == [kind, "ConfirmationRequest"]


def test_a_document_at_an_endpoint_that_does_not_take_it_is_406(clock: FakeClock) -> None:
    coupa = FakePlatform("coupa", credentials=CREDENTIALS["coupa"], dtd_dir=None, clock=clock)
    coupa.register_order(ORDER, ORDER_PAYLOAD_ID)
    with httpx.Client(transport=coupa.transport(), base_url=coupa.base_url) as http:
        answer = post(
            http,
            coupa,
            "InvoiceDetailRequest",
            invoice(COUPA_INVOICING),
            path="/cxml/ship_notice_request",
        )
    assert outcome(answer) == (406, 406)
    assert answer.message == (
        "InvoiceDetailRequest is not accepted at /cxml/ship_notice_request "
        "(accepts ShipNoticeRequest)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_order_is_400(
    platform: FakePlatform, client: httpx.Client, kind: DocumentKind
) -> None:
    body = document(platform.flavour, kind, order_id="PO-9999", order_payload_id="9.9@buyer")
    answer = post(client, platform, kind, body)
    assert outcome(answer) == (400, 400)
    assert answer.message == "Unknown PO PO-9999: this buyer issued no such purchase order"
    assert platform.received == []


def test_an_order_reference_with_another_orders_payload_id_is_400(
    platform: FakePlatform, client: httpx.Client
) -> None:
    other = ORDER.model_copy(update={"order_id": "PO-2002"})
    platform.register_order(other, "2.2@buyer.example")
    body = document(platform.flavour, "InvoiceDetailRequest", order_payload_id="2.2@buyer.example")
    answer = post(client, platform, "InvoiceDetailRequest", body)
    assert outcome(answer) == (400, 400)
    assert (
        answer.message
        == "OrderReference payloadID 2.2@buyer.example is not a document of PO PO-1001"
    )


def test_coupa_style_po_number_in_the_document_reference_finds_the_order(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = document(
        platform.flavour, "InvoiceDetailRequest", order_id=None, order_payload_id=ORDER_ID
    )
    answer = post(client, platform, "InvoiceDetailRequest", body)
    assert outcome(answer) == (200, 200)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ((3, "1", "EA"), "PO PO-1001 has no line 3"),
        ((2, "1", "EA"), "PO PO-1001 line 2 is ordered in KGM, not EA"),
    ],
)
def test_unknown_lines_and_other_units_are_400(
    platform: FakePlatform, client: httpx.Client, line: Line, message: str
) -> None:
    answer = post(
        client,
        platform,
        "ShipNoticeRequest",
        document(platform.flavour, "ShipNoticeRequest", lines=(line,)),
    )
    assert (outcome(answer), answer.message) == ((400, 400), message)


def test_shipped_quantity_is_cumulative_per_line(
    platform: FakePlatform, client: httpx.Client
) -> None:
    def ship(shipment_id: str, quantity: str) -> PlatformAnswer:
        body = document(
            platform.flavour,
            "ShipNoticeRequest",
            shipment_id=shipment_id,
            lines=((1, quantity, "EA"),),
        )
        return post(client, platform, "ShipNoticeRequest", body)

    first, too_much, rest = ship("SN-1", "6"), ship("SN-2", "5"), ship("SN-3", "4")
    assert outcome(first) == (200, 200)
    assert outcome(too_much) == (400, 400)
    assert (
        too_much.message == "PO PO-1001 line 1: 11 shipped (6 before this document), but 10 ordered"
    )
    assert outcome(rest) == (200, 200)
    assert [business_id(r.document) for r in platform.received] == ["SN-1", "SN-3"]


def test_invoiced_quantity_is_cumulative_per_line(
    platform: FakePlatform, client: httpx.Client
) -> None:
    def bill(invoice_id: str, quantity: str) -> PlatformAnswer:
        body = document(
            platform.flavour,
            "InvoiceDetailRequest",
            invoice_id=invoice_id,
            lines=((2, quantity, "KGM"),),
        )
        return post(client, platform, "InvoiceDetailRequest", body)

    assert outcome(bill("INV-1", "3")) == (200, 200)
    refused = bill("INV-2", "1.5")
    assert outcome(refused) == (400, 400)
    assert (
        refused.message == "PO PO-1001 line 2: 4.5 invoiced (3 before this document), but 4 ordered"
    )


def test_a_ship_notice_update_replaces_and_a_delete_withdraws_the_quantities(
    platform: FakePlatform, client: httpx.Client
) -> None:
    def ship(**changes: Any) -> PlatformAnswer:
        return post(
            client,
            platform,
            "ShipNoticeRequest",
            document(platform.flavour, "ShipNoticeRequest", **changes),
        )

    ship(payload_id="sn-1.1@supplier", lines=((1, "6", "EA"),))
    update = ship(
        payload_id="sn-1.2@supplier",
        operation="update",
        supersedes="sn-1.1@supplier",
        lines=((1, "10", "EA"),),
    )
    full = ship(shipment_id="SN-2", lines=((1, "1", "EA"),))
    delete = ship(payload_id="sn-1.3@supplier", operation="delete", supersedes="sn-1.2@supplier")
    after_delete = ship(shipment_id="SN-2", payload_id="sn-2.2@supplier", lines=((1, "10", "EA"),))
    assert [outcome(a) for a in (update, full, delete, after_delete)] == [
        (200, 200),
        (400, 400),
        (200, 200),
        (200, 200),
    ]
    assert [r.payload_id for r in platform.received] == [
        "sn-1.1@supplier",
        "sn-1.2@supplier",
        "sn-1.3@supplier",
        "sn-2.2@supplier",
    ]


def test_a_ship_notice_update_must_name_an_earlier_notice_of_the_shipment(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = document(
        platform.flavour, "ShipNoticeRequest", operation="update", supersedes="nowhere@x"
    )
    answer = post(client, platform, "ShipNoticeRequest", body)
    assert outcome(answer) == (400, 400)
    assert answer.message == "ship notice update names no earlier notice SN-1 sent as nowhere@x"


def test_a_duplicate_shipment_or_invoice_id_is_409(
    platform: FakePlatform, client: httpx.Client
) -> None:
    for kind in ("ShipNoticeRequest", "InvoiceDetailRequest"):
        first = post(
            client, platform, kind, document(platform.flavour, kind, lines=((1, "1", "EA"),))
        )
        again = post(
            client, platform, kind, document(platform.flavour, kind, lines=((1, "1", "EA"),))
        )
        assert (outcome(first), outcome(again)) == ((200, 200), (409, 409))
    assert [e.status.message for e in platform.exchanges if e.status and e.status.code == 409] == [
        "ship notice SN-1 already exists",
        "invoice INV-1 already exists",
    ]


def test_an_invoice_cancellation_must_name_a_known_invoice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    def bill(**changes: Any) -> PlatformAnswer:
        return post(
            client,
            platform,
            "InvoiceDetailRequest",
            document(platform.flavour, "InvoiceDetailRequest", **changes),
        )

    unknown = bill(operation="delete", supersedes="nothing@supplier")
    bill(payload_id="inv-1@supplier", lines=((1, "10", "EA"),))
    cancel = bill(
        payload_id="inv-1-cancel@supplier", operation="delete", supersedes="inv-1@supplier"
    )
    again = bill(invoice_id="INV-2", lines=((1, "10", "EA"),))
    assert outcome(unknown) == (400, 400)
    assert (
        unknown.message == "invoice cancellation names no known invoice (sent as nothing@supplier)"
    )
    assert (outcome(cancel), outcome(again)) == ((200, 200), (200, 200))


def test_a_rejected_order_is_neither_shipped_nor_invoiced(
    platform: FakePlatform, client: httpx.Client
) -> None:
    rejection = document(platform.flavour, "ConfirmationRequest", type_="reject")
    assert outcome(post(client, platform, "ConfirmationRequest", rejection)) == (200, 200)
    for kind in ("ShipNoticeRequest", "InvoiceDetailRequest"):
        answer = post(client, platform, kind, document(platform.flavour, kind))
        verb = "shipped" if kind == "ShipNoticeRequest" else "invoiced"
        assert (outcome(answer), answer.message) == (
            (400, 400),
            f"PO PO-1001 was rejected by the supplier and cannot be {verb}",
        )


def test_a_cancelled_order_is_refused(platform: FakePlatform, client: httpx.Client) -> None:
    platform.register_order(ORDER.model_copy(update={"change": OrderChange.DELETE}), "del@buyer")
    answer = post(
        client, platform, "InvoiceDetailRequest", document(platform.flavour, "InvoiceDetailRequest")
    )
    assert (outcome(answer), answer.message) == (
        (400, 400),
        "PO PO-1001 was cancelled by the buyer",
    )


def test_coupa_refuses_confirmations_older_than_cxml_1_2_036(clock: FakeClock) -> None:
    coupa = FakePlatform(
        "coupa", credentials=CREDENTIALS["coupa"], dtd_dir=CXML_DTD_DIR, clock=clock
    )
    coupa.register_order(ORDER, ORDER_PAYLOAD_ID)
    with httpx.Client(transport=coupa.transport(), base_url=coupa.base_url) as http:
        answer = post(http, coupa, "ConfirmationRequest", confirmation(COUPA_PO, version="1.2.020"))
    assert (outcome(answer), answer.message) == (
        (400, 400),
        "order confirmations must use cXML 1.2.036 or later, not 1.2.020",
    )


def test_bad_xml_is_400_and_a_missing_content_type_415(
    platform: FakePlatform, client: httpx.Client
) -> None:
    path = platform.endpoint_for("InvoiceDetailRequest").path
    broken = client.post(path, content=b"<cXML payloadID='x'", headers=CONTENT_TYPE)
    untyped = client.post(path, content=document(platform.flavour, "InvoiceDetailRequest"))
    assert (broken.status_code, read_answer(broken.content).code) == (400, 400)
    assert (untyped.status_code, read_answer(untyped.content).code) == (415, 415)
    assert [e.http_status for e in platform.exchanges] == [400, 415]


def test_unknown_paths_are_404_and_other_methods_405(
    platform: FakePlatform, client: httpx.Client
) -> None:
    missing = client.post("/cxml/purchase_orders", content=b"<x/>", headers=CONTENT_TYPE)
    wrong_method = client.get(platform.endpoint_for("InvoiceDetailRequest").path)
    assert (missing.status_code, missing.text) == (404, "404 Not Found\n")
    assert (wrong_method.status_code, wrong_method.text) == (405, "405 Method Not Allowed\n")
    first = platform.exchanges[0]
    assert (first.path, first.http_status, first.response) == (
        "/cxml/purchase_orders",
        404,
        b"404 Not Found\n",
    )


# -- idempotency ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_repeated_idempotency_key_gets_the_original_answer_and_no_second_document(
    platform: FakePlatform, client: httpx.Client, kind: DocumentKind
) -> None:
    first = post(client, platform, kind, document(platform.flavour, kind), key="outbox-42")
    rebuilt = document(platform.flavour, kind)  # same business document, new payloadID
    second = post(client, platform, kind, rebuilt, key="outbox-42")
    assert outcome(second) == (200, 200)
    assert second.body == first.body
    assert len(platform.received) == 1
    assert [e.replayed for e in platform.exchanges] == [False, True]


def test_a_repeated_payload_id_gets_the_original_answer_and_no_second_document(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = document(platform.flavour, "ShipNoticeRequest")
    first = post(client, platform, "ShipNoticeRequest", body)
    second = post(client, platform, "ShipNoticeRequest", body, key="another-key")
    assert (outcome(second), second.body) == ((200, 200), first.body)
    assert len(platform.received) == 1


def test_a_key_reused_for_another_document_is_409(
    platform: FakePlatform, client: httpx.Client
) -> None:
    post(
        client,
        platform,
        "InvoiceDetailRequest",
        document(platform.flavour, "InvoiceDetailRequest"),
        key="k",
    )
    other = document(
        platform.flavour, "InvoiceDetailRequest", invoice_id="INV-2", lines=((1, "1", "EA"),)
    )
    answer = post(client, platform, "InvoiceDetailRequest", other, key="k")
    assert outcome(answer) == (409, 409)
    assert answer.message == (
        "this Idempotency-Key or payloadID was used for InvoiceDetailRequest INV-1, "
        "not InvoiceDetailRequest INV-2"
    )
    assert len(platform.received) == 1


def test_a_refused_document_is_judged_again_when_repeated(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = document(
        platform.flavour, "InvoiceDetailRequest", order_id="PO-3003", order_payload_id="3@b"
    )
    refused = post(client, platform, "InvoiceDetailRequest", body, key="k")
    platform.register_order(ORDER.model_copy(update={"order_id": "PO-3003"}), "3@b")
    accepted = post(client, platform, "InvoiceDetailRequest", body, key="k")
    assert (outcome(refused), outcome(accepted)) == ((400, 400), (200, 200))


# -- failure injection, in-process ----------------------------------------------------------


def test_fail_next_answers_the_status_without_processing(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.fail_next(2, status=503)
    body = document(platform.flavour, "InvoiceDetailRequest")
    answers = [post(client, platform, "InvoiceDetailRequest", body, key="k") for _ in range(3)]
    assert [outcome(a) for a in answers] == [(503, 503), (503, 503), (200, 200)]
    assert answers[0].text == "Service Unavailable"
    assert len(platform.received) == 1
    assert [e.injected for e in platform.exchanges] == ["fail", "fail", None]


def test_reject_next_refuses_with_the_given_code_and_text(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reject_next(code=406, text="PO is closed for invoicing")
    body = document(platform.flavour, "InvoiceDetailRequest")
    rejected = post(client, platform, "InvoiceDetailRequest", body)
    accepted = post(client, platform, "InvoiceDetailRequest", body)
    assert (outcome(rejected), rejected.message) == ((406, 406), "PO is closed for invoicing")
    assert outcome(accepted) == (200, 200)
    assert len(platform.received) == 1


def test_timeout_next_raises_read_timeout_at_once_and_processes_nothing(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.timeout_next()
    body = document(platform.flavour, "ShipNoticeRequest")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.post(
            platform.endpoint_for("ShipNoticeRequest").path,
            content=body,
            headers={**CONTENT_TYPE, "Idempotency-Key": "k"},
            timeout=60,  # Coupa-like patience; the fake still answers at once
        )
    assert time.monotonic() - started < 1.0
    assert platform.received == []
    exchange = platform.exchanges[0]
    assert (exchange.outcome, exchange.injected, exchange.http_status) == (
        "timed_out",
        "timeout",
        None,
    )
    assert outcome(post(client, platform, "ShipNoticeRequest", body, key="k")) == (200, 200)


def test_a_hold_as_long_as_the_client_timeout_is_a_read_timeout(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.timeout_next(seconds=5)  # the client's default read timeout is 5 s
    with pytest.raises(httpx.ReadTimeout):
        post(client, platform, "ShipNoticeRequest", document(platform.flavour, "ShipNoticeRequest"))


def test_a_hold_shorter_than_the_client_timeout_is_a_closed_connection(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.timeout_next(seconds=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(
            platform.endpoint_for("ShipNoticeRequest").path,
            content=document(platform.flavour, "ShipNoticeRequest"),
            headers=CONTENT_TYPE,
            timeout=30,
        )


def test_down_refuses_connections_until_up(platform: FakePlatform, client: httpx.Client) -> None:
    body = document(platform.flavour, "ConfirmationRequest")
    platform.down()
    with pytest.raises(httpx.ConnectError):
        post(client, platform, "ConfirmationRequest", body)
    assert (platform.is_down, platform.exchanges) == (True, [])
    platform.up()
    assert outcome(post(client, platform, "ConfirmationRequest", body)) == (200, 200)


def test_process_then_fail_records_the_document_and_a_retry_gets_the_lost_answer(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.process_then_fail_next()
    body = document(platform.flavour, "InvoiceDetailRequest")
    lost = post(client, platform, "InvoiceDetailRequest", body, key="outbox-7")
    retry = post(
        client,
        platform,
        "InvoiceDetailRequest",
        document(platform.flavour, "InvoiceDetailRequest"),
        key="outbox-7",
    )
    assert outcome(lost) == (503, 503)
    [received] = platform.received
    assert (outcome(retry), retry.body) == ((200, 200), received.answer)
    assert [(e.injected, e.replayed) for e in platform.exchanges] == [
        ("process_then_fail", False),
        (None, True),
    ]


def test_process_then_drop_loses_the_answer_on_the_wire(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.process_then_fail_next(status=None)
    body = document(platform.flavour, "ShipNoticeRequest")
    with pytest.raises(httpx.RemoteProtocolError):
        post(client, platform, "ShipNoticeRequest", body, key="k")
    assert len(platform.received) == 1
    exchange = platform.exchanges[0]
    assert exchange.status is not None
    assert (exchange.outcome, exchange.http_status, exchange.status.code) == ("dropped", None, 200)
    assert outcome(post(client, platform, "ShipNoticeRequest", body, key="k")) == (200, 200)
    assert len(platform.received) == 1


def test_faults_are_served_first_in_first_out(platform: FakePlatform, client: httpx.Client) -> None:
    platform.fail_next(status=500)
    platform.reject_next(code=400, text="no")
    body = document(platform.flavour, "ConfirmationRequest")
    assert platform.pending_faults == 2
    codes = [post(client, platform, "ConfirmationRequest", body).code for _ in range(3)]
    assert (codes, platform.pending_faults) == ([500, 400, 200], 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.fail_next(status=200),
        lambda p: p.reject_next(code=503),
        lambda p: p.timeout_next(seconds=0),
        lambda p: p.fail_next(0),
        lambda p: p.process_then_fail_next(status=302),
    ],
)
def test_impossible_injections_are_refused(platform: FakePlatform, call: object) -> None:
    with pytest.raises(ValueError, match="must be"):
        call(platform)  # type: ignore[operator]


# -- construction and helpers ---------------------------------------------------------------


def test_credential_sets_must_fit_the_flavour() -> None:
    with pytest.raises(ValueError, match="Coupa needs the invoicing credential set"):
        FakePlatform("coupa", credentials=PlatformCredentials(COUPA_PO), dtd_dir=None)
    with pytest.raises(ValueError, match="ariba uses one credential set"):
        FakePlatform("ariba", credentials=PlatformCredentials(ARIBA, invoicing=ARIBA), dtd_dir=None)


def test_the_secret_is_not_in_repr() -> None:
    assert "Coupa-PO-Secret" not in repr(CREDENTIALS["coupa"])


def test_endpoints_and_urls_per_flavour() -> None:
    assert {f: [(e.path, sorted(e.kinds), e.assumed) for e in ENDPOINTS[f]] for f in FLAVOURS} == {
        "coupa": [
            ("/cxml/order_confirmation", ["ConfirmationRequest"], True),
            ("/cxml/ship_notice_request", ["ShipNoticeRequest"], False),
            ("/cxml/invoices", ["InvoiceDetailRequest"], False),
        ],
        "ariba": [("/service/transaction/cxml.asp", sorted(KINDS), False)],
        "jaggaer": [
            ("/apps/Router/CXMLInvoiceImport", ["InvoiceDetailRequest"], False),
            ("/apps/Router/CXMLDocumentImport", ["ConfirmationRequest", "ShipNoticeRequest"], True),
        ],
    }
    coupa = FakePlatform("coupa", credentials=CREDENTIALS["coupa"], dtd_dir=None)
    assert coupa.url_for("InvoiceDetailRequest") == "https://coupa.fake.test/cxml/invoices"
    assert coupa.endpoint_urls("http://127.0.0.1:8123/") == {
        "ConfirmationRequest": "http://127.0.0.1:8123/cxml/order_confirmation",
        "ShipNoticeRequest": "http://127.0.0.1:8123/cxml/ship_notice_request",
        "InvoiceDetailRequest": "http://127.0.0.1:8123/cxml/invoices",
    }


def test_an_order_request_from_the_sending_fake_registers_the_order(clock: FakeClock) -> None:
    ariba = FakePlatform("ariba", credentials=CREDENTIALS["ariba"], dtd_dir=None, clock=clock)
    partners = TradingPartners(ARIBA.to, ARIBA.from_, ARIBA.to, "Buyer-Secret-0a1b2c")
    order = ariba.register_order_request(order_request(partners, order_id="PO-7", payload_id="7@b"))
    assert ariba.order("PO-7") == order
    with httpx.Client(transport=ariba.transport(), base_url=ariba.base_url) as http:
        body = confirmation(
            ARIBA, order_id="PO-7", order_payload_id="7@b", lines=((2, "1.5", "KGM"),)
        )
        assert outcome(post(http, ariba, "ConfirmationRequest", body)) == (200, 200)


def test_answers_carry_the_injected_clock(
    platform: FakePlatform, client: httpx.Client, clock: FakeClock
) -> None:
    answer = post(
        client, platform, "ConfirmationRequest", document(platform.flavour, "ConfirmationRequest")
    )
    stamp = etree.fromstring(answer.body).get("timestamp")
    assert stamp is not None
    assert datetime.fromisoformat(stamp) == platform.received[0].received_at.replace(microsecond=0)
    assert platform.received[0].received_at.year == clock.now.year == 2026


def test_the_fake_needs_neither_pytest_nor_the_gateway() -> None:
    code = (
        "import sys, connectors.testing.fake_platform_server;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pytest', '_pytest', 'gateway_api', 'tests')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


# -- live: a real socket on 127.0.0.1 -------------------------------------------------------


@pytest.mark.e2e
def test_live_platform_takes_each_kind_and_refuses_a_wrong_secret(flavour: Flavour) -> None:
    fake = FakePlatform(flavour, credentials=CREDENTIALS[flavour], dtd_dir=CXML_DTD_DIR)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    with fake.serve() as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        assert base_url.startswith("http://127.0.0.1:")
        answers = [post(http, fake, kind, document(flavour, kind), key=kind) for kind in KINDS]
        repeat = post(
            http,
            fake,
            "ShipNoticeRequest",
            document(flavour, "ShipNoticeRequest"),
            key="ShipNoticeRequest",
        )
        creds = expected(flavour, "InvoiceDetailRequest")
        wrong = post(
            http,
            fake,
            "InvoiceDetailRequest",
            invoice(replace(creds, shared_secret="nope-nope-nope")),
        )
    assert [outcome(a) for a in answers] == [(200, 200)] * 3
    assert repeat.body == answers[1].body
    assert outcome(wrong) == (401, 401)
    assert [r.kind for r in fake.received] == list(KINDS)


@pytest.mark.e2e
def test_live_timeout_holds_the_request_and_stopping_releases_it() -> None:
    fake = FakePlatform("coupa", credentials=CREDENTIALS["coupa"], dtd_dir=None)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    fake.timeout_next()  # held until the server stops
    started = time.monotonic()
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, timeout=0.5) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        post(http, fake, "InvoiceDetailRequest", invoice(COUPA_INVOICING))
    assert time.monotonic() - started < 10
    assert (fake.received, fake.exchanges[0].outcome) == ([], "timed_out")


@pytest.mark.e2e
def test_live_down_closes_the_socket_and_up_listens_on_the_same_port() -> None:
    fake = FakePlatform("ariba", credentials=CREDENTIALS["ariba"], dtd_dir=None)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    with fake.serve() as base_url, httpx.Client(base_url=base_url, timeout=5) as http:
        fake.down()
        with pytest.raises(httpx.ConnectError):
            post(http, fake, "ConfirmationRequest", confirmation(ARIBA))
        fake.up()
        answer = post(http, fake, "ConfirmationRequest", confirmation(ARIBA))
    assert outcome(answer) == (200, 200)
    assert len(fake.exchanges) == 1


@pytest.mark.e2e
def test_live_process_then_drop_and_a_retry_with_the_same_key() -> None:
    fake = FakePlatform("jaggaer", credentials=CREDENTIALS["jaggaer"], dtd_dir=None)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    fake.process_then_fail_next(status=None)
    body = invoice(JAGGAER)
    with fake.serve() as base_url, httpx.Client(base_url=base_url, timeout=5) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            post(http, fake, "InvoiceDetailRequest", body, key="outbox-1")
        retry = post(http, fake, "InvoiceDetailRequest", body, key="outbox-1")
    [received] = fake.received
    assert (outcome(retry), retry.body) == ((200, 200), received.answer)


@pytest.mark.e2e
def test_live_serving_while_down_has_a_url_that_refuses_until_up() -> None:
    fake = FakePlatform("coupa", credentials=CREDENTIALS["coupa"], dtd_dir=None)
    fake.register_order(ORDER, ORDER_PAYLOAD_ID)
    fake.down()
    with fake.serve() as base_url, httpx.Client(base_url=base_url, timeout=5) as http:
        with pytest.raises(httpx.ConnectError):
            post(http, fake, "ConfirmationRequest", confirmation(COUPA_PO))
        fake.up()
        answer = post(http, fake, "ConfirmationRequest", confirmation(COUPA_PO))
    assert outcome(answer) == (200, 200)
