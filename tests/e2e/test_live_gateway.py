"""Procurement platforms posting to a real gateway process over real HTTP on 127.0.0.1."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import Line, order_request
from tests.support.live_server import live_gateway

pytestmark = pytest.mark.e2e


class FakeProcurementPlatform:
    """A buyer's platform: posts OrderRequests for one demo partner and reads the answers."""

    def __init__(self, base_url: str, partner: str) -> None:
        self.partner = partner
        self._http = httpx.Client(base_url=base_url, timeout=10.0)
        self.answers: list[tuple[int, int]] = []

    def send(self, body: bytes) -> tuple[int, int, str]:
        response = self._http.post(
            f"/cxml/{self.partner}", content=body, headers={"Content-Type": "text/xml"}
        )
        answer = status_of(response.content)
        self.answers.append((response.status_code, answer.code))
        return response.status_code, answer.code, answer.message

    def place_and_change(self, order_id: str) -> None:
        first = f"{order_id}-v1@{self.partner}"
        assert self.send(order_request(partner=self.partner, order_id=order_id, payload_id=first))[
            :2
        ] == (200, 200)
        assert self.send(
            order_request(
                partner=self.partner,
                order_id=order_id,
                change="update",
                version=2,
                supersedes=first,
                payload_id=f"{order_id}-v2@{self.partner}",
                lines=[Line("1003", Decimal("7")), Line("1004")],
            )
        )[:2] == (200, 200)

    def close(self) -> None:
        self._http.close()


def test_three_platforms_post_concurrently(database_url: str, mappings_dir: Path) -> None:
    with live_gateway(database_url, mappings_dir) as base:
        platforms = [
            FakeProcurementPlatform(base, p) for p in ("coupa-demo", "ariba-demo", "jaggaer-demo")
        ]
        with ThreadPoolExecutor(max_workers=6) as pool:
            jobs = [
                pool.submit(platform.place_and_change, f"PO-{platform.partner}-{n}")
                for platform in platforms
                for n in range(3)
            ]
            for job in jobs:
                job.result()

        coupa = platforms[0]
        # A retransmission over the wire: same answer, nothing new.
        body = order_request(partner="coupa-demo", order_id="PO-X", payload_id="wire-dup@x")
        assert coupa.send(body)[:2] == (200, 200)
        assert coupa.send(body)[:2] == (200, 200)
        # A stranger with a guessed secret is refused in cXML.
        assert coupa.send(order_request(secret="guess", payload_id="intruder@x"))[:2] == (
            401,
            401,
        )

        with httpx.Client(base_url=base) as operator:
            orders = operator.get("/orders", params={"limit": 100}).json()
            assert len(orders) == 3 * 3 + 1
            assert {o["version"] for o in orders if o["order_id"] != "PO-X"} == {2}
            detail = operator.get(f"/orders/{orders[0]['id']}").json()
            assert detail["history"]
            assert operator.get("/health").json()["database"] == "ok"
            docs = operator.get("/openapi.json").json()
            assert "/cxml/{partner_key}" in docs["paths"]
            assert operator.get("/docs").status_code == 200
        for platform in platforms:
            platform.close()


@pytest.mark.postgres
def test_concurrent_retransmissions_across_worker_processes_store_one_order(
    postgres_url: str, mappings_dir: Path
) -> None:
    """Two worker processes, eight simultaneous copies of one document: exactly one order."""
    from gateway_api.store.engine import build_engine
    from tests.support.database import truncate_all

    engine = build_engine(postgres_url, pool_size=1)
    truncate_all(engine)
    engine.dispose()
    with live_gateway(postgres_url, mappings_dir, workers=2) as base:
        body = order_request(order_id="PO-RACE", payload_id="race@x")
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(
                pool.map(lambda _: httpx.post(f"{base}/cxml/coupa-demo", content=body), range(8))
            )
        assert {r.status_code for r in responses} == {200}
        assert {status_of(r.content).code for r in responses} == {200}
        orders = httpx.get(f"{base}/orders").json()
        assert [o["order_id"] for o in orders] == ["PO-RACE"]
        detail = httpx.get(f"{base}/orders/{orders[0]['id']}").json()
        assert len(detail["history"]) == 1
        inbound = httpx.get(
            f"{base}/documents", params={"payload_id": "race@x", "direction": "inbound"}
        ).json()
        assert sorted(d["outcome"] for d in inbound) == ["duplicate"] * 7 + ["processed"]
