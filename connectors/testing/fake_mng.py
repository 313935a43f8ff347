"""`FakeMng`: MNG Kargo's apizone REST API over real HTTP, with a token that expires.

    mng = FakeMng(clock=clock)          # credentials: FakeMng.CLIENT_ID etc., or keywords
    with mng.serve():                   # the connector's base_url: mng.endpoint
        ...

What it speaks (partners.md §6.3; [ASSUME] marks our guesses, as in `connectors/mng/README.md`):

- every call must carry `X-IBM-Client-Id`, `X-IBM-Client-Secret` (the gateway pair) and
  `x-api-version`, else 401 in IBM API Connect's words (`httpCode`, `httpMessage`,
  `moreInformation`);
- `POST /token` `{"customerNumber", "password", "identityType": 1}` -> `{"jwt", "refreshToken",
  "jwtExpireDate", "refreshTokenExpireDate"}`, the JWT valid `token_lifetime` by the injected
  clock, `jwtExpireDate` as `dd.MM.yyyy HH:mm:ss` Turkey time; wrong credentials 401;
- business calls need `Authorization: Bearer <jwt>` naming an issued, unexpired, unrevoked JWT
  (else 401);
- `POST standardcmdapi/createOrder` books in the ledger (a referenceId it has: 400
  [ASSUME words and status]); `POST barcodecmdapi/createbarcode` gives the order its shipment
  (`shipmentId` = the ledger's tracking number) once (again: 400); `PUT
  standardcmdapi/cancelorder/{referenceId}` (cancelled before: 200 again [ASSUME]; on its
  way or unknown: 400);
  `GET standardqueryapi/getorder|getshipment|getshipmentstatus|trackshipment/{referenceId}`
  (404 when there is nothing; a cancelled order is gone [ASSUME]);
- errors are `{"error": {"Code", "Message", "Description"}}` [ASSUME, partners.md §9.9].

Faults: the shared queue (`fail_next`) applies to business calls, not `/token`;
`fail_barcode_next(n)` answers the next n createbarcode calls 503 without doing anything, so a
test can break the second step of a booking alone. `revoke_tokens()` makes MNG refuse every
JWT issued so far. No pytest, no `gateway_api`.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.core.contract import Clock, system_clock
from connectors.mng.times import format_mng_time
from connectors.mng.tracking import MNG_STATUSES
from connectors.testing.fake_carrier import (
    BookingFields,
    DuplicateReferenceError,
    FakeCarrierServer,
    LedgerRejectionError,
    LedgerShipment,
)
from connectors.testing.fake_platform_http import PlatformRequest, Reply
from schemas.carrier import TrackingStatus

__all__ = ["API_ROOT", "FakeMng"]

API_ROOT = "/mngapi/api"
JSON = "application/json; charset=utf-8"

CODE_FOR: dict[TrackingStatus, str] = {
    TrackingStatus.CREATED: "1",
    TrackingStatus.PICKED_UP: "2",
    TrackingStatus.IN_TRANSIT: "3",
    TrackingStatus.OUT_FOR_DELIVERY: "4",
    TrackingStatus.DELIVERED: "5",
    TrackingStatus.EXCEPTION: "6",
    TrackingStatus.RETURNED: "7",
}
"""The MNG code the fake reports for a ledger status (cancelled orders are gone)."""


class FakeMng(FakeCarrierServer):
    """MNG's apizone with a ledger, a token store and faults (see the module docstring)."""

    key = "mng"
    CLIENT_ID = "b2connect-apizone-app"
    CLIENT_SECRET = "Mng-Gateway-Secret-5e8a71c3"  # noqa: S105 - the fake's own test value
    CUSTOMER_NUMBER = "2700123456"
    PASSWORD = "Mng-Customer-Password-93b2d4"  # noqa: S105 - the fake's own test value
    API_VERSION = "1.0"

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        token_lifetime: timedelta = timedelta(hours=8),
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        customer_number: str = CUSTOMER_NUMBER,
        password: str = PASSWORD,
        api_version: str = API_VERSION,
    ) -> None:
        super().__init__(clock=clock, prefix="MNG")
        self.client_id = client_id
        self.client_secret = client_secret
        self.customer_number = customer_number
        self.password = password
        self.api_version = api_version
        self._clock = clock
        self.token_lifetime = token_lifetime
        self._tokens: dict[str, datetime] = {}
        self._state_lock = threading.Lock()
        self._barcoded: set[str] = set()
        self._barcode_faults = 0
        self.tokens_issued = 0
        self.refused_bearers = 0
        """Business calls refused because of the JWT (missing, unknown, expired, revoked)."""

    def __repr__(self) -> str:
        return f"FakeMng(customer_number={self.customer_number!r})"

    @property
    def endpoint(self) -> str:
        """The connector's `base_url` while serving: `http://127.0.0.1:<port>/mngapi/api`."""
        return self.base_url + API_ROOT

    def connector_config(self) -> dict[str, str]:
        return {"base_url": self.endpoint}

    # -- test controls -----------------------------------------------------------------------

    def fail_barcode_next(self, count: int = 1) -> None:
        """Answer the next `count` createbarcode calls 503, doing nothing."""
        with self._state_lock:
            self._barcode_faults += count

    def revoke_tokens(self) -> None:
        """Refuse every JWT issued so far (as after a password change on MNG's side)."""
        with self._state_lock:
            self._tokens.clear()

    def has_barcode(self, reference: str) -> bool:
        """True once createbarcode succeeded for `reference`."""
        with self._state_lock:
            return reference in self._barcoded

    # -- FakeCarrierServer -------------------------------------------------------------------

    def is_business_request(self, request: PlatformRequest) -> bool:
        return not request.path.endswith("/token")

    def handle(self, request: PlatformRequest) -> Reply:
        if not request.path.startswith(API_ROOT + "/"):
            return _error(404, "404", "no such resource")
        if not self._gateway_ok(request):
            return _reply(
                401,
                {
                    "httpCode": "401",
                    "httpMessage": "Unauthorized",
                    "moreInformation": "Invalid client id or secret.",
                },
            )
        path = request.path[len(API_ROOT) :]
        if path == "/token" and request.method == "POST":
            return self._token(request)
        if not self._bearer_ok(request):
            with self._state_lock:
                self.refused_bearers += 1
            return _error(401, "401", "Yetkisiz erisim: token gecersiz veya suresi dolmus")
        return self._route(request.method, path, request.body)

    # -- endpoints ---------------------------------------------------------------------------

    def _route(self, method: str, path: str, body: bytes) -> Reply:
        parts = path.strip("/").split("/")
        match method, parts:
            case "POST", ["standardcmdapi", "createOrder"]:
                return self._create_order(body)
            case "POST", ["barcodecmdapi", "createbarcode"]:
                return self._create_barcode(body)
            case "PUT", ["standardcmdapi", "cancelorder", reference]:
                return self._cancel(reference)
            case "GET", ["standardqueryapi", query, reference]:
                return self._query(query, reference)
        return _error(404, "404", f"no such operation: {method} {path}")

    def _token(self, request: PlatformRequest) -> Reply:
        body = _json(request.body)
        if (
            not isinstance(body, dict)
            or body.get("customerNumber") != self.customer_number
            or body.get("password") != self.password
            or body.get("identityType") != 1
        ):
            return _error(401, "10001", "Musteri numarasi veya sifre hatali")
        jwt = "eyJ" + secrets.token_urlsafe(24)
        expires = self._clock() + self.token_lifetime
        with self._state_lock:
            self._tokens[jwt] = expires
            self.tokens_issued += 1
        return _reply(
            200,
            {
                "jwt": jwt,
                "refreshToken": secrets.token_urlsafe(16),
                "jwtExpireDate": format_mng_time(expires),
                "refreshTokenExpireDate": format_mng_time(expires + timedelta(days=1)),
            },
        )

    def _create_order(self, body: bytes) -> Reply:
        data = _json(body)
        try:
            fields = _booking_fields(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            return _error(400, "40000", f"Gecersiz istek: {error}")
        try:
            shipment = self.ledger.book(fields)
        except DuplicateReferenceError:
            return _error(
                400,
                "30014",
                f"{fields.reference} referans numarasi ile daha once siparis olusturulmustur",
            )
        except LedgerRejectionError as error:
            return _error(400, "30002", f"{error.field}: {error}")
        return _reply(
            200,
            [
                {
                    "orderInvoiceId": shipment.carrier_shipment_id,
                    "orderInvoiceDetailId": shipment.carrier_shipment_id,
                    "shipperBranchCode": "034",
                }
            ],
        )

    def _create_barcode(self, body: bytes) -> Reply:
        with self._state_lock:
            if self._barcode_faults:
                self._barcode_faults -= 1
                return Reply(503, b"Service Unavailable", "text/plain; charset=utf-8")
        data = _json(body)
        reference = data.get("referenceId") if isinstance(data, dict) else None
        shipment = self.ledger.get(reference) if isinstance(reference, str) else None
        if shipment is None or shipment.status is TrackingStatus.CANCELLED:
            return _error(400, "30020", f"{reference} icin siparis bulunamadi")
        with self._state_lock:
            if shipment.reference in self._barcoded:
                return _error(400, "30021", f"{reference} icin barkod daha once olusturulmustur")
            self._barcoded.add(shipment.reference)
        return _reply(200, [_shipment(shipment)])

    def _cancel(self, reference: str) -> Reply:
        if self.ledger.get(reference) is None:
            return _error(400, "30020", f"{reference} icin iptal edilecek siparis bulunamadi")
        cancelled, _ = self.ledger.cancel(reference)
        if not cancelled:
            return _error(400, "30031", "Gonderi kargo surecine girdigi icin iptal edilemez")
        return _reply(200, {"referenceId": reference, "result": "Siparis iptal edildi"})

    def _query(self, query: str, reference: str) -> Reply:
        shipment = self.ledger.get(reference)
        if shipment is None or shipment.status is TrackingStatus.CANCELLED:
            return _error(404, "404", f"{reference} bulunamadi")
        if query == "getorder":
            return _reply(200, [_order(shipment)])
        if reference not in self._barcoded_snapshot():
            return _error(404, "404", f"{reference} icin gonderi bulunamadi")
        answers: dict[str, Callable[[], Any]] = {
            "getshipment": lambda: [{"order": _order(shipment), "shipment": _shipment(shipment)}],
            "getshipmentstatus": lambda: [_status(shipment)],
            "trackshipment": lambda: _movements(shipment),
        }
        answer = answers.get(query)
        if answer is None:
            return _error(404, "404", f"no such query: {query}")
        return _reply(200, answer())

    # -- checks ------------------------------------------------------------------------------

    def _gateway_ok(self, request: PlatformRequest) -> bool:
        headers = request.headers
        return (
            headers.get("x-ibm-client-id") == self.client_id
            and headers.get("x-ibm-client-secret") == self.client_secret
            and headers.get("x-api-version") == self.api_version
        )

    def _bearer_ok(self, request: PlatformRequest) -> bool:
        value = request.headers.get("authorization", "")
        scheme, _, jwt = value.partition(" ")
        if scheme != "Bearer" or not jwt:
            return False
        with self._state_lock:
            expires = self._tokens.get(jwt)
        return expires is not None and self._clock() < expires

    def _barcoded_snapshot(self) -> set[str]:
        with self._state_lock:
            return set(self._barcoded)


def _booking_fields(data: Any) -> BookingFields:
    order, pieces, recipient = data["order"], data["orderPieceList"], data["recipient"]
    return BookingFields(
        reference=str(order["referenceId"]),
        receiver_name=str(recipient["fullName"]),
        receiver_address=str(recipient["address"]),
        receiver_phone=str(recipient["mobilePhoneNumber"]),
        receiver_city=str(recipient.get("cityName") or recipient.get("cityCode")),
        parcels=len(pieces),
        weight_kg=sum((Decimal(str(p["kg"])) for p in pieces), Decimal(0)),
        desi=sum((Decimal(str(p["desi"])) for p in pieces), Decimal(0)),
        cod_amount=Decimal(str(order.get("codAmount") or 0)),
        order_number=str(order.get("description") or "") or None,
    )


def _order(shipment: LedgerShipment) -> dict[str, Any]:
    return {
        "referenceId": shipment.reference,
        "orderInvoiceId": shipment.carrier_shipment_id,
        "recipient": {"fullName": shipment.receiver_name, "cityName": shipment.receiver_city},
        "pieceCount": shipment.parcels,
    }


def _shipment(shipment: LedgerShipment) -> dict[str, Any]:
    return {
        "referenceId": shipment.reference,
        "invoiceId": shipment.carrier_shipment_id,
        "shipmentId": shipment.tracking_number,
        "barcodes": [
            {"pieceNumber": n, "value": f"{shipment.tracking_number}{n:03d}"}
            for n in range(1, shipment.parcels + 1)
        ],
    }


def _status(shipment: LedgerShipment) -> dict[str, Any]:
    code = CODE_FOR[shipment.status]
    return {
        "referenceId": shipment.reference,
        "shipmentId": shipment.tracking_number,
        "shipmentStatusCode": int(code),
        "shipmentStatus": MNG_STATUSES[code][0],
        "isDelivered": int(shipment.status is TrackingStatus.DELIVERED),
    }


def _movements(shipment: LedgerShipment) -> list[dict[str, Any]]:
    created = [(TrackingStatus.CREATED, shipment.booked_at, "")]
    lived = [(e.status, e.at, e.location) for e in shipment.events]
    return [
        {
            "eventStatus": MNG_STATUSES[CODE_FOR[status]][0].replace(" ", "_"),
            "eventStatusEn": status.value,
            "eventDateTime": format_mng_time(at).replace(".", "-"),
            "location": location,
            "description": MNG_STATUSES[CODE_FOR[status]][0],
        }
        for status, at, location in [*created, *lived]
        if status in CODE_FOR
    ]


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _error(status: int, code: str, message: str) -> Reply:
    return _reply(status, {"error": {"Code": code, "Message": message, "Description": message}})


def _reply(status: int, body: Any) -> Reply:
    return Reply(status, json.dumps(body, ensure_ascii=False).encode(), JSON)
