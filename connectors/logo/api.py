"""`LogoApi`: the LOGO REST calls the connector makes, one HTTP request each (plus the token).

    token     POST /api/v1/token, HTTP Basic (REST client id and secret), form
              `grant_type=password&username=..&firmno=..&password=..`
    list      GET  /api/v1/{resource}?offset=&limit=&withCount=true[&q=...][&expandLevel=full]
              -> {"items": [...], "count": n}
    create    POST /api/v1/{resource} (JSON) -> the created object with `INTERNAL_REFERENCE`
    query     GET  /api/v1/queries?tsql=SELECT ... -> {"items": [...], "count": n}

Every business call carries `Authorization: Bearer <token>` from `LogoTokenCache`. A 401, or a
400 whose `ModelState` carries `LoginError` (LOGO's session behind the token is gone), renews
the token once and repeats the call once; a second refusal is an `AuthError`. Any other 400 is
LOGO refusing the data (`{"Message", "ModelState": {"ValError0": [...], "LOError": [...],
"DBError": [...], ...}}`): a `RejectedByPartnerError` with all of LOGO's messages joined, never
retried. 5xx, timeouts and connection errors are `TransientError`; nothing here retries them:
the connector decides which calls are safe to repeat. OAuth errors of `/token`
(`{"error", "error_description"}`) are `AuthError`. Error text never carries the client
secret, the password or a token (masked should LOGO echo one).
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta
from typing import Any

import httpx

from connectors.core.contract import Clock
from connectors.core.errors import AuthError, RejectedByPartnerError, TransientError
from connectors.core.http import classify_status, describe, send_unchecked
from connectors.logo.config import LogoConfig
from connectors.logo.token import LogoToken, LogoTokenCache, token_expiry

__all__ = ["LogoApi", "logo_error_text", "model_state"]

logger = logging.getLogger(__name__)

TOKEN_RESOURCE = "token"  # noqa: S105 - a path, not a password
QUERIES_RESOURCE = "queries"
LOGIN_ERROR = "loginerror"
_MAX_TEXT = 500


class LogoApi:
    """LOGO's REST service over the hub's HTTP client; the token lives in `tokens`."""

    def __init__(self, client: httpx.Client, *, config: LogoConfig, clock: Clock) -> None:
        self._client = client
        self._config = config
        self._clock = clock
        self._root = config.api_root
        self.tokens = LogoTokenCache(
            clock=clock, renew_before=timedelta(seconds=config.renew_before_seconds)
        )

    def __repr__(self) -> str:
        return (
            f"LogoApi(root={self._root!r}, username={self._config.username!r}, "
            f"firm_number={self._config.firm_number})"
        )

    # -- business calls ----------------------------------------------------------------------

    def list_page(
        self,
        resource: str,
        *,
        offset: int = 0,
        limit: int = 25,
        q: str | None = None,
        expand: bool = False,
    ) -> list[dict[str, Any]]:
        """One page of `GET {resource}` (rows that are not objects are dropped)."""
        params: dict[str, str] = {
            "offset": str(offset),
            "limit": str(limit),
            "withCount": "true",
        }
        if q is not None:
            params["q"] = q
        if expand:
            params["expandLevel"] = "full"
        return _rows(self._call("GET", resource, params=params), resource)

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        """`POST {resource}`: the created object as LOGO answers it."""
        answer = self._call("POST", resource, body=body)
        if not isinstance(answer, dict):
            msg = f"POST {resource}: LOGO's answer is not an object"
            raise TransientError(msg)
        return answer

    def query(self, tsql: str) -> list[dict[str, Any]]:
        """`GET queries?tsql=...`: the rows of a read-only SQL query."""
        answer = self._call("GET", QUERIES_RESOURCE, params={"tsql": tsql})
        return _rows(answer, QUERIES_RESOURCE)

    # -- the wire ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        resource: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        token = self.tokens.current(self._fetch_token)
        response = send_unchecked(
            self._client, self._request(method, resource, params, body, token)
        )
        if _session_refused(response):
            logger.info("logo: %s %s refused the token; renewing it once", method, resource)
            token = self.tokens.current(self._fetch_token, stale=token)
            response = send_unchecked(
                self._client, self._request(method, resource, params, body, token)
            )
            if _session_refused(response):
                msg = (
                    f"{describe(response.request)}: LOGO refused a fresh token for user "
                    f"{self._config.username!r} (HTTP {response.status_code}: "
                    f"{self._text(response.content) or 'no details'})"
                )
                raise AuthError(msg)
        self._check(response)
        return self._json(response)

    def _request(
        self,
        method: str,
        resource: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        token: str,
    ) -> httpx.Request:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        return self._client.build_request(
            method, f"{self._root}/{resource}", params=params, json=body, headers=headers
        )

    def _fetch_token(self) -> LogoToken:
        form = {
            "grant_type": "password",
            "username": self._config.username,
            "firmno": str(self._config.firm_number),
            "password": self._config.password.get_secret_value(),
        }
        basic = base64.b64encode(
            f"{self._config.client_id}:{self._config.client_secret.get_secret_value()}".encode()
        ).decode("ascii")
        request = self._client.build_request(
            "POST",
            f"{self._root}/{TOKEN_RESOURCE}",
            data=form,
            headers={"Accept": "application/json", "Authorization": f"Basic {basic}"},
        )
        what = describe(request)
        response = send_unchecked(self._client, request)
        if response.status_code in {400, 401, 403}:
            msg = (
                f"{what}: LOGO refused user {self._config.username!r} of firm "
                f"{self._config.firm_number} or the REST client {self._config.client_id!r} "
                f"(HTTP {response.status_code}: {self._text(response.content) or 'no details'})"
            )
            raise AuthError(msg)
        self._check(response)
        answer = self._json(response)
        value = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(value, str) or not value.strip():
            msg = f"{what}: the answer has no access_token"
            raise TransientError(msg)
        expires_at = token_expiry(answer, self._clock())
        logger.debug("logo: new token, expires at %s", expires_at)
        return LogoToken(value.strip(), expires_at)

    def _check(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        text = self._text(response.content) or "no details"
        what = describe(response.request)
        if response.status_code == 400:
            msg = f"{what}: LOGO refused it: {text}"
            raise RejectedByPartnerError(msg, status_code=400)
        classify_status(
            response.status_code,
            text.encode(),
            response.headers,
            now=self._clock(),
            what=what,
        )

    def _json(self, response: httpx.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            content_type = response.headers.get("Content-Type", "no Content-Type")
            msg = (
                f"{describe(response.request)}: HTTP {response.status_code} but the body is "
                f"not JSON ({content_type}): not LOGO's answer"
            )
            raise TransientError(msg) from None

    def _text(self, content: bytes) -> str:
        """LOGO's words from an error body, with our secrets masked should it echo them."""
        text = logo_error_text(content)
        for secret in (
            self._config.client_secret.get_secret_value(),
            self._config.password.get_secret_value(),
            *self.tokens.values(),
        ):
            if secret:
                text = text.replace(secret, "***")
        return text


