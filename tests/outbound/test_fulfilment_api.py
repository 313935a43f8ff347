"""The fulfilment API refuses clearly: 404, 409 (state), 422 (request), always problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import yaml

from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings
from tests.outbound.conftest import Buyer
from tests.support.clock import FakeClock

SHIPPING = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z1"],
}


def _problem(buyer: Buyer, order: str, action: str, body: dict[str, Any], status: int) -> str:
    response = buyer.api.post(f"/orders/{order}/{action}", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_unknown_order_is_404(buyer: Buyer) -> None:
    assert "no order" in _problem(buyer, str(uuid4()), "confirmations", {"type": "accept"}, 404)


def test_state_conflicts_are_409(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-API-1")
    assert "nothing is shipped" in _problem(buyer, order, "invoices", {}, 409)
    too_much = {**SHIPPING, "lines": [{"line_number": 1, "quantity": "11"}]}
    detail = _problem(buyer, order, "shipments", too_much, 409)
    assert "11 EA requested but only 10 may still ship" in detail
    buyer.act(order, "shipments", SHIPPING)
    assert "can no longer be rejected" in _problem(
        buyer, order, "confirmations", {"type": "reject"}, 409
    )
    assert "no shipment 'X'" in _problem(buyer, order, "shipments/X/cancel", {}, 409)


def test_requests_that_do_not_fit_the_order_are_422(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-API-2")
    split = {"type": "detail", "lines": [{"line_number": 1, "accepted": "3"}]}
    assert "must add up to the ordered 10" in _problem(buyer, order, "confirmations", split, 422)
    unknown = {"type": "detail", "lines": [{"line_number": 7, "accepted": "1"}]}
    assert "has no line 7" in _problem(buyer, order, "confirmations", unknown, 422)
    as_float = {**SHIPPING, "lines": [{"line_number": 1, "quantity": 1.5}]}
    response = buyer.api.post(f"/orders/{order}/shipments", json=as_float)
    assert response.status_code == 422
    assert "binary floats are not accepted" in response.text
    no_carrier = {"delivery_date": SHIPPING["delivery_date"], "tracking_numbers": ["1Z"]}
    assert buyer.api.post(f"/orders/{order}/shipments", json=no_carrier).status_code == 422


def test_a_partner_without_the_kind_enabled_is_refused_and_nothing_changes(
    settings: Settings, mappings_dir: Path, clock: FakeClock, buyer: Buyer
) -> None:
    order = buyer.order("jaggaer-demo", "PO-API-3")
    path = mappings_dir / "partners" / "jaggaer-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["documents"]["outbound"] = ["ShipNoticeRequest"]
    path.write_text(yaml.safe_dump(profile))
    runtime = build_runtime(settings, clock=clock)  # profiles are read at start-up
    try:
        from fastapi.testclient import TestClient

        from gateway_api.http.app import create_app

        with TestClient(create_app(runtime=runtime)) as api:
            response = api.post(f"/orders/{order}/confirmations", json={"type": "accept"})
            assert response.status_code == 409
            assert "does not have ConfirmationRequest enabled" in response.json()["detail"]
            view = api.get(f"/orders/{order}/fulfilment").json()
            assert view["documents"] == []
            assert api.get("/outbox").json() == []
    finally:
        runtime.close()


def test_fulfilment_view_tracks_progress_and_delivery(buyer: Buyer) -> None:
    order = buyer.order("ariba-demo", "PO-API-4")
    buyer.act(
        order,
        "confirmations",
        {"type": "detail", "lines": [{"line_number": 1, "accepted": "8", "rejected": "2"}]},
    )
    buyer.act(order, "shipments", SHIPPING)
    view = buyer.api.get(f"/orders/{order}/fulfilment").json()
    assert view["confirmation"] == "detail"
    assert [(line["rejected"], line["shipped"], line["shippable"]) for line in view["lines"]] == [
        ("2", "8", "0"),
        ("0", "4", "0"),
    ]
    assert [d["delivery"]["status"] for d in view["documents"]] == ["pending", "pending"]
