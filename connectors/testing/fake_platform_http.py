"""The wire side of the fake platforms: request and outcome types, and a real HTTP server.

`LiveServer` is stdlib `http.server.ThreadingHTTPServer` on 127.0.0.1 and an ephemeral port,
served from a background thread: no dependency beyond the standard library, real sockets, and
no event loop to share with the test (uvicorn would add both for nothing a fake needs). It
answers HTTP/1.0 style, one request per connection, so a `down()` never leaves a kept-alive
connection behind.

- `Hold`: the handler thread waits `seconds`, or with `None` until the server stops (on an
  event, so stopping or `down()` releases it at once), then closes the connection without an
  answer; the client's own timeout fires first.
- `Drop`: the connection is closed without an answer (httpx: `RemoteProtocolError`).
- `stop_listening()` shuts the accept loop down and closes the listening socket, so new
  connections are refused by the kernel (ECONNREFUSED, httpx: `ConnectError`);
  `start_listening()` binds the same port again (SO_REUSEADDR), so the base URL stays valid.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

CXML_CONTENT_TYPE = "text/xml; charset=UTF-8"
MAX_BODY_BYTES = 10 * 1024 * 1024
"""Bodies above this are refused with HTTP 413 before anything reads them."""
_POLL_SECONDS = 0.05
"""How often the accept loop checks for shutdown: `down()` and `serve()` exit take about this."""


@dataclass(frozen=True)
class PlatformRequest:
    """An HTTP request as the platform sees it, whichever transport carried it."""

    method: str
    path: str
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes


@dataclass(frozen=True)
class Reply:
    """Answer with these bytes."""

    http_status: int
    body: bytes
    content_type: str = CXML_CONTENT_TYPE


@dataclass(frozen=True)
class Hold:
    """Answer nothing for `seconds` (`None`: until the server stops), then close the connection."""

    seconds: float | None


@dataclass(frozen=True)
class Drop:
    """Close the connection without an answer (the answer is lost)."""


PlatformOutcome = Reply | Hold | Drop
Handle = Callable[[PlatformRequest], PlatformOutcome]


class _Server(ThreadingHTTPServer):
    """One listening generation; joins its handler threads on close."""

    daemon_threads = False  # so server_close() waits for handlers (held ones are released)

    def __init__(self, address: tuple[str, int], handle: Handle) -> None:
        super().__init__(address, _Handler)
        self.handle_platform_request = handle
        self.release = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def end_kept_alive_connections(self) -> None:
        """Shut idle keep-alive connections, so their handler threads end and close can join."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.1 keeps connections alive, as real platforms' load balancers do: a client that
    # opened a new TCP connection per document would measure the handshake, not itself.
    protocol_version = "HTTP/1.1"
    # The status line and headers go out in one write and the body in another; with Nagle's
    # algorithm on, the body then waits for the client's delayed ACK (40 ms) on a kept-alive
    # connection. Real servers set TCP_NODELAY; so does the fake.
    disable_nagle_algorithm = True
    server_version = "FakeCxmlPlatform/1.0"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        if self.server.release.is_set():  # stopped listening: kept-alive connections end too
            self.close_connection = True
            return
        length = self.headers.get("Content-Length")
        if length is None and self.command == "GET":
            length = "0"  # a GET carries no body, and httpx sends no Content-Length for it
        if length is None or not length.isdigit():
            self._write(Reply(411, b"411 Length Required\n", "text/plain; charset=utf-8"))
            self.close_connection = True
            return
        if int(length) > MAX_BODY_BYTES:
            self._write(Reply(413, b"413 Payload Too Large\n", "text/plain; charset=utf-8"))
            self.close_connection = True
            return
        request = PlatformRequest(
            method=self.command,
            path=urlsplit(self.path).path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(int(length)),
        )
        outcome = self.server.handle_platform_request(request)
        if isinstance(outcome, Hold):
            self.server.release.wait(outcome.seconds)
        if isinstance(outcome, Reply):
            self._write(outcome)
        else:  # held past the client's patience, or dropped: the connection ends unanswered
            self.close_connection = True

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.http_status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:  # the client gave up; nothing left to tell it
            logger.debug("client went away before the answer")

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        logger.debug("fake platform %s: " + format, self.client_address[0], *args)


class LiveServer:
    """A `ThreadingHTTPServer` in a background thread that can stop and resume listening."""

    def __init__(self, handle: Handle, *, host: str = "127.0.0.1") -> None:
        self._handle = handle
        self._host = host
        self._port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """`http://host:port`; known once the server has listened."""
        if not self._port:
            msg = "the server has not listened yet"
            raise RuntimeError(msg)
        return f"http://{self._host}:{self._port}"

    @property
    def listening(self) -> bool:
        """True while the listening socket is open."""
        return self._server is not None

    def start_listening(self) -> None:
        """Bind (the same port as before, if any) and serve from a background thread."""
        with self._lock:
            if self._server is not None:
                return
            server = _Server((self._host, self._port), self._handle)
            self._port = server.server_address[1]
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name=f"fake-platform-{self._port}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread

    def stop_listening(self) -> None:
        """Close the listening socket: new connections are refused. Held requests end now."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        server.release.set()
        server.shutdown()
        server.end_kept_alive_connections()
        server.server_close()
        thread.join()

    def close(self) -> None:
        """Stop for good (same as `stop_listening`; safe to call twice)."""
        self.stop_listening()
