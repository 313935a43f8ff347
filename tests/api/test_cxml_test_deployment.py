"""cXML `Request@deploymentMode="test"`: a platform's test document never becomes a live order.

A partnership in production (`deployment_mode: production`, the default) answers a document the
platform marks as test with 200, logs it with outcome `test` and applies nothing (no order, no
dead letter), like an X12 ISA15=T or an EDIFACT UNB 0035=1 interchange. A partnership in the
platform's test realm (`deployment_mode: test`, the demo partners) takes test documents as its
own traffic and stores them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import order_request
from tests.support.paths import REPO_ROOT

PRODUCTION, TEST = "coupa-demo", "jaggaer-demo"


@pytest.fixture
def mappings_dir(mappings_dir: Path) -> Path:
    """The shipped mappings with coupa-demo in production and jaggaer-demo in test."""
    for partner, mode in ((PRODUCTION, "production"), (TEST, "test")):
        path = mappings_dir / "partners" / partner / "profile.yaml"
        profile = yaml.safe_load(path.read_text())
        profile["connector_config"]["deployment_mode"] = mode
        path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return mappings_dir


def _marked_test(body: bytes) -> bytes:
    marked = body.replace(b'deploymentMode="production"', b'deploymentMode="test"', 1)
    assert marked != body
    return marked


def test_a_test_document_into_a_production_partnership_is_answered_but_never_applied(
    client: TestClient,
) -> None:
    body = _marked_test(order_request(partner=PRODUCTION, order_id="PO-T1", payload_id="t1@x"))
    response = client.post(f"/cxml/{PRODUCTION}", content=body)

    answer = status_of(response.content)
    assert (response.status_code, answer.code) == (200, 200)
    assert answer.message == "test data: acknowledged, not applied"
    assert client.get("/orders").json() == []
    assert client.get("/dead-letters").json() == []
    [logged] = client.get("/documents", params={"payload_id": "t1@x"}).json()
    assert (logged["outcome"], logged["status_code"]) == ("test", 200)


def test_the_same_payload_id_in_production_is_not_a_duplicate_of_the_test(
    client: TestClient,
) -> None:
    live = order_request(partner=PRODUCTION, order_id="PO-T2", payload_id="t2@x")
    client.post(f"/cxml/{PRODUCTION}", content=_marked_test(live))
    response = client.post(f"/cxml/{PRODUCTION}", content=live)
    assert (response.status_code, status_of(response.content).code) == (200, 200)
    [order] = client.get("/orders", params={"partner": PRODUCTION}).json()
    assert order["order_id"] == "PO-T2"


def test_a_partnership_in_test_stores_test_documents(client: TestClient) -> None:
    body = _marked_test(order_request(partner=TEST, order_id="PO-T3", payload_id="t3@x"))
    response = client.post(f"/cxml/{TEST}", content=body)

    assert (response.status_code, status_of(response.content).code) == (200, 200)
    [order] = client.get("/orders", params={"partner": TEST}).json()
    assert order["order_id"] == "PO-T3"
    [logged] = client.get("/documents", params={"payload_id": "t3@x"}).json()
    assert logged["outcome"] == "processed"


def test_a_broken_test_document_is_still_refused_like_a_live_one(client: TestClient) -> None:
    # The platform tests its documents: what would be refused live is refused in test too.
    body = _marked_test(
        order_request(partner=PRODUCTION, order_id="PO-T4", payload_id="t4@x", version=2)
    ).replace(b'orderVersion="2"', b'orderVersion="two"')
    response = client.post(f"/cxml/{PRODUCTION}", content=body)
    assert status_of(response.content).code == 400
    assert client.get("/orders").json() == []


@pytest.mark.parametrize("partner", ["coupa-demo", "ariba-demo", "jaggaer-demo"])
def test_the_demo_partners_are_test_accounts(partner: str) -> None:
    # Demo documents and shared samples send deploymentMode="test"; the demo must store them.
    path = REPO_ROOT / "mappings" / "partners" / partner / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    assert profile["connector_config"]["deployment_mode"] == "test"