def model_state(content: bytes) -> dict[str, list[str]]:
    """The `ModelState` of a LOGO 400 (key -> messages); empty when there is none."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    state = body.get("ModelState") if isinstance(body, dict) else None
    if not isinstance(state, dict):
        return {}
    found: dict[str, list[str]] = {}
    for key, value in state.items():
        values = value if isinstance(value, list) else [value]
        messages = [str(v).strip() for v in values if str(v).strip()]
        found[str(key)] = messages
    return found


def logo_error_text(content: bytes) -> str:
    """LOGO's messages from an error body: every `ModelState` message, joined; else an OAuth
    `error_description` / `error`, a `Message`, or the start of the body."""
    state = model_state(content)
    messages = [m for values in state.values() for m in values]
    if messages:
        return "; ".join(dict.fromkeys(messages))[:_MAX_TEXT]
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return content[:_MAX_TEXT].decode("utf-8", "replace").strip()
    if isinstance(body, dict):
        for key in ("error_description", "error", "Message", "message", "ExceptionMessage"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:_MAX_TEXT]
    if isinstance(body, str):
        return body[:_MAX_TEXT]
    return content[:_MAX_TEXT].decode("utf-8", "replace").strip()


def _session_refused(response: httpx.Response) -> bool:
    """401, or a 400 whose ModelState names `LoginError`: the token must be renewed."""
    if response.status_code == 401:
        return True
    if response.status_code != 400:
        return False
    return any(key.lower() == LOGIN_ERROR for key in model_state(response.content))


def _rows(answer: Any, resource: str) -> list[dict[str, Any]]:
    if isinstance(answer, list):
        items: Any = answer
    elif isinstance(answer, dict):
        items = answer.get("items", answer.get("Items"))
    else:
        items = None
    if not isinstance(items, list):
        msg = f"GET {resource}: LOGO's answer has no items list"
        raise TransientError(msg)
    return [row for row in items if isinstance(row, dict)]
