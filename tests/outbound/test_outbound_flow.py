"""Order -> confirmation -> ship notices -> invoice, delivered to each platform exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.formats.cxml import DtdValidator, parse_cxml
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.runtime import Runtime
from gateway_api.services.jobs import dispatch_outbox
from schemas import FulfillmentType, Invoice, OrderConfirmation, ShipNotice
from tests.outbound.conftest import Buyer
from tests.support.paths import CXML_DTD_DIR
from tests.support.platforms import PLATFORM_PARTNERS

DELIVERY = "2026-12-01T12:00:00+00:00"
FEDEX = {"carrier": {"scac": "FDEG"}, "tracking_numbers": ["7712 3456 7890"]}


@pytest.mark.parametrize("partner", PLATFORM_PARTNERS)
def test_whole_flow_reaches_the_platform_once_and_valid(
    partner: str, buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform]
) -> None:
    platform = platforms[partner]
    order = buyer.order(partner, "PO-FLOW-1")

    confirmed = buyer.act(order, "confirmations", {"type": "accept", "delivery_date": DELIVERY})
    assert confirmed["delivery"]["status"] == "pending"
    first = buyer.act(
        order,
        "shipments",
        {
            "delivery_date": DELIVERY,
            "lines": [{"line_number": 1, "quantity": "6"}],
            "carrier": {"scac": "UPSN", "name": "UPS"},
            "tracking_numbers": ["1Z999AA10123456784"],
            "packages": [{"package_id": "000123456789012343", "is_sscc": True}],
        },
    )
    second = buyer.act(order, "shipments", {"delivery_date": DELIVERY, **FEDEX})
    assert (first["document"]["fulfillment"], second["document"]["fulfillment"]) == (
        "partial",
        "complete",
    )
    invoiced = buyer.act(order, "invoices", {"tax_rate": "8.25", "shipping": "12.50"})
    # 105.00 + 13.00, tax 8.66 + 1.07 (8.25% per line, half-up), shipping 12.50
    assert invoiced["document"]["net_amount"] == "140.23"

    report = dispatch_outbox(runtime)
    assert (report.claimed, report.delivered, report.retried, report.dead_lettered) == (4, 4, 0, 0)

    received = platform.received
    assert [r.kind for r in received] == [
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
    ]
    confirmation, notice_1, notice_2, invoice = (r.document for r in received)
    assert isinstance(confirmation, OrderConfirmation)
    assert confirmation.order.order_id == "PO-FLOW-1"
    assert confirmation.order.payload_id == f"PO-FLOW-1.{partner}@buyer.example"
    assert isinstance(notice_1, ShipNotice)
    assert isinstance(notice_2, ShipNotice)
    assert notice_1.fulfillment is FulfillmentType.PARTIAL
    assert notice_1.carriers[0].tracking_numbers == ("1Z999AA10123456784",)
    assert [(s.line_number, s.quantity) for s in notice_2.orders[0].lines] == [
        (1, Decimal(4)),
        (2, Decimal(4)),
    ]
    assert isinstance(invoice, Invoice)
    assert invoice.net_amount == Decimal("140.23")
    assert [(line.order_line_number, line.quantity) for line in invoice.lines()] == [
        (1, Decimal(10)),
        (2, Decimal(4)),
    ]
    # Each document validates against the official DTD of its family, as received.
    validator = DtdValidator(CXML_DTD_DIR)
    for document in received:
        assert validator.validate(document.raw) == []
        family = "InvoiceDetail" if document.kind == "InvoiceDetailRequest" else "Fulfill"
        assert f"/{family}.dtd" in document.raw.decode()[:300]
        assert parse_cxml(document.raw).payload_id == document.payload_id

    # Nothing is due any more, and every document says delivered.
    assert dispatch_outbox(runtime).claimed == 0
    view = buyer.api.get(f"/orders/{order}/fulfilment").json()
    assert [d["delivery"]["status"] for d in view["documents"]] == ["delivered"] * 4
    assert [(line["shipped"], line["invoiced"]) for line in view["lines"]] == [
        ("10", "10"),
        ("4", "4"),
    ]


def test_every_byte_sent_and_received_is_in_the_document_log(
    buyer: Buyer, runtime: Runtime
) -> None:
    order = buyer.order("coupa-demo", "PO-LOG-1")
    buyer.act(order, "confirmations", {"type": "reject", "comments": "out of stock"})
    dispatch_outbox(runtime)
    sent = buyer.api.get(
        "/documents", params={"direction": "outbound", "kind": "ConfirmationRequest"}
    ).json()
    assert len(sent) == 1
    assert sent[0]["correlation_id"] == "PO-LOG-1"
    detail = buyer.api.get(f"/documents/{sent[0]['id']}").json()
    raw = buyer.api.get(f"/documents/{sent[0]['id']}/raw").text
    assert "<SharedSecret>***</SharedSecret>" in raw  # the secret never reaches the log
    assert "coupa-demo-secret" not in raw
    assert 'type="reject"' in raw
    replies = detail["replies"]
    assert len(replies) == 1
    assert replies[0]["kind"] == "Response"
    assert replies[0]["status_code"] == 200
