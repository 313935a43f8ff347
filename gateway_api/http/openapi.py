"""The published OpenAPI document: tags, operation ids, and the problem+json answers it promises.

FastAPI documents every validation failure as `HTTPValidationError` in `application/json`, while
this API answers problem+json (`problems.py`); `with_problem_details` rewrites those entries and
adds the `Problem` schema, so the document says what the server really sends. Routes declare
their other refusals (401, 404, 409) with the helpers below.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from gateway_api.http.problems import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"

TAGS: list[dict[str, str]] = [
    {
        "name": "orders",
        "description": "Purchase orders as the hub holds them: canonical JSON, status, history.",
    },
    {
        "name": "fulfilment",
        "description": (
            "The supplier's answers to an order (confirmations, ship notices, invoices, credit "
            "memos), each queued in the outbox and delivered to the partner exactly once."
        ),
    },
    {
        "name": "carrier shipments",
        "description": (
            "Shipments booked with cargo carriers (Yurtici, MNG, Aras): label data, tracking "
            "events, cancellation; the first pickup sends the buyer's ship notice."
        ),
    },
    {
        "name": "documents",
        "description": "The document log: every body received or sent, with its raw bytes.",
    },
    {
        "name": "dead letters",
        "description": "Documents kept but not applied, with why; replay them after a fix.",
    },
    {
        "name": "reconciliation",
        "description": (
            "What the scheduled reconciliation found fell through (overdue confirmations, ship "
            "notices and acknowledgements, mismatched lines, stuck documents); a finding closes "
            "itself when the data is fixed."
        ),
    },
    {"name": "partners", "description": "Partner profiles and their state (broken: why)."},
    {
        "name": "operations",
        "description": "Health for load balancers and Prometheus metrics for monitoring.",
    },
]
"""Tag descriptions; each ingress adds its own (`<name> ingress`) from its connector."""


class FieldProblem(BaseModel):
    """One invalid input."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    loc: list[str | int]
    """Where: `body`, `query` or `path`, then the field names and list indexes."""
    msg: str
    """What is wrong with it."""
    type: str
    """pydantic's error type (`missing`, `less_than`, `value_error`...)."""


class Problem(BaseModel):
    """An RFC 9457 problem: every error of the JSON API (and of the EDI ingresses' refusals)."""

    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)

    type: str = "about:blank"
    """Always `about:blank`: `title` and `status` say it all."""
    title: str
    """Short summary of the kind of problem."""
    status: int
    """The HTTP status."""
    detail: str | None = None
    """What is wrong in this request and what to do, as a sentence."""
    errors: list[FieldProblem] | None = None
    """For a 422 on an invalid request: every field at fault."""


def problem(description: str) -> dict[str, Any]:
    """An OpenAPI response answered as problem+json."""
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: problem(
        "`B2CONNECT_ADMIN_TOKEN` is set and the request does not carry it as "
        "`Authorization: Bearer <token>`"
    )
}
"""Every operator endpoint."""


def not_found(what: str) -> dict[int | str, dict[str, Any]]:
    """The 404 of an endpoint addressing one `what` by id."""
    return {404: problem(f"No {what} has this id")}


def conflict(meaning: str) -> dict[int | str, dict[str, Any]]:
    """The 409 of an action the current state forbids."""
    return {409: problem(meaning)}


def operation_id(route: APIRoute) -> str:
    """The endpoint function's name (`list_orders`), instead of FastAPI's
    `list_orders_orders_get`: client generators turn it into a method name."""
    return route.name


def with_problem_details(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every 422 answered as problem+json and the `Problem` schema added."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                responses.setdefault(
                    "400", problem("The body is not JSON (or not UTF-8): send a JSON object")
                )
            if "422" in responses:
                responses["422"] = problem(
                    "The request is not valid: `detail` names each field at fault and why, "
                    "`errors` lists them"
                )
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


__all__ = [
    "PROBLEM_REF",
    "TAGS",
    "UNAUTHORIZED",
    "FieldProblem",
    "Problem",
    "conflict",
    "not_found",
    "operation_id",
    "problem",
    "with_problem_details",
]
