"""`b2connect worker`: documents queued through the API reach the platform with no command, and
the health check reads the worker's heartbeat."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.cli import app
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.delivery_worker import DeliveryWorker, heartbeat_is_fresh
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.platforms import live_platforms

runner = CliRunner()


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, clock) as running:
        yield running


def test_a_confirmation_queued_through_the_api_is_delivered_by_the_running_worker(
    platforms: dict[str, FakePlatform], runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "worker.heartbeat"
    stop = threading.Event()
    beside_the_api = build_runtime(settings)  # the worker is its own process in production
    worker = DeliveryWorker(
        beside_the_api.dispatcher, stop=stop, idle_seconds=0.05, heartbeat=heartbeat
    )
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        coupa = platforms["coupa-demo"]
        body = order_request(
            partner="coupa-demo", order_id="PO-W-1", payload_id="w-1@buyer", lines=[Line("1001")]
        )
        coupa.register_order_request(body)
        with TestClient(create_app(runtime=runtime)) as api:
            assert api.post("/cxml/coupa-demo", content=body).status_code == 200
            (order,) = api.get("/orders").json()
            queued = api.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"})
            assert queued.status_code == 201
        deadline = time.monotonic() + 10
        while not coupa.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.kind for r in coupa.received] == ["ConfirmationRequest"]
        assert heartbeat_is_fresh(heartbeat, max_age_seconds=5)
    finally:
        stop.set()
        thread.join(timeout=10)
        beside_the_api.close()
    assert not thread.is_alive()
    time.sleep(0.3)
    assert len(coupa.received) == 1  # delivered once, not again on later polls


def test_the_health_check_fails_without_a_fresh_heartbeat(tmp_path: Path) -> None:
    heartbeat = tmp_path / "worker.heartbeat"
    stale = runner.invoke(app, ["worker", "--check", "--heartbeat", str(heartbeat)])
    assert stale.exit_code != 0
    assert "stale" in stale.output
    heartbeat.touch()
    fresh = runner.invoke(app, ["worker", "--check", "--heartbeat", str(heartbeat)])
    assert fresh.exit_code == 0, fresh.output
