"""What operators watch: an access-log line per request, a log line per refusal, Prometheus
metrics, and a health answer that shows what waits (outbox backlog, open dead letters)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from gateway_api.http.app import create_app
from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request

TOKEN = "operator-token-0123456789"


def _samples(
    client: TestClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_every_request_writes_one_access_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gateway_api.access"):
        client.get("/orders", params={"partner": "coupa-demo"})
        client.get("/no/such/path%0AFAKE%20200")
    lines = [r.getMessage() for r in caplog.records if r.name == "gateway_api.access"]
    assert len(lines) == 2
    assert '"GET /orders" 200' in lines[0]
    assert "coupa-demo" not in lines[0]  # query strings stay out of the log
    assert "\n" not in lines[1]
    assert '"GET /no/such/path\\nFAKE 200" 404' in lines[1]


def test_refusals_write_a_log_line_without_the_secret(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        wrong = client.post(
            "/cxml/no-such-partner", content=order_request(payload_id="r@x", secret="s3cr3t!")
        )
        unreadable = client.post("/cxml/coupa-demo", content=b"<not xml")
    assert (wrong.status_code, unreadable.status_code) == (401, 400)
    refusals = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("no-such-partner" in line and "HTTP 401" in line for line in refusals)
    assert any("coupa-demo" in line and "HTTP 400" in line for line in refusals)
    assert not any("s3cr3t!" in line for line in refusals)


def test_metrics_count_requests_and_documents_by_outcome(client: TestClient) -> None:
    good = order_request(order_id="PO-M1", payload_id="m1@x")
    assert client.post("/cxml/coupa-demo", content=good).status_code == 200
    assert client.post("/cxml/coupa-demo", content=good).status_code == 200  # duplicate
    held = order_request(order_id="PO-M2", payload_id="m2@x", lines=[Line("7777")])
    assert client.post("/cxml/coupa-demo", content=held).status_code == 200
    assert client.post("/cxml/guessed-key", content=good).status_code == 401
    samples = _samples(client)
    received = "b2connect_documents_received_total"
    order = (("kind", "OrderRequest"), ("outcome", "stored"), ("partner", "coupa-demo"))
    assert samples[(received, order)] == 1
    held_labels = (("kind", "OrderRequest"), ("outcome", "held"), ("partner", "coupa-demo"))
    assert samples[(received, held_labels)] == 1
    # A partner key nobody authenticated never becomes a label.
    assert not [key for key in samples if ("partner", "guessed-key") in key[1]]
    anonymous = (
        ("kind", "unauthenticated"),
        ("outcome", "refused"),
        ("partner", "unauthenticated"),
    )
    assert samples[(received, anonymous)] == 1
    requests = "b2connect_http_requests_total"
    route = (("method", "POST"), ("route", "/cxml/{partner_key}"), ("status", "200"))
    assert samples[(requests, route)] == 3
    assert samples[("b2connect_dead_letters_open", ())] == 1


def test_health_and_metrics_show_the_backlog(client: TestClient) -> None:
    assert (
        client.post("/cxml/coupa-demo", content=order_request(payload_id="b@x")).status_code == 200
    )
    [order] = client.get("/orders").json()
    assert (
        client.post(f"/orders/{order['id']}/confirmations", json={"type": "accept"}).status_code
        == 201
    )
    held = order_request(order_id="PO-H", payload_id="h@x", lines=[Line("7777", Decimal("1"))])
    client.post("/cxml/coupa-demo", content=held)
    health = client.get("/health").json()
    assert (health["outbox_pending"], health["outbox_dead"], health["dead_letters_open"]) == (
        1,
        0,
        1,
    )
    samples = _samples(client)
    assert samples[("b2connect_outbox_documents", (("status", "pending"),))] == 1
    assert samples[("b2connect_dead_letters_open", ())] == 1


@pytest.fixture
def locked_client(settings: Settings, clock: FakeClock) -> Iterator[TestClient]:
    locked = settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with TestClient(create_app(runtime=build_runtime(locked, clock=clock))) as client:
        yield client


def test_metrics_need_the_operator_token(locked_client: TestClient) -> None:
    refused = locked_client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert _samples(locked_client, Authorization=f"Bearer {TOKEN}")
