"""Fixtures for the outbound flow: fake platforms in-process, a runtime that sends to them."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.platforms import in_process_platforms, routed_client


@pytest.fixture
def platforms(mappings_dir: Path, clock: FakeClock) -> dict[str, FakePlatform]:
    """Fake Coupa, Ariba and JAGGAER, with the demo profiles pointing at them."""
    return in_process_platforms(mappings_dir, clock)


@pytest.fixture
def runtime(
    settings: Settings, clock: FakeClock, platforms: dict[str, FakePlatform]
) -> Iterator[Runtime]:
    """The hub, sending outbound documents to the in-process fakes."""
    built = build_runtime(settings, clock=clock, http=routed_client(platforms))
    built.sync_partners()
    yield built
    built.close()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    """The hub's API."""
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


class Buyer:
    """Plays the buying side: the platform issues an order and posts it to the hub."""

    def __init__(self, api: TestClient, platforms: dict[str, FakePlatform]) -> None:
        self.api = api
        self.platforms = platforms

    def order(self, partner: str, order_id: str, *lines: Line) -> str:
        """Post a new order; returns the hub's order id (UUID)."""
        body = order_request(
            partner=partner,
            order_id=order_id,
            payload_id=f"{order_id}.{partner}@buyer.example",
            lines=list(lines)
            or [Line("1001", Decimal("10")), Line("1002", Decimal("4"), price=Decimal("3.25"))],
        )
        self.platforms[partner].register_order_request(body)
        answer = self.api.post(
            f"/cxml/{partner}", content=body, headers={"Content-Type": "text/xml"}
        )
        assert answer.status_code == 200, answer.text
        listed = self.api.get("/orders", params={"partner": partner, "order_id": order_id})
        order_uuid: str = listed.json()[0]["id"]
        return order_uuid

    def act(self, order_uuid: str, action: str, body: dict[str, Any], status: int = 201) -> Any:
        """POST an action and check its status."""
        response = self.api.post(f"/orders/{order_uuid}/{action}", json=body)
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture
def buyer(api: TestClient, platforms: dict[str, FakePlatform]) -> Buyer:
    """The buying side."""
    return Buyer(api, platforms)
