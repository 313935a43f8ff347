"""The carrier's own bytes in the document log: what we asked when booking or cancelling, and
what the carrier answered.

Carrier connectors call their carrier themselves (like pull connectors) through the hub's HTTP
client, so the core cannot log a document it renders. Instead, the shipment service records the
HTTP exchanges made while a booking or a cancellation runs: `install` adds two event hooks to
the hub's client that do nothing unless a `recording()` is active in the current thread (one
context-variable read per request elsewhere, e.g. for outbox deliveries), and the service writes
what was recorded to the document log with secrets masked twice over: the value of every XML
element and JSON field whose name says password, secret or token (`wsPassword`, `Password`,
`client_secret`: a carrier password may be shorter than the 8 characters `known_secrets` looks
for), and every resolved secret of the profile wherever it appears (`scrub_known_secrets`).

Not logged: tracking polls (thousands per run, every 30 minutes: what they said is kept as
`shipment_events` with the carrier's codes), and token calls (`.../token`: a credential
exchange, whose answer is a bearer token).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from gateway_api.services.document_log import inbound_record, outbound_record
from gateway_api.services.known_secrets import scrub_known_secrets
from gateway_api.store.records import DocumentOutcome, DocumentRecord


@dataclass
class Exchange:
    """One HTTP request to the carrier and its answer, if one came."""

    method: str
    url: str
    body: bytes = field(repr=False)
    content_type: str | None
    status: int | None = None
    answer: bytes = field(default=b"", repr=False)
    answer_type: str | None = None


_SECRET_NAME = rb"[\w.-]*(?:password|passwd|secret|token|jwt)[\w.-]*"
_SECRET_ELEMENT = re.compile(
    rb"(<(?:[\w.-]+:)?(" + _SECRET_NAME + rb")(?:\s[^>]*)?>)[^<]*(</)", re.IGNORECASE
)
_SECRET_FIELD = re.compile(rb'("' + _SECRET_NAME + rb'"\s*:\s*")(?:[^"\\]|\\.)*(")', re.IGNORECASE)
MASK = b"***"


def mask_secrets(body: bytes, secrets: tuple[str, ...]) -> bytes:
    """`body` with secret-named XML elements and JSON fields, and the known secrets, masked."""
    masked = _SECRET_ELEMENT.sub(rb"\1" + MASK + rb"\3", body)
    masked = _SECRET_FIELD.sub(rb"\1" + MASK + rb"\2", masked)
    return scrub_known_secrets(masked, secrets)


_current: ContextVar[list[Exchange] | None] = ContextVar("carrier_exchanges", default=None)


@contextmanager
def recording() -> Iterator[list[Exchange]]:
    """Record the HTTP exchanges the current thread makes inside the block."""
    exchanges: list[Exchange] = []
    token = _current.set(exchanges)
    try:
        yield exchanges
    finally:
        _current.reset(token)


def install(client: httpx.Client) -> None:
    """Add the recording hooks to the hub's HTTP client (once)."""
    hooks = client.event_hooks
    if _on_request not in hooks.get("request", []):
        client.event_hooks = {
            "request": [*hooks.get("request", []), _on_request],
            "response": [*hooks.get("response", []), _on_response],
        }


def _on_request(request: httpx.Request) -> None:
    exchanges = _current.get()
    if exchanges is None or request.url.path.endswith("/token"):
        return
    exchanges.append(
        Exchange(
            method=request.method,
            url=str(request.url.copy_with(query=None)),
            body=request.content,
            content_type=request.headers.get("content-type"),
        )
    )


def _on_response(response: httpx.Response) -> None:
    exchanges = _current.get()
    if not exchanges or response.request.url.path.endswith("/token"):
        return
    response.read()
    exchange = exchanges[-1]
    exchange.status = response.status_code
    exchange.answer = response.content
    exchange.answer_type = response.headers.get("content-type")


def exchange_records(
    exchanges: list[Exchange],
    *,
    partner_key: str,
    protocol: str,
    kind: str,
    reference: str,
    secrets: tuple[str, ...],
    at: datetime,
) -> list[DocumentRecord]:
    """Document-log records of the exchanges: our request (outbound) and the carrier's answer
    (inbound, in reply to it), both under the shipment's reference, secrets masked."""
    records: list[DocumentRecord] = []
    for exchange in exchanges:
        sent = outbound_record(
            exchange.body,
            partner_key=partner_key,
            protocol=protocol,
            kind=kind,
            at=at,
            content_type=exchange.content_type,
            correlation_id=reference,
            detail=f"{exchange.method} {exchange.url}",
            redacted=mask_secrets(exchange.body, secrets),
        )
        records.append(sent)
        if exchange.status is None:
            continue  # no answer came (timeout, connection lost)
        records.append(
            inbound_record(
                exchange.answer,
                partner_key=partner_key,
                protocol=protocol,
                kind=f"{kind} answer",
                outcome=DocumentOutcome.PROCESSED,
                status_code=exchange.status,
                at=at,
                authenticated=True,
                correlation_id=reference,
                content_type=exchange.answer_type,
                in_reply_to=sent.id,
                redacted=mask_secrets(exchange.answer, secrets),
            )
        )
    return records
