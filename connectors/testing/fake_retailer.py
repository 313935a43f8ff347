"""A fake X12 retailer that receives our 855/856/810 over HTTP and answers with its 997.

In-process (an httpx transport), or over real HTTP on 127.0.0.1 (`serve`). It checks the bearer
token and the ISA addressing, reads every interchange with the hub's own X12 reader (the envelope
checks are the reader's), records the transaction sets it accepted, and answers each interchange
with a 997 it builds itself - accepting, or rejecting when told to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from connectors.formats.x12 import (
    ControlNumbers,
    GroupAck,
    GroupEnd,
    InterchangeEnd,
    TransactionSet,
    build_997,
    read_x12,
)
from connectors.testing.fake_platform_http import LiveServer, PlatformRequest, Reply

BASE_URL = "https://acme-retail.fake.test"
TOKEN = "edi-demo-retailer-token"  # noqa: S105 - the edi-demo profile's public demo value


@dataclass
class FakeRetailer:
    """The retailer's EDI endpoint: what it received and how it answers."""

    received: list[TransactionSet] = field(default_factory=list)
    interchanges: list[str] = field(default_factory=list)
    """ISA13 of every interchange, in arrival order (repeats included)."""
    reject_next: int = 0
    """Answer the next N interchanges with a 997 that rejects their sets."""
    _numbers: int = 0

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that reaches this retailer."""
        return httpx.MockTransport(self._handle)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """The same endpoint over real HTTP on 127.0.0.1 (for a hub in another process or
        thread, as Airflow tasks build their own); yields the base URL."""
        server = LiveServer(self._over_http)
        server.start_listening()
        try:
            yield server.base_url
        finally:
            server.close()

    def _over_http(self, request: PlatformRequest) -> Reply:
        answer = self._handle(
            httpx.Request(
                request.method,
                f"http://127.0.0.1{request.path}",
                headers=dict(request.headers),
                content=request.body,
            )
        )
        content_type = answer.headers.get("Content-Type", "text/plain")
        return Reply(answer.status_code, answer.content, content_type)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, text="bad token")
        acks: list[GroupAck] = []
        answer = b""
        results = []
        for event in read_x12(request.content):
            if isinstance(event, TransactionSet):
                ack = event.ack
                if self.reject_next:
                    ack = ack.rejected("5")
                elif ack.accepted:
                    self.received.append(event)
                results.append(ack)
            elif isinstance(event, GroupEnd):
                acks.append(event.acknowledge(results))
                results = []
            elif isinstance(event, InterchangeEnd):
                self.interchanges.append(event.header.control_number)
                self._numbers += 1
                numbers = ControlNumbers(self._numbers, self._numbers, self._numbers)
                answer += build_997(
                    event.header, acks, numbers=numbers, now=datetime(2026, 11, 22, tzinfo=UTC)
                ).data
                acks = []
        if self.reject_next:
            self.reject_next -= 1
        return httpx.Response(200, content=answer, headers={"Content-Type": "application/edi-x12"})
