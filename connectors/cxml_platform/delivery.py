"""Reading a platform's answer to a document we sent: accepted, refused for good, or try again.

cXML answers every POST with a `Response/Status`; the HTTP status usually mirrors its class, but
platforms may carry a cXML 4xx in an HTTP 200. So the cXML code decides when there is one, except
that an HTTP 5xx is always transient (a proxy or load balancer answered, not the platform). An
answer that is not cXML is never taken as acceptance: it is retried, and after the last attempt
it becomes a dead letter someone looks at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from connectors.core.contract import Receipt
from connectors.core.errors import (
    AuthError,
    DocumentError,
    RateLimitedError,
    RejectedByPartnerError,
    TransientError,
)
from connectors.core.http import retry_after_seconds, shown_body
from connectors.formats.cxml import parse_cxml
from connectors.formats.cxml._xml import child, full_text

_SHOWN = 200


def read_receipt(
    http_status: int, body: bytes, headers: Mapping[str, str], *, now: datetime
) -> Receipt:
    """The receipt of an accepted document, or the error that classifies the refusal."""
    status = _cxml_status(body)
    if http_status >= 500 or (status is None and http_status in {408, 425}):
        detail = f": {status[1]}" if status else ""
        msg = f"the platform is unavailable (HTTP {http_status}{detail})"
        raise TransientError(msg)
    code, text = status if status is not None else (http_status, shown_body(body))
    if status is None and 200 <= http_status < 300:
        msg = f"HTTP {http_status} without a cXML Response: {body[:_SHOWN]!r}"
        raise TransientError(msg)
    if 200 <= code < 300:
        return Receipt(status_code=code, text=text)
    if code == 429:
        msg = f"the platform asks us to slow down (429 {text})".rstrip()
        raise RateLimitedError(msg, retry_after=retry_after_seconds(headers, now))
    if code == 401:
        msg = f"the platform refused our credentials (401 {text})"
        raise AuthError(msg)
    if 400 <= code < 500:
        msg = f"{code} {text}".strip()
        raise RejectedByPartnerError(msg, status_code=code)
    msg = f"unexpected answer {code} {text} (HTTP {http_status})"
    raise TransientError(msg)


def _cxml_status(body: bytes) -> tuple[int, str] | None:
    """(code, text and message) of a cXML Response, or None when the body is not one."""
    try:
        document = parse_cxml(body)
    except DocumentError:
        return None
    response = child(document.root, "Response")
    status = child(response, "Status")
    code = "" if status is None else (status.get("code") or "").strip()
    if status is None or not code.isdigit():
        return None
    text = (status.get("text") or "").strip()
    message = full_text(status)
    return int(code), f"{text}: {message}" if message and message != text else text
