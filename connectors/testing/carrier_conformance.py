"""The carrier conformance suite: what every CARRIER connector owes the core, over real HTTP.

A carrier's test subclasses `CarrierConformance` with its connector, its fake and how to point
a config at the fake:

    class TestYurticiConformance(CarrierConformance):
        connector_class = YurticiConnector
        config = {...}                 # a valid config (any base URL), secrets included
        secret_fields = ("password",)
        refused_credentials = {"password": "Wrong-Password-0000"}

        def make_fake(self, clock):
            return FakeYurtici(wsdl_path=OFFICIAL_WSDL, username="b2c", password=PASSWORD,
                               clock=clock)
        def config_for(self, base_url): return {**self.config, "base_url": base_url}

Every test starts the fake on 127.0.0.1 and an ephemeral port and builds the connector the way
the core does, with the hub's HTTP client (short timeouts) and a `sleep` that records instead
of waiting. It checks, on the carrier's own wire:

- booking: the carrier holds one shipment with our reference and receiver; booking the same
  reference again books nothing new and returns the same numbers (`already_booked`); a booking
  whose answer was lost (the carrier did it, the client timed out) is retried and still books
  once; 5xx and timeouts are retried with waits, within the configured attempts, and then
  raised as `TransientError`; a carrier's refusal of the data is a `RejectedByPartnerError`
  naming the carrier's words, not retried; refused credentials are an `AuthError`, not retried;
  an answer that is not the protocol is an error, never a booking;
- cancelling: cancels, cancelling again is not an error, a parcel on its way is not cancelled;
- tracking: an unknown reference is `found=False`; the life of a shipment reads as the hub's
  statuses with the carrier's codes kept, oldest first; a full batch is one request;
- secrets: never in logs (DEBUG, every library), reprs, or error messages, whatever happened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from connectors.core import (
    AuthError,
    ConnectorContext,
    ConnectorError,
    RejectedByPartnerError,
    TransientError,
)
from connectors.core.carrier import CarrierConnector
from connectors.core.contract import Capability
from connectors.core.http import HttpSettings, build_http_client
from connectors.testing.conformance import _SECRET_LIKE, ConnectorConformance
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from connectors.testing.fake_carrier import FakeCarrierServer, Garbage, LateAnswer, Unavailable
from schemas.carrier import (
    Booking,
    BookingRequest,
    Parcel,
    ShipmentContact,
    TrackingReport,
    TrackingStatus,
)

CLIENT_TIMEOUT_SECONDS = 0.5
"""The suite's HTTP timeout: short, so a late answer is a timeout within the test."""


def booking_request(reference: str, **changes: Any) -> BookingRequest:
    """A plain domestic booking of two parcels."""
    fields: dict[str, Any] = {
        "reference": reference,
        "order_number": "PO4500012345",
        "waybill_number": "IRS2026000123",
        "receiver": ShipmentContact(
            name="ACME Depo Ltd",
            address="Eski Buyukdere Cad. 3, Maslak",
            city="ISTANBUL",
            town="SARIYER",
            phone="05551234567",
            email="depo@acme.example",
        ),
        "parcels": (
            Parcel(weight_kg=Decimal("8.5"), desi=Decimal(3), content="Pallet wrap"),
            Parcel(weight_kg=Decimal(2), desi=Decimal(1)),
        ),
        "description": "Coupa PO 4500012345",
    }
    fields.update(changes)
    return BookingRequest(**fields)


@dataclass
class CarrierUnderTest:
    """A fake carrier on a socket and a connector pointed at it."""

    fake: FakeCarrierServer
    connector: Any
    clock: SettableClock
    waits: list[float] = field(default_factory=list)


