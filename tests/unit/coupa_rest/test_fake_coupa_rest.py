"""The fake Coupa itself: filters, caps, refusals, JSON bytes, keep-alive, determinism."""

from __future__ import annotations

import http.client
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from connectors.testing.fake_coupa_rest import FAKE_BASE_URL, JSON_CONTENT_TYPE, FakeCoupaRest
from tests.support.clock import FakeClock
from tests.unit.coupa_rest.conftest import CLIENT_ID, CLIENT_SECRET

ORDERS = f"{FAKE_BASE_URL}/api/purchase_orders"


def _token(client: httpx.Client, scope: str = "") -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
    form |= {"client_secret": CLIENT_SECRET, "scope": scope}
    response = client.post(f"{FAKE_BASE_URL}/oauth2/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def client(coupa: FakeCoupaRest) -> httpx.Client:
    """A plain client on the fake with a valid bearer token."""
    plain = httpx.Client(transport=coupa.transport())
    plain.headers["Authorization"] = f"Bearer {_token(plain)}"
    return plain


def _ids(client: httpx.Client, **params: str) -> list[int]:
    response = client.get(ORDERS, params=params)
    assert response.status_code == 200, response.text
    return [data["id"] for data in response.json()]


def test_limit_is_capped_at_50_and_offset_pages(client: httpx.Client, coupa: FakeCoupaRest) -> None:
    ids = coupa.generate_orders(120)
    assert _ids(client, limit="500") == ids[:50]
    assert _ids(client) == ids[:50]
    assert _ids(client, limit="10", offset="115") == ids[115:]
    assert _ids(client, offset="500") == []


def test_filters_and_ordering(client: httpx.Client, coupa: FakeCoupaRest, clock: FakeClock) -> None:
    early = coupa.generate_orders(3)
    clock.advance(hours=1)
    late = coupa.generate_orders(2)
    stamp = coupa.order(late[0])["updated-at"]
    assert _ids(client, **{"updated-at[gt_or_eq]": stamp}) == late
    assert _ids(client, **{"updated_at[gt]": stamp}) == []
    assert _ids(client, **{"updated-at[gt]": coupa.order(early[0])["updated-at"]}) == late
    assert _ids(client, order_by="id", dir="desc") == [*reversed(late), *reversed(early)]
    clock.advance(hours=1)
    coupa.revise(early[0])
    assert _ids(client, order_by="updated-at", dir="asc") == [*early[1:], *late, early[0]]
    client.put(f"{ORDERS}/{late[1]}", params={"exported": "true"})
    assert late[1] not in _ids(client, exported="false")
    assert _ids(client, exported="true") == [late[1]]


@pytest.mark.parametrize(
    "params",
    [
        {"exported": "no"},
        {"limit": "0"},
        {"offset": "-1"},
        {"order_by": "po-number"},
        {"dir": "up"},
        {"updated-at[gt]": "yesterday"},
        {"status": "issued"},  # not implemented, so refused rather than ignored
    ],
)
def test_arguments_it_does_not_understand_are_a_400(
    client: httpx.Client, params: dict[str, str]
) -> None:
    response = client.get(ORDERS, params=params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) != []


def test_no_match_is_an_empty_json_list_with_200(client: httpx.Client) -> None:
    response = client.get(ORDERS, params={"exported": "false"})
    assert (response.status_code, response.content) == (200, b"[]")
    assert response.headers["Content-Type"] == JSON_CONTENT_TYPE


def test_json_is_utf8_without_escapes(client: httpx.Client, coupa: FakeCoupaRest) -> None:
    coupa.generate_orders(3)
    body = client.get(ORDERS).content
    assert "İstanbul".encode() in body
    assert b"\\u" not in body


def test_api_calls_need_a_valid_token_with_the_right_scope(
    coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    (po_id,) = coupa.generate_orders(1)
    plain = httpx.Client(transport=coupa.transport())
    assert plain.get(ORDERS).status_code == 401
    assert plain.get(ORDERS, headers={"Authorization": "Bearer nope"}).status_code == 401
    read_only = _token(plain, scope="core.purchase_order.read")
    headers = {"Authorization": f"Bearer {read_only}"}
    assert plain.get(ORDERS, headers=headers).status_code == 200
    assert plain.get(f"{ORDERS}/{po_id}", headers=headers).status_code == 200
    put = plain.put(f"{ORDERS}/{po_id}", params={"exported": "true"}, headers=headers)
    assert put.status_code == 403
    clock.advance(seconds=86399)
    assert plain.get(ORDERS, headers=headers).status_code == 401
    assert [r.token_valid for r in coupa.api_requests()] == [False, False, True, True, True, False]


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"scope": "core.purchase_order.read core.everything.admin"}, 400, "invalid_scope"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_the_token_endpoint_refuses_like_rfc_6749(
    coupa: FakeCoupaRest, form: dict[str, str], status: int, error: str
) -> None:
    body = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
    body |= {"client_secret": CLIENT_SECRET} | form
    plain = httpx.Client(transport=coupa.transport())
    response = plain.post(f"{FAKE_BASE_URL}/oauth2/token", data=body)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert coupa.tokens_issued == 0


def test_the_token_endpoint_takes_http_basic_too(coupa: FakeCoupaRest) -> None:
    plain = httpx.Client(transport=coupa.transport(), auth=(CLIENT_ID, CLIENT_SECRET))
    response = plain.post(
        f"{FAKE_BASE_URL}/oauth2/token", data={"grant_type": "client_credentials"}
    )
    assert response.json()["expires_in"] == 86399
    assert response.json()["token_type"] == "bearer"


def test_updates_and_unknown_resources(client: httpx.Client, coupa: FakeCoupaRest) -> None:
    (po_id,) = coupa.generate_orders(1)
    assert client.put(f"{ORDERS}/999999", params={"exported": "true"}).status_code == 404
    assert client.put(f"{ORDERS}/{po_id}", params={"status": "closed"}).status_code == 400
    assert client.get(f"{FAKE_BASE_URL}/api/invoices").status_code == 404
    assert client.delete(f"{ORDERS}/{po_id}").status_code == 405
    answer = client.put(f"{ORDERS}/{po_id}", params={"exported": "true"}).json()
    assert answer["exported"] is True


def test_revise_and_cancel(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    (po_id,) = coupa.generate_orders(1)
    before = coupa.order(po_id)
    clock.advance(minutes=1)
    revised = coupa.revise(po_id)
    assert (revised["version"], revised["exported"]) == (2, False)
    assert revised["updated-at"] > before["updated-at"]
    first_before = before["order-lines"][0]["quantity"]
    assert revised["order-lines"][0]["quantity"] != first_before
    cancelled = coupa.cancel(po_id)
    assert (cancelled["status"], cancelled["version"]) == ("cancelled", 2)


def test_generated_orders_are_deterministic() -> None:
    def orders() -> list[dict[str, Any]]:
        fake = FakeCoupaRest(clock=FakeClock())
        fake.generate_orders(20)
        return fake.orders()

    assert orders() == orders()


def test_the_request_log_and_fault_marks(client: httpx.Client, coupa: FakeCoupaRest) -> None:
    coupa.fail_next(2, status=500)
    assert client.get(ORDERS).status_code == 500
    assert client.get(ORDERS).status_code == 500
    assert client.get(ORDERS, params={"limit": "5"}).status_code == 200
    log = coupa.api_requests()
    assert [(r.status, r.injected) for r in log] == [(500, "error"), (500, "error"), (200, None)]
    assert log[2].argument("limit") == "5"
    with pytest.raises(ValueError, match="5xx"):
        coupa.fail_next(status=404)
    with pytest.raises(ValueError, match="at least 1"):
        coupa.rate_limit_next(0)


def test_live_connections_are_kept_alive(coupa: FakeCoupaRest) -> None:
    coupa.generate_orders(2)
    with coupa.serve() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        body = f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/oauth2/token", body=body, headers=form)
        token = json.loads(connection.getresponse().read())["access_token"]
        socket_before = connection.sock
        connection.request(
            "GET", "/api/purchase_orders", headers={"Authorization": f"Bearer {token}"}
        )
        response = connection.getresponse()
        assert response.status == 200
        assert len(json.loads(response.read())) == 2
        assert connection.sock is socket_before  # the same TCP connection served both
        connection.close()


def test_token_lifetime_is_configurable(clock: FakeClock) -> None:
    fake = FakeCoupaRest(clock=clock, token_lifetime=timedelta(minutes=10))
    fake.add_client(CLIENT_ID, CLIENT_SECRET)
    plain = httpx.Client(transport=fake.transport())
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
    form["client_secret"] = CLIENT_SECRET
    assert plain.post(f"{FAKE_BASE_URL}/oauth2/token", data=form).json()["expires_in"] == 600
    assert "s3cr3t" not in repr(fake)
