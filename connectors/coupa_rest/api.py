"""`CoupaPurchaseOrderApi`: the two calls a purchase-order pull needs, typed, over httpx.

Coupa answers JSON when asked with `Accept: application/json` (XML otherwise), pages by
`limit`/`offset` with at most 50 records, answers `[]` with 200 when nothing matches, and keeps
an `exported` flag per order that a new version resets to false (partners.md §1.1). The pull
therefore asks for `exported=false`, marks each order exported once the hub has stored it, and
asks again.

Every request goes through `connectors.core.http` (`send_unchecked`, then `classify_status` on
anything that is not 2xx, with Coupa's `{"errors": ...}` body flattened into the message):
429 is `RateLimitedError` with Retry-After, 5xx and timeouts `TransientError`, 401/403
`AuthError`, other 4xx `RejectedByPartnerError`.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from connectors.core.contract import Clock
from connectors.core.errors import (
    ConfigError,
    MalformedDocumentError,
    RejectedByPartnerError,
    TransientError,
)
from connectors.core.http import classify_status, describe, send_unchecked

__all__ = [
    "DEFAULT_SCOPES",
    "MAX_PAGE_SIZE",
    "PURCHASE_ORDERS_PATH",
    "TOKEN_PATH",
    "CoupaPurchaseOrderApi",
    "coupa_error_messages",
    "instance_base_url",
]

logger = logging.getLogger(__name__)

PURCHASE_ORDERS_PATH = "/api/purchase_orders"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a password
MAX_PAGE_SIZE = 50
"""Coupa returns at most 50 records per request, whatever `limit` says."""
DEFAULT_SCOPES = ("core.purchase_order.read", "core.purchase_order.write", "core.supplier.read")
"""[ASSUME] partners.md §9.1: the scope names follow Coupa's `service.object.right` pattern but
were not seen verbatim; the connector's configuration may replace them."""
JSON = "application/json"
_INSTANCE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
_MAX_ERROR_DEPTH = 6
_MAX_ERROR_MESSAGES = 20


def instance_base_url(instance: str) -> str:
    """`https://{instance}.coupahost.com` for a customer's instance name (`acme`)."""
    if not _INSTANCE.fullmatch(instance):
        msg = f"{instance!r} is not a Coupa instance name (one DNS label, e.g. 'acme')"
        raise ConfigError(msg)
    return f"https://{instance.lower()}.coupahost.com"


class CoupaPurchaseOrderApi:
    """List the purchase orders not yet exported, and mark one exported.

    `client` is the hub's client (`connectors.core.http.build_http_client`), possibly shared
    with other connectors: it is never changed, and the OAuth2 `auth` is applied per request
    (its flow is driven here, each request sent with `send_unchecked`), so no other partner
    ever sees Coupa's bearer token. `base_url` is the instance (`instance_base_url`); `clock`
    dates the classification of Retry-After.
    """

    def __init__(
        self, client: httpx.Client, *, base_url: str, auth: httpx.Auth, clock: Clock
    ) -> None:
        self._client = client
        self._auth = auth
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    def __repr__(self) -> str:
        return f"CoupaPurchaseOrderApi(base_url={self._base_url!r})"

    def list_unexported(
        self, *, updated_since: datetime | None, limit: int = MAX_PAGE_SIZE
    ) -> list[dict[str, Any]]:
        """The next page of orders with `exported=false`, oldest `updated-at` first.

        Always from offset 0, on purpose: the caller marks every order of a page exported
        before it asks for the next one, so those orders leave the `exported=false` set and the
        next page starts where this one ended. Offset paging over a set that shrinks under it
        would skip orders (after marking page one, the old page two is now at offset 0).
        `updated_since` (aware) narrows the set to `updated-at >= updated_since`, truncated to
        whole seconds (Coupa's precision; truncating widens, never narrows, the window).
        Decimals in the JSON come back as `Decimal`, never as binary floats.
        """
        if limit < 1:
            msg = f"limit must be at least 1, not {limit}"
            raise ValueError(msg)
        params: list[tuple[str, str]] = [("exported", "false")]
        if updated_since is not None:
            params.append(("updated-at[gt_or_eq]", _iso8601(updated_since)))
        params += [
            ("order_by", "updated-at"),
            ("dir", "asc"),
            ("limit", str(min(limit, MAX_PAGE_SIZE))),
        ]
        request = self._request("GET", PURCHASE_ORDERS_PATH, params)
        response = self._send(request)
        orders = _purchase_order_list(response, describe(request))
        logger.debug("coupa: %d unexported purchase orders on this page", len(orders))
        return orders

    def mark_exported(self, po_id: int) -> None:
        """Set `exported=true` on one order, in a request of its own as Coupa advises.

        Coupa may ignore other changes sent in the same request (partners.md §1.1).
        """
        if isinstance(po_id, bool) or not isinstance(po_id, int) or po_id < 1:
            msg = f"a Coupa purchase order id is a positive integer, not {po_id!r}"
            raise ValueError(msg)
        request = self._request("PUT", f"{PURCHASE_ORDERS_PATH}/{po_id}", [("exported", "true")])
        self._send(request)
        logger.debug("coupa: purchase order %d marked exported", po_id)

    def _request(self, method: str, path: str, params: list[tuple[str, str]]) -> httpx.Request:
        return self._client.build_request(
            method,
            f"{self._base_url}{path}",
            params=tuple(params),
            headers={"Accept": JSON},
        )

    def _send(self, request: httpx.Request) -> httpx.Response:
        """Send with auth; a non-2xx answer raises the classified error, Coupa's errors flattened.

        The auth flow yields the requests to send (a token request, the API request, its
        repetition after a 401) and takes each answer back; every one goes over the network
        through `send_unchecked`, so timeouts and resets are `TransientError`s naming it.
        """
        flow = self._auth.sync_auth_flow(request)
        try:
            outgoing = next(flow)
            while True:
                response = send_unchecked(self._client, outgoing)
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
        finally:
            flow.close()
        if not response.is_success:
            messages = coupa_error_messages(response.content)
            body = "; ".join(messages).encode() if messages else response.content
            classify_status(
                response.status_code,
                body,
                response.headers,
                now=self._clock(),
                what=describe(response.request),
            )
        return response


