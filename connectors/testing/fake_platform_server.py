"""`FakePlatform`: Coupa, SAP Ariba or JAGGAER receiving the supplier documents the hub sends.

The counterpart of `fake_platform.FakeProcurementPlatform` (which *sends* OrderRequests): this
one *receives* ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest, speaks real
cXML back, keeps state and fails on request.

    platform = FakePlatform("coupa", credentials=creds, dtd_dir=CXML_DTD_DIR, clock=clock)
    platform.register_order(order, payload_id)             # an order this buyer issued
    client = httpx.Client(transport=platform.transport(), base_url=platform.base_url)
    with platform.serve() as base_url: ...                 # or a real socket on 127.0.0.1

Every POST to a document endpoint (paths in `fake_platform_flavours`) goes through, in order:
content type (415), `parse_cxml` (400; unsafe 406), DTD validation when `dtd_dir` is given (400
with the first DTD error), the endpoint's credential set (401), the document kind the endpoint
takes (406), the platform's cXML version rule (400), the hub's own reader into the canonical
model (400; unsupported 406), idempotency, then the business rules of `fake_platform_rules`
(400, 409). The answer is a cXML `Response/Status` built with `build_response`; the HTTP status
mirrors its class as Coupa's does: 2xx travels as HTTP 200, 4xx and 5xx as the same HTTP code.

Idempotency: an accepted document is remembered under its `Idempotency-Key` header and its
payloadID (platforms dedupe on payloadID). A repeat of either gets the original answer, byte
for byte, and creates nothing; a repeat naming another business document is a 409. Refused
documents are not remembered, so a repeat is judged again. None of the real platforms documents
an `Idempotency-Key` header (partners.md §7); the hub sends one and the fake honours it, so a
test can prove "a crash between send and record produces no second document".

Failure injection (thread-safe, FIFO, see `fake_platform_faults`) consumes one fault per POST
to a document endpoint: `fail_next` and `reject_next` answer without processing;
`timeout_next` never answers (in-process: `httpx.ReadTimeout` at once, no sleeping; live: the
connection is held until the server stops, or `seconds`, then closed unanswered);
`process_then_fail_next` accepts and records the document, then answers 503 or drops the
connection, so the real answer is lost; `down()` refuses connections (in-process:
`httpx.ConnectError`; live: the listening socket is closed and `up()` binds the same port
again), and requests refused while down are not in `exchanges`.

No pytest, no `gateway_api`; the clock is injected and in-process mode never sleeps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import httpx

from connectors.core.errors import DocumentError, UnsafeDocumentError, UnsupportedDocumentError
from connectors.formats.cxml import (
    CxmlDocument,
    CxmlStatus,
    DtdValidator,
    build_response,
    new_payload_id,
    parse_cxml,
    read_confirmation_request,
    read_invoice_detail_request,
    read_order_request,
    read_ship_notice_request,
)
from connectors.testing.fake_platform_faults import Fault, FaultQueue
from connectors.testing.fake_platform_flavours import (
    BASE_URLS,
    ENDPOINTS,
    DocumentKind,
    Endpoint,
    ExpectedCredentials,
    Flavour,
    PlatformCredentials,
    check_flavour_credentials,
    credential_problem,
)
from connectors.testing.fake_platform_http import (
    Drop,
    Hold,
    LiveServer,
    PlatformOutcome,
    PlatformRequest,
    Reply,
)
from connectors.testing.fake_platform_records import (
    Injected,
    Outcome,
    PlatformExchange,
    ReceivedDocument,
)
from connectors.testing.fake_platform_rules import (
    BusinessDocument,
    PlatformLedger,
    RuleViolationError,
    business_id,
    check_cxml_version,
)
from schemas import PurchaseOrder

__all__ = [
    "ENDPOINTS",
    "IDEMPOTENCY_HEADER",
    "DocumentKind",
    "Endpoint",
    "ExpectedCredentials",
    "FakePlatform",
    "Flavour",
    "PlatformCredentials",
    "PlatformExchange",
    "ReceivedDocument",
]

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header a retransmission repeats; the hub sends one with every document."""


