"""The published OpenAPI document says what the server really answers, and the docs work offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    served: dict[str, Any] = client.get("/openapi.json").json()
    return served


def test_the_document_needs_no_database() -> None:
    from gateway_api.http.app import openapi_document

    assert openapi_document()["paths"]["/orders"]["get"]["operationId"] == "list_orders"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_operation_ids_are_the_endpoint_names(document: dict[str, Any]) -> None:
    ids = {f"{m} {p}": op["operationId"] for m, p, op in _operations(document)}
    assert ids["GET /orders"] == "list_orders"
    assert ids["POST /orders/{order_uuid}/shipments"] == "ship_order"
    assert ids["POST /cxml/{partner_key}"] == "receive_cxml"
    assert len(set(ids.values())) == len(ids)
    # FastAPI's default appends the path and the method: `list_orders_orders_get`.
    assert not [i for i in ids.values() if re.search(r"_(get|post)$", i)]


def test_validation_errors_are_documented_as_problem_json(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        invalid = operation["responses"].get("422")
        if invalid is None:
            continue
        assert list(invalid["content"]) == ["application/problem+json"], f"{method} {path}"
        assert invalid["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"title", "status", "detail", "errors"} <= set(schemas["Problem"]["properties"])


def test_operator_refusals_are_documented(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        operator = not path.startswith(("/cxml", "/edi", "/health"))
        if operator:
            assert "401" in responses, f"{method} {path}"
        if operator and "{" in path:
            assert "404" in responses, f"{method} {path}"
        if method == "POST" and path.startswith("/orders/"):
            assert {"404", "409", "422"} <= set(responses), f"{method} {path}"
            problem = responses["409"]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_each_cxml_refusal_has_its_own_answer(document: dict[str, Any]) -> None:
    responses = document["paths"]["/cxml/{partner_key}"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "406", "409", "413", "503"}
    for status in ("400", "401", "413", "503"):
        [(media_type, content)] = responses[status]["content"].items()
        assert media_type == "text/xml"
        assert f'<Status code="{status}"' in content["example"]
    for status in ("406", "409"):
        assert "text/xml" in responses[status]["content"]


def test_edi_refusals_are_problem_json_and_202_has_no_body(document: dict[str, Any]) -> None:
    for path in ("/edi/x12/{partner_key}", "/edi/edifact/{partner_key}"):
        responses = document["paths"][path]["post"]["responses"]
        assert "content" not in responses["202"]
        for status in ("400", "401", "413", "503"):
            content = responses[status]["content"]["application/problem+json"]
            assert content["example"]["status"] == int(status)


def test_every_tag_is_described(document: dict[str, Any]) -> None:
    described = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for _, _, operation in _operations(document) for tag in operation["tags"]}
    assert used <= set(described)
    assert all(described[tag] for tag in used)


def test_the_docs_load_nothing_from_a_cdn(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+\.(?:js|css))['"]""", page.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    redoc = client.get("/redoc")
    assert redoc.status_code == 200
    assert "cdn" not in redoc.text.lower()


def test_the_root_leads_to_the_docs(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in {302, 307}
    assert response.headers["location"] == "/docs"
