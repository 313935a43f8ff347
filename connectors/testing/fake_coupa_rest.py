"""`FakeCoupaRest`: Coupa's Core REST API for purchase orders, with OAuth2, state and faults.

    coupa = FakeCoupaRest(clock=clock)
    coupa.add_client("hub", "s3cret", scopes=DEFAULT_CLIENT_SCOPES)
    coupa.generate_orders(250)
    client = build_http_client(transport=coupa.transport())    # in-process (unit tests)
    with coupa.serve() as base_url: ...                        # real HTTP on 127.0.0.1

Both modes run the same handler. What it speaks (partners.md §1.1; [ASSUME] marks our guesses):

- `POST /oauth2/token`, form-encoded client-credentials grant (client id and secret in the form
  or as HTTP Basic): `{"access_token", "token_type": "bearer", "expires_in", "scope"}`; an
  unknown client or a wrong secret is 401 `invalid_client`, a scope the client does not hold is
  400 `invalid_scope`, another grant 400 `unsupported_grant_type`.
- `GET /api/purchase_orders` with exactly the arguments the hub uses: `exported`,
  `updated-at[gt_or_eq]`, `updated-at[gt]` (also with `_`), `order_by` (`id`, `updated-at`)
  and `dir` [ASSUME: names], `limit` (capped at 50, as Coupa does), `offset`. Any other
  argument is a 400, so a typo in the client shows. No match is `[]` with 200 (JSON).
- `GET /api/purchase_orders/{id}`; `PUT /api/purchase_orders/{id}?exported=true|false`
  (bumps `updated-at`, as a Rails update does [ASSUME]).
- API calls need a bearer token that is known, unexpired and not revoked (else 401), holding
  `core.purchase_order.read` (GET) or `.write` (PUT) (else 403).
- Errors are `{"errors": {"<resource>": ["message"]}}` [ASSUME, partners.md §9.2]; every
  answer is `application/json; charset=utf-8`, UTF-8 without escapes (Turkish text as is).

State: purchase orders as Coupa's JSON (`generate_orders`, `add_order`), `revise` (new version,
`exported=false`, later `updated-at`), `cancel` (status `cancelled`, `exported=false`, same
version [ASSUME]); OAuth2 clients and the tokens issued; a request log (`requests`).

Faults, per endpoint (`"api"` or `"token"`), FIFO, each consumed by one request:
`rate_limit_next` (429 + Retry-After), `fail_next` (5xx), `slow_next` (answer after `seconds`:
live, the handler waits; in-process, nothing sleeps: a delay at or beyond the request's read
timeout raises `httpx.ReadTimeout`, a shorter one answers at once). `revoke_tokens` expires
every token now. Time (`updated-at`, token expiry) comes from the injected clock only.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hmac
import json
import logging
import socket
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import httpx

from connectors.core.contract import Clock

__all__ = [
    "DEFAULT_CLIENT_SCOPES",
    "DEFAULT_TOKEN_LIFETIME",
    "FAKE_BASE_URL",
    "JSON_CONTENT_TYPE",
    "PURCHASE_ORDER_READ",
    "PURCHASE_ORDER_WRITE",
    "CoupaRequest",
    "FakeCoupaRest",
]

logger = logging.getLogger(__name__)

FAKE_BASE_URL = "https://fake.coupahost.com"
"""The base URL in-process clients use (the transport ignores the host)."""
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PURCHASE_ORDER_READ = "core.purchase_order.read"
PURCHASE_ORDER_WRITE = "core.purchase_order.write"
DEFAULT_CLIENT_SCOPES = frozenset({PURCHASE_ORDER_READ, PURCHASE_ORDER_WRITE, "core.supplier.read"})
DEFAULT_TOKEN_LIFETIME = timedelta(seconds=86399)
"""What Coupa answers in `expires_in` (24 h less a second)."""
MAX_LIMIT = 50
MAX_BODY_BYTES = 1024 * 1024
TURKEY = timezone(timedelta(hours=3))

_TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a password
_PURCHASE_ORDERS = "/api/purchase_orders"
_LIST_ARGUMENTS = frozenset(
    {
        "exported",
        "updated-at[gt_or_eq]",
        "updated_at[gt_or_eq]",
        "updated-at[gt]",
        "updated_at[gt]",
        "order_by",
        "dir",
        "limit",
        "offset",
    }
)
_ORDER_BY = {"id": "id", "updated-at": "updated-at", "updated_at": "updated-at"}
_POLL_SECONDS = 0.05
Endpoint = Literal["api", "token"]


@dataclass(frozen=True)
class CoupaRequest:
    """One request as the fake saw it, for assertions."""

    at: datetime
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    """Decoded query arguments in the order sent."""
    token_valid: bool
    """Whether it carried a bearer token that was valid when it arrived."""
    status: int
    """The HTTP status answered."""
    injected: str | None = None
    """`rate_limit`, `error` or `slow` when a queued fault shaped the answer."""

    def argument(self, name: str) -> str | None:
        """The first value of query argument `name`."""
        return next((value for key, value in self.query if key == name), None)


@dataclass(frozen=True)
class _OAuthClient:
    client_id: str
    secret: str = field(repr=False)
    scopes: frozenset[str]


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime


@dataclass(frozen=True)
class _Incoming:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    """Names in lower case."""
    body: bytes


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    injected: str | None = None


@dataclass(frozen=True)
class _Fault:
    kind: Literal["rate_limit", "error", "slow"]
    status: int = 0
    retry_after: str | None = None
    seconds: float = 0.0


class _RefusedError(Exception):
    """An error answer, raised from deep in a handler."""

    def __init__(self, answer: _Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


class FakeCoupaRest:
    """A stateful Coupa instance serving purchase orders and OAuth2 tokens (see module doc)."""

    def __init__(
        self,
        *,
        clock: Clock,
        token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
        tz: tzinfo = TURKEY,
        supplier: Mapping[str, Any] | None = None,
    ) -> None:
        """`tz` is the instance's time zone for the datetimes it writes; `supplier` is us."""
        self._clock = clock
        self._token_lifetime = token_lifetime
        self._tz = tz
        self._supplier = dict(
            supplier or {"id": 42, "name": "Anadolu Tedarik A.Ş.", "number": "SUP-0042"}
        )
        self._lock = threading.RLock()
        self._orders: dict[int, dict[str, Any]] = {}
        self._clients: dict[str, _OAuthClient] = {}
        self._tokens: dict[str, _Token] = {}
        self._tokens_issued = 0
        self._faults: dict[Endpoint, deque[_Fault]] = {"api": deque(), "token": deque()}
        self._requests: list[CoupaRequest] = []

    def __repr__(self) -> str:
        return f"FakeCoupaRest(orders={len(self._orders)}, clients={sorted(self._clients)})"

    # -- state ----------------------------------------------------------------------------------

    def add_client(
        self, client_id: str, client_secret: str, scopes: Iterable[str] = DEFAULT_CLIENT_SCOPES
    ) -> None:
        """An OAuth2 client (Coupa's "OpenID Connect client") allowed these scopes."""
        with self._lock:
            self._clients[client_id] = _OAuthClient(client_id, client_secret, frozenset(scopes))

    def generate_orders(self, n: int) -> list[int]:
        """Add `n` issued, unexported orders with 1-3 lines each; returns their ids.

        Deterministic: the same calls on a fake with the same clock give the same orders.
        """
        with self._lock:
            first = max(self._orders, default=6100) + 1
            ids = list(range(first, first + n))
            for po_id in ids:
                self._orders[po_id] = self._generated(po_id)
            return ids

    def add_order(self, order: Mapping[str, Any]) -> int:
        """Add an order exactly as given (it needs an integer `id`); returns the id."""
        po_id = order.get("id")
        if not isinstance(po_id, int):
            msg = "an order needs an integer id"
            raise ValueError(msg)
        with self._lock:
            self._orders[po_id] = copy.deepcopy(dict(order))
        return po_id

    def order(self, po_id: int) -> dict[str, Any]:
        """A copy of one order as the API would answer it."""
        with self._lock:
            return copy.deepcopy(self._orders[po_id])

    def orders(self) -> list[dict[str, Any]]:
        """Copies of every order, by id."""
        with self._lock:
            return [copy.deepcopy(self._orders[k]) for k in sorted(self._orders)]

    def revise(self, po_id: int) -> dict[str, Any]:
        """A change re-sent to the supplier: next version, `exported=false`, first line +1."""
        with self._lock:
            order = self._orders[po_id]
            order["version"] = int(order.get("version", 1)) + 1
            order["internal-revision"] = int(order.get("internal-revision", 1)) + 1
            lines = order.get("order-lines") or []
            if lines:
                quantity = Decimal(lines[0]["quantity"]) + 1
                lines[0]["quantity"] = f"{quantity:.1f}"
                lines[0]["total"] = f"{quantity * Decimal(lines[0]['price']):.2f}"
            self._touch(order, exported=False)
            return copy.deepcopy(order)

    def cancel(self, po_id: int) -> dict[str, Any]:
        """Cancel an order: status `cancelled`, `exported=false`, same version [ASSUME]."""
        with self._lock:
            order = self._orders[po_id]
            order["status"] = "cancelled"
            self._touch(order, exported=False)
            return copy.deepcopy(order)

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working now (expired or revoked in Coupa)."""
        with self._lock:
            self._tokens.clear()

    @property
    def tokens_issued(self) -> int:
        """How many tokens the token endpoint has issued."""
        with self._lock:
            return self._tokens_issued

    @property
    def requests(self) -> tuple[CoupaRequest, ...]:
        """Every request so far, in arrival order."""
        with self._lock:
            return tuple(self._requests)

    def api_requests(self) -> list[CoupaRequest]:
        """The requests to `/api/...` only."""
        return [r for r in self.requests if r.path.startswith("/api/")]

    # -- faults ---------------------------------------------------------------------------------

    def rate_limit_next(
        self, n: int = 1, *, retry_after: int | str = 30, endpoint: Endpoint = "api"
    ) -> None:
        """The next `n` requests to `endpoint` answer 429 with `Retry-After: retry_after`."""
        self._queue(_Fault("rate_limit", 429, retry_after=str(retry_after)), n, endpoint)

    def fail_next(self, n: int = 1, *, status: int = 503, endpoint: Endpoint = "api") -> None:
        """The next `n` requests to `endpoint` answer `status` (a 5xx) without processing."""
        if not 500 <= status <= 599:
            msg = f"fail_next takes a 5xx status, not {status}"
            raise ValueError(msg)
        self._queue(_Fault("error", status), n, endpoint)

    def slow_next(self, n: int = 1, *, seconds: float, endpoint: Endpoint = "api") -> None:
        """The next `n` requests to `endpoint` are processed, then answered `seconds` late."""
        self._queue(_Fault("slow", seconds=seconds), n, endpoint)

    def _queue(self, fault: _Fault, n: int, endpoint: Endpoint) -> None:
        if n < 1:
            msg = f"n must be at least 1, not {n}"
            raise ValueError(msg)
        with self._lock:
            self._faults[endpoint].extend([fault] * n)

    # -- transports -----------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """The fake in-process, for `build_http_client(transport=...)`."""
        return httpx.MockTransport(self._handle_httpx)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """The fake on 127.0.0.1 and an ephemeral port (keep-alive); yields the base URL."""
        server = _Server(("127.0.0.1", 0), self)
        port = server.server_address[1]
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"fake-coupa-rest-{port}",
            daemon=True,
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.release.set()
            server.shutdown()
            server.end_kept_alive_connections()
            server.server_close()
            thread.join()

    def _handle_httpx(self, request: httpx.Request) -> httpx.Response:
        query = tuple(parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True))
        incoming = _Incoming(
            method=request.method,
            path=request.url.path,
            query=query,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.read(),
        )
        answer = self._handle(incoming)
        timeout = request.extensions.get("timeout", {}).get("read")
        if answer.delay and timeout is not None and answer.delay >= timeout:
            msg = f"fake Coupa answered {answer.delay}s late (read timeout {timeout}s)"
            raise httpx.ReadTimeout(msg, request=request)
        headers = [("Content-Type", JSON_CONTENT_TYPE), *answer.headers]
        return httpx.Response(answer.status, content=answer.body, headers=headers)

    # -- the handler both transports share ------------------------------------------------------

    def _handle(self, incoming: _Incoming) -> _Answer:
        """Answer one request: a queued fault, or the route's answer; logged either way."""
        endpoint: Endpoint = "token" if incoming.path == _TOKEN_PATH else "api"
        with self._lock:
            now = self._clock()
            token = self._valid_token(incoming.headers, now)
            fault = self._faults[endpoint].popleft() if self._faults[endpoint] else None
            if fault is not None and fault.kind != "slow":
                answer = _fault_answer(fault)
            else:
                try:
                    answer = self._route(incoming, token, now)
                except _RefusedError as refusal:
                    answer = refusal.answer
                if fault is not None:
                    answer = replace(answer, delay=fault.seconds, injected=fault.kind)
            self._requests.append(
                CoupaRequest(
                    at=now,
                    method=incoming.method,
                    path=incoming.path,
                    query=incoming.query,
                    token_valid=token is not None,
                    status=answer.status,
                    injected=answer.injected,
                )
            )
        logger.debug("fake coupa: %s %s -> %d", incoming.method, incoming.path, answer.status)
        return answer

    def _route(self, incoming: _Incoming, token: _Token | None, now: datetime) -> _Answer:
        path, method = incoming.path.rstrip("/"), incoming.method
        if path == _TOKEN_PATH:
            _require_method(method, "POST")
            return self._issue_token(incoming, now)
        if path == _PURCHASE_ORDERS:
            _require_method(method, "GET")
            _require_scope(token, PURCHASE_ORDER_READ)
            return _json(200, self._list(dict(_single(incoming.query))))
        if path.startswith(f"{_PURCHASE_ORDERS}/"):
            po_id = _order_id(path.removeprefix(f"{_PURCHASE_ORDERS}/"))
            if method == "GET":
                _require_scope(token, PURCHASE_ORDER_READ)
                return _json(200, self._show(po_id))
            _require_method(method, "PUT")
            _require_scope(token, PURCHASE_ORDER_WRITE)
            return _json(200, self._update(po_id, dict(_single(incoming.query)), now))
        raise _RefusedError(_errors(404, "resource", f"no such resource: {path}"))

    # -- OAuth2 -----------------------------------------------------------------------------------

    def _issue_token(self, incoming: _Incoming, now: datetime) -> _Answer:
        content_type = incoming.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return _oauth_error(400, "invalid_request", "send the grant form-encoded")
        try:
            form = dict(parse_qsl(incoming.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _oauth_error(400, "invalid_request", "the form is not UTF-8")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "only client_credentials")
        client_id, secret = _client_credentials(form, incoming.headers)
        client = self._clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        requested = frozenset(form.get("scope", "").split()) or client.scopes
        unknown = sorted(requested - client.scopes)
        if unknown:
            return _oauth_error(400, "invalid_scope", f"not granted: {' '.join(unknown)}")
        self._tokens_issued += 1
        value = f"fake-coupa-token-{self._tokens_issued:04d}"
        self._tokens[value] = _Token(value, client_id, requested, now + self._token_lifetime)
        return _json(
            200,
            {
                "access_token": value,
                "token_type": "bearer",
                "expires_in": int(self._token_lifetime.total_seconds()),
                "scope": " ".join(sorted(requested)),
            },
        )

    def _valid_token(self, headers: Mapping[str, str], now: datetime) -> _Token | None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = self._tokens.get(value.strip())
        return token if token is not None and now < token.expires_at else None

    # -- purchase orders ------------------------------------------------------------------------

    def _list(self, arguments: dict[str, str]) -> list[dict[str, Any]]:
        unknown = sorted(set(arguments) - _LIST_ARGUMENTS)
        if unknown:
            raise _RefusedError(_errors(400, "purchase-order", f"unknown argument(s): {unknown}"))
        orders = list(self._orders.values())
        if "exported" in arguments:
            exported = _boolean(arguments["exported"], "exported")
            orders = [o for o in orders if bool(o.get("exported")) is exported]
        for name in ("updated-at[gt_or_eq]", "updated_at[gt_or_eq]"):
            if name in arguments:
                since = self._moment(arguments[name], name)
                orders = [o for o in orders if self._updated_at(o) >= since]
        for name in ("updated-at[gt]", "updated_at[gt]"):
            if name in arguments:
                since = self._moment(arguments[name], name)
                orders = [o for o in orders if self._updated_at(o) > since]
        order_by = _ORDER_BY.get(arguments.get("order_by", "id"))
        direction = arguments.get("dir", "asc")
        if order_by is None or direction not in {"asc", "desc"}:
            msg = "order_by must be id or updated-at, dir asc or desc"
            raise _RefusedError(_errors(400, "purchase-order", msg))
        if order_by == "id":
            orders.sort(key=lambda o: int(o["id"]), reverse=direction == "desc")
        else:
            orders.sort(
                key=lambda o: (self._updated_at(o), int(o["id"])), reverse=direction == "desc"
            )
        limit = min(_count(arguments.get("limit", str(MAX_LIMIT)), "limit", low=1), MAX_LIMIT)
        offset = _count(arguments.get("offset", "0"), "offset", low=0)
        return [copy.deepcopy(o) for o in orders[offset : offset + limit]]

    def _show(self, po_id: int) -> dict[str, Any]:
        order = self._orders.get(po_id)
        if order is None:
            raise _RefusedError(_errors(404, "purchase-order", f"no purchase order {po_id}"))
        return copy.deepcopy(order)

    def _update(self, po_id: int, arguments: dict[str, str], now: datetime) -> dict[str, Any]:
        order = self._orders.get(po_id)
        if order is None:
            raise _RefusedError(_errors(404, "purchase-order", f"no purchase order {po_id}"))
        if set(arguments) != {"exported"}:
            msg = "this fake updates `exported` only: PUT ...?exported=true"
            raise _RefusedError(_errors(400, "purchase-order", msg))
        self._touch(order, exported=_boolean(arguments["exported"], "exported"), now=now)
        return copy.deepcopy(order)

    def _touch(self, order: dict[str, Any], *, exported: bool, now: datetime | None = None) -> None:
        order["exported"] = exported
        order["updated-at"] = self._stamp(now or self._clock())

    def _stamp(self, moment: datetime) -> str:
        """Coupa's datetime format: seconds and the instance's offset."""
        return moment.astimezone(self._tz).replace(microsecond=0).isoformat()

    def _updated_at(self, order: Mapping[str, Any]) -> datetime:
        try:
            moment = datetime.fromisoformat(str(order.get("updated-at")))
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
        return moment if moment.tzinfo else moment.replace(tzinfo=self._tz)

    def _moment(self, text: str, name: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _RefusedError(
                _errors(400, "purchase-order", f"{name}: bad date {text!r}")
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=self._tz)

    def _generated(self, po_id: int) -> dict[str, Any]:
        """A realistic order (Turkish addresses, TRY, decimals as strings), from `po_id` alone."""
        now = self._clock()
        stamp = self._stamp(now)
        ship_to = _SHIP_TOS[po_id % len(_SHIP_TOS)]
        lines = []
        for n in range(1, 2 + po_id % 3):
            part, description, unit, price = _ITEMS[(po_id + n) % len(_ITEMS)]
            quantity = Decimal((po_id * 7 + n) % 20 + 1)
            lines.append(
                {
                    "id": po_id * 10 + n,
                    "line-num": str(n),
                    "description": description,
                    "quantity": f"{quantity:.1f}",
                    "price": price,
                    "total": f"{quantity * Decimal(price):.2f}",
                    "uom": {"code": unit},
                    "source-part-num": part,
                    "need-by-date": self._stamp(now + timedelta(days=10 + n)),
                    "account": {"code": f"770-{100 + n}"},
                    "currency": {"code": "TRY"},
                }
            )
        return {
            "id": po_id,
            "po-number": str(po_id),
            "status": "issued",
            "version": 1,
            "internal-revision": 1,
            "exported": False,
            "acknowledged-at": None,
            "transmission-status": "sent_via_api",
            "created-at": stamp,
            "updated-at": stamp,
            "currency": {"code": "TRY"},
            "payment-term": {"code": "Net 30"},
            "supplier": dict(self._supplier),
            "ship-to-address": copy.deepcopy(ship_to),
            "order-lines": lines,
        }


_SHIP_TOS: tuple[dict[str, Any], ...] = (
    {
        "id": 301,
        "name": "Ana Depo",
        "location-code": "IST-01",
        "street1": "Eski Büyükdere Cad. No:3",
        "street2": "Maslak",
        "city": "İstanbul",
        "state": "Sarıyer",  # noqa: RUF001 - Turkish dotless i, on purpose
        "postal-code": "34398",
        "country": {"code": "TR"},
        "attention": "Gülşen Çağlar",
    },
    {
        "id": 302,
        "name": "Gebze Lojistik Merkezi",
        "location-code": "KOC-02",
        "street1": "Organize Sanayi Bölgesi 1. Cadde No:14",
        "city": "Gebze",
        "state": "Kocaeli",
        "postal-code": "41400",
        "country": {"code": "TR"},
    },
    {
        "id": 303,
        "name": "İzmir Şube",
        "location-code": "IZM-03",
        "street1": "Atatürk Organize Sanayi Bölgesi 10003 Sk. No:7",
        "city": "Çiğli",
        "state": "İzmir",
        "postal-code": "35620",
        "country": {"code": "TR"},
        "attention": "Oğuz Şahin",
    },
)
_ITEMS = (
    ("PW-50", "Streç film 50cm (palet sarma)", "EA", "150.00"),
    ("KB-45", "Koli bandı 45mm şeffaf", "RO", "32.50"),  # noqa: RUF001 - Turkish dotless i
    ("KT-30", "Karton kutu 30x30x30", "EA", "12.75"),
    ("EL-09", "İş eldiveni, nitril, 9 beden", "PR", "18.40"),
    ("PL-12", "Ahşap palet 120x80", "EA", "420.00"),
)


# -- answers ------------------------------------------------------------------------------------


def _json(status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    return _Answer(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), headers)


def _errors(status: int, resource: str, message: str) -> _Answer:
    return _json(status, {"errors": {resource: [message]}})


def _oauth_error(status: int, error: str, description: str) -> _Answer:
    return _json(status, {"error": error, "error_description": description})


def _fault_answer(fault: _Fault) -> _Answer:
    if fault.kind == "rate_limit":
        answer = _errors(429, "request", "Rate limit exceeded")
        headers = (("Retry-After", fault.retry_after or "1"),)
        return replace(answer, headers=headers, injected=fault.kind)
    answer = _errors(fault.status, "request", "Service temporarily unavailable")
    return replace(answer, injected=fault.kind)


def _require_method(method: str, allowed: str) -> None:
    if method != allowed:
        raise _RefusedError(_errors(405, "request", f"{method} is not allowed here"))


def _require_scope(token: _Token | None, scope: str) -> None:
    if token is None:
        answer = _errors(401, "oauth", "invalid or expired access token")
        raise _RefusedError(
            replace(answer, headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),))
        )
    if scope not in token.scopes:
        raise _RefusedError(_errors(403, "oauth", f"the token lacks the scope {scope}"))


