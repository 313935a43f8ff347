"""Aras Kargo: the carrier conformance suite against `FakeAras`, and Aras' own promises."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import httpx
import pytest
from lxml import etree

from connectors.aras import ArasConfig, ArasConnector
from connectors.aras.query_service import find_cargo
from connectors.aras.shipment_service import SET_ORDER
from connectors.aras.soap import SOAP_ENV, TEMPURI, SoapCaller, operation, parse_xml
from connectors.aras.status import status_for
from connectors.core import ConnectorContext, RejectedByPartnerError, TransientError
from connectors.core.http import build_http_client
from connectors.testing.carrier_conformance import (
    CarrierConformance,
    CarrierUnderTest,
    booking_request,
)
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from connectors.testing.fake_aras import QUERY_PATH, SHIPMENT_PATH, FakeAras
from connectors.testing.fake_carrier import LateAnswer
from connectors.testing.fake_platform_http import PlatformRequest
from schemas.carrier import CashOnDelivery, ShipmentContact, TrackingStatus

T = f"{{{TEMPURI}}}"
URL = "https://aras.test/arascargoservice.asmx"


class TestArasConformance(CarrierConformance):
    connector_class = ArasConnector
    config: ClassVar[dict[str, Any]] = {
        "username": FakeAras.USERNAME,
        "password": FakeAras.PASSWORD,
        "customer_code": FakeAras.CUSTOMER_CODE,
    }
    secret_fields = ("password",)
    refused_credentials: ClassVar[dict[str, Any]] = {"password": "Wrong-Aras-Password-0000x"}

    def make_fake(self, clock: SettableClock) -> FakeAras:
        return FakeAras(clock=clock)

    def config_for(self, base_url: str) -> dict[str, Any]:
        return {
            **self.config,
            "shipment_url": base_url + SHIPMENT_PATH,
            "query_url": base_url + QUERY_PATH,
        }

    # -- the wire ----------------------------------------------------------------------------

    def test_envelopes_and_soap_actions_on_the_wire(self, carrier: CarrierUnderTest) -> None:
        request = booking_request(
            "ARS-W1", cash_on_delivery=CashOnDelivery(amount=Decimal("149.90"))
        )
        carrier.connector.book(request)
        check, book = _fake(carrier).requests
        assert check.headers["soapaction"] == '"http://tempuri.org/GetOrderWithIntegrationCode"'
        assert book.headers["soapaction"] == '"http://tempuri.org/SetOrder"'
        assert book.headers["content-type"] == "text/xml; charset=utf-8"
        assert book.path == SHIPMENT_PATH
        root = etree.fromstring(book.body)
        assert root.tag == f"{{{SOAP_ENV}}}Envelope"
        soap_body = root.find(f"{{{SOAP_ENV}}}Body")
        assert soap_body is not None
        [operation_element] = soap_body
        assert operation_element.tag == T + "SetOrder"
        assert [etree.QName(c).localname for c in operation_element] == [
            "orderInfo",
            "userName",
            "password",
        ]
        order = operation_element.find(f"{T}orderInfo/{T}Order")
        assert order is not None
        values = {etree.QName(c).localname: c.text for c in order if len(c) == 0}
        assert values["IntegrationCode"] == "ARS-W1"
        assert values["TradingWaybillNumber"] == "IRS2026000123"
        assert values["ReceiverPhone1"] == "5551234567"
        assert values["ReceiverTownName"] == "SARIYER"
        assert (values["PieceCount"], values["Weight"], values["VolumetricWeight"]) == (
            "2",
            "10.5",
            "4",
        )
        assert (values["IsCod"], values["CodAmount"], values["CodCollectionType"]) == (
            "1",
            "149.9",
            "0",
        )
        assert values["PayorTypeCode"] == "1"
        pieces = order.findall(f"{T}PieceDetails/{T}PieceDetail")
        assert [p.findtext(f"{T}BarcodeNumber") for p in pieces] == ["ARS-W1-1", "ARS-W1-2"]

    def test_user_data_is_escaped_not_concatenated(self, carrier: CarrierUnderTest) -> None:
        name = 'ACME <Depo> & "Co" </ReceiverName><IsCod>1</IsCod>'
        request = booking_request(
            "ARS-E1",
            receiver=ShipmentContact(
                name=name, address="Maslak & <Sariyer>", city="ISTANBUL", phone="05551234567"
            ),
        )
        carrier.connector.book(request)
        held = _fake(carrier).ledger.get("ARS-E1")
        assert held is not None
        assert held.receiver_name == name
        body = _fake(carrier).requests[-1].body
        assert b"ACME &lt;Depo&gt; &amp;" in body
        assert b"<IsCod>1</IsCod>" not in body

    def test_a_lost_set_order_answer_is_retried_and_books_once(self) -> None:
        clock = SettableClock(CLOCK_START)
        fake = _FaultsOnSetOrderOnly(clock=clock)
        waits: list[float] = []
        with fake.serve() as base_url:
            connector = self._build(base_url, clock, waits)
            fake.fail_next(LateAnswer(2.0))
            try:
                booking = connector.book(booking_request("ARS-L1"))
            finally:
                connector.context.require_http().close()
        assert booking.reference == "ARS-L1"
        assert len(fake.ledger) == 1
        assert fake.ledger.create_calls == 1, "the repeated SetOrder booked again"
        assert fake.operations.count("SetOrder") == 2
        assert len(waits) == 1

    def test_booking_twice_sends_set_order_once(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("ARS-D1"))
        again = carrier.connector.book(booking_request("ARS-D1"))
        assert again.already_booked
        assert _fake(carrier).operations.count("SetOrder") == 1

    # -- Aras' numbers and codes -------------------------------------------------------------

    def test_the_tracking_number_comes_with_the_pickup(self, carrier: CarrierUnderTest) -> None:
        booking = carrier.connector.book(booking_request("ARS-N1"))
        assert booking.tracking_number is None
        assert booking.carrier_shipment_id
        [before] = carrier.connector.track(["ARS-N1"])
        assert (before.found, before.status, before.tracking_number) == (
            True,
            TrackingStatus.CREATED,
            None,
        )
        held = _fake(carrier).ledger.advance("ARS-N1", TrackingStatus.PICKED_UP)
        [after] = carrier.connector.track(["ARS-N1"])
        assert (after.status, after.carrier_code) == (TrackingStatus.PICKED_UP, "1")
        assert after.tracking_number == held.tracking_number
        assert after.first(TrackingStatus.PICKED_UP) == held.events[-1].at

    def test_999_on_cancel_keeps_aras_words(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("ARS-C1"))
        _fake(carrier).ledger.advance("ARS-C1", TrackingStatus.PICKED_UP)
        answer = carrier.connector.cancel("ARS-C1")
        assert not answer.cancelled
        assert answer.message == "999: Irsaliye kesilmis, iptal edilemez"

    def test_cancelling_twice_and_an_unknown_reference(self, carrier: CarrierUnderTest) -> None:
        carrier.connector.book(booking_request("ARS-C2"))
        first = carrier.connector.cancel("ARS-C2")
        again = carrier.connector.cancel("ARS-C2")
        assert (first.cancelled, again.cancelled) == (True, True)
        with pytest.raises(RejectedByPartnerError, match="-1: Kayit bulunamadi"):
            carrier.connector.cancel("ARS-NOPE")
        assert carrier.waits == []

    def test_refusals_carry_arass_code(self, carrier: CarrierUnderTest) -> None:
        bad = booking_request(
            "ARS-R1",
            receiver=ShipmentContact(name="ACME", address="Maslak", city="ISTANBUL", phone="12"),
        )
        with pytest.raises(RejectedByPartnerError, match="935: Hatali alan"):
            carrier.connector.book(bad)


class _FaultsOnSetOrderOnly(FakeAras):
    def is_business_request(self, request: PlatformRequest) -> bool:
        return request.headers.get("soapaction") == '"http://tempuri.org/SetOrder"'


def _fake(carrier: CarrierUnderTest) -> FakeAras:
    assert isinstance(carrier.fake, FakeAras)
    return carrier.fake


# -- the pieces, without a server --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "status"),
    [
        ("1", "CIKIS SUBESINDE", TrackingStatus.PICKED_UP),
        ("2", "YOLDA", TrackingStatus.IN_TRANSIT),
        ("3", "TESLIMAT SUBESINDE", TrackingStatus.IN_TRANSIT),
        ("4", "TESLIMATTA", TrackingStatus.OUT_FOR_DELIVERY),
        ("5", "PARCALI TESLIMAT", TrackingStatus.OUT_FOR_DELIVERY),
        (6, "TESL\u0130M ED\u0130LD\u0130", TrackingStatus.DELIVERED),
        ("7", "YONLENDIRILDI", TrackingStatus.IN_TRANSIT),
        ("8", "\u0130ADE ED\u0130LD\u0130", TrackingStatus.RETURNED),
        ("12", "Iade surecinde", TrackingStatus.RETURNED),
        ("9", "ADRES BULUNAMADI", TrackingStatus.EXCEPTION),
        (None, None, TrackingStatus.EXCEPTION),
    ],
)
def test_aras_statuses(code: object, name: object, status: TrackingStatus) -> None:
    kept, mapped = status_for(code, name)
    assert mapped is status
    assert kept == (str(code) if code is not None else "?")


@pytest.mark.parametrize(
    "data",
    [
        {"QueryResult": {"Cargo": [{"KARGO_TAKIP_NO": "1", "DURUM_KODU": "2"}]}},
        [{"KARGO_TAKIP_NO": "1"}],
        {"KARGO_TAKIP_NO": "1", "DURUM_KODU": "2"},
        {"Table": {"Row": {"DURUM_KODU": "2"}}},
    ],
)
def test_the_cargo_record_is_found_in_any_wrapper(data: Any) -> None:
    assert find_cargo(data) is not None


@pytest.mark.parametrize("data", [{}, [], {"QueryResult": {"Cargo": []}}, "x", None])
def test_no_cargo_record(data: Any) -> None:
    assert find_cargo(data) is None


def test_answers_never_expand_entities() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "AAAAAAAAAA">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    )
    root = parse_xml(body)
    assert root is None or "AAAAAAAAAA" not in (root.text or "")


def _caller(status: int, body: bytes) -> SoapCaller:
    def answer(request: httpx.Request) -> httpx.Response:
        del request
        return httpx.Response(status, content=body, headers={"Content-Type": "text/xml"})

    client = build_http_client(transport=httpx.MockTransport(answer))
    return SoapCaller(client, clock=lambda: CLOCK_START, secrets=["Aras-Shipment-Password-4f19c2"])


def _fault(code: str, text: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
        f"<faultcode>{code}</faultcode><faultstring>{text}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    ).encode()


def test_a_client_fault_is_a_rejection_with_its_words() -> None:
    caller = _caller(500, _fault("soap:Client", "Order.Weight is not a decimal"))
    with pytest.raises(RejectedByPartnerError, match=r"Order\.Weight is not a decimal"):
        caller.call(URL, SET_ORDER, operation("SetOrder"))


def test_a_server_fault_is_transient_and_hides_an_echoed_password() -> None:
    caller = _caller(500, _fault("soap:Server", "login Aras-Shipment-Password-4f19c2 failed"))
    with pytest.raises(TransientError) as info:
        caller.call(URL, SET_ORDER, operation("SetOrder"))
    assert "Aras-Shipment-Password-4f19c2" not in str(info.value)
    assert "***" in str(info.value)


def test_a_page_that_is_not_soap_is_transient() -> None:
    caller = _caller(200, b"<html><body>Bakim calismasi</body></html>")
    with pytest.raises(TransientError, match="not a SOAP envelope"):
        caller.call(URL, SET_ORDER, operation("SetOrder"))


def test_config_defaults_to_the_live_services() -> None:
    config = ArasConfig.model_validate(TestArasConformance.config)
    assert str(config.shipment_url).startswith("https://customerws.araskargo.com.tr/")
    assert "ArasCargoIntegrationService.svc" in str(config.query_url)


def test_the_fake_takes_a_profiles_credentials() -> None:
    """How a demo runs the fake for a profile: its own credentials, `endpoints` as the URLs."""
    credentials = {
        "username": "demo-aras",
        "password": "Demo-Aras-Password-7c8d9e0f",
        "customer_code": "7654321",
    }
    clock = SettableClock(CLOCK_START)
    fake = FakeAras(clock=clock, **credentials)
    with fake.serve(), build_http_client() as http:
        config = ArasConfig.model_validate({**credentials, **fake.endpoints})
        context = ConnectorContext(clock=clock, http=http, sleep=lambda _: None)
        booking = ArasConnector(config, context).book(booking_request("ARS-DEMO1"))
    assert booking.carrier_shipment_id
    assert len(fake.ledger) == 1
