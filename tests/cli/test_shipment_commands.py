"""`b2connect shipments book|list|show|track|cancel` against a live fake Yurtici over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from connectors.testing.fake_carrier import FakeCarrierServer
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.cli import app
from gateway_api.demo.carriers import live_carrier
from gateway_api.http.app import create_app
from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings, get_settings
from schemas.carrier import TrackingStatus
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.paths import SHARED_DIR
from tests.support.platforms import live_platforms

runner = CliRunner()
YURTICI_WSDL = SHARED_DIR / "wsdl" / "yurtici" / "ShippingOrderDispatcherServices.wsdl"
BOOKING = {
    "carrier": "yurtici-demo",
    "parcels": [{"weight_kg": "4.2", "desi": "2"}],
    "receiver": {
        "name": "ACME Depo Ltd",
        "address": "Eski Buyukdere Cad. 3",
        "city": "ISTANBUL",
        "phone": "05551234567",
    },
}


@pytest.fixture
def yurtici(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, mappings_dir: Path, clock: FakeClock
) -> Iterator[FakeCarrierServer]:
    """The CLI on the test database and mappings, a Coupa order accepted, Yurtici on a socket."""
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(settings.mappings_dir))
    get_settings.cache_clear()
    runtime = build_runtime(settings, clock=clock)
    partner = runtime.directory.get("yurtici-demo")
    assert partner is not None
    with (
        live_platforms(mappings_dir, clock) as platforms,
        live_carrier(mappings_dir, partner, clock=clock, yurtici_wsdl=YURTICI_WSDL) as fake,
    ):
        _accepted_order(runtime_platforms=platforms, settings=settings)
        yield fake
    runtime.close()
    get_settings.cache_clear()


def _accepted_order(*, runtime_platforms: dict[str, FakePlatform], settings: Settings) -> None:
    body = order_request(
        partner="coupa-demo",
        order_id="PO-CLI-CARGO",
        payload_id="cargo@buyer",
        lines=[Line("1001")],
    )
    runtime_platforms["coupa-demo"].register_order_request(body)
    runtime = build_runtime(settings)
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.post("/cxml/coupa-demo", content=body).status_code == 200
    runtime.close()
    confirmed = runner.invoke(
        app, ["orders", "confirm", "coupa-demo", "PO-CLI-CARGO", '{"type": "accept"}']
    )
    assert confirmed.exit_code == 0, confirmed.output


def test_book_list_track_and_show_from_the_cli(yurtici: FakeCarrierServer) -> None:
    booked = runner.invoke(
        app, ["shipments", "book", "coupa-demo", "PO-CLI-CARGO", json.dumps(BOOKING)]
    )
    assert booked.exit_code == 0, booked.output
    shipment = json.loads(booked.output)
    assert shipment["state"] == "booked"
    assert len(yurtici.ledger) == 1

    listed = runner.invoke(app, ["shipments", "list", "coupa-demo", "PO-CLI-CARGO"])
    assert listed.exit_code == 0, listed.output
    assert shipment["reference"] in listed.output

    yurtici.ledger.advance(shipment["reference"], TrackingStatus.PICKED_UP)
    tracked = runner.invoke(app, ["shipments", "track", "yurtici-demo"])
    assert tracked.exit_code == 0, tracked.output
    assert "1 picked up" in tracked.output
    assert "1 ship notices" in tracked.output

    shown = runner.invoke(app, ["shipments", "show", shipment["id"]])
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert view["tracking_status"] == "picked_up"
    assert view["ship_notice_id"] == shipment["reference"]
    assert [e["status"] for e in view["events"] if e["status"] != "created"] == ["picked_up"]

    too_late = runner.invoke(app, ["shipments", "cancel", shipment["id"]])
    assert too_late.exit_code == 1
    assert "refused:" in too_late.output


def test_refusals_are_one_sentence(yurtici: FakeCarrierServer) -> None:
    bad = {**BOOKING, "receiver": {**BOOKING["receiver"], "phone": "12"}}  # type: ignore[dict-item]
    refused = runner.invoke(
        app, ["shipments", "book", "coupa-demo", "PO-CLI-CARGO", json.dumps(bad)]
    )
    assert refused.exit_code == 1
    assert refused.output.startswith("refused:")
    invalid = runner.invoke(
        app, ["shipments", "book", "coupa-demo", "PO-CLI-CARGO", '{"carrier": "yurtici-demo"}']
    )
    assert invalid.exit_code == 2
    assert "parcels" in invalid.output
    unknown = runner.invoke(app, ["shipments", "show", "00000000-0000-0000-0000-000000000000"])
    assert unknown.exit_code == 2
    assert "not found" in unknown.output
    assert len(yurtici.ledger) == 0
