"""Procurement platforms posting to a real gateway process over real HTTP on 127.0.0.1."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from connectors.testing.cxml_documents import LineSpec
from connectors.testing.fake_platform import FakeProcurementPlatform
from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import DEMO, Line, order_request
from tests.support.live_server import live_gateway

pytestmark = pytest.mark.e2e

DEMO_LINES = (LineSpec("CP-1001", Decimal("3"), "EA", Decimal("12.50"), "Copy paper"),)


def place_and_change(platform: FakeProcurementPlatform, partner: str, order_id: str) -> None:
    """What a buyer does: issue an order, then change it (version 2, full replacement)."""
    first = f"{order_id}-v1@{partner}"
    answer = platform.post(
        partner, order_request(partner=partner, order_id=order_id, payload_id=first)
    )
    assert (answer.http_status, answer.code) == (200, 200), answer
    answer = platform.post(
        partner,
        order_request(
            partner=partner,
            order_id=order_id,
            change="update",
            version=2,
            supersedes=first,
            payload_id=f"{order_id}-v2@{partner}",
            lines=[Line("1003", Decimal("7")), Line("1004")],
        ),
    )
    assert (answer.http_status, answer.code) == (200, 200), answer


def test_three_platforms_post_concurrently(database_url: str, mappings_dir: Path) -> None:
    with live_gateway(database_url, mappings_dir) as base:
        keys = ("coupa-demo", "ariba-demo", "jaggaer-demo")
        platforms = {key: FakeProcurementPlatform(DEMO[key].partners, base) for key in keys}
        with ThreadPoolExecutor(max_workers=6) as pool:
            jobs = [
                pool.submit(place_and_change, platforms[key], key, f"PO-{key}-{n}")
                for key in keys
                for n in range(3)
            ]
            for job in jobs:
                job.result()

        coupa = platforms["coupa-demo"]
        # A retransmission over the wire: same answer, byte for byte; nothing new stored.
        first = coupa.send_order("coupa-demo", order_id="PO-X", lines=DEMO_LINES)
        again = coupa.retransmit()
        assert (first.code, again.code) == (200, 200)
        assert coupa.exchanges[-1].answer.body == coupa.exchanges[-2].answer.body
        # A stranger with a guessed secret is refused in cXML.
        refused = coupa.post("coupa-demo", order_request(secret="guess", payload_id="intruder@x"))
        assert (refused.http_status, refused.code) == (401, 401)

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
        for platform in platforms.values():
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