def _client_credentials(form: Mapping[str, str], headers: Mapping[str, str]) -> tuple[str, str]:
    """Client id and secret from the form, or from HTTP Basic (RFC 6749 §2.3.1)."""
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _single(query: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Query arguments, refusing one given twice (the fake's reading would be a guess)."""
    seen: set[str] = set()
    pairs = []
    for key, value in query:
        if key in seen:
            raise _RefusedError(_errors(400, "request", f"argument {key} given twice"))
        seen.add(key)
        pairs.append((key, value))
    return pairs


def _order_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise _RefusedError(_errors(404, "purchase-order", f"no purchase order {text!r}"))
    return int(text)


def _boolean(text: str, name: str) -> bool:
    if text not in {"true", "false"}:
        raise _RefusedError(_errors(400, "request", f"{name} must be true or false"))
    return text == "true"


def _count(text: str, name: str, *, low: int) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < low:
        raise _RefusedError(_errors(400, "request", f"{name} must be an integer >= {low}"))
    return int(text)


# -- the real HTTP server -----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Serves one `FakeCoupaRest`; joins its handler threads on close."""

    daemon_threads = False

    def __init__(self, address: tuple[str, int], fake: FakeCoupaRest) -> None:
        super().__init__(address, _Handler)
        self.fake = fake
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
        """Shut idle keep-alive connections so their handler threads end and close can join."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Coupa's load balancers
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body
    server_version = "FakeCoupaRest/1.0"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        if self.server.release.is_set():
            self.close_connection = True
            return
        length = self.headers.get("Content-Length", "0")
        if "chunked" in self.headers.get("Transfer-Encoding", "") or not length.isdigit():
            self._write(_errors(411, "request", "send a Content-Length"))
            self.close_connection = True
            return
        if int(length) > MAX_BODY_BYTES:
            self._write(_errors(413, "request", "body too large"))
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        incoming = _Incoming(
            method=self.command,
            path=parts.path,
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(int(length)),
        )
        answer = self.server.fake._handle(incoming)
        if answer.delay and self.server.release.wait(answer.delay):
            self.close_connection = True  # the server is stopping: leave unanswered
            return
        self._write(answer)

    def _write(self, answer: _Answer) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", JSON_CONTENT_TYPE)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            logger.debug("fake coupa: the client went away before the answer")

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        logger.debug("fake coupa %s: " + format, self.client_address[0], *args)