@dataclass(frozen=True)
class _Decision:
    status: CxmlStatus
    answer: bytes
    payload_id: str | None = None
    received: ReceivedDocument | None = None
    replayed: bool = False


class FakePlatform:
    """A stateful Coupa, SAP Ariba or JAGGAER that receives cXML business documents."""

    def __init__(
        self,
        flavour: Flavour,
        *,
        credentials: PlatformCredentials,
        dtd_dir: Path | None,
        clock: Callable[[], datetime] | None = None,
        default_tz: tzinfo = UTC,
    ) -> None:
        """`dtd_dir=None` skips DTD validation; `default_tz` is for datetimes without a zone."""
        if flavour not in ENDPOINTS:
            msg = f"unknown platform flavour {flavour!r}; use coupa, ariba or jaggaer"
            raise ValueError(msg)
        check_flavour_credentials(flavour, credentials)
        self.flavour: Flavour = flavour
        self.credentials = credentials
        self.base_url = BASE_URLS[flavour]
        self.endpoints: dict[str, Endpoint] = {e.path: e for e in ENDPOINTS[flavour]}
        self._validator = DtdValidator(dtd_dir) if dtd_dir is not None else None
        self._clock = clock or _utc_now
        self._default_tz = default_tz
        self._hostname = self.base_url.removeprefix("https://")
        self._lock = threading.RLock()
        self._ledger = PlatformLedger()
        self._faults = FaultQueue()
        self._by_key: dict[str, ReceivedDocument] = {}
        self._by_payload_id: dict[str, ReceivedDocument] = {}
        self._received: list[ReceivedDocument] = []
        self._exchanges: list[PlatformExchange] = []
        self._down = False
        self._servers: list[LiveServer] = []

    def __repr__(self) -> str:
        return f"FakePlatform({self.flavour!r}, received={len(self._received)})"

    # -- what the platform knows -------------------------------------------------------------

    def register_order(self, order: PurchaseOrder, payload_id: str) -> None:
        """An order this platform issued (the OrderRequest's payloadID): new, update or delete."""
        with self._lock:
            self._ledger.register_order(order, payload_id)

    def register_order_request(self, body: bytes) -> PurchaseOrder:
        """Register the order an OrderRequest document carries (as a platform sent it)."""
        document = parse_cxml(body, default_tz=self._default_tz)
        order = read_order_request(document, default_tz=self._default_tz)
        self.register_order(order, document.payload_id)
        return order

    def order(self, order_id: str) -> PurchaseOrder | None:
        """The latest registered version of an order."""
        with self._lock:
            return self._ledger.order(order_id)

    @property
    def received(self) -> list[ReceivedDocument]:
        """Accepted business documents, oldest first (a copy)."""
        with self._lock:
            return list(self._received)

    @property
    def exchanges(self) -> list[PlatformExchange]:
        """Every request that reached the platform and what became of it (a copy)."""
        with self._lock:
            return list(self._exchanges)

    def endpoint_for(self, kind: DocumentKind) -> Endpoint:
        """The endpoint a document of `kind` is posted to."""
        return next(e for e in self.endpoints.values() if kind in e.kinds)

    def url_for(self, kind: DocumentKind, base_url: str | None = None) -> str:
        """The full URL for `kind` under `base_url` (default: the in-process base URL)."""
        return f"{(base_url or self.base_url).rstrip('/')}{self.endpoint_for(kind).path}"

    def endpoint_urls(self, base_url: str | None = None) -> dict[str, str]:
        """`{kind: url}` for every document kind: the `endpoints` of a hub partner profile."""
        return {
            kind: f"{(base_url or self.base_url).rstrip('/')}{endpoint.path}"
            for endpoint in self.endpoints.values()
            for kind in sorted(endpoint.kinds)
        }

    # -- failure injection -------------------------------------------------------------------

    def fail_next(self, n: int = 1, *, status: int = 503) -> None:
        """The next `n` documents are answered `status` (4xx or 5xx) without being processed."""
        _check_code(status, 400, 599)
        self._faults.add(Fault("fail", CxmlStatus.of(status, "injected failure")), n)

    def reject_next(self, n: int = 1, *, code: int = 400, text: str = "Rejected") -> None:
        """The next `n` documents are refused with cXML `code` (4xx), `text` as the message."""
        _check_code(code, 400, 499)
        self._faults.add(Fault("reject", CxmlStatus.of(code, text)), n)

    def timeout_next(self, n: int = 1, *, seconds: float | None = None) -> None:
        """The next `n` documents are neither processed nor answered.

        `seconds=None` means longer than any client waits: in-process `httpx.ReadTimeout` at
        once (no sleeping); live, the connection is held until the server stops or goes down.
        With `seconds`, live holds that long and then closes the connection unanswered, and
        in-process does the same in effect: `ReadTimeout` when `seconds` is at least the
        client's read timeout, else `httpx.RemoteProtocolError` at once.
        """
        if seconds is not None and seconds <= 0:
            msg = f"seconds must be positive, not {seconds}"
            raise ValueError(msg)
        self._faults.add(Fault("timeout", seconds=seconds), n)

    def process_then_fail_next(self, n: int = 1, *, status: int | None = 503) -> None:
        """The next `n` documents are processed (and recorded), then the answer is lost:
        answered `status` instead, or, with `status=None`, the connection is dropped."""
        if status is not None:
            _check_code(status, 400, 599)
        answer = None if status is None else CxmlStatus.of(status, "answer lost after processing")
        self._faults.add(Fault("process_then_fail", answer), n)

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many queued faults the next requests will still meet."""
        return len(self._faults)

    @property
    def is_down(self) -> bool:
        """True between `down()` and `up()`."""
        return self._down

    def down(self) -> None:
        """Refuse connections until `up()`; live servers close their listening sockets."""
        with self._lock:
            self._down = True
            servers = list(self._servers)
        for server in servers:
            server.stop_listening()

    def up(self) -> None:
        """Accept connections again; live servers listen on the same port again."""
        with self._lock:
            self._down = False
            servers = list(self._servers)
        for server in servers:
            server.start_listening()

    # -- transports --------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An in-process transport: `httpx.Client(transport=..., base_url=platform.base_url)`."""
        return httpx.MockTransport(self._handle_httpx)

    @contextmanager
    def serve(self, host: str = "127.0.0.1") -> Iterator[str]:
        """A real HTTP server on `host` and an ephemeral port; yields its base URL.

        Stops on exit: held requests are released, the socket closed, handler threads joined.
        """
        server = LiveServer(self.handle, host=host)
        server.start_listening()  # binds the port the base URL names, even while down
        with self._lock:
            self._servers.append(server)
            down = self._down
        if down:
            server.stop_listening()
        try:
            yield server.base_url
        finally:
            with self._lock:
                self._servers.remove(server)
            server.close()

    def _handle_httpx(self, request: httpx.Request) -> httpx.Response:
        if self._down:
            msg = "[Errno 111] Connection refused"
            raise httpx.ConnectError(msg, request=request)
        timeouts = request.extensions.get("timeout", {})
        outcome = self.handle(
            PlatformRequest(
                method=request.method,
                path=request.url.path,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=request.read(),
            )
        )
        if isinstance(outcome, Reply):
            return httpx.Response(
                outcome.http_status,
                content=outcome.body,
                headers={"Content-Type": outcome.content_type},
            )
        if isinstance(outcome, Hold) and not _answered_in_time(outcome, timeouts.get("read")):
            msg = "The read operation timed out"
            raise httpx.ReadTimeout(msg, request=request)
        msg = "Server disconnected without sending a response."
        raise httpx.RemoteProtocolError(msg, request=request)

    # -- the platform ------------------------------------------------------------------------

    def handle(self, request: PlatformRequest) -> PlatformOutcome:
        """Decide what one request gets; both transports call this."""
        endpoint = self.endpoints.get(request.path)
        if endpoint is None or request.method != "POST":
            code, text = (404, "Not Found") if endpoint is None else (405, "Method Not Allowed")
            body = f"{code} {text}\n".encode()
            self._log(request, "answered", response=body, http_status=code)
            return Reply(code, body, "text/plain; charset=utf-8")
        fault = self._faults.take()
        injected = fault.kind if fault is not None else None
        if fault is not None and fault.kind == "timeout":
            self._log(request, "timed_out", injected=injected)
            return Hold(fault.seconds)
        decision = None
        if fault is None or fault.kind == "process_then_fail":
            with self._lock:
                decision = self._decide(endpoint, request)
        if fault is None or fault.status is None:
            assert decision is not None  # only process_then_fail has no status: it processed
            if fault is not None:  # processed, then the connection drops: the answer is lost
                self._log(request, "dropped", decision.status, decision=decision, injected=injected)
                return Drop()
            status, answer = decision.status, decision.answer
        else:
            status, answer = fault.status, self._answer(fault.status)
        self._log(request, "answered", status, answer, decision=decision, injected=injected)
        return Reply(_http_status(status), answer)

    def _decide(self, endpoint: Endpoint, request: PlatformRequest) -> _Decision:
        try:
            return self._process(endpoint, request)
        except RuleViolationError as refusal:
            return self._refusal(refusal.status, request)
        except Exception as error:  # a bug in the fake or a reader: answer as a platform does
            logger.exception("fake %s platform failed on %s", self.flavour, request.path)
            status = CxmlStatus.internal_server_error(f"{type(error).__name__}: {error}")
            return _Decision(status, self._answer(status))

    def _process(self, endpoint: Endpoint, request: PlatformRequest) -> _Decision:
        content_type = request.headers.get("content-type", "")
        if "xml" not in content_type.lower():
            msg = f"cXML is posted as text/xml, not {content_type or 'no Content-Type'}"
            raise RuleViolationError(CxmlStatus.unsupported_media_type(msg))
        document = _parse(request.body, self._default_tz)
        if self._validator is not None:
            errors = self._validator.validate(document.root)
            if errors:
                raise RuleViolationError(CxmlStatus.bad_request(f"DTD: {errors[0]}"))
        expected = self.credentials.select(endpoint.credentials)
        problem = credential_problem(document.header, expected)
        if problem is not None:
            raise RuleViolationError(CxmlStatus.unauthorized(problem))
        if document.kind not in endpoint.kinds:
            accepted = ", ".join(sorted(endpoint.kinds))
            msg = f"{document.kind} is not accepted at {endpoint.path} (accepts {accepted})"
            raise RuleViolationError(CxmlStatus.not_acceptable(msg))
        kind: DocumentKind = document.kind  # type: ignore[assignment]  # checked just above
        check_cxml_version(self.flavour, kind, document.version)
        business = _read(kind, document, self._default_tz)
        key = request.headers.get(IDEMPOTENCY_HEADER.lower()) or None
        earlier = (self._by_key.get(key) if key else None) or self._by_payload_id.get(
            document.payload_id
        )
        if earlier is not None:
            return self._replay(earlier, kind, business, document.payload_id)
        self._ledger.admit(business, document.payload_id)
        status = CxmlStatus.ok(f"{kind} {business_id(business)} accepted")
        answer = self._answer(status)
        received = ReceivedDocument(
            kind=kind,
            payload_id=document.payload_id,
            document=business,
            raw=request.body,
            idempotency_key=key,
            path=endpoint.path,
            received_at=self._clock(),
            answer=answer,
        )
        self._received.append(received)
        self._by_payload_id[document.payload_id] = received
        if key:
            self._by_key[key] = received
        return _Decision(status, answer, document.payload_id, received)

    def _replay(
        self,
        earlier: ReceivedDocument,
        kind: DocumentKind,
        business: BusinessDocument,
        payload_id: str,
    ) -> _Decision:
        """The stored answer for a retransmission, or 409 when it names another document."""
        if (earlier.kind, business_id(earlier.document)) != (kind, business_id(business)):
            msg = (
                f"this Idempotency-Key or payloadID was used for {earlier.kind} "
                f"{business_id(earlier.document)}, not {kind} {business_id(business)}"
            )
            raise RuleViolationError(CxmlStatus.conflict(msg))
        status = CxmlStatus.ok(f"{kind} {business_id(business)} accepted")
        return _Decision(status, earlier.answer, payload_id, replayed=True)

    def _refusal(self, status: CxmlStatus, request: PlatformRequest) -> _Decision:
        return _Decision(status, self._answer(status), _payload_id_of(request.body))

    def _answer(self, status: CxmlStatus) -> bytes:
        now = self._clock()
        return build_response(status, payload_id=new_payload_id(now, self._hostname), timestamp=now)

    def _log(
        self,
        request: PlatformRequest,
        outcome: Outcome,
        status: CxmlStatus | None = None,
        response: bytes | None = None,
        *,
        http_status: int | None = None,
        decision: _Decision | None = None,
        injected: Injected | None = None,
    ) -> None:
        """Record an exchange; an answered cXML status travels as `_http_status(status)`."""
        if outcome == "answered" and status is not None:
            http_status = _http_status(status)
        exchange = PlatformExchange(
            at=self._clock(),
            method=request.method,
            path=request.path,
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER.lower()) or None,
            payload_id=decision.payload_id if decision else _payload_id_of(request.body),
            request=request.body,
            outcome=outcome,
            http_status=http_status,
            status=status,
            response=response,
            injected=injected,
            replayed=decision.replayed if decision else False,
            received=decision.received if decision else None,
        )
        with self._lock:
            self._exchanges.append(exchange)
        logger.debug(
            "fake %s: %s %s -> %s", self.flavour, request.method, request.path, http_status
        )


