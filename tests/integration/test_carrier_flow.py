"""The carrier flow on both databases, over real HTTP on 127.0.0.1: an order comes in, the
supplier books a shipment through the API, the carrier reports the pickup, the buyer's platform
receives one ship notice with the carrier's tracking number, and the delivery shows on the
order. Plus what makes it trustworthy: a booking whose answer was lost is booked once, a
carrier that is down keeps the shipment for the tracking run, a ship notice already sent is not
sent again, and cancelling after pickup is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from connectors.core import ConnectorContext
from connectors.testing.fake_carrier import FakeCarrierServer, LateAnswer, Unavailable
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.demo.carriers import live_carrier, point_carrier_at
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import run_by_partner
from gateway_api.services.partners import PartnerDirectory
from gateway_api.settings import Settings
from mappings.engine import MappingStore
from schemas.carrier import TrackingStatus
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.paths import SHARED_DIR
from tests.support.platforms import live_platforms

OFFICIAL_YURTICI_WSDL = SHARED_DIR / "wsdl" / "yurtici" / "ShippingOrderDispatcherServices.wsdl"
Platforms = dict[str, FakePlatform]
CARRIERS = ("yurtici-demo", "mng-demo", "aras-demo")
RECEIVER = {
    "name": "ACME Depo Ltd",
    "address": "Eski Buyukdere Cad. 3, Maslak",
    "city": "ISTANBUL",
    "town": "SARIYER",
    "phone": "05551234567",
}


@pytest.fixture(params=CARRIERS)
def carrier_key(request: pytest.FixtureRequest) -> str:
    key: str = request.param
    return key


@pytest.fixture
def carrier(carrier_key: str, mappings_dir: Path, clock: FakeClock) -> Iterator[FakeCarrierServer]:
    """The carrier's fake on 127.0.0.1, the copied profile pointed at it."""
    directory = PartnerDirectory(
        MappingStore(mappings_dir), context=ConnectorContext(clock=clock), production=False
    )
    partner = directory.get(carrier_key)
    assert partner is not None
    with live_carrier(
        mappings_dir, partner, clock=clock, yurtici_wsdl=OFFICIAL_YURTICI_WSDL
    ) as fake:
        # Retries wait a twentieth of a second here instead of one, two... seconds.
        point_carrier_at(mappings_dir, carrier_key, {"initial_wait_seconds": 0.05})
        yield fake


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, clock) as running:
        yield running


@pytest.fixture
def hub(
    settings: Settings,
    clock: FakeClock,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> Iterator[Runtime]:
    """The hub on the test database, built after the fakes pointed the profiles at them."""
    del carrier, platforms
    # A lost answer is a timeout: one second here, not the production 30.
    quick = settings.model_copy(update={"outbound_timeout_seconds": 1.0})
    runtime = build_runtime(quick, clock=clock)
    runtime.sync_partners()
    yield runtime
    runtime.close()


@pytest.fixture
def api(hub: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=hub)) as client:
        yield client


def _order(api: TestClient, platforms: dict[str, FakePlatform], order_id: str) -> str:
    """A Coupa order received and accepted; returns our id of it."""
    body = order_request(
        partner="coupa-demo",
        order_id=order_id,
        payload_id=f"{order_id}@buyer",
        lines=[Line("1001", quantity=Decimal(4))],
    )
    platforms["coupa-demo"].register_order_request(body)
    assert api.post("/cxml/coupa-demo", content=body).status_code == 200
    (order,) = api.get("/orders", params={"partner": "coupa-demo", "order_id": order_id}).json()
    confirmed = api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"})
    assert confirmed.status_code == 201, confirmed.text
    order_uuid: str = order["id"]
    return order_uuid


def _book(api: TestClient, order: str, carrier_key: str, **changes: Any) -> Any:
    body = {
        "carrier": carrier_key,
        "parcels": [{"weight_kg": "8.5", "desi": "3", "content": "Copy paper"}],
        "receiver": RECEIVER,
        "waybill_number": "IRS2026000123",
        **changes,
    }
    return api.post(f"/orders/{order}/carrier-shipments", json=body)


def _track(hub: Runtime, carrier_key: str) -> dict[str, object]:
    return run_by_partner("track-shipments", hub, partner_key=carrier_key).as_dict()


def _secrets(hub: Runtime, carrier_key: str) -> tuple[str, ...]:
    partner = hub.directory.get(carrier_key)
    assert partner is not None
    assert partner.secret_values
    return partner.secret_values


def _ship_notices(platform: FakePlatform) -> list[Any]:
    return [r for r in platform.received if r.kind == "ShipNoticeRequest"]


