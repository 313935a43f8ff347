"""An X12 retailer gets our 855, 856 and 810 through the outbox, numbered, once; its 997 counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from connectors.formats.x12 import TransactionSet, read_x12
from connectors.testing.fake_retailer import BASE_URL, FakeRetailer
from gateway_api.demo.platforms import point_profile_at
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import dispatch_outbox
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

SHIPPING = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z999AA10123456784"],
}


@pytest.fixture
def retailer() -> FakeRetailer:
    return FakeRetailer()


@pytest.fixture
def runtime(
    settings: Settings, clock: FakeClock, mappings_dir: Path, retailer: FakeRetailer
) -> Iterator[Runtime]:
    point_profile_at(
        mappings_dir,
        "edi-demo",
        dict.fromkeys(("855", "856", "810"), f"{BASE_URL}/edi/inbound"),
    )
    built = build_runtime(settings, clock=clock, http=httpx.Client(transport=retailer.transport()))
    built.sync_partners()
    yield built
    built.close()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


def _order(api: TestClient) -> str:
    body = retailer_interchange(order_850("RT-50", [("AC-1001", 10, "4.50"), ("AC-1002", 4, "1")]))
    answer = api.post(
        "/edi/x12/edi-demo", content=body, headers={"Authorization": f"Bearer {EDI_DEMO_TOKEN}"}
    )
    assert answer.status_code == 200
    assert "*000000001*0*P*" in answer.text  # our 997 took interchange number 1
    (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()
    order_uuid: str = order["id"]
    return order_uuid


def _act(api: TestClient, order: str, action: str, body: dict[str, object]) -> None:
    response = api.post(f"/orders/{order}/{action}", json=body)
    assert response.status_code == 201, response.text


def test_confirmation_ship_notice_and_invoice_reach_the_retailer_as_x12(
    api: TestClient, runtime: Runtime, retailer: FakeRetailer
) -> None:
    order = _order(api)
    _act(api, order, "confirmations", {"type": "accept"})
    _act(api, order, "shipments", SHIPPING)
    _act(api, order, "invoices", {"tax_rate": "8.25"})
    report = dispatch_outbox(runtime)
    assert (report.claimed, report.delivered, report.dead_lettered) == (3, 3, 0)

    assert [s.set_id for s in retailer.received] == ["855", "856", "810"]
    # Our counter is shared with the 997s: documents took interchange numbers 2, 3 and 4.
    assert retailer.interchanges == ["000000002", "000000003", "000000004"]
    confirmation, notice, invoice = retailer.received
    assert confirmation.text.startswith("ST*855*")
    assert "BAK*00*" in confirmation.text
    assert "RT-50" in confirmation.text
    assert "HL*1**S" in notice.text
    assert "TD5*" in notice.text
    assert "UPSN" in notice.text
    assert "IT1*" in invoice.text
    assert all(not s.errors for s in retailer.received)
    sent = api.get("/documents", params={"partner": "edi-demo", "direction": "outbound"}).json()
    assert {d["kind"] for d in sent} >= {"855", "856", "810", "997"}


def test_a_retry_resends_the_same_interchange_and_a_rejecting_997_dead_letters(
    api: TestClient, runtime: Runtime, retailer: FakeRetailer, clock: FakeClock
) -> None:
    order = _order(api)
    _act(api, order, "confirmations", {"type": "accept"})
    retailer.reject_next = 1
    report = dispatch_outbox(runtime)
    assert report.dead_lettered == 1
    (letter,) = api.get("/dead-letters").json()
    assert "rejected" in letter["error"]
    assert retailer.received == []
    # After the retailer fixed its side: the same interchange (same ISA13) is sent again.
    replay = api.post(f"/dead-letters/{letter['id']}/replay")
    assert replay.status_code == 200, replay.text
    assert retailer.interchanges == ["000000002", "000000002"]
    assert [s.set_id for s in retailer.received] == ["855"]


def test_every_interchange_we_send_reads_cleanly_with_our_reader(
    api: TestClient, runtime: Runtime, retailer: FakeRetailer
) -> None:
    order = _order(api)
    _act(api, order, "confirmations", {"type": "accept"})
    dispatch_outbox(runtime)
    sent = api.get("/documents", params={"partner": "edi-demo", "kind": "855"}).json()
    raw = api.get(f"/documents/{sent[0]['id']}/raw").content
    sets = [e for e in read_x12(raw) if isinstance(e, TransactionSet)]
    assert [s.set_id for s in sets] == ["855"]
    assert not sets[0].errors
