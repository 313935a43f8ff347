"""A carrier pickup sends an X12 retailer its 856, with the carrier and its tracking number:
the ship notice at pickup is the partner's own protocol, whatever it is (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from connectors.testing.fake_carrier import FakeCarrierServer
from connectors.testing.fake_retailer import BASE_URL, FakeRetailer
from gateway_api.demo.carriers import live_carrier
from gateway_api.demo.platforms import point_profile_at
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import dispatch_outbox, track_shipments
from gateway_api.settings import Settings
from schemas.carrier import TrackingStatus
from tests.support.clock import FakeClock
from tests.support.paths import SHARED_DIR
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

YURTICI_WSDL = SHARED_DIR / "wsdl" / "yurtici" / "ShippingOrderDispatcherServices.wsdl"


@pytest.fixture
def retailer() -> FakeRetailer:
    return FakeRetailer()


@pytest.fixture
def yurtici(
    settings: Settings, clock: FakeClock, mappings_dir: Path
) -> Iterator[FakeCarrierServer]:
    probe = build_runtime(settings, clock=clock)
    partner = probe.directory.get("yurtici-demo")
    probe.close()
    assert partner is not None
    with live_carrier(mappings_dir, partner, clock=clock, yurtici_wsdl=YURTICI_WSDL) as fake:
        yield fake


@pytest.fixture
def hub(
    settings: Settings,
    clock: FakeClock,
    mappings_dir: Path,
    retailer: FakeRetailer,
    yurtici: FakeCarrierServer,
) -> Iterator[Runtime]:
    """The retailer answers in-process; Yurtici over real HTTP on 127.0.0.1."""
    del yurtici
    point_profile_at(
        mappings_dir, "edi-demo", dict.fromkeys(("855", "856", "810"), f"{BASE_URL}/edi/inbound")
    )
    http = httpx.Client(timeout=10.0, mounts={BASE_URL: retailer.transport()})
    built = build_runtime(settings, clock=clock, http=http)
    built.sync_partners()
    yield built
    built.close()


def test_the_pickup_sends_the_retailer_an_856_with_the_tracking_number(
    hub: Runtime, retailer: FakeRetailer, yurtici: FakeCarrierServer
) -> None:
    # The app closes the runtime when it stops: everything happens while it serves.
    with TestClient(create_app(runtime=hub)) as api:
        body = retailer_interchange(order_850("RT-CARGO-1", [("AC-1001", 10, "4.50")]))
        answer = api.post(
            "/edi/x12/edi-demo",
            content=body,
            headers={"Authorization": f"Bearer {EDI_DEMO_TOKEN}"},
        )
        assert answer.status_code == 200
        (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()
        assert (
            api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"}).status_code
            == 201
        )
        booked = api.post(
            f"/orders/{order['id']}/carrier-shipments",
            json={
                "carrier": "yurtici-demo",
                "parcels": [{"weight_kg": "5", "desi": "2"}],
                "receiver": {
                    "name": "ACME DC 7",
                    "address": "Organize Sanayi Bolgesi 7",
                    "city": "KOCAELI",
                    "phone": "02621234567",
                },
            },
        )
        assert booked.status_code == 201, booked.text
        reference = booked.json()["reference"]
        yurtici.ledger.advance(reference, TrackingStatus.PICKED_UP)
        assert track_shipments(hub, partner_key="yurtici-demo").ship_notices == 1
        dispatch_outbox(hub)

        assert [s.set_id for s in retailer.received] == ["855", "856"]
        notice = retailer.received[1]
        held = yurtici.ledger.get(reference)
        assert held is not None
        assert "TD5*" in notice.text
        assert "Yurtici Kargo" in notice.text
        assert held.tracking_number in notice.text
        assert f"BSN*00*{reference}*" in notice.text
        assert not notice.errors
        assert track_shipments(hub, partner_key="yurtici-demo").ship_notices == 0
