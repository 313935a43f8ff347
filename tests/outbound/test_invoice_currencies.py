"""An invoice is in the order's currency, and the hub never converts (issue 9, item 7 follow-up).

The canonical order keeps an amount in its own currency when the buyer priced it in another one
(`unit_price_currency`: an Ariba blanket line in AUD on a USD order). An invoice has one
currency - cXML InvoiceDetailRequest and X12 810 CUR state it once, and its totals add the
lines up - so billing that line at its AUD figure as USD would bill the wrong amount. The API
refuses such an invoice with a sentence (problem+json 422) and queues nothing; the other lines
are invoiced when listed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.outbound.conftest import Buyer
from tests.support.cxml_builder import Line, order_request

SHIPPING: dict[str, Any] = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z999AA10123456784"],
}


def _order_with_a_line_in_aud(buyer: Buyer, order_id: str) -> str:
    """A USD order from Coupa whose line 2 is priced at 3.25 AUD."""
    body = order_request(
        partner="coupa-demo",
        order_id=order_id,
        payload_id=f"{order_id}@buyer.example",
        lines=[Line("1001", Decimal("10")), Line("1002", Decimal("4"), price=Decimal("3.25"))],
    )
    usd = b'<Money currency="USD">3.25</Money>'
    assert body.count(usd) == 1
    body = body.replace(usd, b'<Money currency="AUD">3.25</Money>')
    buyer.platforms["coupa-demo"].register_order_request(body)
    answer = buyer.api.post("/cxml/coupa-demo", content=body, headers={"Content-Type": "text/xml"})
    assert answer.status_code == 200, answer.text
    [order] = buyer.api.get("/orders", params={"order_id": order_id}).json()
    lines = buyer.api.get(f"/orders/{order['id']}").json()["document"]["lines"]
    assert [(x["unit_price"], x["unit_price_currency"]) for x in lines] == [
        ("10.50", None),
        ("3.25", "AUD"),
    ]
    order_uuid: str = order["id"]
    return order_uuid


def _invoices_queued(buyer: Buyer, order: str) -> list[Any]:
    rows = buyer.api.get("/outbox").json()
    return [r for r in rows if r["order"] == order and r["document_type"] == "invoice"]


def test_a_line_priced_in_another_currency_is_not_invoiced_as_the_order_currency(
    buyer: Buyer,
) -> None:
    order = _order_with_a_line_in_aud(buyer, "PO-FX-1")
    buyer.act(order, "shipments", SHIPPING)

    refused = buyer.api.post(f"/orders/{order}/invoices", json={})

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert "line 2" in detail
    assert "3.25 AUD" in detail
    assert "USD" in detail
    assert "convert" in detail
    assert _invoices_queued(buyer, order) == []


def test_the_lines_in_the_order_currency_are_still_invoiced(buyer: Buyer) -> None:
    order = _order_with_a_line_in_aud(buyer, "PO-FX-2")
    buyer.act(order, "shipments", SHIPPING)

    issued = buyer.act(order, "invoices", {"lines": [{"line_number": 1, "quantity": "10"}]})

    invoice = issued["document"]
    assert invoice["currency"] == "USD"
    [portion] = invoice["orders"]
    assert [(x["order_line_number"], x["unit_price"]) for x in portion["lines"]] == [(1, "10.50")]
    assert invoice["net_amount"] == "105.00"
    assert len(_invoices_queued(buyer, order)) == 1


def test_a_line_in_another_currency_is_invoiced_at_the_price_the_request_states(
    buyer: Buyer,
) -> None:
    """The refusal tells the user to state the line's unit_price in the order currency; the
    API takes it, and the invoice bills that price, never the AUD figure."""
    order = _order_with_a_line_in_aud(buyer, "PO-FX-3")
    buyer.act(order, "shipments", SHIPPING)
    lines = [
        {"line_number": 1, "quantity": "10"},
        {"line_number": 2, "quantity": "4", "unit_price": "2.10"},
    ]

    issued = buyer.act(order, "invoices", {"lines": lines})

    invoice = issued["document"]
    [portion] = invoice["orders"]
    assert [(x["order_line_number"], x["unit_price"]) for x in portion["lines"]] == [
        (1, "10.50"),
        (2, "2.10"),
    ]
    assert invoice["net_amount"] == "113.40"


def test_a_stated_price_for_a_line_the_order_prices_in_its_currency_is_refused(
    buyer: Buyer,
) -> None:
    order = _order_with_a_line_in_aud(buyer, "PO-FX-4")
    buyer.act(order, "shipments", SHIPPING)
    lines = [{"line_number": 1, "quantity": "10", "unit_price": "9.99"}]

    refused = buyer.api.post(f"/orders/{order}/invoices", json={"lines": lines})

    assert refused.status_code == 422, refused.text
    assert "leave unit_price out" in refused.json()["detail"]
    assert _invoices_queued(buyer, order) == []
