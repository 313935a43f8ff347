"""The integration API end to end on both backends: keys and scopes, per-row results,
idempotent replays, body limits, and every call in the document log."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway_api.runtime import Runtime
from gateway_api.services.api_keys import ApiKeyService
from gateway_api.store.tables import catalog_changes, documents, stock_levels

STOCK = "/api/v1/integration/stock"


def _key(runtime: Runtime, *scopes: str, name: str = "logo-prod") -> str:
    return ApiKeyService(runtime.uow, clock=runtime.clock).create(name, list(scopes)).key


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _stock_rows(count: int, on_hand: str = "5") -> list[dict[str, Any]]:
    return [
        {"sku": f"SKU-{i}", "location": "WH1", "quantity_on_hand": on_hand, "unit_of_measure": "EA"}
        for i in range(count)
    ]


def _count(runtime: Runtime, table: Any) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_without_a_live_key_the_answer_is_401(client: TestClient, runtime: Runtime) -> None:
    body = {"rows": _stock_rows(1)}
    assert client.post(STOCK, json=body).status_code == 401
    answer = client.post(STOCK, json=body, headers=_auth("b2c_00000000_" + "x" * 43))
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    key = _key(runtime, "stock")
    ApiKeyService(runtime.uow, clock=runtime.clock).revoke(key.split("_")[1])
    assert client.post(STOCK, json=body, headers=_auth(key)).status_code == 401
    assert _count(runtime, stock_levels) == 0


def test_a_key_without_the_scope_gets_403_and_x_api_key_works_too(
    client: TestClient, runtime: Runtime
) -> None:
    prices_only = _key(runtime, "prices")
    refused = client.post(STOCK, json={"rows": _stock_rows(1)}, headers=_auth(prices_only))
    assert refused.status_code == 403
    assert "stock:write" in refused.json()["detail"]
    stock = _key(runtime, "stock")
    answer = client.post(STOCK, json={"rows": _stock_rows(1)}, headers={"X-API-Key": stock})
    assert answer.status_code == 200
    assert answer.json()["applied"] == 1


def test_refusals_leave_a_warning_without_the_key(
    client: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "b2c_00000000_" + "x" * 43
    prices_only = _key(runtime, "prices", name="logo-test")
    with caplog.at_level(logging.WARNING, logger="gateway_api.http.deps"):
        client.post(STOCK, json={"rows": _stock_rows(1)}, headers=_auth(wrong))
        client.post(STOCK, json={"rows": _stock_rows(1)}, headers=_auth(prices_only))
    messages = [r.getMessage() for r in caplog.records if r.name == "gateway_api.http.deps"]
    assert len(messages) == 2
    assert "unknown, malformed or revoked API key" in messages[0]
    assert f"POST {STOCK}" in messages[0]
    assert "(logo-test) lacks the scope stock:write" in messages[1]
    assert not any(wrong in m or prices_only in m for m in messages)


def test_each_row_gets_its_result_and_a_bad_row_fails_alone(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "stock")
    rows = [
        *_stock_rows(2),
        {"sku": "SKU-X", "quantity_on_hand": "1", "unit_of_measure": "EA"},  # no location
        {"sku": "SKU-1", "location": "WH1", "quantity_on_hand": "9", "unit_of_measure": "EA"},
        "not an object",
        {"sku": "SKU-9", "location": "WH1", "quantity_on_hand": 1.25, "unit_of_measure": "EA"},
    ]
    answer = client.post(STOCK, json={"rows": rows}, headers=_auth(key))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["applied"], body["unchanged"], body["rejected"]) == (3, 0, 3)
    outcomes = [(r["index"], r["key"], r["outcome"]) for r in body["results"]]
    assert outcomes == [
        (0, "SKU-0@WH1", "applied"),
        (1, "SKU-1@WH1", "applied"),
        (2, "SKU-X@", "rejected"),
        (3, "SKU-1@WH1", "rejected"),
        (4, "", "rejected"),
        (5, "SKU-9@WH1", "applied"),  # a JSON number is read exactly, as a decimal
    ]
    assert "location" in body["results"][2]["reason"]
    assert "repeated" in body["results"][3]["reason"]
    assert "reason" not in body["results"][0]
    only_rejected = client.post(
        STOCK, params={"results": "rejected"}, json={"rows": rows}, headers=_auth(key)
    ).json()
    assert only_rejected["unchanged"] == 3
    assert [r["index"] for r in only_rejected["results"]] == [2, 3, 4]


def test_a_replay_with_the_same_idempotency_key_applies_nothing_again(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "stock")
    headers = {**_auth(key), "Idempotency-Key": "batch-1"}
    body = json.dumps({"rows": _stock_rows(3)})
    first = client.post(STOCK, content=body, headers=headers)
    changes = _count(runtime, catalog_changes)
    again = client.post(STOCK, content=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()  # the original answer: "applied", not "unchanged"
    assert first.json()["applied"] == 3
    assert _count(runtime, catalog_changes) == changes == 3
    # Without the key (or with a new one) the same rows are simply unchanged.
    fresh = client.post(STOCK, content=body, headers={**_auth(key), "Idempotency-Key": "batch-2"})
    assert fresh.json()["unchanged"] == 3
    assert _count(runtime, catalog_changes) == 3


def test_the_same_idempotency_key_with_another_body_is_422(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "stock")
    headers = {**_auth(key), "Idempotency-Key": "batch-1"}
    client.post(STOCK, json={"rows": _stock_rows(1)}, headers=headers)
    answer = client.post(STOCK, json={"rows": _stock_rows(1, "7")}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["title"] == "Idempotency-Key reused"
    with runtime.uow() as uow:
        assert uow.catalog.stock_levels([("SKU-0", "WH1")])["SKU-0", "WH1"].quantity_on_hand == 5


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[]", 422),
        (b'{"rows": {}}', 422),
        (b'{"rows": [], "extra": 1}', 422),
        (json.dumps({"rows": [{}] * 20_001}).encode(), 422),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(
    client: TestClient, runtime: Runtime, content: bytes, status: int
) -> None:
    key = _key(runtime, "stock")
    answer = client.post(STOCK, content=content, headers=_auth(key))
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_body_over_the_limit_is_413_and_logged_cut_short(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "stock")
    limit = runtime.settings.max_body_bytes
    answer = client.post(STOCK, content=b"x" * (limit + 1), headers=_auth(key))
    assert answer.status_code == 413
    with runtime.uow() as uow:
        logged = uow.documents.query(kind="integration.stock")
    assert [(d.outcome.value, d.size, d.status_code) for d in logged] == [
        ("rejected", limit + 1, 413)
    ]


def test_every_call_and_its_answer_are_in_the_document_log(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "prices", name="logo-test")
    body = {
        "rows": [{"sku": "SKU-1", "currency": "TRY", "unit_price": "9.90", "unit_of_measure": "EA"}]
    }
    client.post(
        "/api/v1/integration/prices", json=body, headers={**_auth(key), "Idempotency-Key": "k1"}
    )
    client.put(
        "/api/v1/integration/prices", json=body, headers={**_auth(key), "Idempotency-Key": "k1"}
    )
    with runtime.uow() as uow:
        logged = uow.documents.query(partner_key="logo-test", limit=10)
        replies = {d.in_reply_to: d for d in logged if d.direction == "outbound"}
    requests = [d for d in logged if d.direction == "inbound"]
    assert sorted(d.outcome.value for d in requests) == ["duplicate", "processed"]
    for request in requests:
        assert (request.protocol, request.kind, request.payload_id) == (
            "rest",
            "integration.prices",
            "k1",
        )
        reply = replies[request.id]
        assert reply.kind == "integration.prices.answer"
        assert reply.status_code == 200
    with runtime.uow() as uow:
        stored = uow.documents.get(requests[0].id)
    assert stored is not None
    assert json.loads(stored.body) == body
    assert _count(runtime, documents) == 4


def test_products_prices_and_customers_are_applied_and_logged_as_changes(
    client: TestClient, runtime: Runtime
) -> None:
    key = _key(runtime, "products", "prices", "customers")
    products = client.post(
        "/api/v1/integration/products",
        json={
            "rows": [{"sku": "SKU-1", "name": "Bolt", "unit_of_measure": "EA", "vat_rate": "20"}]
        },
        headers=_auth(key),
    ).json()
    prices = client.post(
        "/api/v1/integration/prices",
        json={
            "rows": [
                {
                    "sku": "SKU-1",
                    "currency": "TRY",
                    "unit_price": "1.5",
                    "unit_of_measure": "EA",
                    "min_quantity": "10",
                    "valid_from": "2026-01-01",
                },
                {"sku": "SKU-1", "currency": "TRY", "unit_price": "2", "unit_of_measure": "EA"},
            ]
        },
        headers=_auth(key),
    ).json()
    customers = client.post(
        "/api/v1/integration/customers",
        json={
            "rows": [
                {"code": "C-1", "name": "Acme", "address": {"city": "Ankara", "country": "TR"}}
            ]
        },
        headers=_auth(key),
    ).json()
    assert [r["key"] for r in prices["results"]] == [
        "SKU-1/default/TRY/10/2026-01-01",
        "SKU-1/default/TRY/1/open",
    ]
    assert (products["applied"], prices["applied"], customers["applied"]) == (1, 2, 1)
    with runtime.uow() as uow:
        [item] = uow.catalog.changed_prices(0, uow.catalog.last_change_seq())
    assert item.product is not None
    assert len(item.prices) == 2
