"""A fake EDIFACT trading partner that receives our ORDRSP/DESADV/INVOIC and answers a CONTRL.

In-process (an httpx transport) or on 127.0.0.1 (`serve()`, the fake platforms' `LiveServer`).
It checks the bearer token and the UNB addressing, reads every interchange with the hub's own
EDIFACT reader (the envelope and character checks are the reader's), records the messages it
accepted, and answers each interchange with a CONTRL it builds itself - acknowledging, or
rejecting when told to. It can also write the CONTRL it would send later (asynchronously) for an
interchange it received, for tests of the hub's inbound CONTRL handling.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from connectors.formats.edifact import (
    ControlReferences,
    InterchangeEnd,
    InterchangeHeader,
    Message,
    MessageOutcome,
    SyntaxErrorCode,
    build_contrl,
    read_edifact,
)
from connectors.testing.fake_platform_http import LiveServer, PlatformRequest, Reply

TOKEN = "edifact-demo-partner-token"  # noqa: S105 - the edifact-demo profile's public demo value
CONTENT_TYPE = "application/edifact"
ANSWERED_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@dataclass
class FakeEdifactPartner:
    """The partner's EDIFACT endpoint: what it received and how it answers."""

    our_id: str = "5412345000013"
    """Its own id: what our UNB must name as recipient."""
    received: list[Message] = field(default_factory=list)
    headers: list[InterchangeHeader] = field(default_factory=list)
    """UNB of every interchange, in arrival order (repeats included)."""
    reject_next: int = 0
    """Answer the next N interchanges with a CONTRL that rejects their messages."""
    _numbers: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that reaches this partner."""

        def handle(request: httpx.Request) -> httpx.Response:
            reply = self.answer(
                PlatformRequest(
                    request.method,
                    request.url.path,
                    {k.lower(): v for k, v in request.headers.items()},
                    request.content,
                )
            )
            return httpx.Response(
                reply.http_status, content=reply.body, headers={"Content-Type": reply.content_type}
            )

        return httpx.MockTransport(handle)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """The partner on 127.0.0.1; yields the URL our documents go to."""
        server = LiveServer(self._outcome)
        server.start_listening()
        try:
            yield f"{server.base_url}/edifact/inbound"
        finally:
            server.close()

    def _outcome(self, request: PlatformRequest) -> Reply:
        return self.answer(request)

    def answer(self, request: PlatformRequest) -> Reply:
        """Check, read and acknowledge one POST."""
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(401, b"bad token", "text/plain")
        with self._lock:
            answer = b""
            messages: list[Message] = []
            for event in read_edifact(request.body):
                if isinstance(event, Message):
                    messages.append(event)
                elif isinstance(event, InterchangeEnd):
                    answer += self._acknowledge(event, messages)
                    messages = []
            if self.reject_next:
                self.reject_next -= 1
        return Reply(200, answer, CONTENT_TYPE)

    def _acknowledge(self, end: InterchangeEnd, messages: list[Message]) -> bytes:
        header = end.header
        self.headers.append(header)
        if header.recipient_id != self.our_id:
            return b""
        outcomes: list[MessageOutcome] = []
        for message in messages:
            outcome = message.outcome
            if self.reject_next:
                outcome = outcome.rejected(SyntaxErrorCode.UNSPECIFIED)
            elif outcome.accepted and not end.rejected:
                self.received.append(message)
            outcomes.append(outcome)
        return self.contrl(end, outcomes)

    def contrl(self, end: InterchangeEnd, outcomes: list[MessageOutcome] | None = None) -> bytes:
        """The CONTRL this partner sends about an interchange it received from us."""
        self._numbers += 1
        references = ControlReferences(interchange=9000 + self._numbers, message=1)
        report = end.acknowledge(outcomes or [])
        return build_contrl(report, end.header, references=references, now=ANSWERED_AT).data
