"""Fulfilment bodies the API must refuse with a sentence (problem+json 422), never a 500 or a
silently wrong value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.outbound.conftest import Buyer

SHIPPING: dict[str, Any] = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z1"],
}


def _refused(buyer: Buyer, order: str, action: str, body: dict[str, Any]) -> str:
    response = buyer.api.post(f"/orders/{order}/{action}", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_a_credit_memo_beyond_any_amount_we_store_is_refused(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-IN-1")
    buyer.act(order, "shipments", SHIPPING)
    buyer.act(order, "invoices", {})
    detail = _refused(buyer, order, "credit-memos", {"amount": "1e26", "reason": "x"})
    assert "amount" in detail


@pytest.mark.parametrize("when", [0, 1700000000, 1.5, "0"])
def test_dates_are_iso_8601_with_a_zone_never_epoch_seconds(buyer: Buyer, when: Any) -> None:
    order = buyer.order("coupa-demo", "PO-IN-2")
    detail = _refused(buyer, order, "shipments", {**SHIPPING, "delivery_date": when})
    assert "delivery_date" in detail
    confirm = {"type": "accept", "shipment_date": when}
    assert "shipment_date" in _refused(buyer, order, "confirmations", confirm)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("tracking_numbers", {**SHIPPING, "tracking_numbers": ["1Z\x001"]}),
        ("comments", {**SHIPPING, "comments": "fine\x00"}),
        ("package_id", {**SHIPPING, "packages": [{"package_id": "P\x001"}]}),
        ("name", {**SHIPPING, "carrier": {"name": "UPS\x00"}}),
    ],
)
def test_nul_bytes_in_shipment_text_are_refused(buyer: Buyer, field: str, body: Any) -> None:
    order = buyer.order("coupa-demo", "PO-IN-3")
    assert field in _refused(buyer, order, "shipments", body)


def test_nul_bytes_in_comments_and_reasons_are_refused(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-IN-4")
    reject = {"type": "reject", "comments": "no\x00"}
    assert "comments" in _refused(buyer, order, "confirmations", reject)
    buyer.act(order, "shipments", SHIPPING)
    assert "comments" in _refused(buyer, order, "invoices", {"comments": "a\x00b"})
    buyer.act(order, "invoices", {})
    credit = {"amount": "1", "reason": "r\x00"}
    assert "reason" in _refused(buyer, order, "credit-memos", credit)


def test_comments_keep_their_line_breaks(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-IN-5")
    issued = buyer.act(order, "shipments", {**SHIPPING, "comments": "two\nlines\tand a tab"})
    assert issued["document"]["comments"] == "two\nlines\tand a tab"