class CarrierConformance(ConnectorConformance):
    """The shared suite plus the carrier promises, against the carrier's fake."""

    refused_credentials: ClassVar[Mapping[str, Any]]
    """Config changes the fake refuses as bad credentials."""
    attempts: ClassVar[int] = 3
    """The connector's retry attempts as configured by `config_for` (its default)."""

    def make_fake(self, clock: SettableClock) -> FakeCarrierServer:
        """The carrier's fake (not yet serving)."""
        raise NotImplementedError

    def config_for(self, base_url: str) -> dict[str, Any]:
        """`config` pointed at a fake serving on `base_url`."""
        raise NotImplementedError

    # -- fixtures ----------------------------------------------------------------------------

    def _build(
        self, base_url: str, clock: SettableClock, waits: list[float], **changes: Any
    ) -> Any:
        config = self.connector_class.config_model.model_validate(
            {**self.config_for(base_url), **changes}
        )
        http = build_http_client(HttpSettings(timeout_seconds=CLIENT_TIMEOUT_SECONDS))
        self.__dict__.setdefault("_clients", []).append(http)
        context = ConnectorContext(clock=clock, http=http, sleep=waits.append)
        return self.connector_class(config, context)

    @pytest.fixture
    def carrier(self) -> Iterator[CarrierUnderTest]:
        clock = SettableClock(CLOCK_START)
        fake = self.make_fake(clock)
        waits: list[float] = []
        with fake.serve() as base_url:
            connector = self._build(base_url, clock, waits)
            yield CarrierUnderTest(fake, connector, clock, waits)

    @pytest.fixture(autouse=True)
    def _close_http_clients(self) -> Iterator[None]:
        """Close every HTTP client `_build` made for the test (pytest makes one instance of
        the class per test, so they are the test's own)."""
        yield
        for client in self.__dict__.pop("_clients", []):
            client.close()

    # -- capability --------------------------------------------------------------------------

    def test_declares_and_implements_carrier(self) -> None:
        connector = self.make_connector()
        assert Capability.CARRIER in connector.spec.capabilities
        assert isinstance(connector, CarrierConnector)
        assert type(connector).track_batch_size >= 1

    # -- booking -----------------------------------------------------------------------------

    def test_books_one_shipment_with_our_reference(self, carrier: CarrierUnderTest) -> None:
        booking = carrier.connector.book(booking_request("B2C-0001"))
        assert isinstance(booking, Booking)
        assert booking.reference == "B2C-0001"
        assert not booking.already_booked
        held = carrier.fake.ledger.get("B2C-0001")
        assert held is not None
        assert held.receiver_name == "ACME Depo Ltd"
        assert held.parcels == 2
        assert len(carrier.fake.ledger) == 1

    def test_booking_twice_books_once(self, carrier: CarrierUnderTest) -> None:
        first = carrier.connector.book(booking_request("B2C-0002"))
        again = carrier.connector.book(booking_request("B2C-0002"))
        assert len(carrier.fake.ledger) == 1
        assert again.already_booked
        assert again.reference == first.reference
        assert again.carrier_shipment_id == first.carrier_shipment_id or (
            first.carrier_shipment_id is None or again.carrier_shipment_id is None
        )
        assert again.tracking_number == first.tracking_number or first.tracking_number is None

    def test_a_lost_answer_is_retried_and_books_once(self, carrier: CarrierUnderTest) -> None:
        carrier.fake.fail_next(LateAnswer(CLIENT_TIMEOUT_SECONDS * 4))
        booking = carrier.connector.book(booking_request("B2C-0003"))
        assert booking.reference == "B2C-0003"
        assert len(carrier.fake.ledger) == 1
        assert len(carrier.waits) >= 1, "the timeout was not retried after a wait"

    def test_5xx_is_retried_with_waits(self, carrier: CarrierUnderTest) -> None:
        carrier.fake.fail_next(Unavailable(), Unavailable())
        booking = carrier.connector.book(booking_request("B2C-0004"))
        assert not booking.already_booked
        assert len(carrier.fake.ledger) == 1
        assert len(carrier.waits) == 2
        assert all(0 < w <= 31 for w in carrier.waits)

    def test_retries_are_bounded(self, carrier: CarrierUnderTest) -> None:
        carrier.fake.fail_next(*[Unavailable()] * (self.attempts + 5))
        before = len(carrier.fake.business_requests())
        with pytest.raises(TransientError):
            carrier.connector.book(booking_request("B2C-0005"))
        assert len(carrier.fake.business_requests()) - before == self.attempts
        assert len(carrier.waits) == self.attempts - 1
        assert len(carrier.fake.ledger) == 0

    def test_timeouts_are_retried_within_bounds(self, carrier: CarrierUnderTest) -> None:
        carrier.fake.fail_next(*[LateAnswer(CLIENT_TIMEOUT_SECONDS * 4)] * (self.attempts + 5))
        with pytest.raises(TransientError):
            carrier.connector.track(["B2C-0006"])
        assert len(carrier.waits) == self.attempts - 1

    def test_refused_data_is_rejected_with_the_carriers_words(
        self, carrier: CarrierUnderTest
    ) -> None:
        bad = booking_request(
            "B2C-0007",
            receiver=ShipmentContact(name="ACME", address="Maslak", city="ISTANBUL", phone="12"),
        )
        with pytest.raises(RejectedByPartnerError) as info:
            carrier.connector.book(bad)
        assert str(info.value).strip() != ""
        assert carrier.waits == [], "a refusal of the data was retried"
        assert len(carrier.fake.ledger) == 0

    def test_refused_credentials_are_an_auth_error(self, carrier: CarrierUnderTest) -> None:
        base_url = carrier.fake.base_url
        waits: list[float] = []
        wrong = self._build(base_url, carrier.clock, waits, **self.refused_credentials)
        with pytest.raises(AuthError) as info:
            wrong.book(booking_request("B2C-0008"))
        assert waits == [], "refused credentials were retried"
        for value in _secret_values(self.refused_credentials, self.config_for(base_url)):
            assert value not in str(info.value)
        assert len(carrier.fake.ledger) == 0

    def test_an_answer_that_is_not_the_protocol_is_no_booking(
        self, carrier: CarrierUnderTest
    ) -> None:
        carrier.fake.fail_next(*[Garbage()] * (self.attempts + 5))
        with pytest.raises(ConnectorError):
            carrier.connector.book(booking_request("B2C-0009"))

    # -- cancelling --------------------------------------------------------------------------

    def test_cancel_cancels_and_is_idempotent(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("B2C-0010"))
        first = carrier.connector.cancel("B2C-0010")
        again = carrier.connector.cancel("B2C-0010")
        assert first.cancelled
        assert again.cancelled
        held = carrier.fake.ledger.get("B2C-0010")
        assert held is not None
        assert held.status is TrackingStatus.CANCELLED

    def test_a_parcel_on_its_way_is_not_cancelled(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("B2C-0011"))
        carrier.fake.ledger.advance("B2C-0011", TrackingStatus.PICKED_UP)
        answer = carrier.connector.cancel("B2C-0011")
        assert not answer.cancelled
        held = carrier.fake.ledger.get("B2C-0011")
        assert held is not None
        assert held.status is TrackingStatus.PICKED_UP

    # -- tracking ----------------------------------------------------------------------------

    def test_unknown_reference_is_not_found(self, carrier: CarrierUnderTest) -> None:
        [report] = carrier.connector.track(["B2C-NOPE"])
        assert isinstance(report, TrackingReport)
        assert report.reference == "B2C-NOPE"
        assert not report.found

    def test_tracks_a_shipment_through_its_life(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("B2C-0012"))
        [booked] = carrier.connector.track(["B2C-0012"])
        assert booked.found
        assert booked.status is TrackingStatus.CREATED
        life = (
            TrackingStatus.PICKED_UP,
            TrackingStatus.IN_TRANSIT,
            TrackingStatus.OUT_FOR_DELIVERY,
            TrackingStatus.DELIVERED,
        )
        for status in life:
            carrier.fake.ledger.advance("B2C-0012", status)
            [report] = carrier.connector.track(["B2C-0012"])
            assert report.status is status, (status, report)
            assert report.carrier_code, "the carrier's own code was not kept"
        held = carrier.fake.ledger.get("B2C-0012")
        assert held is not None
        assert report.tracking_number == held.tracking_number
        if report.events:
            times = [e.occurred_at for e in report.events if e.occurred_at is not None]
            assert times == sorted(times), "events are not oldest first"
            assert report.events[-1].status is TrackingStatus.DELIVERED
            assert all(e.carrier_code for e in report.events)

    def test_returned_and_exception_are_told_apart(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("B2C-0013"))
        carrier.connector.book(booking_request("B2C-0014"))
        carrier.fake.ledger.advance("B2C-0013", TrackingStatus.PICKED_UP, TrackingStatus.RETURNED)
        carrier.fake.ledger.advance("B2C-0014", TrackingStatus.PICKED_UP, TrackingStatus.EXCEPTION)
        # One reference per call: a carrier's batch may be a single reference.
        [returned] = carrier.connector.track(["B2C-0013"])
        [failed] = carrier.connector.track(["B2C-0014"])
        assert (returned.reference, returned.status) == ("B2C-0013", TrackingStatus.RETURNED)
        assert (failed.reference, failed.status) == ("B2C-0014", TrackingStatus.EXCEPTION)

    def test_a_full_batch_is_one_request_in_order(self, carrier: CarrierUnderTest) -> None:
        size = min(type(carrier.connector).track_batch_size, 25)
        references = [f"B2C-B{n:04d}" for n in range(size)]
        for reference in references[::2]:
            carrier.connector.book(booking_request(reference))
        before = len(carrier.fake.business_requests())
        reports = carrier.connector.track(references)
        sent = len(carrier.fake.business_requests()) - before
        assert [r.reference for r in reports] == references
        assert [r.found for r in reports] == [n % 2 == 0 for n in range(size)]
        if type(carrier.connector).track_batch_size > 1:
            assert sent == 1, f"{size} references took {sent} requests"

    # -- secrets -----------------------------------------------------------------------------

    def test_secrets_never_reach_logs_or_errors(
        self, carrier: CarrierUnderTest, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        base_url = carrier.fake.base_url
        messages: list[str] = []
        carrier.fake.fail_next(Unavailable(), LateAnswer(CLIENT_TIMEOUT_SECONDS * 4))
        carrier.connector.book(booking_request("B2C-0015"))
        carrier.connector.track(["B2C-0015"])
        carrier.connector.cancel("B2C-0015")
        carrier.fake.fail_next(*[Unavailable()] * (self.attempts + 5))
        try:
            carrier.connector.track(["B2C-0015"])
        except ConnectorError as error:
            messages.append(repr(error) + str(error))
        wrong = self._build(base_url, carrier.clock, [], **self.refused_credentials)
        try:
            wrong.book(booking_request("B2C-0016"))
        except ConnectorError as error:
            messages.append(repr(error) + str(error))
        shown = "\n".join([caplog.text, *messages, repr(carrier.connector), repr(wrong)])
        secrets = _secret_values(self.refused_credentials, self.config_for(base_url))
        assert secrets, "the suite found no secret to look for"
        leaks = [s for s in secrets if s in shown]
        assert leaks == [], "a credential was logged or shown"


def _secret_values(*configs: Mapping[str, Any]) -> list[str]:
    values = []
    for config in configs:
        for name, value in config.items():
            if _SECRET_LIKE.search(name) and isinstance(value, str) and len(value) >= 6:
                values.append(value)
    return values
