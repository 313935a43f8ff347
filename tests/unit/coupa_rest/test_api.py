"""`CoupaPurchaseOrderApi` against the fake Coupa: paging while exporting, revisions, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.core.errors import (
    ConfigError,
    MalformedDocumentError,
    RateLimitedError,
    RejectedByPartnerError,
    TransientError,
)
from connectors.core.http import HttpSettings, build_http_client
from connectors.core.oauth2 import OAuth2ClientCredentials
from connectors.coupa_rest.api import (
    CoupaPurchaseOrderApi,
    coupa_error_messages,
    instance_base_url,
)
from connectors.coupa_rest.purchase_order import (
    CoupaRestRules,
    purchase_order_key,
    purchase_order_updated_at,
    read_purchase_order,
)
from connectors.testing.fake_coupa_rest import FAKE_BASE_URL, FakeCoupaRest
from schemas import OrderChange
from tests.support.clock import FakeClock
from tests.unit.coupa_rest.conftest import Wired, wire

RULES = CoupaRestRules(buyer_identity="fake.coupahost.com")


def _pull_all(wired: Wired, *, use_cursor: bool) -> tuple[list[int], int]:
    """Read page after page, marking each order exported; the order ids read and page count."""
    seen: list[int] = []
    pages = 0
    cursor: datetime | None = None
    while True:
        page = wired.api.list_unexported(updated_since=cursor)
        pages += 1
        if not page:
            return seen, pages
        assert len(page) <= 50
        for data in page:
            seen.append(data["id"])
            wired.api.mark_exported(data["id"])
        if use_cursor:
            cursor = purchase_order_updated_at(page[-1], tz=UTC)


@pytest.mark.parametrize("use_cursor", [False, True], ids=["no-cursor", "cursor"])
def test_250_orders_are_read_page_by_page_each_exactly_once(
    both: Wired, coupa: FakeCoupaRest, use_cursor: bool
) -> None:
    ids = coupa.generate_orders(250)

    seen, pages = _pull_all(both, use_cursor=use_cursor)

    assert sorted(seen) == ids
    assert len(seen) == len(set(seen)) == 250
    assert pages == 6  # five full pages, then []
    assert all(order["exported"] for order in coupa.orders())
    lists = [r for r in coupa.api_requests() if r.method == "GET"]
    assert [r.status for r in lists] == [200] * 6
    for request in lists:
        assert request.argument("exported") == "false"
        assert request.argument("limit") == "50"
        assert (request.argument("order_by"), request.argument("dir")) == ("updated-at", "asc")
        assert request.argument("offset") is None
    if use_cursor:  # the offset survives the query string (`+` is not a space)
        assert (
            lists[-1].argument(
                "updated-at[gt_or_eq]",
            )
            is not None
        )
        assert str(lists[-1].argument("updated-at[gt_or_eq]")).endswith("+03:00")
    assert both.auth.tokens_fetched == 1


def test_offset_paging_over_the_shrinking_set_would_skip_orders(
    wired: Wired, coupa: FakeCoupaRest
) -> None:
    """Why `list_unexported` never pages by offset: marking page one moves page two to 0."""
    ids = coupa.generate_orders(150)
    seen: list[int] = []
    for offset in (0, 50, 100):
        response = wired.client.get(
            f"{FAKE_BASE_URL}/api/purchase_orders",
            params={"exported": "false", "offset": str(offset)},
            auth=wired.auth,
        )
        assert response.status_code == 200
        for data in response.json():
            seen.append(data["id"])
            wired.api.mark_exported(data["id"])
    assert len(seen) == 100
    assert set(ids) - set(seen)


def test_a_revised_order_comes_back_as_version_2_and_reads_as_an_update(
    wired: Wired, coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    ids = coupa.generate_orders(3)
    first, _ = _pull_all(wired, use_cursor=False)
    assert sorted(first) == ids
    clock.advance(minutes=5)

    coupa.revise(ids[1])
    page = wired.api.list_unexported(updated_since=None)

    assert [data["id"] for data in page] == [ids[1]]
    order = read_purchase_order(page[0], tz=UTC, rules=RULES)
    assert (order.change, order.version) == (OrderChange.UPDATE, 2)
    assert purchase_order_key(page[0]) == f"{ids[1]}:2"
    wired.api.mark_exported(ids[1])
    assert wired.api.list_unexported(updated_since=None) == []


def test_a_cancelled_order_comes_back_as_a_delete_with_its_own_key(
    wired: Wired, coupa: FakeCoupaRest
) -> None:
    ids = coupa.generate_orders(2)
    _pull_all(wired, use_cursor=False)
    coupa.cancel(ids[0])
    (data,) = wired.api.list_unexported(updated_since=None)
    assert read_purchase_order(data, tz=UTC, rules=RULES).change is OrderChange.DELETE
    assert purchase_order_key(data) == f"{ids[0]}:1:cancelled"


def test_the_filter_asks_for_whole_seconds_with_the_offset(
    wired: Wired, coupa: FakeCoupaRest
) -> None:
    since = datetime(2024, 1, 10, 9, 20, 11, 999_000, tzinfo=timezone(timedelta(hours=3)))
    wired.api.list_unexported(updated_since=since, limit=500)
    (request,) = coupa.api_requests()
    assert request.argument("updated-at[gt_or_eq]") == "2024-01-10T09:20:11+03:00"
    assert request.argument("limit") == "50"


def test_bad_arguments_are_programming_errors(wired: Wired) -> None:
    with pytest.raises(ValueError, match="aware"):
        wired.api.list_unexported(updated_since=datetime(2024, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="limit"):
        wired.api.list_unexported(updated_since=None, limit=0)
    for po_id in (0, -1, True, "12"):
        with pytest.raises(ValueError, match="positive integer"):
            wired.api.mark_exported(po_id)  # type: ignore[arg-type]


def test_mark_exported_is_one_put_with_exported_true_only(
    wired: Wired, coupa: FakeCoupaRest
) -> None:
    (po_id,) = coupa.generate_orders(1)
    wired.api.mark_exported(po_id)
    (request,) = coupa.api_requests()
    assert (request.method, request.path, request.query) == (
        "PUT",
        f"/api/purchase_orders/{po_id}",
        (("exported", "true"),),
    )
    assert coupa.order(po_id)["exported"] is True


def test_429_is_rate_limited_with_the_retry_after_of_the_header(
    both: Wired, coupa: FakeCoupaRest
) -> None:
    coupa.generate_orders(3)
    coupa.rate_limit_next(retry_after=17)
    with pytest.raises(RateLimitedError) as caught:
        both.api.list_unexported(updated_since=None)
    assert caught.value.retry_after == 17.0
    assert "Rate limit exceeded" in str(caught.value)
    assert len(both.api.list_unexported(updated_since=None)) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_transient(both: Wired, coupa: FakeCoupaRest, status: int) -> None:
    coupa.fail_next(status=status)
    with pytest.raises(TransientError) as caught:
        both.api.list_unexported(updated_since=None)
    assert not isinstance(caught.value, RateLimitedError)
    assert f"HTTP {status}" in str(caught.value)


def test_a_slow_answer_times_out_as_transient(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    quick = HttpSettings(timeout_seconds=0.3, connect_timeout_seconds=0.3)
    in_process = wire(coupa, clock, settings=quick)
    coupa.slow_next(seconds=5)
    with pytest.raises(TransientError, match="timed out"):
        in_process.api.list_unexported(updated_since=None)
    with coupa.serve() as base_url:
        live = wire(coupa, clock, base_url, live=True, settings=quick)
        coupa.slow_next(seconds=5)
        with pytest.raises(TransientError, match="timed out"):
            live.api.list_unexported(updated_since=None)
        coupa.slow_next(seconds=0.05)  # late but in time: answered
        assert live.api.list_unexported(updated_since=None) == []
        live.client.close()


# -- answers the fake does not give: a canned Coupa behind a MockTransport ------------------


def _canned(status: int, body: bytes, content_type: str = "application/json") -> Wired:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            token = {"access_token": "t", "token_type": "bearer", "expires_in": 86399}
            return httpx.Response(200, json=token)
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})

    clock = FakeClock()
    client = build_http_client(transport=httpx.MockTransport(handle))
    auth = OAuth2ClientCredentials(
        f"{FAKE_BASE_URL}/oauth2/token",
        client_id="c",
        client_secret=SecretStr("s"),
        scopes=(),
        clock=clock,
    )
    api = CoupaPurchaseOrderApi(client, base_url=FAKE_BASE_URL, auth=auth, clock=clock)
    return Wired(api, auth, client, FAKE_BASE_URL)


def _list(wired: Wired) -> list[dict[str, Any]]:
    return wired.api.list_unexported(updated_since=None)


def test_a_non_json_200_is_a_transient_proxy_page() -> None:
    wired = _canned(200, b"<html>Maintenance</html>", "text/html")
    with pytest.raises(TransientError, match=r"not JSON \(text/html\)"):
        _list(wired)


@pytest.mark.parametrize(
    ("body", "location"),
    [(b'{"id": 1}', "$"), (b"null", "$"), (b'[{"id": 1}, 7]', "$[1]"), (b'["x"]', "$[0]")],
)
def test_json_that_is_not_a_list_of_objects_is_malformed(body: bytes, location: str) -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        _list(_canned(200, body))
    assert caught.value.location == location


def test_an_empty_list_is_no_orders_and_decimals_stay_decimal() -> None:
    assert _list(_canned(200, b"[]")) == []
    (data,) = _list(_canned(200, b'[{"id": 1, "total": 10.50}]'))
    assert data["total"] == Decimal("10.50")


def test_errors_in_a_200_are_a_refusal() -> None:
    with pytest.raises(RejectedByPartnerError, match="purchase-order: Supplier can't be blank"):
        _list(_canned(200, b'{"errors": {"purchase-order": ["Supplier can\'t be blank"]}}'))


def test_a_4xx_carries_coupas_errors_flattened() -> None:
    body = {"errors": {"purchase-order": ["Cost Center can't be blank", "Bad account"]}}
    with pytest.raises(RejectedByPartnerError) as caught:
        _list(_canned(422, json.dumps(body).encode()))
    assert caught.value.status_code == 422
    assert "purchase-order: Cost Center can't be blank; purchase-order: Bad account" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({"errors": "No results match"}, ["No results match"]),
        ({"errors": ["a", "b"]}, ["a", "b"]),
        ({"errors": {"po": ["a"], "line": "b"}}, ["po: a", "line: b"]),
        ({"errors": {"error": ["a"]}}, ["a"]),
        ({"errors": [{"field": "x", "message": "y"}]}, ["field: x", "y"]),
        ({"errors": None}, []),
        ({"message": "no errors key"}, []),
        (["errors"], []),
    ],
)
def test_error_bodies_of_any_shape_are_flattened(body: Any, messages: list[str]) -> None:
    assert coupa_error_messages(json.dumps(body).encode()) == messages


def test_error_bodies_that_are_not_json_give_no_messages() -> None:
    assert coupa_error_messages(b"<errors><error>x</error></errors>") == []
    assert coupa_error_messages(b"\xff\xfe") == []


def test_every_request_asks_for_json(wired: Wired, coupa: FakeCoupaRest) -> None:
    seen: list[httpx.Request] = []
    wired.client.event_hooks["request"].append(seen.append)
    (po_id,) = coupa.generate_orders(1)
    wired.api.list_unexported(updated_since=None)
    wired.api.mark_exported(po_id)
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/oauth2/token"),
        ("GET", "/api/purchase_orders"),
        ("PUT", f"/api/purchase_orders/{po_id}"),
    ]
    assert [r.headers["Accept"] for r in seen] == ["application/json"] * 3


def test_a_shared_client_is_left_alone_and_never_leaks_the_token(
    coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    """The hub's client may serve other partners: Coupa's bearer token stays with Coupa."""
    other_partner: list[httpx.Request] = []
    coupa_transport = coupa.transport()

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "fake.coupahost.com":
            return coupa_transport.handle_request(request)
        other_partner.append(request)
        return httpx.Response(200)

    shared = build_http_client(transport=httpx.MockTransport(route))
    wired = wire(coupa, clock)
    api = CoupaPurchaseOrderApi(shared, base_url=FAKE_BASE_URL, auth=wired.auth, clock=clock)
    api.list_unexported(updated_since=None)
    shared.get("https://logo.example.com/api/v1/items")

    assert shared.auth is None
    assert "Authorization" not in other_partner[0].headers
    assert wired.auth.tokens_fetched == 1
    shared.close()


def test_instance_base_url() -> None:
    assert instance_base_url("Acme-Test") == "https://acme-test.coupahost.com"
    for bad in ("", "acme.evil.com", "acme/x", "-acme"):
        with pytest.raises(ConfigError):
            instance_base_url(bad)


def test_the_api_repr_names_no_secret(wired: Wired) -> None:
    assert "s3cr3t" not in repr(wired.api)
