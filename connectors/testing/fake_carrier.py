"""What every fake cargo carrier shares: the shipments it holds, their lives, and the faults.

Each fake carrier (`fake_yurtici.py`, `fake_mng.py`, `fake_aras.py`) speaks its carrier's real
protocol over real HTTP on 127.0.0.1 and keeps its state in a `CarrierLedger`: one shipment per
reference (booking a reference twice is the carrier's duplicate error, as in life), a status
that tests move along (`advance`), and the events that produced it. The protocol layer only
translates; the ledger is where "booked once" is true or false, so the conformance suite can
ask any fake the same questions (`connectors/testing/carrier_conformance.py`).

Faults are queued on the server and taken one per business request, before or after the
ledger acts:

- `Unavailable()`: answer 503 without doing anything;
- `LateAnswer(seconds)`: do the work, then hold the answer past the client's timeout, so the
  client cannot know that the booking went through (the case idempotent booking exists for);
- `Garbage()`: answer 200 with a body that is not the protocol.

No pytest, no `gateway_api`: usable from tests, benchmarks and `b2connect demo`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from connectors.core.contract import Clock, system_clock
from connectors.testing.fake_platform_http import (
    Drop,
    Hold,
    LiveServer,
    PlatformOutcome,
    PlatformRequest,
    Reply,
)
from schemas.carrier import TrackingStatus


@dataclass(frozen=True)
class Unavailable:
    """Answer 503 and do nothing."""


@dataclass(frozen=True)
class LateAnswer:
    """Do the work, then answer nothing for `seconds` (past the client's timeout)."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Garbage:
    """Answer 200 with a body that is not the carrier's protocol."""


CarrierFault = Unavailable | LateAnswer | Garbage


class LedgerRejectionError(Exception):
    """The carrier refuses the booking as sent; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class LedgerEvent:
    """One movement of a shipment."""

    status: TrackingStatus
    at: datetime
    location: str


@dataclass
class LedgerShipment:
    """A shipment the fake carrier holds."""

    reference: str
    receiver_name: str
    receiver_phone: str
    receiver_city: str
    parcels: int
    weight_kg: Decimal
    desi: Decimal
    carrier_shipment_id: str
    tracking_number: str
    booked_at: datetime
    cod_amount: Decimal = Decimal(0)
    order_number: str | None = None
    events: list[LedgerEvent] = field(default_factory=list)

    @property
    def status(self) -> TrackingStatus:
        """The latest event's status; `CREATED` before any."""
        return self.events[-1].status if self.events else TrackingStatus.CREATED


@dataclass(frozen=True)
class BookingFields:
    """What a fake reads from a booking request, whatever the protocol."""

    reference: str
    receiver_name: str
    receiver_address: str
    receiver_phone: str
    receiver_city: str
    parcels: int
    weight_kg: Decimal
    desi: Decimal
    cod_amount: Decimal = Decimal(0)
    order_number: str | None = None


class DuplicateReferenceError(Exception):
    """The reference is already booked (each carrier has its own code for it)."""


class CarrierLedger:
    """The fake carrier's shipments, thread-safe (the HTTP server answers on threads)."""

    def __init__(self, *, clock: Clock = system_clock, prefix: str = "TRK") -> None:
        self._clock = clock
        self._prefix = prefix
        self._lock = threading.Lock()
        self._shipments: dict[str, LedgerShipment] = {}
        self._serial = 0
        self.create_calls = 0
        """Valid booking requests that reached the ledger (duplicates included, refused
        ones not)."""

    # -- what the protocol layer calls -------------------------------------------------------

    def book(self, fields: BookingFields) -> LedgerShipment:
        """Store a new shipment; `DuplicateReferenceError` if the reference exists,
        `LedgerRejectionError` for what a real carrier refuses (no phone digits, empty address)."""
        _validate(fields)
        with self._lock:
            self.create_calls += 1
            if fields.reference in self._shipments:
                raise DuplicateReferenceError(fields.reference)
            self._serial += 1
            shipment = LedgerShipment(
                reference=fields.reference,
                receiver_name=fields.receiver_name,
                receiver_phone=fields.receiver_phone,
                receiver_city=fields.receiver_city,
                parcels=fields.parcels,
                weight_kg=fields.weight_kg,
                desi=fields.desi,
                carrier_shipment_id=f"{self._serial:09d}",
                tracking_number=f"{self._prefix}{self._serial:010d}",
                booked_at=self._clock(),
                cod_amount=fields.cod_amount,
                order_number=fields.order_number,
            )
            self._shipments[fields.reference] = shipment
            return shipment

    def get(self, reference: str) -> LedgerShipment | None:
        """The shipment booked under `reference`, if any."""
        with self._lock:
            return self._shipments.get(reference)

    def cancel(self, reference: str) -> tuple[bool, LedgerShipment | None]:
        """(cancelled now or before, the shipment); False once the parcel has left."""
        with self._lock:
            shipment = self._shipments.get(reference)
            if shipment is None:
                return False, None
            if shipment.status is TrackingStatus.CANCELLED:
                return True, shipment
            if shipment.status is not TrackingStatus.CREATED:
                return False, shipment
            shipment.events.append(LedgerEvent(TrackingStatus.CANCELLED, self._clock(), ""))
            return True, shipment

    # -- what tests call ---------------------------------------------------------------------

    def advance(
        self,
        reference: str,
        *statuses: TrackingStatus,
        location: str = "ISTANBUL",
        step: timedelta = timedelta(hours=1),
    ) -> LedgerShipment:
        """Move the shipment through `statuses`, an event each, `step` apart after the last."""
        with self._lock:
            shipment = self._shipments[reference]
            at = shipment.events[-1].at if shipment.events else shipment.booked_at
            for status in statuses:
                at += step
                shipment.events.append(LedgerEvent(status, at, location))
            return shipment

    def references(self) -> list[str]:
        """Every booked reference, in booking order."""
        with self._lock:
            return list(self._shipments)

    def __len__(self) -> int:
        with self._lock:
            return len(self._shipments)


def _validate(fields: BookingFields) -> None:
    digits = "".join(c for c in fields.receiver_phone if c.isdigit())
    if len(digits) < 10:
        msg = "receiver phone must have at least 10 digits"
        raise LedgerRejectionError("phone", msg)
    if not fields.receiver_address.strip():
        msg = "receiver address is required"
        raise LedgerRejectionError("address", msg)
    if not fields.receiver_name.strip():
        msg = "receiver name is required"
        raise LedgerRejectionError("name", msg)


Handler = Callable[[PlatformRequest], Reply]


class FakeCarrierServer:
    """A carrier's fake on a real socket: faults first, then the protocol layer's `handle`.

    Subclasses implement `handle` (translate the request, call the ledger, answer in the
    carrier's protocol) and `is_business_request` (token calls and WSDL downloads take no
    faults, so a test can aim a fault at the booking itself).
    """

    key: str = "carrier"

    def __init__(self, *, clock: Clock = system_clock, prefix: str = "TRK") -> None:
        self.ledger = CarrierLedger(clock=clock, prefix=prefix)
        self.requests: list[PlatformRequest] = []
        """Every request received, in order (bodies included: tests assert on the wire)."""
        self._faults: deque[CarrierFault] = deque()
        self._lock = threading.Lock()
        self._live = LiveServer(self._outcome)

    def handle(self, request: PlatformRequest) -> Reply:
        """Answer one request in the carrier's protocol."""
        raise NotImplementedError

    def is_business_request(self, request: PlatformRequest) -> bool:
        """True for requests faults apply to (not the token call)."""
        return True

    def fail_next(self, *faults: CarrierFault) -> None:
        """Queue faults, taken one per business request in order."""
        with self._lock:
            self._faults.extend(faults)

    def business_requests(self) -> list[PlatformRequest]:
        """The requests faults apply to, in order."""
        with self._lock:
            return [r for r in self.requests if self.is_business_request(r)]

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` while serving."""
        return self._live.base_url

    def connector_config(self) -> dict[str, str]:
        """The `connector_config` keys that point the carrier's connector at this fake while
        it serves (fakes whose service lives under a path override it)."""
        return {"base_url": self.base_url}

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on 127.0.0.1 and an ephemeral port; yields the base URL."""
        self._live.start_listening()
        try:
            yield self._live.base_url
        finally:
            self._live.close()

    def _outcome(self, request: PlatformRequest) -> PlatformOutcome:
        business = self.is_business_request(request)
        with self._lock:
            self.requests.append(request)
            fault = self._faults.popleft() if business and self._faults else None
        if isinstance(fault, Unavailable):
            return Reply(503, b"Service Unavailable", "text/plain; charset=utf-8")
        if isinstance(fault, Garbage):
            return Reply(200, b"<html>maintenance</html>", "text/html; charset=utf-8")
        reply = self.handle(request)
        if isinstance(fault, LateAnswer):
            return Hold(fault.seconds)
        return reply


__all__ = [
    "BookingFields",
    "CarrierFault",
    "CarrierLedger",
    "Drop",
    "DuplicateReferenceError",
    "FakeCarrierServer",
    "Garbage",
    "LateAnswer",
    "LedgerEvent",
    "LedgerRejectionError",
    "LedgerShipment",
    "Unavailable",
]