def test_order_booked_picked_up_notified_once_and_delivered(
    api: TestClient,
    hub: Runtime,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    coupa = platforms["coupa-demo"]
    order = _order(api, platforms, "PO-CARGO-1")
    booked = _book(api, order, carrier_key)
    assert booked.status_code == 201, booked.text
    shipment = booked.json()
    assert shipment["state"] == "booked"
    assert shipment["tracking_status"] == "created"
    assert len(carrier.ledger) == 1
    held = carrier.ledger.get(shipment["reference"])
    assert held is not None
    assert held.receiver_name == "ACME Depo Ltd"

    # Nothing happened yet at the carrier: no ship notice.
    assert _track(hub, carrier_key)["polled"] == 1
    run_by_partner("dispatch-outbox", hub)
    assert _ship_notices(coupa) == []

    carrier.ledger.advance(shipment["reference"], TrackingStatus.PICKED_UP)
    first = _track(hub, carrier_key)
    assert first["picked_up"] == 1
    assert first["ship_notices"] == 1
    run_by_partner("dispatch-outbox", hub)
    (notice,) = _ship_notices(coupa)
    (control,) = notice.document.carriers
    assert control.tracking_numbers == (held.tracking_number,)
    assert notice.document.shipment_id == shipment["reference"]

    # Tracking again, in transit and delivered: no second ship notice.
    carrier.ledger.advance(shipment["reference"], TrackingStatus.IN_TRANSIT)
    _track(hub, carrier_key)
    carrier.ledger.advance(
        shipment["reference"], TrackingStatus.OUT_FOR_DELIVERY, TrackingStatus.DELIVERED
    )
    last = _track(hub, carrier_key)
    assert last["delivered"] == 1
    assert last["ship_notices"] == 0
    run_by_partner("dispatch-outbox", hub)
    assert len(_ship_notices(coupa)) == 1

    view = api.get(f"/carrier-shipments/{shipment['id']}").json()
    assert view["tracking_status"] == "delivered"
    assert view["tracking_number"] == held.tracking_number
    assert view["picked_up_at"] is not None
    assert view["delivered_at"] is not None
    assert view["ship_notice_id"] == shipment["reference"]
    statuses = [e["status"] for e in view["events"]]
    left = [s for s in statuses if s != "created"]
    assert left[0] == "picked_up"
    assert left[-1] == "delivered"
    assert all(e["carrier_code"] for e in view["events"])
    on_order = api.get(f"/orders/{order}").json()["shipments"]
    assert [(s["reference"], s["tracking_status"]) for s in on_order] == [
        (shipment["reference"], "delivered")
    ]
    # A delivered shipment is no longer polled.
    assert _track(hub, carrier_key)["polled"] == 0

    # The booking's bytes are in the document log, both ways, credentials masked; polls are not.
    logged = api.get("/documents", params={"partner": carrier_key}).json()
    assert {(d["direction"], d["kind"]) for d in logged} >= {
        ("outbound", "carrier booking"),
        ("inbound", "carrier booking answer"),
    }
    assert {d["kind"] for d in logged} <= {"carrier booking", "carrier booking answer"}
    for document in logged:
        raw = api.get(f"/documents/{document['id']}/raw").content
        assert shipment["reference"].encode() in raw or document["direction"] == "inbound"
        # Every password element is masked (Yurtici's demo password is two letters, which
        # also occur in its user name), and no longer secret appears anywhere.
        assert re.search(rb"(?i)password>(?!\*\*\*<)[^<]", raw) is None
        for secret in _secrets(hub, carrier_key):
            assert len(secret) < 8 or secret.encode() not in raw


def test_a_lost_answer_and_a_retried_request_book_once(
    api: TestClient,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    order = _order(api, platforms, "PO-CARGO-2")
    carrier.fail_next(LateAnswer(60))  # the carrier books, its answer never comes
    booked = _book(api, order, carrier_key, reference="B2C-LOST-1")
    assert booked.status_code == 201, booked.text
    again = _book(api, order, carrier_key, reference="B2C-LOST-1")  # the client retries
    assert again.status_code == 201
    assert again.json()["id"] == booked.json()["id"]
    assert len(carrier.ledger) == 1


def test_a_carrier_that_is_down_keeps_the_shipment_for_the_tracking_run(
    api: TestClient,
    hub: Runtime,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    order = _order(api, platforms, "PO-CARGO-3")
    carrier.fail_next(*[Unavailable()] * 10)
    refused = _book(api, order, carrier_key, reference="B2C-DOWN-1")
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith("application/problem+json")
    (kept,) = api.get(f"/orders/{order}/carrier-shipments").json()
    assert kept["state"] == "booking"
    assert len(carrier.ledger) == 0

    carrier.fail_next()  # the carrier is back (faults left over are cleared below)
    carrier._faults.clear()
    report = _track(hub, carrier_key)
    assert report["rebooked"] == 1
    assert len(carrier.ledger) == 1
    (booked,) = api.get(f"/orders/{order}/carrier-shipments").json()
    assert booked["state"] == "booked"
    assert _track(hub, carrier_key)["rebooked"] == 0
    assert len(carrier.ledger) == 1


def test_refusals_are_problems_in_json(
    api: TestClient,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    order = _order(api, platforms, "PO-CARGO-4")
    bad_phone = _book(api, order, carrier_key, receiver={**RECEIVER, "phone": "12"})
    assert bad_phone.status_code == 422
    assert bad_phone.json()["title"] == "The booking cannot be made as asked"
    (refused,) = api.get(f"/orders/{order}/carrier-shipments").json()
    assert refused["state"] == "refused"
    assert refused["error"]
    no_receiver = api.post(
        f"/orders/{order}/carrier-shipments",
        json={"carrier": carrier_key, "parcels": [{"weight_kg": "1", "desi": "1"}]},
    )
    assert no_receiver.status_code == 422  # the test order's ship-to has no phone
    assert "give the receiver" in no_receiver.json()["detail"]
    unknown = _book(api, order, "coupa-demo")
    assert unknown.status_code == 404
    nobody = "00000000-0000-0000-0000-000000000000"
    assert _book(api, nobody, carrier_key).status_code == 404
    assert api.get(f"/orders/{nobody}/carrier-shipments").status_code == 404
    assert api.get(f"/carrier-shipments/{nobody}").status_code == 404
    assert len(carrier.ledger) == 0


def test_cancel_before_and_after_pickup(
    api: TestClient,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    order = _order(api, platforms, "PO-CARGO-5")
    first = _book(api, order, carrier_key).json()
    cancelled = api.post(f"/carrier-shipments/{first['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["tracking_status"] == "cancelled"
    second = _book(api, order, carrier_key).json()
    carrier.ledger.advance(second["reference"], TrackingStatus.PICKED_UP)
    too_late = api.post(f"/carrier-shipments/{second['id']}/cancel")
    assert too_late.status_code == 409
    assert api.get(f"/carrier-shipments/{second['id']}").json()["tracking_status"] == "created"


def test_a_ship_notice_sent_by_hand_is_not_sent_again(
    api: TestClient,
    hub: Runtime,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: dict[str, FakePlatform],
) -> None:
    order = _order(api, platforms, "PO-CARGO-6")
    shipment = _book(api, order, carrier_key).json()
    by_hand = api.post(
        f"/orders/{order}/shipments",
        json={
            "delivery_date": "2026-12-20T12:00:00Z",
            "carrier": {"name": "Yurtici"},
            "tracking_numbers": ["BYHAND1"],
        },
    )
    assert by_hand.status_code == 201, by_hand.text
    carrier.ledger.advance(shipment["reference"], TrackingStatus.PICKED_UP)
    report = _track(hub, carrier_key)
    assert report["ship_notices"] == 0
    view = api.get(f"/carrier-shipments/{shipment['id']}").json()
    assert view["ship_notice_id"].startswith("none:")
    run_by_partner("dispatch-outbox", hub)
    assert len(_ship_notices(platforms["coupa-demo"])) == 1


def test_a_crash_after_the_ship_notice_does_not_send_a_second_one(
    api: TestClient,
    hub: Runtime,
    carrier_key: str,
    carrier: FakeCarrierServer,
    platforms: Platforms,
) -> None:
    order = _order(api, platforms, "PO-CARGO-7")
    shipment = _book(api, order, carrier_key).json()
    carrier.ledger.advance(shipment["reference"], TrackingStatus.PICKED_UP)
    assert _track(hub, carrier_key)["ship_notices"] == 1
    # The ship notice committed, then the process died before the shipment recorded it.
    with hub.uow() as uow:
        uow.shipments.update(UUID(shipment["id"]), ship_notice_id=None)
        uow.commit()
    assert _track(hub, carrier_key)["ship_notices"] == 0
    view = api.get(f"/carrier-shipments/{shipment['id']}").json()
    assert view["ship_notice_id"] == shipment["reference"]
    run_by_partner("dispatch-outbox", hub)
    assert len(_ship_notices(platforms["coupa-demo"])) == 1
