"""`OAuth2ClientCredentials`: one token, reused, renewed on 401 or before expiry; secrets kept."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import SecretStr

from connectors.core.errors import AuthError, RateLimitedError, TransientError
from connectors.core.http import HttpSettings, build_http_client
from connectors.core.oauth2 import OAuth2ClientCredentials
from connectors.testing.fake_coupa_rest import FakeCoupaRest
from tests.support.clock import FakeClock
from tests.unit.coupa_rest.conftest import CLIENT_ID, CLIENT_SECRET, Wired, wire

LIFETIME = 86399
RENEW_BEFORE = 300


def _statuses(coupa: FakeCoupaRest) -> list[tuple[str, int, bool]]:
    return [(r.path, r.status, r.token_valid) for r in coupa.requests]


def test_the_token_is_fetched_once_and_reused(both: Wired, coupa: FakeCoupaRest) -> None:
    (po_id,) = coupa.generate_orders(1)
    for _ in range(5):
        both.api.list_unexported(updated_since=None)
    both.api.mark_exported(po_id)
    assert both.auth.tokens_fetched == coupa.tokens_issued == 1
    assert all(r.token_valid for r in coupa.api_requests())


def test_the_token_request_is_the_client_credentials_form(coupa: FakeCoupaRest) -> None:
    seen: list[httpx.Request] = []
    clock = FakeClock()
    wired = wire(coupa, clock, scopes=("core.purchase_order.read", "core.supplier.read"))
    wired.client.event_hooks["request"].append(seen.append)
    wired.api.list_unexported(updated_since=None)
    token_request = seen[0]
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(token_request.content.decode())) == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "core.purchase_order.read core.supplier.read",
    }
    assert seen[1].headers["Authorization"] == "Bearer fake-coupa-token-0001"


def test_a_revoked_token_is_renewed_once_and_the_request_repeated_once(
    both: Wired, coupa: FakeCoupaRest
) -> None:
    coupa.generate_orders(2)
    both.api.list_unexported(updated_since=None)
    coupa.revoke_tokens()

    assert len(both.api.list_unexported(updated_since=None)) == 2

    assert both.auth.tokens_fetched == 2
    assert _statuses(coupa)[2:] == [
        ("/api/purchase_orders", 401, False),
        ("/oauth2/token", 200, False),
        ("/api/purchase_orders", 200, True),
    ]


def test_the_token_is_renewed_before_it_expires(
    wired: Wired, coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    wired.api.list_unexported(updated_since=None)
    clock.advance(seconds=LIFETIME - RENEW_BEFORE - 10)
    wired.api.list_unexported(updated_since=None)
    assert wired.auth.tokens_fetched == 1
    clock.advance(seconds=20)  # now inside the last five minutes

    wired.api.list_unexported(updated_since=None)

    assert wired.auth.tokens_fetched == 2
    assert all(status != 401 for _, status, _ in _statuses(coupa))


def test_an_expired_token_is_renewed_on_the_401(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    wired = wire(coupa, clock, renew_before=timedelta(0))
    wired.api.list_unexported(updated_since=None)
    clock.advance(seconds=LIFETIME)  # the fake's clock says expired; ours agrees only now
    wired.api.list_unexported(updated_since=None)
    assert wired.auth.tokens_fetched == 2


def test_a_second_401_after_renewal_is_an_auth_error(clock: FakeClock) -> None:
    coupa = FakeCoupaRest(clock=clock, token_lifetime=timedelta(0))  # every token dead at birth
    coupa.add_client(CLIENT_ID, CLIENT_SECRET)
    wired = wire(coupa, clock)
    with pytest.raises(AuthError, match="HTTP 401"):
        wired.api.list_unexported(updated_since=None)
    assert wired.auth.tokens_fetched == 2
    assert [r.status for r in coupa.api_requests()] == [401, 401]


def test_a_403_for_a_missing_scope_is_an_auth_error_without_renewal(
    coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    wired = wire(coupa, clock, scopes=("core.purchase_order.read",))
    (po_id,) = coupa.generate_orders(1)
    with pytest.raises(AuthError, match="HTTP 403"):
        wired.api.mark_exported(po_id)
    assert wired.auth.tokens_fetched == 1


def test_a_wrong_secret_is_an_auth_error_that_never_shows_the_secret(
    both: Wired, coupa: FakeCoupaRest, clock: FakeClock
) -> None:
    wrong = "wr0ng-Secret-Also-Private-31c"
    wired = wire(coupa, clock, both.base_url, live=both.base_url.startswith("http:"), secret=wrong)
    with pytest.raises(AuthError) as caught:
        wired.api.list_unexported(updated_since=None)
    message = str(caught.value)
    assert "invalid_client" in message
    assert CLIENT_ID in message
    for text in (message, repr(caught.value), repr(wired.auth), repr(wired.api)):
        assert wrong not in text
        assert CLIENT_SECRET not in text
    assert coupa.api_requests() == []
    wired.client.close()


def test_an_unknown_scope_is_an_auth_error(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    wired = wire(coupa, clock, scopes=("core.purchase_order.read", "core.everything.admin"))
    with pytest.raises(AuthError, match=r"invalid_scope: not granted: core\.everything\.admin"):
        wired.api.list_unexported(updated_since=None)


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_token_endpoint_is_transient(
    wired: Wired, coupa: FakeCoupaRest, status: int
) -> None:
    coupa.fail_next(status=status, endpoint="token")
    with pytest.raises(TransientError, match=f"POST .*/oauth2/token.*HTTP {status}"):
        wired.api.list_unexported(updated_since=None)
    wired.api.list_unexported(updated_since=None)
    assert wired.auth.tokens_fetched == 1


def test_a_rate_limited_token_endpoint_is_rate_limited(wired: Wired, coupa: FakeCoupaRest) -> None:
    coupa.rate_limit_next(retry_after=9, endpoint="token")
    with pytest.raises(RateLimitedError) as caught:
        wired.api.list_unexported(updated_since=None)
    assert caught.value.retry_after == 9.0


def test_a_token_endpoint_timeout_is_transient(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    wired = wire(coupa, clock, settings=HttpSettings(timeout_seconds=1.0))
    coupa.slow_next(seconds=30, endpoint="token")
    with pytest.raises(TransientError, match="timed out"):
        wired.api.list_unexported(updated_since=None)


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (b"<html>proxy</html>", TransientError, "not a JSON object"),
        (b'{"token_type": "bearer"}', TransientError, "no access_token"),
        (b'{"access_token": "t", "expires_in": "soon"}', TransientError, "expires_in"),
        (b'{"access_token": "t", "token_type": "mac"}', AuthError, "not bearer"),
    ],
)
def test_an_unusable_token_answer_is_refused(
    body: bytes, error: type[Exception], match: str, clock: FakeClock
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    auth = _auth(clock)
    with (
        build_http_client(transport=httpx.MockTransport(handle)) as client,
        pytest.raises(error, match=match),
    ):
        client.get("https://x.coupahost.com/api/purchase_orders", auth=auth)
    assert auth.tokens_fetched == 0


def test_a_token_without_expiry_lives_until_refused(clock: FakeClock) -> None:
    answers = iter([200, 401, 200])
    tokens: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token":
            tokens.append(f"t{len(tokens)}")
            return httpx.Response(200, json={"access_token": tokens[-1]})
        return httpx.Response(next(answers))

    auth = _auth(clock)
    with build_http_client(transport=httpx.MockTransport(handle)) as client:
        client.get("https://x.coupahost.com/a", auth=auth)
        clock.advance(days=30)
        assert client.get("https://x.coupahost.com/a", auth=auth).status_code == 200
    assert auth.tokens_fetched == 2


def test_a_secret_echoed_by_the_server_is_masked(clock: FakeClock) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {"error": "invalid_client", "error_description": f"bad secret {CLIENT_SECRET}"}
        return httpx.Response(401, json=body)

    with (
        build_http_client(transport=httpx.MockTransport(handle)) as client,
        pytest.raises(AuthError) as caught,
    ):
        client.get("https://x.coupahost.com/a", auth=_auth(clock))
    assert CLIENT_SECRET not in str(caught.value)
    assert "bad secret ***" in str(caught.value)


def test_threads_share_one_token_and_renew_it_once(coupa: FakeCoupaRest, clock: FakeClock) -> None:
    wired = wire(coupa, clock)
    coupa.generate_orders(3)
    errors: list[BaseException] = []

    def pull() -> None:
        try:
            for _ in range(5):
                wired.api.list_unexported(updated_since=None)
        except BaseException as error:  # reported to the test thread
            errors.append(error)

    def run_threads() -> None:
        threads = [threading.Thread(target=pull) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run_threads()
    assert wired.auth.tokens_fetched == 1
    coupa.revoke_tokens()
    run_threads()
    assert errors == []
    assert wired.auth.tokens_fetched == coupa.tokens_issued == 2


def test_secrets_never_reach_the_logs(
    coupa: FakeCoupaRest, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with coupa.serve() as base_url:
        wired = wire(coupa, clock, base_url, live=True)
        (po_id,) = coupa.generate_orders(1)
        wired.api.list_unexported(updated_since=None)
        wired.api.mark_exported(po_id)
        coupa.revoke_tokens()
        wired.api.list_unexported(updated_since=None)
        wired.client.close()
    assert caplog.records  # the fake and the API logged something at DEBUG
    for secret in (CLIENT_SECRET, "fake-coupa-token-0001", "fake-coupa-token-0002"):
        assert secret not in caplog.text


def test_reprs_name_no_secret_and_no_token(wired: Wired) -> None:
    wired.api.list_unexported(updated_since=None)
    assert repr(wired.auth) == (
        "OAuth2ClientCredentials(token_url='https://fake.coupahost.com/oauth2/token', "
        "client_id='b2connect-hub', scopes=('core.purchase_order.read', "
        "'core.purchase_order.write', 'core.supplier.read'))"
    )
    assert "fake-coupa-token" not in repr(wired.auth._token)


def test_async_clients_are_refused(clock: FakeClock) -> None:
    with pytest.raises(TypeError, match=r"httpx\.Client only"):
        _auth(clock).async_auth_flow(httpx.Request("GET", "https://x"))


def test_renew_before_must_not_be_negative(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="renew_before"):
        OAuth2ClientCredentials(
            "https://x/oauth2/token",
            client_id="c",
            client_secret=SecretStr("s"),
            scopes=(),
            clock=clock,
            renew_before=timedelta(seconds=-1),
        )


def _auth(clock: FakeClock) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(
        "https://x.coupahost.com/oauth2/token",
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        scopes=(),
        clock=clock,
    )
