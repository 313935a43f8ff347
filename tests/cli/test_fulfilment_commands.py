"""`b2connect orders ...`, `outbox list` and `jobs run dispatch-outbox`, to live fakes over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.cli import app
from gateway_api.http.app import create_app
from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings, get_settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.platforms import live_platforms

runner = CliRunner()


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, clock) as running:
        yield running


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    platforms: dict[str, FakePlatform],
) -> Iterator[None]:
    """The CLI on the test database and mappings, with one order from Coupa already in."""
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(settings.mappings_dir))
    get_settings.cache_clear()
    body = order_request(
        partner="coupa-demo", order_id="PO-CLI-1", payload_id="cli-1@buyer", lines=[Line("1001")]
    )
    platforms["coupa-demo"].register_order_request(body)
    runtime = build_runtime(settings)
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.post("/cxml/coupa-demo", content=body).status_code == 200
    yield
    get_settings.cache_clear()


def test_confirm_ship_invoice_and_dispatch_from_the_cli(
    cli_env: None, platforms: dict[str, FakePlatform]
) -> None:
    confirmed = runner.invoke(
        app, ["orders", "confirm", "coupa-demo", "PO-CLI-1", '{"type": "accept"}']
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert json.loads(confirmed.output)["document"]["type"] == "accept"
    shipped = runner.invoke(
        app,
        [
            "orders",
            "ship",
            "coupa-demo",
            "PO-CLI-1",
            json.dumps(
                {
                    "delivery_date": "2026-12-01T00:00:00Z",
                    "carrier": {"name": "Yurtici Kargo"},
                    "tracking_numbers": ["YK-1"],
                }
            ),
        ],
    )
    assert shipped.exit_code == 0, shipped.output
    invoiced = runner.invoke(app, ["orders", "invoice", "coupa-demo", "PO-CLI-1"])
    assert invoiced.exit_code == 0, invoiced.output

    listed = runner.invoke(app, ["outbox", "list", "--json"])
    assert [json.loads(line)["status"] for line in listed.output.splitlines()] == ["pending"] * 3

    dispatched = runner.invoke(app, ["jobs", "run", "dispatch-outbox"])
    assert dispatched.exit_code == 0, dispatched.output
    report = json.loads(dispatched.stdout)
    assert (report["claimed"], report["delivered"], report["dead_lettered"]) == (3, 3, 0)
    assert [r.kind for r in platforms["coupa-demo"].received] == [
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
    ]


def test_refusals_exit_non_zero_with_the_reason(cli_env: None) -> None:
    result = runner.invoke(app, ["orders", "invoice", "coupa-demo", "PO-CLI-1"])
    assert result.exit_code == 1
    assert "no invoice for nothing shipped" in result.output
    unknown = runner.invoke(app, ["orders", "confirm", "coupa-demo", "NOPE", '{"type": "accept"}'])
    assert unknown.exit_code == 2
    bad = runner.invoke(app, ["orders", "confirm", "coupa-demo", "PO-CLI-1", '{"type": "maybe"}'])
    assert bad.exit_code == 2
    assert "invalid body" in bad.output


def test_a_dead_lettered_delivery_makes_the_job_exit_1(
    cli_env: None, platforms: dict[str, FakePlatform]
) -> None:
    assert (
        runner.invoke(
            app, ["orders", "confirm", "coupa-demo", "PO-CLI-1", '{"type": "accept"}']
        ).exit_code
        == 0
    )
    platforms["coupa-demo"].reject_next(1, code=400, text="Unknown PO")
    result = runner.invoke(app, ["jobs", "run", "dispatch-outbox"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["dead_lettered"] == 1
    dead = runner.invoke(app, ["dead-letters", "list", "--json"])
    (letter,) = [json.loads(line) for line in dead.output.splitlines()]
    replay = runner.invoke(app, ["dead-letters", "replay", letter["id"]])
    assert replay.exit_code == 0, replay.output
    assert "delivered" in replay.output
