"""Mutated JSON at the operator and fulfilment endpoints: problem+json for a 4xx, never a 5xx.

The bodies of `POST /orders/{id}/confirmations|shipments|invoices|credit-memos` start valid for
a stored two-line order (what each action needs first is done before it: a shipment before an
invoice, an invoice before a credit memo) and get huge, negative, empty, NUL-carrying and wrongly
typed values, deleted and unexpected keys, and broken bytes. The list filters of `/orders`,
`/documents`, `/dead-letters` and `/outbox` get arbitrary text (NUL included). Every request
carries the admin token, which must never be echoed or stored, nor may a partner's secret.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import given
from hypothesis import strategies as st

from gateway_api.runtime import Runtime
from tests.fuzz.conftest import ADMIN_TOKEN, CXML_SECRETS, OPERATOR, fuzz_settings
from tests.fuzz.mutations import ODD_JSON, json_bodies
from tests.fuzz.properties import problem_json, reset_store, secrets_readable, verdict
from tests.support.cxml_builder import Line, order_request

SHIP_DATES = {
    "delivery_date": "2026-12-03T12:00:00+00:00",
    "shipment_date": "2026-12-01T08:00:00+00:00",
}
SHIPMENT = {
    **SHIP_DATES,
    "lines": [{"line_number": 1, "quantity": "3"}, {"line_number": 2, "quantity": "1"}],
    "shipment_id": "S-FUZZ-1",
    "carrier": {"scac": "UPSN", "name": "UPS"},
    "tracking_numbers": ["1Z999AA10123456784"],
    "packages": [{"package_id": "PKG-1", "gross_weight": "2.5", "weight_unit": "KGM"}],
    "comments": "left the dock",
}
INVOICE = {
    "lines": [{"line_number": 1, "quantity": "2"}],
    "invoice_id": "I-FUZZ-1",
    "tax_rate": "8.25",
    "tax_category": "vat",
    "shipping": "5.00",
    "payment_terms_days": 30,
    "comments": "thank you",
}
ACTIONS: dict[str, list[dict[str, Any]]] = {
    "confirmations": [
        {"type": "accept", **SHIP_DATES, "comments": "ok", "confirmation_id": "C-FUZZ-1"},
        {
            "type": "detail",
            "lines": [
                {"line_number": 1, "accepted": "6", "backordered": "2", "rejected": "2"},
                {"line_number": 2, "accepted": "4", **SHIP_DATES, "comments": "all of it"},
            ],
        },
        {"type": "reject", "comments": "out of stock"},
    ],
    "shipments": [SHIPMENT, {**SHIPMENT, "lines": []}],
    "invoices": [INVOICE, {"lines": []}],
    "credit-memos": [{"amount": "1.00", "reason": "damaged in transit", "invoice_id": "CM-1"}],
}
PREREQUISITES = {"invoices": ["shipments"], "credit-memos": ["shipments", "invoices"]}
LISTS = {
    "/orders": ("partner", "status", "order_id", "limit", "offset"),
    "/documents": (
        "partner",
        "direction",
        "kind",
        "outcome",
        "payload_id",
        "correlation_id",
        "before",
        "limit",
    ),
    "/dead-letters": ("status", "partner", "limit"),
    "/outbox": ("status", "partner", "limit"),
}
SECRETS = [ADMIN_TOKEN, *sorted(set(CXML_SECRETS.values()))]


def stored_order(client: TestClient, runtime: Runtime, *, reset: bool = True) -> str:
    """A fresh store holding one two-line Coupa order; its id."""
    if reset:
        reset_store(runtime.engine)
    body = order_request(
        partner="coupa-demo",
        order_id="PO-FUZZ-JSON",
        payload_id="po-fuzz-json@buyer.example",
        lines=[Line("1001", Decimal("10")), Line("1002", Decimal("4"), price=Decimal("3.25"))],
    )
    answer = client.post("/cxml/coupa-demo", content=body, headers={"Content-Type": "text/xml"})
    assert answer.status_code == 200, answer.text
    (order,) = client.get("/orders", headers=OPERATOR).json()
    order_id: str = order["id"]
    return order_id


def request(client: TestClient, method: str, url: str, **options: Any) -> Response | str:
    """The answer, or the unhandled exception the app raised (a 500 for a real client)."""
    try:
        response: Response = client.request(method, url, **options)
    except Exception as error:  # every escape is the finding
        return f"HTTP 500: unhandled {type(error).__name__}: {str(error)[:200]}"
    return response


def checked(response: Response | str) -> list[str]:
    """`json_answer` of a response; the escape itself when the app raised."""
    if isinstance(response, str):
        return [response]
    content_type = response.headers.get("content-type", "")
    return json_answer(response.status_code, content_type, response.content)


def json_answer(status: int, content_type: str, answer: bytes) -> list[str]:
    """JSON for a 2xx, problem+json for a 4xx, never a 5xx."""
    if status >= 500:
        return [f"HTTP {status}: {answer[:200]!r}"]
    if status >= 400:
        return problem_json(status, content_type, answer)
    try:
        json.loads(answer)
    except ValueError:
        return [f"HTTP {status} with a body that is not JSON: {answer[:120]!r}"]
    return []


def test_every_valid_body_is_taken(client: TestClient, runtime: Runtime) -> None:
    """The unmutated bodies succeed (else the fuzzing starts from refusals)."""
    for action, bodies in ACTIONS.items():
        for body in bodies:
            order = stored_order(client, runtime)
            for before in PREREQUISITES.get(action, []):
                prior = client.post(
                    f"/orders/{order}/{before}", json=ACTIONS[before][0], headers=OPERATOR
                )
                assert prior.status_code == 201, prior.text
            response = client.post(f"/orders/{order}/{action}", json=body, headers=OPERATOR)
            assert response.status_code == 201, (action, body, response.text)


def _post_action(
    client: TestClient, runtime: Runtime, action: str, data: bytes, steps: Sequence[str]
) -> None:
    """Post `data` to `action` of a fresh order (after what it needs) and check the answer."""
    order = stored_order(client, runtime)
    for before in PREREQUISITES.get(action, []):
        prior = client.post(f"/orders/{order}/{before}", json=ACTIONS[before][0], headers=OPERATOR)
        assert prior.status_code == 201, prior.text
    response = request(
        client,
        "POST",
        f"/orders/{order}/{action}",
        content=data,
        headers={**OPERATOR, "Content-Type": "application/json"},
    )
    answer = response.content if isinstance(response, Response) else b""
    problems = [*checked(response), *secrets_readable(runtime.engine, SECRETS, answer=answer)]
    verdict(problems, test=f"json {action}", steps=[action, *steps], body=data)


HARD_BODIES = {
    # Found by fuzzing (issue 9, item 9): each must be refused with problem+json, never a 500.
    "credit of 1e26": ("credit-memos", {"amount": "1e26", "reason": "x"}),
    "credit of 10^30 as a number": ("credit-memos", {"amount": 10**30, "reason": "x"}),
    "shipping of 1e26": ("invoices", {**INVOICE, "shipping": "1e26"}),
    "quantity of 1e26": (
        "shipments",
        {**SHIPMENT, "lines": [{"line_number": 1, "quantity": "1e26"}]},
    ),
    "line number of 10^30": ("invoices", {"lines": [{"line_number": 10**30, "quantity": "1"}]}),
    "NUL in a tracking number": ("shipments", {**SHIPMENT, "tracking_numbers": ["1Z\x00"]}),
    "NUL in the comments": ("confirmations", {"type": "reject", "comments": "a\x00b"}),
    "delivery date 0": ("shipments", {**SHIPMENT, "delivery_date": 0}),
}


@pytest.mark.parametrize("name", sorted(HARD_BODIES))
def test_hard_bodies_found_by_fuzzing(client: TestClient, runtime: Runtime, name: str) -> None:
    action, body = HARD_BODIES[name]
    _post_action(client, runtime, action, json.dumps(body).encode(), [name])


@pytest.mark.parametrize(("path", "name"), [(p, n) for p in sorted(LISTS) for n in LISTS[p]])
def test_nul_in_every_list_filter_is_refused_not_500(
    client: TestClient, runtime: Runtime, path: str, name: str
) -> None:
    stored_order(client, runtime)
    response = request(client, "GET", path, params={name: "a\x00b"}, headers=OPERATOR)
    steps = [f"{path}?{name}=a%00b"]
    verdict(checked(response), test=f"query {path}", steps=steps, body=b"")


@st.composite
def action_bodies(draw: Any) -> tuple[str, bytes, tuple[str, ...]]:
    """An action and a mutated body for it."""
    action = draw(st.sampled_from(sorted(ACTIONS)))
    data, steps = draw(json_bodies(ACTIONS[action]))
    return action, data, steps


@fuzz_settings(120)
@given(case=action_bodies())
def test_mutated_fulfilment_json_gets_problem_json_never_5xx(
    client: TestClient, runtime: Runtime, case: tuple[str, bytes, tuple[str, ...]]
) -> None:
    action, data, steps = case
    _post_action(client, runtime, action, data, steps)


FILTER_TEXT = st.one_of(
    st.sampled_from(
        ["\x00", "a\x00", "%00", "coupa-demo\x00", "'", "%", "_", "\\", "\ufffd", "-1", "0", "1e26"]
    ),
    st.sampled_from([str(v) for v in ODD_JSON if isinstance(v, str) and "\ud800" not in v]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)


@st.composite
def list_queries(draw: Any) -> tuple[str, dict[str, str]]:
    """A list endpoint and filters with arbitrary text."""
    path = draw(st.sampled_from(sorted(LISTS)))
    names = draw(st.lists(st.sampled_from(LISTS[path]), min_size=1, max_size=3, unique=True))
    return path, {name: draw(FILTER_TEXT) for name in names}


@fuzz_settings(80)
@given(query=list_queries())
def test_list_filters_with_any_text_get_problem_json_never_5xx(
    client: TestClient, runtime: Runtime, query: tuple[str, dict[str, str]]
) -> None:
    path, params = query
    if not client.get("/orders", headers=OPERATOR).json():
        stored_order(client, runtime, reset=False)
    response = request(client, "GET", path, params=params, headers=OPERATOR)
    answer = response.content if isinstance(response, Response) else b""
    problems = [*checked(response), *secrets_readable(runtime.engine, [ADMIN_TOKEN], answer=answer)]
    verdict(problems, test=f"query {path}", steps=[f"{path} {params!r}"], body=b"")
