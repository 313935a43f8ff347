"""The operator surface: authentication, problem+json, inert raw documents, health."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from gateway_api.http.app import create_app
from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.paths import MAPPINGS_DIR

TOKEN = "operator-token-0123456789"


@pytest.fixture
def locked_client(settings: Settings, clock: FakeClock) -> Iterator[TestClient]:
    locked = settings.model_copy(update={"admin_token": SecretStr(TOKEN)})
    with TestClient(create_app(runtime=build_runtime(locked, clock=clock))) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    ["/orders", "/documents", "/dead-letters", f"/orders/{'0' * 8}-0000-0000-0000-{'0' * 12}"],
)
def test_operator_endpoints_need_the_token_when_one_is_set(
    locked_client: TestClient, path: str
) -> None:
    missing = locked_client.get(path)
    wrong = locked_client.get(path, headers={"Authorization": "Bearer not-the-token-at-all"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Unauthorized"
    right = locked_client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code in {200, 404}


def test_ingress_and_health_stay_open_with_a_token(locked_client: TestClient) -> None:
    assert locked_client.get("/health").status_code == 200
    response = locked_client.post("/cxml/coupa-demo", content=order_request(payload_id="t@x"))
    assert response.status_code == 200


def test_an_empty_token_means_no_token_and_production_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", "")
    assert Settings().admin_token is None
    monkeypatch.setenv("B2CONNECT_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="ADMIN_TOKEN is required"):
        Settings()
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", "short")
    with pytest.raises(ValidationError, match="at least 16"):
        Settings()


def test_health_does_not_list_partner_keys(client: TestClient) -> None:
    body = client.get("/health").json()
    demo_partners = len(list(MAPPINGS_DIR.glob("partners/*/profile.yaml")))
    assert body == {
        "status": "ok",
        "database": "ok",
        "partners": demo_partners,
        "partners_disabled": 0,
        "outbox_pending": 0,
        "outbox_dead": 0,
        "dead_letters_open": 0,
    }


def test_raw_documents_are_served_inert(client: TestClient) -> None:
    client.post(
        "/cxml/coupa-demo",
        content=b"<html><script>alert(1)</script></html>",
        headers={"Content-Type": "text/html"},
    )
    [trace] = client.get("/documents", params={"direction": "inbound"}).json()
    assert trace["content_type"] == "text/html"
    raw = client.get(f"/documents/{trace['id']}/raw")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in raw.headers["content-security-policy"]


def test_bad_query_parameters_are_problem_json_not_500(client: TestClient) -> None:
    naive = client.get("/documents", params={"before": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert naive.headers["content-type"] == "application/problem+json"
    assert client.get("/orders", params={"status": "weird"}).status_code == 422
    assert client.get("/orders/not-a-uuid").status_code == 422
    assert client.get("/dead-letters/00000000-0000-0000-0000-000000000000").status_code == 404


def test_list_totals_are_exact(client: TestClient) -> None:
    body = order_request(
        order_id="PO-EXACT",
        payload_id="exact@x",
        lines=[Line("1001", Decimal("1"), price=Decimal("10.10"))],
    )
    assert client.post("/cxml/coupa-demo", content=body).status_code == 200
    [listed] = client.get("/orders").json()
    assert Decimal(listed["total"]) == Decimal("10.10")
    order = client.get(f"/orders/{listed['id']}").json()
    assert order["document"]["lines"][0]["unit_price"] == "10.10"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/orders", "partner"),
        ("/orders", "order_id"),
        ("/documents", "partner"),
        ("/documents", "kind"),
        ("/documents", "payload_id"),
        ("/documents", "correlation_id"),
        ("/dead-letters", "partner"),
        ("/outbox", "partner"),
    ],
)
def test_control_characters_in_filters_are_named_in_a_422(
    client: TestClient, path: str, parameter: str
) -> None:
    response = client.get(path, params={parameter: "coupa\x00demo"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert f"query parameter `{parameter}`" in response.json()["detail"]
    assert client.get(path, params={parameter: "x" * 256}).status_code == 422
    assert client.get(path, params={parameter: "coupa-demo"}).status_code == 200


def test_dates_in_filters_are_iso_8601_never_epoch_seconds(client: TestClient) -> None:
    response = client.get("/documents", params={"before": "0"})
    assert response.status_code == 422
    assert "query parameter `before`" in response.json()["detail"]
    assert client.get("/documents", params={"before": "2026-01-01T00:00:00Z"}).status_code == 200


def test_an_offset_beyond_any_database_integer_is_a_422(client: TestClient) -> None:
    response = client.get("/orders", params={"offset": str(10**22)})
    assert response.status_code == 422
    assert "query parameter `offset`" in response.json()["detail"]


def test_the_message_log_filters_by_every_outcome_it_records(client: TestClient) -> None:
    """Every `DocumentOutcome` is a filter value (the list is the enum, so it cannot drift)."""
    from gateway_api.store.records import DocumentOutcome
    from tests.support.x12_documents import EDI_DEMO, EDI_DEMO_TOKEN, interchange, order_850

    sets = [order_850("RT-OUT", [("AC-1001", 1, "1")])]
    test_data = interchange(sets, control="000000777", usage="T", **EDI_DEMO)
    headers = {"Authorization": f"Bearer {EDI_DEMO_TOKEN}", "Content-Type": "application/edi-x12"}
    assert client.post("/edi/x12/edi-demo", content=test_data, headers=headers).status_code == 200
    for outcome in DocumentOutcome:
        answer = client.get("/documents", params={"outcome": outcome.value})
        assert answer.status_code == 200, (outcome, answer.text)
        assert {d["outcome"] for d in answer.json()} <= {outcome.value}
    [logged] = client.get("/documents", params={"outcome": "test"}).json()
    assert logged["partner"] == "edi-demo"
    assert client.get("/documents", params={"outcome": "lost"}).status_code == 422
