"""`MngApi`: the apizone calls the connector makes, one HTTP request each (plus the token).

Every call carries the gateway pair (`X-IBM-Client-Id`, `X-IBM-Client-Secret`) and
`x-api-version`; business calls add `Authorization: Bearer <jwt>` from `MngTokenCache`. A 401
on a business call renews the JWT once and repeats the call once; a second 401 is an
`AuthError`. Everything else is classified by `connectors.core.http` with MNG's own words in
the message: its error JSON is not published (partners.md §9.9), so any message-like field is
read (`mng_error_text`). A 2xx whose body is not JSON is a proxy or maintenance page
(`TransientError`). Nothing here retries: the connector decides which calls are safe to repeat.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from connectors.core.contract import Clock
from connectors.core.errors import AuthError, TransientError
from connectors.core.http import classify_status, describe, send_unchecked
from connectors.mng.config import MngConfig
from connectors.mng.token import MngToken, MngTokenCache, parse_expiry

__all__ = ["MngApi", "mng_error_text"]

logger = logging.getLogger(__name__)

TOKEN_PATH = "/token"  # noqa: S105 - a path, not a password
CREATE_ORDER_PATH = "/standardcmdapi/createOrder"
CANCEL_ORDER_PATH = "/standardcmdapi/cancelorder/{reference}"
CREATE_BARCODE_PATH = "/barcodecmdapi/createbarcode"
GET_ORDER_PATH = "/standardqueryapi/getorder/{reference}"
GET_SHIPMENT_PATH = "/standardqueryapi/getshipment/{reference}"
GET_SHIPMENT_STATUS_PATH = "/standardqueryapi/getshipmentstatus/{reference}"
TRACK_SHIPMENT_PATH = "/standardqueryapi/trackshipment/{reference}"
JSON = "application/json"
_MESSAGE_KEY = re.compile(r"message|description|detail|error|moreinformation", re.IGNORECASE)
_MAX_TEXT = 300
_MAX_DEPTH = 6


class MngApi:
    """MNG's apizone over the hub's HTTP client; the JWT lives in `tokens`."""

    def __init__(self, client: httpx.Client, *, config: MngConfig, clock: Clock) -> None:
        self._client = client
        self._config = config
        self._clock = clock
        self._base_url = str(config.base_url).rstrip("/")
        self.tokens = MngTokenCache(
            clock=clock, renew_before=timedelta(seconds=config.renew_before_seconds)
        )

    def __repr__(self) -> str:
        return f"MngApi(base_url={self._base_url!r}, client_id={self._config.client_id!r})"

    # -- business calls ----------------------------------------------------------------------

    def create_order(self, body: dict[str, Any]) -> Any:
        """`POST standardcmdapi/createOrder`."""
        return self._call("POST", CREATE_ORDER_PATH, body)

    def create_barcode(self, body: dict[str, Any]) -> Any:
        """`POST barcodecmdapi/createbarcode`: the shipment id and the parcels' barcodes."""
        return self._call("POST", CREATE_BARCODE_PATH, body)

    def cancel_order(self, reference: str) -> Any:
        """`PUT standardcmdapi/cancelorder/{referenceId}`."""
        return self._call("PUT", CANCEL_ORDER_PATH.format(reference=_segment(reference)), None)

    def get_order(self, reference: str) -> Any | None:
        """`GET standardqueryapi/getorder/{referenceId}`; None when MNG has no such order."""
        path = GET_ORDER_PATH.format(reference=_segment(reference))
        return self._call("GET", path, None, not_found_is_none=True)

    def get_shipment(self, reference: str) -> Any | None:
        """`GET standardqueryapi/getshipment/{referenceId}`; None before a barcode exists."""
        path = GET_SHIPMENT_PATH.format(reference=_segment(reference))
        return self._call("GET", path, None, not_found_is_none=True)

    def get_shipment_status(self, reference: str) -> Any | None:
        """`GET standardqueryapi/getshipmentstatus/{referenceId}`; None when none is known."""
        path = GET_SHIPMENT_STATUS_PATH.format(reference=_segment(reference))
        return self._call("GET", path, None, not_found_is_none=True)

    def track_shipment(self, reference: str) -> Any | None:
        """`GET standardqueryapi/trackshipment/{referenceId}`: the movements, oldest first."""
        path = TRACK_SHIPMENT_PATH.format(reference=_segment(reference))
        return self._call("GET", path, None, not_found_is_none=True)

    # -- the wire ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        not_found_is_none: bool = False,
    ) -> Any:
        token = self.tokens.current(self._fetch_token)
        response = send_unchecked(self._client, self._request(method, path, body, token))
        if response.status_code == 401:
            logger.info("mng: %s refused the JWT; renewing it once", path)
            token = self.tokens.current(self._fetch_token, stale=token)
            response = send_unchecked(self._client, self._request(method, path, body, token))
        if not_found_is_none and response.status_code == 404:
            return None
        self._check(response)
        return self._json(response)

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None, token: str | None
    ) -> httpx.Request:
        headers = {
            "Accept": JSON,
            "X-IBM-Client-Id": self._config.client_id,
            "X-IBM-Client-Secret": self._config.client_secret.get_secret_value(),
            "x-api-version": self._config.api_version,
        }
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self._client.build_request(
            method, f"{self._base_url}{path}", json=body, headers=headers
        )

    def _fetch_token(self) -> MngToken:
        body = {
            "customerNumber": self._config.customer_number,
            "password": self._config.password.get_secret_value(),
            "identityType": 1,
        }
        request = self._request("POST", TOKEN_PATH, body, None)
        what = describe(request)
        response = send_unchecked(self._client, request)
        if response.status_code in {400, 401, 403}:
            msg = (
                f"{what}: MNG refused customer {self._config.customer_number!r} or the "
                f"application's client id (HTTP {response.status_code}: "
                f"{self._text(response.content) or 'no details'})"
            )
            raise AuthError(msg)
        self._check(response)
        answer = _first(self._json(response))
        jwt = answer.get("jwt") if isinstance(answer, dict) else None
        if not isinstance(jwt, str) or not jwt.strip():
            msg = f"{what}: the answer has no jwt"
            raise TransientError(msg)
        expires_at = parse_expiry(answer.get("jwtExpireDate"))
        logger.debug("mng: new JWT, expires at %s", expires_at)
        return MngToken(jwt.strip(), expires_at)

    def _check(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        text = self._text(response.content) or "no details"
        classify_status(
            response.status_code,
            text.encode(),
            response.headers,
            now=self._clock(),
            what=describe(response.request),
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
                f"not JSON ({content_type}): not MNG's answer"
            )
            raise TransientError(msg) from None

    def _text(self, content: bytes) -> str:
        """MNG's words from an error body, with our secrets masked should it echo them."""
        text = mng_error_text(content)
        for secret in (
            self._config.client_secret.get_secret_value(),
            self._config.password.get_secret_value(),
        ):
            if secret:
                text = text.replace(secret, "***")
        return text


def mng_error_text(content: bytes) -> str:
    """The message-like fields of an MNG error body, joined; the start of the body otherwise.

    [ASSUME] partners.md §9.9: `{"error": {"Code", "Message", "Description"}}` is expected, and
    IBM API Connect's gateway answers `{"httpCode", "httpMessage", "moreInformation"}`; any
    key naming a message, description, detail or error is read, at any depth.
    """
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return content[:_MAX_TEXT].decode("utf-8", "replace").strip()
    found: list[str] = []
    _collect(body, found, depth=0, named=False)
    text = "; ".join(dict.fromkeys(found))
    if not text and isinstance(body, str):
        text = body
    return text[:_MAX_TEXT]


def _collect(value: Any, found: list[str], *, depth: int, named: bool) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        if named and value.strip():
            found.append(value.strip())
    elif isinstance(value, list):
        for item in value:
            _collect(item, found, depth=depth + 1, named=named)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(item, found, depth=depth + 1, named=bool(_MESSAGE_KEY.search(str(key))))


def _first(value: Any) -> Any:
    """MNG answers some calls with a one-element array; its element, or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _segment(reference: str) -> str:
    return quote(reference, safe="")