def _parse(body: bytes, default_tz: tzinfo) -> CxmlDocument:
    try:
        return parse_cxml(body, default_tz=default_tz)
    except UnsafeDocumentError as error:
        raise RuleViolationError(CxmlStatus.not_acceptable(str(error))) from None
    except DocumentError as error:
        raise RuleViolationError(CxmlStatus.bad_request(str(error))) from None


_READERS: dict[str, Callable[..., BusinessDocument]] = {
    "ConfirmationRequest": read_confirmation_request,
    "ShipNoticeRequest": read_ship_notice_request,
    "InvoiceDetailRequest": read_invoice_detail_request,
}


def _read(kind: DocumentKind, document: CxmlDocument, default_tz: tzinfo) -> BusinessDocument:
    """The canonical document, read with the hub's own readers in `connectors.formats.cxml`."""
    try:
        return _READERS[kind](document, default_tz=default_tz)
    except UnsupportedDocumentError as error:
        raise RuleViolationError(CxmlStatus.not_acceptable(str(error))) from None
    except DocumentError as error:
        raise RuleViolationError(CxmlStatus.bad_request(str(error))) from None


def _payload_id_of(body: bytes) -> str | None:
    try:
        return parse_cxml(body).payload_id
    except DocumentError:
        return None


def _answered_in_time(hold: Hold, read_timeout: float | None) -> bool:
    """Whether a held connection closes before the client's read timeout fires (then the
    client sees the connection close unanswered, not a timeout)."""
    return hold.seconds is not None and read_timeout is not None and hold.seconds < read_timeout


def _http_status(status: CxmlStatus) -> int:
    """Coupa's mirroring: 2xx as HTTP 200, any other class as the same HTTP code."""
    return 200 if status.is_success else status.code


def _check_code(code: int, low: int, high: int) -> None:
    if not low <= code <= high:
        msg = f"status must be between {low} and {high}, not {code}"
        raise ValueError(msg)


def _utc_now() -> datetime:
    return datetime.now(UTC)
