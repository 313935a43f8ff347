"""OAuth2 client-credentials grant (RFC 6749 §4.4) as an `httpx.Auth` flow.

Hand-written on purpose: Authlib's and httpx-auth's client-credentials helpers either do not
renew a token the API refused with 401 or read the time from the system clock, and the hub
needs both (a revoked token heals itself once; tests move time). It is small:

- the token is fetched on first use, cached, and renewed `renew_before` ahead of its expiry;
- an API answer 401 renews the token once and repeats the request once; a second 401 is
  returned as it is, for the caller to classify (`AuthError`);
- the token endpoint's refusals (400, 401, 403: `invalid_client`, `invalid_scope`) raise
  `AuthError` with the OAuth2 `error` and `error_description`, never the secret; 429, 5xx
  and anything else are classified by `connectors.core.http.classify_status`.

The token request is yielded from the flow, so it travels like the API request: through
`httpx.Client(auth=...)`, or through a caller that drives `sync_auth_flow` itself and sends
each request with `connectors.core.http.send_unchecked` (as `CoupaPurchaseOrderApi` does, to
keep a shared client free of partner credentials); timeouts and resets become
`TransientError` there.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncGenerator, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

import httpx
from pydantic import SecretStr

from connectors.core.contract import Clock
from connectors.core.errors import AuthError, TransientError
from connectors.core.http import classify_status, without_query

__all__ = ["OAuth2ClientCredentials"]

_REFUSALS = frozenset({400, 401, 403})
"""Token endpoint answers that mean "these credentials or scopes are wrong" (RFC 6749 §5.2)."""
_SHOWN_CHARS = 200


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    expires_at: datetime | None
    """`None`: the server did not say; the token is used until the API refuses it."""

    def due(self, now: datetime, renew_before: timedelta) -> bool:
        return self.expires_at is not None and now >= self.expires_at - renew_before


class OAuth2ClientCredentials(httpx.Auth):
    """Bearer tokens from a client-credentials grant, cached and shared by threads.

    One instance may serve several dispatcher threads: a lock makes sure one thread fetches a
    token while the others wait for it, and that a 401 seen by several threads renews once.
    Sync clients only (the lock is a `threading.Lock`).
    """

    def __init__(
        self,
        token_url: str,
        *,
        client_id: str,
        client_secret: SecretStr,
        scopes: Sequence[str],
        clock: Clock,
        renew_before: timedelta = timedelta(minutes=5),
    ) -> None:
        if renew_before < timedelta(0):
            msg = f"renew_before must not be negative, not {renew_before}"
            raise ValueError(msg)
        self.token_url = token_url
        self.client_id = client_id
        self.scopes = tuple(scopes)
        self.renew_before = renew_before
        self._client_secret = client_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._tokens_fetched = 0

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={without_query(self.token_url)!r}, "
            f"client_id={self.client_id!r}, scopes={self.scopes!r})"
        )

    @property
    def tokens_fetched(self) -> int:
        """How many tokens this instance has obtained so far."""
        return self._tokens_fetched

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Send `request` with a bearer token; on 401 renew the token and send it once more."""
        request.read()  # a request with a body must be sendable twice
        token = yield from self._current_token(request, stale=None)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        token = yield from self._current_token(request, stale=token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Not supported: the token cache is guarded by a thread lock, not an asyncio one."""
        msg = "OAuth2ClientCredentials works with httpx.Client only, not httpx.AsyncClient"
        raise TypeError(msg)

    def _current_token(
        self, request: httpx.Request, *, stale: str | None
    ) -> Generator[httpx.Request, httpx.Response, str]:
        """The cached token, or a new one when there is none, it is due, or it is `stale`.

        The lock is held while the token request is in flight, so concurrent callers wait for
        that one fetch instead of each starting their own; a caller whose `stale` token was
        already replaced by another thread takes the replacement.
        """
        with self._lock:
            now = self._clock()
            token = self._token
            if token is not None and token.value != stale and not token.due(now, self.renew_before):
                return token.value
            response = yield self._token_request(request)
            response.read()
            token = self._read_token(response, fetched_at=now)
            self._token = token
            self._tokens_fetched += 1
            return token.value

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        # Same timeouts as the API request: a Request built by hand has none otherwise.
        extensions = {k: v for k, v in request.extensions.items() if k == "timeout"}
        return httpx.Request(
            "POST",
            self.token_url,
            data=form,
            headers={"Accept": "application/json"},
            extensions=extensions,
        )

    def _read_token(self, response: httpx.Response, *, fetched_at: datetime) -> _Token:
        what = f"POST {without_query(self.token_url)}"
        status = response.status_code
        if status in _REFUSALS:
            msg = (
                f"{what}: the token endpoint refused client {self.client_id!r} "
                f"(HTTP {status}: {self._oauth_error(response.content)})"
            )
            raise AuthError(msg)
        shown = self._hide(response.content.decode("utf-8", "replace")).encode()
        classify_status(status, shown, response.headers, now=fetched_at, what=what)
        body = _json_object(response.content)
        if body is None:
            # A 2xx that is not JSON is a proxy or maintenance page, not Coupa's answer.
            msg = f"{what}: HTTP {status} but the body is not a JSON object"
            raise TransientError(msg)
        value = body.get("access_token")
        if not isinstance(value, str) or not value.strip():
            msg = f"{what}: the answer has no access_token"
            raise TransientError(msg)
        token_type = body.get("token_type", "bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            msg = f"{what}: token_type {self._hide(str(token_type))!r} is not bearer"
            raise AuthError(msg)
        expires_in = body.get("expires_in")
        if expires_in is None:
            return _Token(value.strip(), None)
        if isinstance(expires_in, str) and expires_in.isdigit():
            expires_in = int(expires_in)
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 0:
            msg = f"{what}: expires_in is not a number of seconds"
            raise TransientError(msg)
        return _Token(value.strip(), fetched_at + timedelta(seconds=expires_in))

    def _oauth_error(self, content: bytes) -> str:
        """`error: error_description` of an RFC 6749 §5.2 answer, or the start of the body."""
        body = _json_object(content)
        if body is None:
            text = content[:_SHOWN_CHARS].decode("utf-8", "replace").strip()
            return self._hide(text) or "no details"
        parts = [str(body[k]) for k in ("error", "error_description") if body.get(k)]
        return self._hide(": ".join(parts)[:_SHOWN_CHARS]) or "no details"

    def _hide(self, text: str) -> str:
        """`text` with our secret masked, should a server ever echo it back."""
        secret = self._client_secret.get_secret_value()
        if not secret:
            return text
        # As sent in the form too (an error page may echo the request body).
        return text.replace(secret, "***").replace(quote_plus(secret), "***")


def _json_object(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None
