"""MNG Kargo: the carrier conformance suite against `FakeMng`, and MNG's own promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from connectors.core import AuthError, ConnectorContext, RejectedByPartnerError, TransientError
from connectors.core.http import build_http_client
from connectors.mng import MngConfig, MngConnector
from connectors.mng.api import mng_error_text
from connectors.mng.times import TURKEY, parse_mng_time
from connectors.mng.tracking import status_for
from connectors.testing.carrier_conformance import (
    CarrierConformance,
    CarrierUnderTest,
    booking_request,
)
from connectors.testing.conformance_clock import SettableClock
from connectors.testing.fake_mng import API_ROOT, FakeMng
from connectors.testing.fake_platform_http import PlatformRequest
from schemas.carrier import TrackingStatus


class TestMngConformance(CarrierConformance):
    connector_class = MngConnector
    config: ClassVar[dict[str, Any]] = {
        "base_url": "https://api.mngkargo.com.tr/mngapi/api",
        "client_id": FakeMng.CLIENT_ID,
        "client_secret": FakeMng.CLIENT_SECRET,
        "customer_number": FakeMng.CUSTOMER_NUMBER,
        "password": FakeMng.PASSWORD,
    }
    secret_fields = ("client_secret", "password")
    refused_credentials: ClassVar[dict[str, Any]] = {"password": "Wrong-Mng-Password-0000x"}

    def make_fake(self, clock: SettableClock) -> FakeMng:
        return FakeMng(clock=clock)

    def config_for(self, base_url: str) -> dict[str, Any]:
        return {**self.config, "base_url": base_url + API_ROOT}

    # -- the JWT -----------------------------------------------------------------------------

    def test_the_jwt_is_reused_then_renewed_before_it_expires(
        self, carrier: CarrierUnderTest
    ) -> None:
        fake = _fake(carrier)
        carrier.connector.book(booking_request("MNG-T1"))
        assert fake.tokens_issued == 1
        carrier.clock.now += timedelta(hours=7)  # 8-hour token, 10-minute margin: still good
        carrier.connector.track(["MNG-T1"])
        assert fake.tokens_issued == 1
        carrier.clock.now += timedelta(minutes=55)  # five minutes before expiry
        [report] = carrier.connector.track(["MNG-T1"])
        assert report.found
        assert fake.tokens_issued == 2
        assert fake.refused_bearers == 0, "the JWT was used until MNG refused it"

    def test_a_refused_jwt_is_renewed_once(self, carrier: CarrierUnderTest) -> None:
        fake = _fake(carrier)
        carrier.connector.book(booking_request("MNG-T2"))
        fake.revoke_tokens()
        [report] = carrier.connector.track(["MNG-T2"])
        assert report.found
        assert fake.refused_bearers == 1
        assert fake.tokens_issued == 2
        assert carrier.waits == []

    def test_a_jwt_refused_again_is_an_auth_error(self) -> None:
        clock = SettableClock(datetime(2031, 5, 6, 9, 0, tzinfo=UTC))
        fake = _RefusingMng(clock=clock)
        waits: list[float] = []
        with fake.serve() as base_url:
            connector = self._build(base_url, clock, waits)
            try:
                with pytest.raises(AuthError) as info:
                    connector.track(["MNG-T3"])
            finally:
                connector.context.require_http().close()
        assert fake.refused_bearers == 2, "renewed more or less than once"
        assert fake.tokens_issued == 2
        assert waits == []
        assert FakeMng.PASSWORD not in str(info.value)
        assert FakeMng.CLIENT_SECRET not in str(info.value)

    def test_headers_on_the_wire(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("MNG-H1"))
        fake = _fake(carrier)
        assert fake.requests
        for request in fake.requests:
            assert request.headers["x-ibm-client-id"] == FakeMng.CLIENT_ID
            assert request.headers["x-ibm-client-secret"] == FakeMng.CLIENT_SECRET
            assert request.headers["x-api-version"] == "1.0"
            if request.path.endswith("/token"):
                assert "authorization" not in request.headers
            else:
                assert request.headers["authorization"].startswith("Bearer eyJ")
        paths = [(r.method, r.path.removeprefix(API_ROOT)) for r in fake.requests]
        assert paths == [
            ("POST", "/token"),
            ("POST", "/standardcmdapi/createOrder"),
            ("POST", "/barcodecmdapi/createbarcode"),
        ]

    # -- booking in two steps ----------------------------------------------------------------

    def test_a_failed_createbarcode_is_retried_without_a_second_order(
        self, carrier: CarrierUnderTest
    ) -> None:
        fake = _fake(carrier)
        fake.fail_barcode_next(1)
        booking = carrier.connector.book(booking_request("MNG-B1"))
        held = fake.ledger.get("MNG-B1")
        assert held is not None
        assert fake.ledger.create_calls == 1
        assert len(carrier.waits) == 1
        assert booking.tracking_number == held.tracking_number
        assert booking.carrier_shipment_id == held.tracking_number
        assert len(booking.barcodes) == 2
        assert not booking.already_booked

    def test_an_order_left_without_barcode_is_finished_by_the_next_booking(
        self, carrier: CarrierUnderTest
    ) -> None:
        fake = _fake(carrier)
        fake.fail_barcode_next(self.attempts)
        with pytest.raises(TransientError):
            carrier.connector.book(booking_request("MNG-B2"))
        assert len(fake.ledger) == 1
        assert not fake.has_barcode("MNG-B2")
        [report] = carrier.connector.track(["MNG-B2"])
        assert (report.found, report.status) == (True, TrackingStatus.CREATED)
        booking = carrier.connector.book(booking_request("MNG-B2"))
        held = fake.ledger.get("MNG-B2")
        assert held is not None
        assert booking.already_booked
        assert booking.tracking_number == held.tracking_number
        assert fake.has_barcode("MNG-B2")
        assert len(fake.ledger) == 1
        assert _calls(fake, "/standardcmdapi/createOrder") == 2  # the second one refused

    def test_a_duplicate_reference_reads_the_existing_shipment(
        self, carrier: CarrierUnderTest
    ) -> None:
        fake = _fake(carrier)
        first = carrier.connector.book(booking_request("MNG-D1"))
        again = carrier.connector.book(booking_request("MNG-D1"))
        assert again.already_booked
        assert (again.carrier_shipment_id, again.tracking_number, again.barcodes) == (
            first.carrier_shipment_id,
            first.tracking_number,
            first.barcodes,
        )
        assert _calls(fake, "/barcodecmdapi/createbarcode") == 1
        assert _calls(fake, "/standardqueryapi/getorder/MNG-D1") == 1
        assert _calls(fake, "/standardqueryapi/getshipment/MNG-D1") == 1

    def test_a_refusal_names_mngs_words(self, carrier: CarrierUnderTest) -> None:
        bad = booking_request("MNG-R1").model_copy(
            update={
                "receiver": booking_request("MNG-R1").receiver.model_copy(update={"phone": "12"})
            }
        )
        with pytest.raises(RejectedByPartnerError, match="phone must have at least 10 digits"):
            carrier.connector.book(bad)

    def test_cancelling_an_unknown_reference_is_a_rejection(
        self, carrier: CarrierUnderTest
    ) -> None:
        with pytest.raises(RejectedByPartnerError, match="no order under this reference"):
            carrier.connector.cancel("MNG-NOPE")
        assert carrier.waits == []

    def test_events_read_as_hub_statuses_oldest_first(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("MNG-E1"))
        _fake(carrier).ledger.advance("MNG-E1", TrackingStatus.PICKED_UP, TrackingStatus.IN_TRANSIT)
        [report] = carrier.connector.track(["MNG-E1"])
        assert report.carrier_code == "3"
        held = _fake(carrier).ledger.get("MNG-E1")
        assert held is not None
        assert report.carrier_shipment_id == report.tracking_number == held.tracking_number
        assert [e.status for e in report.events] == [
            TrackingStatus.CREATED,
            TrackingStatus.PICKED_UP,
            TrackingStatus.IN_TRANSIT,
        ]
        assert [e.carrier_code for e in report.events] == [
            "Gonderi_hazirlandi",
            "Transfer_asamasinda",
            "Teslimat_birimine_ulasti",
        ]
        assert report.first(TrackingStatus.PICKED_UP) == carrier.clock.now + timedelta(hours=1)


class _RefusingMng(FakeMng):
    """Issues tokens, then refuses every one of them."""

    def _bearer_ok(self, request: PlatformRequest) -> bool:
        del request
        return False


def _fake(carrier: CarrierUnderTest) -> FakeMng:
    assert isinstance(carrier.fake, FakeMng)
    return carrier.fake


def _calls(fake: FakeMng, path: str) -> int:
    return sum(1 for r in fake.requests if r.path == API_ROOT + path)


# -- the pieces, without HTTP ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06.05.2031 15:08:09", datetime(2031, 5, 6, 15, 8, 9, tzinfo=TURKEY)),
        ("06-05-2031 15:08:09", datetime(2031, 5, 6, 15, 8, 9, tzinfo=TURKEY)),
        ("2031-05-06T15:08:09", datetime(2031, 5, 6, 15, 8, 9, tzinfo=TURKEY)),
        ("2031-05-06T12:08:09Z", datetime(2031, 5, 6, 12, 8, 9, tzinfo=UTC)),
        ("2031-05-06T15:08:09.123+03:00", datetime(2031, 5, 6, 12, 8, 9, 123000, tzinfo=UTC)),
        ("31.02.2031 10:00:00", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_mng_times(text: object, expected: datetime | None) -> None:
    assert parse_mng_time(text) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error":{"Code":"30002","Message":"Telefon hatali","Description":"x"}}', "Telefon"),
        (b'{"httpCode":"401","httpMessage":"Unauthorized","moreInformation":"Invalid"}', "Invalid"),
        (b'[{"message":"referenceId bos olamaz"}]', "referenceId bos olamaz"),
        (b'{"errors":[{"detail":"kg must be > 0"}]}', "kg must be > 0"),
        (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
        (b'"plain text error"', "plain text error"),
    ],
)
def test_mng_error_text_reads_any_message_field(body: bytes, expected: str) -> None:
    assert expected in mng_error_text(body)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (1, TrackingStatus.CREATED),
        ("2", TrackingStatus.PICKED_UP),
        ("3", TrackingStatus.IN_TRANSIT),
        ("4", TrackingStatus.OUT_FOR_DELIVERY),
        ("5", TrackingStatus.DELIVERED),
        ("6", TrackingStatus.EXCEPTION),
        ("7", TrackingStatus.RETURNED),
        ("8", TrackingStatus.EXCEPTION),
        ("Teslim_Edildi", TrackingStatus.DELIVERED),
        ("TESL\u0130M ED\u0130LD\u0130", TrackingStatus.DELIVERED),
        ("Al\u0131c\u0131 adresine y\u00f6nlendirildi", TrackingStatus.OUT_FOR_DELIVERY),
        ("0", TrackingStatus.EXCEPTION),
        ("", TrackingStatus.EXCEPTION),
    ],
)
def test_mng_statuses(raw: object, status: TrackingStatus) -> None:
    code, mapped = status_for(raw)
    assert mapped is status
    assert code


def test_config_refuses_an_empty_customer_number() -> None:
    with pytest.raises(ValueError, match="customer_number"):
        MngConfig.model_validate({**TestMngConformance.config, "customer_number": ""})


def test_the_fake_takes_a_profiles_credentials() -> None:
    """How a demo runs the fake for a profile: its own credentials, `endpoint` as base_url."""
    credentials = {
        "client_id": "demo-apizone-app",
        "client_secret": "Demo-Gateway-Secret-0a1b2c3d",
        "customer_number": "2700999999",
        "password": "Demo-Customer-Password-4e5f6a",
    }
    clock = SettableClock(datetime(2031, 5, 6, 9, 0, tzinfo=UTC))
    fake = FakeMng(
        clock=clock,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        customer_number=credentials["customer_number"],
        password=credentials["password"],
    )
    with fake.serve(), build_http_client() as http:
        config = MngConfig.model_validate({**credentials, "base_url": fake.endpoint})
        context = ConnectorContext(clock=clock, http=http, sleep=lambda _: None)
        booking = MngConnector(config, context).book(booking_request("MNG-DEMO1"))
    assert booking.tracking_number is not None
    assert len(fake.ledger) == 1
