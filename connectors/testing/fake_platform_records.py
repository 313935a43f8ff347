"""What a fake platform remembers: accepted business documents and every exchange.

`ReceivedDocument` is what the buyer would see (one per accepted document, never two for a
retransmission); `PlatformExchange` is the wire log, failed, refused and replayed requests
included, so a test can count attempts and read every answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from connectors.formats.cxml import CxmlStatus
from connectors.testing.fake_platform_flavours import DocumentKind
from connectors.testing.fake_platform_rules import BusinessDocument

Outcome = Literal["answered", "timed_out", "dropped"]
"""`answered`: an HTTP answer went back; `timed_out`: held past the client's timeout, never
answered; `dropped`: the connection was closed without an answer."""

Injected = Literal["fail", "reject", "timeout", "process_then_fail"]


@dataclass(frozen=True)
class ReceivedDocument:
    """A business document the platform accepted (a delete or update is a document too)."""

    kind: DocumentKind
    payload_id: str
    document: BusinessDocument
    """The canonical document, read with the hub's own cXML readers."""
    raw: bytes = field(repr=False)
    idempotency_key: str | None
    path: str
    """The endpoint it was posted to."""
    received_at: datetime
    answer: bytes = field(repr=False)
    """The cXML answer of record: a retransmission gets exactly these bytes back."""


@dataclass(frozen=True)
class PlatformExchange:
    """One request that reached the platform, and what became of it."""

    at: datetime
    method: str
    path: str
    idempotency_key: str | None
    payload_id: str | None
    """The request's payloadID, when it parsed far enough."""
    request: bytes = field(repr=False)
    outcome: Outcome
    http_status: int | None
    """What the client received; `None` unless `answered`."""
    status: CxmlStatus | None
    """The cXML status sent, or (timed out, dropped) the one the platform decided on."""
    response: bytes | None = field(repr=False)
    """Bytes sent back; `None` unless `answered`."""
    injected: Injected | None = None
    """The failure injection this request consumed, if any."""
    replayed: bool = False
    """True when the answer was the stored one of an earlier delivery (same key or payloadID)."""
    received: ReceivedDocument | None = None
    """The business document this request created, if it created one."""
