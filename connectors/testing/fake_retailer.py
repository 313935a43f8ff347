"""A fake X12 retailer that receives our 855/856/810 over HTTP and answers with its 997.

In-process (an httpx transport), or over real HTTP on 127.0.0.1 (`serve`). It checks the bearer
token and the ISA addressing, reads every interchange with the hub's own X12 reader (the envelope
checks are the reader's), records the transaction sets it accepted, and answers each interchange
with a 997 it builds itself - accepting, or rejecting when told to.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        retailer = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = httpx.Request(
                    "POST",
                    f"http://127.0.0.1{self.path}",
                    headers=dict(self.headers.items()),
                    content=self.rfile.read(length),
                )
                answer = retailer._handle(request)
                self.send_response(answer.status_code)
                for name in ("Content-Type",):
                    if name in answer.headers:
                        self.send_header(name, answer.headers[name])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()

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
