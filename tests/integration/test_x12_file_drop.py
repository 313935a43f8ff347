"""X12 over a file drop: inbound files become orders and 997 files; our documents become files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from connectors.formats.x12 import (
    ControlNumbers,
    GroupEnd,
    InterchangeEnd,
    TransactionSet,
    build_997,
    read_x12,
)
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import JOBS, dispatch_outbox
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.x12_documents import NOW, order_850, retailer_interchange


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path / "acme-drop"


@pytest.fixture
def runtime(
    settings: Settings, clock: FakeClock, mappings_dir: Path, drop: Path
) -> Iterator[Runtime]:
    path = mappings_dir / "partners" / "edi-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["file_drop"] = str(drop)
    profile["connector_config"]["endpoints"] = {"855": "file_drop", "856": "file_drop"}
    path.write_text(yaml.safe_dump(profile))
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    yield built
    built.close()


def _poll(runtime: Runtime) -> dict[str, object]:
    return JOBS["poll-file-drops"](runtime).as_dict()


def test_inbound_files_become_orders_and_997_files(runtime: Runtime, drop: Path) -> None:
    assert _poll(runtime)["files"] == 0  # creates the folders
    (drop / "inbound" / "po-1.edi").write_bytes(
        retailer_interchange(order_850("FD-1", [("AC-1001", 2, "4.50")]))
    )
    (drop / "inbound" / "junk.edi").write_bytes(b"this is not X12")
    (drop / "inbound" / "po-2.edi.part").write_bytes(b"still being written")
    report = _poll(runtime)
    assert (report["files"], report["archived"], report["rejected"]) == (2, 1, 1)
    assert (drop / "archive" / "po-1.edi").exists()
    assert "expected 'ISA'" in (drop / "error" / "junk.edi.reason.txt").read_text()
    assert (drop / "inbound" / "po-2.edi.part").exists()
    (ack,) = (drop / "outbound").iterdir()
    sets = [e for e in read_x12(ack.read_bytes()) if isinstance(e, TransactionSet)]
    assert [s.set_id for s in sets] == ["997"]
    with TestClient(create_app(runtime=runtime)) as api:
        orders = api.get("/orders", params={"partner": "edi-demo"}).json()
        assert [o["order_id"] for o in orders] == ["FD-1"]


def test_the_same_file_dropped_again_changes_nothing(runtime: Runtime, drop: Path) -> None:
    body = retailer_interchange(order_850("FD-2", [("AC-1001", 1, "1")]))
    _poll(runtime)
    (drop / "inbound" / "po.edi").write_bytes(body)
    _poll(runtime)
    (drop / "inbound" / "po.edi").write_bytes(body)
    report = _poll(runtime)
    assert report["archived"] == 1
    acks = sorted((drop / "outbound").iterdir())
    assert len(acks) == 2
    assert acks[0].read_bytes() == acks[1].read_bytes()  # the original 997 again


def test_our_documents_are_written_to_the_drop(runtime: Runtime, drop: Path) -> None:
    _poll(runtime)
    (drop / "inbound" / "po.edi").write_bytes(
        retailer_interchange(order_850("FD-3", [("AC-1001", 3, "2.00")]))
    )
    _poll(runtime)
    with TestClient(create_app(runtime=runtime)) as api:
        (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()
        response = api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"})
        assert response.status_code == 201, response.text
        report = dispatch_outbox(runtime)
        assert (report.delivered, report.dead_lettered) == (1, 0)
        (delivered,) = api.get("/outbox", params={"status": "delivered"}).json()
        assert delivered["kind"] == "855"
    written = sorted(p.name for p in (drop / "outbound").iterdir() if p.name.startswith("855_"))
    assert written == ["855_2-2-2.edi"]  # ISA13/GS06/ST02 after our 997 took 1/1/1
    sets = [
        e
        for e in read_x12((drop / "outbound" / written[0]).read_bytes())
        if isinstance(e, TransactionSet)
    ]
    assert [s.set_id for s in sets] == ["855"]


def _retailer_997(ours: bytes, *, reject: bool) -> bytes:
    """The retailer's 997 for an interchange of ours (accepting or rejecting its sets)."""
    acks, results = [], []
    for event in read_x12(ours):
        if isinstance(event, TransactionSet):
            results.append(event.ack.rejected("5") if reject else event.ack)
        elif isinstance(event, GroupEnd):
            acks.append(event.acknowledge(results))
        elif isinstance(event, InterchangeEnd):
            numbers = ControlNumbers(interchange=900, group=900, transaction_set=900)
            return build_997(event.header, acks, numbers=numbers, now=NOW).data
    raise AssertionError("no interchange")


@pytest.mark.parametrize(("reject", "state"), [(False, "accepted"), (True, "rejected")])
def test_the_retailers_997_updates_the_delivery_state(
    runtime: Runtime, drop: Path, reject: bool, state: str
) -> None:
    _poll(runtime)
    (drop / "inbound" / "po.edi").write_bytes(
        retailer_interchange(order_850("FD-4", [("AC-1001", 3, "2.00")]))
    )
    _poll(runtime)
    with TestClient(create_app(runtime=runtime)) as api:
        (order,) = api.get("/orders", params={"partner": "edi-demo"}).json()
        api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"})
        dispatch_outbox(runtime)
        ours = (drop / "outbound" / "855_2-2-2.edi").read_bytes()
        (drop / "inbound" / "ack.edi").write_bytes(_retailer_997(ours, reject=reject))
        report = _poll(runtime)
        assert report["archived"] == 1
        # No 997 for a 997: only the one for the 850 is in outbound/.
        assert len([p for p in (drop / "outbound").iterdir() if p.name.startswith("997_")]) == 1
        (row,) = api.get("/outbox").json()
        letters = api.get("/dead-letters").json()
    assert row["status"] == ("dead" if reject else "delivered")
    raw = runtime.queries.outbox(limit=1)[0]
    assert raw.acknowledgment == state
    if reject:
        (letter,) = letters
        assert letter["stage"] == "acknowledgment"
        assert "rejected our 855" in letter["error"]
    else:
        assert letters == []