def coupa_error_messages(content: bytes) -> list[str]:
    """The messages of a Coupa JSON error body `{"errors": ...}`, whatever its nesting.

    [ASSUME] partners.md §9.2: documented as `{"errors": {"<resource>": ["msg", ...]}}`, but
    every copy was truncated, so a string, a list or a dict of lists are all read; a dict key
    prefixes its messages (`purchase-order: Supplier can't be blank`). Not JSON, or no
    `errors`: an empty list.
    """
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    if not isinstance(body, dict) or "errors" not in body:
        return []
    return _flatten(body["errors"], depth=0)[:_MAX_ERROR_MESSAGES]


def _flatten(value: Any, *, depth: int) -> list[str]:
    if value is None or depth > _MAX_ERROR_DEPTH:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [m for item in value for m in _flatten(item, depth=depth + 1)]
    if isinstance(value, dict):
        return [
            f"{key}: {message}" if key not in {"error", "errors", "message"} else message
            for key, item in value.items()
            for message in _flatten(item, depth=depth + 1)
        ]
    return [str(value)]


def _purchase_order_list(response: httpx.Response, what: str) -> list[dict[str, Any]]:
    """The body of a list answer: a JSON list of objects.

    A 200 that is not JSON at all is taken for a proxy or maintenance page (`TransientError`);
    JSON with Coupa's `errors` is a refusal; any other JSON shape breaks the API's contract
    (`MalformedDocumentError`, retrying the same query would get the same answer).
    """
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):
        content_type = response.headers.get("Content-Type", "no Content-Type")
        msg = f"{what}: HTTP {response.status_code} but the body is not JSON ({content_type})"
        raise TransientError(msg) from None
    if isinstance(body, dict) and "errors" in body:
        messages = coupa_error_messages(response.content) or ["(no message)"]
        msg = f"{what}: HTTP {response.status_code} with errors: {'; '.join(messages)}"
        raise RejectedByPartnerError(msg, status_code=response.status_code)
    if not isinstance(body, list):
        msg = f"{what}: expected a JSON list of purchase orders, got {_json_kind(body)}"
        raise MalformedDocumentError(msg, location="$")
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            msg = f"{what}: purchase order {index} is {_json_kind(item)}, not an object"
            raise MalformedDocumentError(msg, location=f"$[{index}]")
    return body


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def _iso8601(moment: datetime) -> str:
    """`2024-01-10T09:20:11+03:00`: whole seconds, with the offset (an aware time only)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"updated_since must be timezone-aware, not {moment!r}"
        raise ValueError(msg)
    return moment.replace(microsecond=0).isoformat()
