"""HTTP for connectors: one client factory and one place that classifies what came back.

Every partner call over HTTP goes through a client built by `build_http_client` (bounded
timeouts, TLS verified, no redirects: a redirected POST is a misconfigured endpoint, not
something to follow) and every answer or failure is classified once, here, into the error tree
of `errors.py`:

    timeout, connection refused or reset      TransientError
    408, 425, 5xx                             TransientError
    429                                       RateLimitedError (retry_after from Retry-After)
    401, 403                                  AuthError
    any other 4xx                             RejectedByPartnerError (status_code, start of body)

Connectors that speak HTTP call `send` (or `classify_status` on an answer they read themselves);
the core's outbound transport does the same. Nothing here logs a header or a body: messages name
the method, the URL without its query string, and the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from connectors.core.errors import (
    AuthError,
    RateLimitedError,
    RejectedByPartnerError,
    TransientError,
)

USER_AGENT = "B2Connect procurement gateway"
SHOWN_BODY_BYTES = 200
"""How much of a refusal's body an error message quotes (an HTML error page, a JSON error)."""
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
"""Headers `redact_headers` masks."""


@dataclass(frozen=True)
class HttpSettings:
    """How the hub's HTTP clients behave (from the core's settings)."""

    timeout_seconds: float = 30.0
    """Read, write and pool timeout of one request."""
    connect_timeout_seconds: float = 10.0
    """Time to open a connection (TCP and TLS)."""
    max_connections: int = 16
    """Connections the client keeps open at most, across hosts."""
    verify: bool | str = True
    """TLS verification: True (system CAs), or the path of a CA bundle; never off in production."""
    user_agent: str = USER_AGENT


def build_http_client(
    settings: HttpSettings | None = None, *, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """An `httpx.Client` with the hub's timeouts, TLS and connection limits.

    `transport` replaces the network (tests pass `httpx.MockTransport` or a fake's transport).
    """
    settings = settings or HttpSettings()
    timeout = httpx.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds)
    limits = httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )
    return httpx.Client(
        timeout=timeout,
        limits=limits,
        verify=settings.verify,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent},
        transport=transport,
    )


def send(client: httpx.Client, request: httpx.Request, *, now: datetime) -> httpx.Response:
    """Send `request` and return a 2xx response; anything else raises a classified error."""
    response = send_unchecked(client, request)
    classify_status(
        response.status_code, response.content, response.headers, now=now, what=describe(request)
    )
    return response


def send_unchecked(client: httpx.Client, request: httpx.Request) -> httpx.Response:
    """Send `request`; network failures raise `TransientError`, any status is returned."""
    try:
        return client.send(request)
    except httpx.TimeoutException as error:
        msg = f"{describe(request)}: timed out ({type(error).__name__})"
        raise TransientError(msg) from None
    except httpx.TransportError as error:
        msg = f"{describe(request)}: connection failed ({type(error).__name__}: {error})"
        raise TransientError(msg) from None


def classify_status(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    what: str = "the request",
) -> None:
    """Return for 2xx; raise the classified error for anything else (see the module docstring)."""
    if 200 <= status < 300:
        return
    shown = shown_body(body)
    detail = f"HTTP {status}" + (f": {shown}" if shown else "")
    if status == 429:
        msg = f"{what}: the partner asks us to slow down ({detail})"
        raise RateLimitedError(msg, retry_after=retry_after_seconds(headers, now))
    if status in {408, 425} or status >= 500:
        msg = f"{what}: the partner is unavailable ({detail})"
        raise TransientError(msg)
    if status in {401, 403}:
        msg = f"{what}: the partner refused our credentials ({detail})"
        raise AuthError(msg)
    if 400 <= status < 500:
        msg = f"{what}: {detail}"
        raise RejectedByPartnerError(msg, status_code=status)
    msg = f"{what}: unexpected answer ({detail})"
    raise TransientError(msg)


def retry_after_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), if it has a usable one."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def shown_body(body: bytes) -> str:
    """The start of an answer's body, as text, for an error message."""
    return body[:SHOWN_BODY_BYTES].decode("utf-8", "replace").strip()


def describe(request: httpx.Request) -> str:
    """`GET https://host/path` without the query string (which may carry tokens or filters)."""
    return f"{request.method} {without_query(str(request.url))}"


def without_query(url: str) -> str:
    """`url` without its query string and fragment, and without user info."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` with credentials (Authorization, cookies) replaced by `***`."""
    return {k: "***" if k.lower() in SENSITIVE_HEADERS else v for k, v in headers.items()}
