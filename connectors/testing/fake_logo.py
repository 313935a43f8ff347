"""A fake LOGO REST service (Tiger / GO "Logo Rest Servis") on 127.0.0.1 over real HTTP.

It speaks what partners.md §4.1 and `connectors/logo/README.md` describe, with state:

- `POST /api/v1/token`: HTTP Basic with the REST client pair (else 401 `invalid_client`), form
  `grant_type=password&username=..&firmno=..&password=..` (else 400 `invalid_grant`); answers
  OWIN's `{"access_token", "token_type", "expires_in", "userName", ".issued", ".expires"}`, the
  token valid `token_lifetime` by the injected clock;
- every other call needs `Authorization: Bearer <token>` naming an issued, unexpired, unrevoked
  token (else 401 `{"Message": "Authorization has been denied for this request."}`);
- `GET items | salesItemPrices | Arps | salesOrders | salesDispatches` with `offset`, `limit`,
  `withCount` and a `q` filter of the form `FIELD eq 'text'`, `FIELD eq 12` or `FIELD gt 12`
  -> `{"items": [...], "count": n}`;
- `POST Arps` (CODE and TITLE required, a CODE in use is a DBError) and `POST salesOrders`
  (ARP_CODE of an existing card, lines with known MASTER_CODEs, a QUANTITY and a UNIT_CODE):
  400 `{"Message": "The request is invalid.", "ModelState": {...}}` otherwise. Like LOGO, it
  **accepts a second order with the same DOC_NUMBER** and counts it (`orders_with`), so a test
  can prove the connector never sends one;
- `GET queries?tsql=...`: the stock view (recognised by `LV_{firm}_{period}_STINVTOT`) from the
  rows `set_stock` holds, and the order lines query (`_ORFLINE`) naming each order line's
  order; any other SQL is a DBError.

Faults, first in first out, on business calls (not `/token`): the carrier fakes' `Unavailable`
(503), `LateAnswer(seconds)` (done, answer held past the client's timeout) and `Garbage` (200
that is not JSON) through `fail_next`; `drop_answer_next()` makes the next POST do its work
and close the connection unanswered (a crash after send); `login_error_next()` answers the next
business call 400 with a `LoginError`; `revoke_tokens()` refuses every token issued so far.
No pytest, no `gateway_api`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from connectors.core.contract import Clock, system_clock
from connectors.logo.times import logo_date, pack_time
from connectors.logo.token import format_expires
from connectors.testing.fake_carrier import CarrierFault, Garbage, LateAnswer, Unavailable
from connectors.testing.fake_platform_http import Drop, Hold, PlatformOutcome, Reply

__all__ = ["API_ROOT", "FakeLogo", "LogoRequest"]

API_ROOT = "/api/v1"
JSON = "application/json; charset=utf-8"
INVALID = "The request is invalid."
_FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(eq|gt)\s+('(?:[^']|'')*'|-?\d+)\s*$")
_IN_LIST = re.compile(r"IN\s*\(([\d,\s]+)\)", re.IGNORECASE)


@dataclass(frozen=True)
class LogoRequest:
    """An HTTP request as the fake saw it."""

    method: str
    path: str
    query: Mapping[str, str]
    """Query parameters (first value of each)."""
    headers: Mapping[str, str]
    """Header names in lower case."""
    body: bytes


class FakeLogo:
    """LOGO's REST service with items, customer cards, orders, prices, stock and delivery notes
    (see the module docstring)."""

    key = "logo"
    CLIENT_ID = "b2connect-rest-client"
    CLIENT_SECRET = "Logo-Rest-Client-Secret-4f9c2e"  # noqa: S105 - the fake's own test value
    USERNAME = "B2CONNECT"
    PASSWORD = "Logo-User-Password-8d1a7b"  # noqa: S105 - the fake's own test value
    FIRM_NUMBER = 7
    PERIOD_NUMBER = 2

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        token_lifetime: timedelta = timedelta(seconds=1199),
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        username: str = USERNAME,
        password: str = PASSWORD,
        firm_number: int = FIRM_NUMBER,
        period_number: int = PERIOD_NUMBER,
        timezone: str = "Europe/Istanbul",
    ) -> None:
        self._clock = clock
        self.token_lifetime = token_lifetime
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.firm_number = firm_number
        self.period_number = period_number
        self.zone = ZoneInfo(timezone)
        self._lock = threading.Lock()
        self._tokens: dict[str, datetime] = {}
        self._faults: deque[CarrierFault] = deque()
        self._drops: deque[float | None] = deque()
        self._issued: list[str] = []
        self._login_errors = 0
        self._serial = 1000
        self.items: list[dict[str, Any]] = []
        self.arps: list[dict[str, Any]] = []
        self.sales_orders: list[dict[str, Any]] = []
        self.prices: list[dict[str, Any]] = []
        self.stock: list[dict[str, Any]] = []
        self.dispatches: list[dict[str, Any]] = []
        self.requests: list[LogoRequest] = []
        """Every request received, in order (bodies included: tests assert on the wire)."""
        self.tokens_issued = 0
        self.token_forms: list[dict[str, str]] = []
        """The form of every accepted token request."""
        self.refused_bearers = 0
        """Business calls refused because of the token (missing, unknown, expired, revoked)."""
        self.order_posts = 0
        """`POST salesOrders` that LOGO stored (duplicates included)."""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._release = threading.Event()

    def __repr__(self) -> str:
        return f"FakeLogo(username={self.username!r}, firm_number={self.firm_number})"

    # -- serving -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` while serving."""
        if self._server is None:
            msg = "the fake is not serving"
            raise RuntimeError(msg)
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def connector_config(self) -> dict[str, Any]:
        """A complete `connector_config` (secrets included) pointing LOGO's connector here."""
        return {
            "base_url": self.base_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "username": self.username,
            "password": self.password,
            "firm_number": self.firm_number,
            "period_number": self.period_number,
        }

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on 127.0.0.1 and an ephemeral port; yields the base URL."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._release.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        try:
            yield self.base_url
        finally:
            self._release.set()
            server.shutdown()
            server.server_close()
            self._thread.join()
            self._server = self._thread = None

    # -- test controls -----------------------------------------------------------------------

    def fail_next(self, *faults: CarrierFault) -> None:
        """Queue faults, taken one per business call in order."""
        with self._lock:
            self._faults.extend(faults)

    def drop_answer_next(self, count: int = 1, *, late_seconds: float | None = None) -> None:
        """The next `count` POSTs do their work, then close the connection unanswered (a crash
        after send); with `late_seconds`, after holding the answer that long (a timeout)."""
        with self._lock:
            self._drops.extend([late_seconds] * count)

    def issued_tokens(self) -> list[str]:
        """Every token issued so far (to look for them where they must not be)."""
        with self._lock:
            return list(self._issued)

    def login_error_next(self, count: int = 1) -> None:
        """Answer the next `count` business calls 400 with a `LoginError`, doing nothing."""
        with self._lock:
            self._login_errors += count

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far (as after the REST service restarted)."""
        with self._lock:
            self._tokens.clear()

    def add_item(
        self, code: str, name: str, *, unit: str = "ADET", vat: int = 20, active: bool = True
    ) -> dict[str, Any]:
        """An item card (`CODE`, `NAME`, `VAT`, `RECORD_STATUS`, its main unit in `UNITS`)."""
        with self._lock:
            item = {
                "INTERNAL_REFERENCE": self._next(),
                "CARD_TYPE": 1,
                "CODE": code,
                "NAME": name,
                "VAT": vat,
                "RECORD_STATUS": 0 if active else 1,
                "UNITSET_CODE": "05",
                "UNITS": {"items": [{"UNIT_CODE": unit, "MAIN_UNIT": 1}]},
            }
            self.items.append(item)
            return item

    def add_price(
        self,
        item_code: str,
        price: Decimal | int | str,
        *,
        currency: int = 0,
        unit: str = "ADET",
        group_code: str | None = None,
        begin: str | None = None,
        end: str | None = None,
    ) -> dict[str, Any]:
        """A sales price card of an item."""
        with self._lock:
            card = {
                "INTERNAL_REFERENCE": self._next(),
                "CODE": f"SF{len(self.prices) + 1:05d}",
                "ITEM_CODE": item_code,
                "PRICE": float(Decimal(str(price))),
                "UNIT_CODE": unit,
                "CURRENCY": currency,
                "GROUP_CODE": group_code or "",
                "BEGIN_DATE": begin,
                "END_DATE": end,
            }
            self.prices.append(card)
            return card

    def set_stock(
        self,
        item_code: str,
        warehouse: int,
        on_hand: Decimal | int | str,
        *,
        reserved: Decimal | int | str = 0,
    ) -> None:
        """The stock of an item in a warehouse (the `-1` total row is derived)."""
        with self._lock:
            self.stock = [
                r for r in self.stock if (r["CODE"], r["INVENNO"]) != (item_code, warehouse)
            ]
            self.stock.append(
                {
                    "CODE": item_code,
                    "INVENNO": warehouse,
                    "ONHAND": float(Decimal(str(on_hand))),
                    "ACTSORDER": float(Decimal(str(reserved))),
                }
            )

    def dispatch(
        self,
        document_number: str,
        lines: Sequence[tuple[str, Decimal | int | str]] | None = None,
        *,
        carrier: str | None = None,
        tracking: str | None = None,
        linked: bool = True,
        at: datetime | None = None,
        cancelled: bool = False,
    ) -> str:
        """Ship the (first) sales order numbered `document_number`: a delivery note with
        `lines` as (sku, quantity), all of the order by default. `linked`: its lines point at
        the order's lines (`ORDER_REFERENCE`), as a note made from the order does; otherwise
        the note carries the order's number in its own `DOC_NUMBER`. Returns its reference."""
        with self._lock:
            order = next(o for o in self.sales_orders if o.get("DOC_NUMBER") == document_number)
            order_lines = order["TRANSACTIONS"]["items"]
            wanted = lines or [(line["MASTER_CODE"], line["QUANTITY"]) for line in order_lines]
            moment = at or self._clock()
            reference = self._next()
            note_lines = []
            for sku, quantity in wanted:
                source = next(line for line in order_lines if line["MASTER_CODE"] == sku)
                note_line: dict[str, Any] = {
                    "TYPE": 0,
                    "MASTER_CODE": sku,
                    "QUANTITY": float(Decimal(str(quantity))),
                    "UNIT_CODE": source["UNIT_CODE"],
                }
                if linked:
                    note_line["ORDER_REFERENCE"] = source["INTERNAL_REFERENCE"]
                note_lines.append(note_line)
            note: dict[str, Any] = {
                "INTERNAL_REFERENCE": reference,
                "TYPE": 8,
                "NUMBER": f"IRS{len(self.dispatches) + 1:06d}",
                "DATE": logo_date(moment, self.zone),
                "TIME": pack_time(moment, self.zone),
                "DOC_NUMBER": f"E-IRS-{reference}" if linked else document_number,
                "ARP_CODE": order["ARP_CODE"],
                "CANCELLED": 1 if cancelled else 0,
                "TRANSACTIONS": {"items": note_lines},
            }
            if carrier is not None:
                note["SHIPPING_AGENT"] = carrier
            if tracking is not None:
                note["TRACK_NR"] = tracking
            self.dispatches.append(note)
            return str(reference)

    def orders_with(self, document_number: str) -> list[dict[str, Any]]:
        """The sales orders LOGO holds under `document_number` (more than one: a duplicate)."""
        with self._lock:
            return [o for o in self.sales_orders if o.get("DOC_NUMBER") == document_number]

    def customer(self, code: str) -> dict[str, Any] | None:
        """The customer card `code`, if any."""
        with self._lock:
            return next((a for a in self.arps if a.get("CODE") == code), None)

    def add_customer(self, code: str, title: str) -> dict[str, Any]:
        """A customer card made in LOGO by hand."""
        with self._lock:
            card = {"INTERNAL_REFERENCE": self._next(), "CODE": code, "TITLE": title}
            self.arps.append(card)
            return card

    def business_requests(self) -> list[LogoRequest]:
        """The requests faults apply to (all but `/token`), in order."""
        with self._lock:
            return [r for r in self.requests if not _is_token(r)]

    # -- the protocol ------------------------------------------------------------------------

    def outcome(self, request: LogoRequest) -> PlatformOutcome:
        """Answer one request (faults first, then the token, then the resource)."""
        with self._lock:
            self.requests.append(request)
            if _is_token(request):
                fault: CarrierFault | None = None
            else:
                fault = self._faults.popleft() if self._faults else None
        if _is_token(request):
            return self._token(request)
        if isinstance(fault, Unavailable):
            return Reply(503, b"Service Unavailable", "text/plain; charset=utf-8")
        if isinstance(fault, Garbage):
            return Reply(200, b"<html>IIS maintenance</html>", "text/html; charset=utf-8")
        reply, drop = self._business(request)
        if isinstance(fault, LateAnswer):
            return Hold(fault.seconds)
        if isinstance(drop, Drop):
            return drop
        return Hold(drop) if drop is not None else reply

    def _business(self, request: LogoRequest) -> tuple[Reply, Drop | float | None]:
        """The answer to a business call, and whether to lose it after the work: `Drop()`, or
        seconds to hold it (a POST done, then its answer lost)."""
        if not self._bearer_ok(request):
            with self._lock:
                self.refused_bearers += 1
            return _reply(401, {"Message": "Authorization has been denied for this request."}), None
        with self._lock:
            login_error = self._login_errors > 0
            if login_error:
                self._login_errors -= 1
            lose: Drop | float | None = None
            if not login_error and request.method == "POST" and self._drops:
                late = self._drops.popleft()
                lose = Drop() if late is None else late
        if login_error:
            state = {"LoginError": ["Kullanici oturumu sonlanmis, tekrar giris yapiniz."]}
            return _invalid(state), None
        return self._route(request), lose

    def wait_released(self, seconds: float | None) -> None:
        """Block a held answer for `seconds`, or until the fake stops."""
        self._release.wait(seconds)

    def _token(self, request: LogoRequest) -> Reply:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return _reply(401, {"error": "invalid_client", "error_description": "Client yok."})
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if (
            form.get("grant_type") != "password"
            or form.get("username") != self.username
            or form.get("password") != self.password
            or form.get("firmno") != str(self.firm_number)
        ):
            return _reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Kullanici adi, şifre veya firma numarasi hatali.",
                },
            )
        now = self._clock()
        expires = now + self.token_lifetime
        value = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[value] = expires
            self._issued.append(value)
            self.tokens_issued += 1
            self.token_forms.append(form)
        return _reply(
            200,
            {
                "access_token": value,
                "token_type": "bearer",
                "expires_in": int(self.token_lifetime.total_seconds()),
                "userName": self.username,
                ".issued": format_expires(now),
                ".expires": format_expires(expires),
            },
        )

    def _bearer_ok(self, request: LogoRequest) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not value:
            return False
        with self._lock:
            expires = self._tokens.get(value)
        return expires is not None and self._clock() < expires

    def _route(self, request: LogoRequest) -> Reply:
        resource = request.path.removeprefix(API_ROOT + "/").strip("/").lower()
        if request.method == "GET" and resource == "queries":
            return self._query(request.query.get("tsql", ""))
        collections = {
            "items": self.items,
            "salesitemprices": self.prices,
            "arps": self.arps,
            "salesorders": self.sales_orders,
            "salesdispatches": self.dispatches,
        }
        rows = collections.get(resource)
        if rows is None:
            return _reply(404, {"Message": f"No HTTP resource was found: {request.path}"})
        if request.method == "GET":
            return self._list(rows, request.query)
        if request.method == "POST" and resource == "arps":
            return self._create_arp(request.body)
        if request.method == "POST" and resource == "salesorders":
            return self._create_order(request.body)
        return _reply(405, {"Message": f"The requested resource does not support {request.method}"})

    def _list(self, rows: list[dict[str, Any]], query: Mapping[str, str]) -> Reply:
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "25"))
        except ValueError:
            return _invalid({"ValError0": ["offset ve limit sayi olmalidir."]})
        with self._lock:
            selected = list(rows)
        q = query.get("q")
        if q:
            match = _FILTER.match(q)
            if match is None:
                return _invalid({"OtherError": [f"Sorgu çözümlenemedi: {q}"]})
            field, operator, raw = match.groups()
            selected = [r for r in selected if _matches(r.get(field), operator, raw)]
        page = selected[offset : offset + limit]
        return _reply(200, {"items": page, "count": len(selected)})

    def _create_arp(self, body: bytes) -> Reply:
        data = _json(body)
        if not isinstance(data, dict):
            return _invalid({"OtherError": ["Geçersiz JSON."]})
        problems = [f"{k} alani boş olamaz." for k in ("CODE", "TITLE") if not data.get(k)]
        if problems:
            return _invalid({f"ValError{n}": [p] for n, p in enumerate(problems)})
        with self._lock:
            if any(a.get("CODE") == data["CODE"] for a in self.arps):
                return _invalid({"DBError": [f"{data['CODE']} kodlu cari hesap zaten var."]})
            card = {**data, "INTERNAL_REFERENCE": self._next()}
            self.arps.append(card)
        return _reply(200, card)

    def _create_order(self, body: bytes) -> Reply:
        data = _json(body)
        if not isinstance(data, dict):
            return _invalid({"OtherError": ["Geçersiz JSON."]})
        with self._lock:
            problems = self._order_problems(data)
            if problems:
                return _invalid(problems)
            order = json.loads(json.dumps(data))
            order["INTERNAL_REFERENCE"] = self._next()
            if order.get("NUMBER") in {None, "", "~"}:
                order["NUMBER"] = f"SS{len(self.sales_orders) + 1:06d}"
            for line in order["TRANSACTIONS"]["items"]:
                line["INTERNAL_REFERENCE"] = self._next()
            self.sales_orders.append(order)
            self.order_posts += 1
        return _reply(200, order)

    def _order_problems(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """LOGO's ModelState for an order it refuses (empty: acceptable). Under the lock."""
        problems: dict[str, list[str]] = {}
        for field in ("TYPE", "DATE", "ARP_CODE"):
            if data.get(field) in {None, ""}:
                problems.setdefault("ValError0", []).append(f"{field} alani boş olamaz.")
        code = data.get("ARP_CODE")
        if code and not any(a.get("CODE") == code for a in self.arps):
            problems.setdefault("ValError1", []).append(f"Cari hesap kodu bulunamadi: {code}")
        transactions = data.get("TRANSACTIONS")
        lines = transactions.get("items") if isinstance(transactions, dict) else None
        if not isinstance(lines, list) or not lines:
            problems.setdefault("LOError", []).append("Fişte satir yok.")
            return problems
        known = {i["CODE"] for i in self.items}
        for n, line in enumerate(lines, start=1):
            if not isinstance(line, dict):
                problems.setdefault("LOError", []).append(f"{n}. satir okunamadi.")
                continue
            if line.get("MASTER_CODE") not in known:
                problems.setdefault("LOError", []).append(
                    f"{n}. satir: malzeme kodu bulunamadi: {line.get('MASTER_CODE')}"
                )
            quantity = line.get("QUANTITY")
            if isinstance(quantity, bool) or not isinstance(quantity, int | float) or quantity <= 0:
                problems.setdefault("LOError", []).append(
                    f"{n}. satir: miktar sifirdan büyük olmali."
                )
            if not line.get("UNIT_CODE"):
                problems.setdefault("LOError", []).append(f"{n}. satir: birim kodu boş olamaz.")
        return problems

    def _query(self, tsql: str) -> Reply:
        firm, period = f"{self.firm_number:03d}", f"{self.period_number:02d}"
        upper = tsql.upper()
        if "_STINVTOT" in upper:
            if f"LV_{firm}_{period}_STINVTOT" not in upper:
                return _invalid({"DBError": ["Invalid object name (stock view of another firm)."]})
            return _reply(200, self._stock_rows(all_warehouses="INVENNO >= 0" not in upper))
        if "_ORFLINE" in upper:
            if f"LG_{firm}_{period}_ORFLINE" not in upper:
                return _invalid({"DBError": ["Invalid object name (order lines of another firm)."]})
            match = _IN_LIST.search(tsql)
            wanted = {int(n) for n in match.group(1).split(",") if n.strip()} if match else set()
            with self._lock:
                rows = [
                    {"LINEREF": line["INTERNAL_REFERENCE"], "DOC_NUMBER": order.get("DOC_NUMBER")}
                    for order in self.sales_orders
                    for line in order["TRANSACTIONS"]["items"]
                    if line["INTERNAL_REFERENCE"] in wanted
                ]
            return _reply(200, {"items": rows, "count": len(rows)})
        return _invalid({"DBError": ["The fake knows only the stock and order lines queries."]})

    def _stock_rows(self, *, all_warehouses: bool) -> dict[str, Any]:
        with self._lock:
            units = {i["CODE"]: i["UNITS"]["items"][0]["UNIT_CODE"] for i in self.items}
            rows = [
                {**r, "UNIT_CODE": units.get(r["CODE"])}
                for r in sorted(self.stock, key=lambda r: (r["CODE"], r["INVENNO"]))
            ]
        if all_warehouses:
            totals: dict[str, float] = {}
            for row in rows:
                totals[row["CODE"]] = totals.get(row["CODE"], 0.0) + row["ONHAND"]
            rows += [
                {"CODE": c, "INVENNO": -1, "ONHAND": t, "UNIT_CODE": units.get(c)}
                for c, t in totals.items()
            ]
        return {"items": rows, "count": len(rows)}

    def _next(self) -> int:
        """The next `INTERNAL_REFERENCE` (one increasing series, as LOGICALREFs are). Under
        the lock."""
        self._serial += 1
        return self._serial


def _handler_for(fake: FakeLogo) -> type[BaseHTTPRequestHandler]:
    class _LogoHandler(BaseHTTPRequestHandler):
        server_version = "FakeLogoRest/1.0"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = LogoRequest(
                method=self.command,
                path=parts.path,
                query={k: v[0] for k, v in parse_qs(parts.query).items()},
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            outcome = fake.outcome(request)
            if isinstance(outcome, Hold):
                fake.wait_released(outcome.seconds)
            if not isinstance(outcome, Reply):
                self.close_connection = True
                return
            try:
                self.send_response(outcome.http_status)
                self.send_header("Content-Type", outcome.content_type)
                self.send_header("Content-Length", str(len(outcome.body)))
                self.end_headers()
                self.wfile.write(outcome.body)
            except OSError:  # the client gave up; nothing left to tell it
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
            """Quiet: the fake's requests are in `fake.requests`."""

    return _LogoHandler


def _is_token(request: LogoRequest) -> bool:
    return request.path.rstrip("/").lower() == f"{API_ROOT}/token"


def _matches(value: object, operator: str, raw: str) -> bool:
    if raw.startswith("'"):
        wanted: object = raw[1:-1].replace("''", "'")
        return operator == "eq" and str(value) == wanted
    try:
        number = int(str(value))
    except ValueError:
        return False
    return number == int(raw) if operator == "eq" else number > int(raw)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _invalid(state: dict[str, list[str]]) -> Reply:
    return _reply(400, {"Message": INVALID, "ModelState": state})


def _reply(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body, ensure_ascii=False).encode(), JSON)
