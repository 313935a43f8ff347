"""Yurtici Kargo passes the carrier suite against a fake driven by the official WSDL, and keeps
its own promises: the shipped minimal WSDL speaks the official contract, 60020 is a booking,
the wire shape of each operation, the status mapping, and no WSDL fetch or envelope logging."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from lxml import etree

from connectors.core import AuthError, ConnectorContext, RejectedByPartnerError, TransientError
from connectors.core.http import HttpSettings, build_http_client
from connectors.testing.carrier_conformance import CarrierConformance, booking_request
from connectors.testing.conformance import SHARED_DIR
from connectors.testing.conformance_clock import CLOCK_START, SettableClock
from connectors.testing.fake_yurtici import AUTH_ERROR_TEXT, SERVICE_PATH, FakeYurtici
from connectors.yurtici import YurticiConfig, YurticiConnector
from connectors.yurtici.contract import SHIPPED_WSDL, ServiceContract, load_contract
from connectors.yurtici.shipment import read_special_fields, special_fields
from connectors.yurtici.tracking import TURKEY, current_status, local_time, tracking_report
from schemas.carrier import CashOnDelivery, TrackingStatus

OFFICIAL_WSDL = SHARED_DIR / "wsdl" / "yurtici" / "ShippingOrderDispatcherServices.wsdl"
USERNAME = "B2CONNECT_WS"
PASSWORD = "Yurtici-Ws-Password-4e7b1f"
NS = "http://yurticikargo.com.tr/ShippingOrderDispatcherServices"


def official_wsdl() -> Path:
    if not OFFICIAL_WSDL.exists():
        msg = f"the official Yurtici WSDL is not at {OFFICIAL_WSDL}; set B2CONNECT_SHARED_DIR"
        pytest.fail(msg)
    return OFFICIAL_WSDL


def make_fake(clock: SettableClock | None = None) -> FakeYurtici:
    return FakeYurtici(
        wsdl_path=official_wsdl(),
        username=USERNAME,
        password=PASSWORD,
        clock=clock or SettableClock(CLOCK_START),
    )


class TestYurticiConformance(CarrierConformance):
    connector_class = YurticiConnector
    config: ClassVar[dict[str, Any]] = {
        "base_url": "https://ws.yurticikargo.com/KOPSWebServices/ShippingOrderDispatcherServices",
        "username": USERNAME,
        "password": PASSWORD,
        "initial_wait_seconds": 0.5,
    }
    secret_fields = ("password",)
    refused_credentials: ClassVar[dict[str, Any]] = {"password": "Wrong-Yurtici-Password-0000"}

    def make_fake(self, clock: SettableClock) -> FakeYurtici:
        return make_fake(clock)

    def config_for(self, base_url: str) -> dict[str, Any]:
        return {**self.config, "base_url": base_url + SERVICE_PATH}


# -- helpers ---------------------------------------------------------------------------------


def connector_for(fake: FakeYurtici, **changes: Any) -> YurticiConnector:
    config = YurticiConfig.model_validate(
        {"base_url": fake.service_url, "username": USERNAME, "password": PASSWORD, **changes}
    )
    http = build_http_client(HttpSettings(timeout_seconds=2.0))
    context = ConnectorContext(clock=SettableClock(CLOCK_START), http=http, sleep=lambda _: None)
    return YurticiConnector(config, context)


@pytest.fixture
def fake() -> Iterator[FakeYurtici]:
    server = make_fake()
    with server.serve():
        yield server


def body_of(fake: FakeYurtici, operation: str) -> etree._Element:
    """The last request body of `operation`, as the fake received it."""
    for request in reversed(fake.business_requests()):
        root = etree.fromstring(request.body)
        found = root.find(f".//{{{NS}}}{operation}")
        if found is not None:
            return found
    raise AssertionError(f"no {operation} was sent")


# -- the WSDL ----------------------------------------------------------------------------------


def test_the_shipped_wsdl_is_our_own_subset_with_the_official_names() -> None:
    text = SHIPPED_WSDL.read_text(encoding="utf-8")
    assert "B2Connect's own minimal description" in text
    contract = load_contract()
    operations = set(contract._binding._operations)
    assert operations == {"createShipment", "cancelShipment", "queryShipment"}


def test_the_shipped_wsdl_is_the_default_and_loaded_once() -> None:
    assert load_contract() is load_contract(None)
    assert load_contract().wsdl_path == SHIPPED_WSDL


def test_every_shipped_request_is_accepted_by_the_official_contract(fake: FakeYurtici) -> None:
    """The fake reads requests strictly with the official WSDL and records only what it read."""
    connector = connector_for(fake)
    connector.book(booking_request("YK-0001", cash_on_delivery=CashOnDelivery(amount=Decimal(5))))
    connector.track(["YK-0001", "YK-NONE"])
    assert connector.cancel("YK-0001").cancelled
    assert [op for op, _ in fake.calls] == ["createShipment", "queryShipment", "cancelShipment"]
    assert len(fake.business_requests()) == 3


def test_the_fake_refuses_what_the_official_contract_does_not_describe(fake: FakeYurtici) -> None:
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<ns0:queryShipment xmlns:ns0="{NS}"><wsUserName>{USERNAME}</wsUserName>'
        "<bogus>1</bogus><keys>A</keys><keyType>0</keyType></ns0:queryShipment>"
        "</soap:Body></soap:Envelope>"
    )
    for body in (envelope, envelope.replace("queryShipment", "deleteEverything")):
        answer = httpx.post(fake.service_url, content=body.encode())
        assert answer.status_code == 500
        assert b"faultcode>soap:Client<" in answer.content
    assert fake.calls == []


def test_the_connector_also_works_with_the_official_wsdl(fake: FakeYurtici) -> None:
    connector = connector_for(fake, wsdl_path=str(official_wsdl()))
    booking = connector.book(booking_request("YK-0002"))
    fake.ledger.advance("YK-0002", TrackingStatus.PICKED_UP, TrackingStatus.DELIVERED)
    [report] = connector.track(["YK-0002"])
    assert booking.carrier_shipment_id is not None
    assert report.status is TrackingStatus.DELIVERED
    assert [e.status for e in report.events] == [
        TrackingStatus.PICKED_UP,
        TrackingStatus.DELIVERED,
    ]
    assert load_contract(official_wsdl()) is not load_contract()


def test_answers_with_elements_our_wsdl_does_not_declare_are_read() -> None:
    """A newer service may append elements to a type: they are skipped, the rest is read."""
    answer = f"""<?xml version="1.0"?>
    <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
     <soap:Body><ns0:queryShipmentResponse xmlns:ns0="{NS}"><ShippingDeliveryVO>
      <outFlag>0</outFlag><outResult>Basarili</outResult><count>1</count>
      <senderCustId>7</senderCustId>
      <shippingDeliveryDetailVO>
       <cargoKey>YK-9</cargoKey><errCode>0</errCode><jobId>42</jobId>
       <operationCode>5</operationCode><operationMessage>Teslim</operationMessage>
       <operationStatus>DLV</operationStatus>
       <shippingDeliveryItemDetailVO>
        <cargoKey>YK-9</cargoKey><docId>1234567890</docId><totalPrice>12.5</totalPrice>
        <cargoEventId>OK</cargoEventId>
        <invDocCargoVOArray><eventId>OK</eventId><eventDate>20261206</eventDate>
         <eventTime>101500</eventTime><newerField>x</newerField></invDocCargoVOArray>
        <someFutureElement>y</someFutureElement>
       </shippingDeliveryItemDetailVO>
       <aFutureDetailElement>z</aFutureDetailElement>
      </shippingDeliveryDetailVO>
      <aFutureResultElement>z</aFutureResultElement>
     </ShippingDeliveryVO></ns0:queryShipmentResponse></soap:Body></soap:Envelope>"""
    result = load_contract().read("queryShipment", answer.encode())
    [detail] = result.shippingDeliveryDetailVO
    report = tracking_report("YK-9", detail)
    assert report.status is TrackingStatus.DELIVERED
    assert report.tracking_number == "1234567890"
    assert report.carrier_code == "DLV/OK"
    [event] = report.events
    assert event.occurred_at is not None
    assert event.occurred_at.isoformat() == "2026-12-06T10:15:00+03:00"


def test_nothing_is_fetched_over_the_network_for_the_wsdl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the WSDL load opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    contract = ServiceContract(SHIPPED_WSDL)  # not the cached one: a fresh load
    assert contract.envelope("cancelShipment", cargoKeys=["YK-1"]).startswith(b"<?xml")
    ServiceContract(official_wsdl())


def test_a_wsdl_that_imports_over_http_is_refused(tmp_path: Path) -> None:
    text = SHIPPED_WSDL.read_text(encoding="utf-8").replace(
        '<xs:import namespace="http://yurticikargo.com.tr/WSExceptions/"/>',
        '<xs:import namespace="urn:x" schemaLocation="http://example.invalid/x.xsd"/>',
    )
    wsdl = tmp_path / "remote.wsdl"
    wsdl.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="refusing to fetch"):
        ServiceContract(wsdl)


# -- the wire --------------------------------------------------------------------------------


def test_the_post_is_soap_11_with_an_empty_soap_action(fake: FakeYurtici) -> None:
    connector_for(fake).track(["YK-X"])
    [request] = fake.business_requests()
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert request.headers["soapaction"] == '""'
    assert request.path == SERVICE_PATH


def test_query_sends_the_keys_as_cargo_keys_in_one_request(fake: FakeYurtici) -> None:
    connector = connector_for(fake)
    reports = connector.track(["YK-A", "YK-B", "YK-C"])
    assert [r.found for r in reports] == [False, False, False]
    query = body_of(fake, "queryShipment")
    assert [k.text for k in query.findall("keys")] == ["YK-A", "YK-B", "YK-C"]
    assert query.findtext("keyType") == "0"
    assert query.findtext("addHistoricalData") == "true"
    assert query.findtext("onlyTracking") == "false"
    assert query.findtext("wsLanguage") == "TR"
    assert query.find("userLanguage") is None
    assert len(fake.business_requests()) == 1


def test_more_than_a_batch_is_split(fake: FakeYurtici) -> None:
    references = [f"YK-{n:03d}" for n in range(YurticiConnector.track_batch_size + 1)]
    reports = connector_for(fake).track(references)
    assert [r.reference for r in reports] == references
    assert len(fake.business_requests()) == 2


def test_the_booking_on_the_wire(fake: FakeYurtici) -> None:
    connector_for(fake, tax_office_id=341).book(booking_request("YK-0003"))
    order = fake.shipping_orders["YK-0003"]
    assert order["cargoKey"] == "YK-0003"
    assert order["invoiceKey"] == "YK-0003"
    assert order["receiverCustName"] == "ACME Depo Ltd"
    assert (order["cityName"], order["townName"]) == ("ISTANBUL", "SARIYER")
    assert order["receiverPhone1"] == "05551234567"
    assert order["cargoCount"] == 2
    assert (order["kg"], order["desi"]) == (10.5, 4.0)
    assert order["waybillNo"] == "IRS2026000123"
    assert order["specialField1"] == "3$PO4500012345#"
    assert order["taxOfficeId"] == 341
    assert order["ttInvoiceAmount"] is None
    assert (order["ttDocumentId"], order["dcSelectedCredit"], order["dcCreditRule"]) == (0, 0, 0)
    assert fake.ledger.get("YK-0003").order_number == "PO4500012345"  # type: ignore[union-attr]
    create = body_of(fake, "createShipment")
    assert create.findtext("userLanguage") == "TR"


def test_cash_on_delivery_fields(fake: FakeYurtici) -> None:
    connector = connector_for(fake)
    cod = CashOnDelivery(amount=Decimal("1250.40"), collection="card")
    connector.book(booking_request("YK-0004", cash_on_delivery=cod, invoice_number="20261234"))
    order = fake.shipping_orders["YK-0004"]
    assert order["ttInvoiceAmount"] == 1250.40
    assert order["ttCollectionType"] == "1"
    assert order["ttDocumentSaveType"] == "0"
    assert order["ttDocumentId"] == 20261234
    assert order["invoiceKey"] == "20261234"
    assert fake.ledger.get("YK-0004").cod_amount == Decimal("1250.4")  # type: ignore[union-attr]
    connector.book(booking_request("YK-0005", cash_on_delivery=CashOnDelivery(amount=Decimal(9))))
    assert fake.shipping_orders["YK-0005"]["ttCollectionType"] == "0"


def test_cash_on_delivery_in_another_currency_is_not_sent(fake: FakeYurtici) -> None:
    cod = CashOnDelivery(amount=Decimal(10), currency="EUR")
    with pytest.raises(RejectedByPartnerError, match="TRY"):
        connector_for(fake).book(booking_request("YK-0006", cash_on_delivery=cod))
    assert fake.business_requests() == []


def test_special_fields_form() -> None:
    assert special_fields({3: "PO4500012345"}) == "3$PO4500012345#"
    assert special_fields({3: "PO$1#2", 1: "A"}) == "1$A#3$PO12#"
    assert special_fields({3: None}) is None
    assert read_special_fields("1$A#3$PO12#") == {1: "A", 3: "PO12"}


# -- 60020, refusals, faults -----------------------------------------------------------------


def test_60020_is_verified_with_a_query_and_returns_the_first_numbers(fake: FakeYurtici) -> None:
    connector = connector_for(fake)
    first = connector.book(booking_request("YK-0007"))
    fake.ledger.advance("YK-0007", TrackingStatus.PICKED_UP)
    again = connector.book(booking_request("YK-0007"))
    assert again.already_booked
    assert again.carrier_shipment_id == first.carrier_shipment_id
    held = fake.ledger.get("YK-0007")
    assert held is not None
    assert again.tracking_number == held.tracking_number
    assert [op for op, _ in fake.calls] == ["createShipment", "createShipment", "queryShipment"]
    assert fake.calls[-1][1]["addHistoricalData"] is False


def test_a_refusal_carries_yuticis_code_and_words(fake: FakeYurtici) -> None:
    bad = booking_request("YK-0008").model_copy(
        update={"receiver": booking_request("x").receiver.model_copy(update={"phone": "12"})}
    )
    with pytest.raises(RejectedByPartnerError) as info:
        connector_for(fake).book(bad)
    assert "82516" in str(info.value)
    assert "ERR_INTG_RECEIVER_PHONE_INVALID_PARAMETER" in str(info.value)


def test_wrong_credentials_are_an_auth_error_without_the_password(fake: FakeYurtici) -> None:
    wrong = connector_for(fake, password="Another-Wrong-Password-77")
    for call in (
        lambda: wrong.book(booking_request("YK-0009")),
        lambda: wrong.track(["YK-0009"]),
        lambda: wrong.cancel("YK-0009"),
    ):
        with pytest.raises(AuthError) as info:
            call()
        assert "Another-Wrong-Password-77" not in str(info.value)
        assert AUTH_ERROR_TEXT in str(info.value)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ("<outFlag>2</outFlag><outResult>Beklenmeyen hata</outResult>", TransientError),
        ("<outFlag>1</outFlag><outResult>Sifre hatali</outResult>", AuthError),
        (
            "<outFlag>1</outFlag><outResult>x</outResult><errCode>82526</errCode>",
            RejectedByPartnerError,
        ),
    ],
)
def test_whole_answer_refusals_are_classified(answer: str, error: type[Exception]) -> None:
    body = _answer_body("queryShipmentResponse", "ShippingDeliveryVO", answer)
    connector, fake_http = _connector_answering(200, body)
    with pytest.raises(error):
        connector.track(["YK-1"])
    assert "Yurtici-Ws-Password" not in fake_http.text


@pytest.mark.parametrize(
    ("code", "text", "error"),
    [
        ("soap:Server", AUTH_ERROR_TEXT, AuthError),
        ("soap:Client", "Unmarshalling Error", RejectedByPartnerError),
        ("soap:Server", "java.lang.NullPointerException", TransientError),
    ],
)
def test_faults_are_classified(code: str, text: str, error: type[Exception]) -> None:
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    )
    connector, _ = _connector_answering(500, body)
    with pytest.raises(error) as info:
        connector.cancel("YK-1")
    assert text in str(info.value)


def test_a_936_item_is_transient_and_a_key_not_found_on_cancel_is_refused() -> None:
    body = _answer_body(
        "cancelShipmentResponse",
        "ShippingOrderResultVO",
        "<outFlag>1</outFlag><count>1</count><senderCustId>1</senderCustId><shippingCancelDetailVO>"
        "<cargoKey>YK-1</cargoKey><docId>0</docId><errCode>{code}</errCode>"
        "<errMessage>m</errMessage><jobId>0</jobId></shippingCancelDetailVO>",
    )
    connector, _ = _connector_answering(200, body.replace("{code}", "936"))
    with pytest.raises(TransientError):
        connector.cancel("YK-1")
    connector, _ = _connector_answering(200, body.replace("{code}", "82519"))
    with pytest.raises(RejectedByPartnerError, match="82519"):
        connector.cancel("YK-1")


def test_html_is_no_answer() -> None:
    connector, http = _connector_answering(200, "<html>maintenance</html>")
    with pytest.raises(TransientError, match="not Yurtici's SOAP"):
        connector.cancel("YK-1")
    assert http.calls == 3


class _Recorder:
    def __init__(self, status: int, body: str) -> None:
        self.status = status
        self.body = body
        self.calls = 0
        self.text = ""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(
            self.status,
            content=self.body.encode(),
            headers={"content-type": "text/xml; charset=utf-8"},
        )


def _connector_answering(status: int, body: str) -> tuple[YurticiConnector, _Recorder]:
    recorder = _Recorder(status, body)
    http = build_http_client(transport=httpx.MockTransport(recorder))
    config = YurticiConfig(username=USERNAME, password=PASSWORD)  # type: ignore[arg-type]
    return YurticiConnector(config, ConnectorContext(http=http, sleep=lambda _: None)), recorder


def _answer_body(response: str, part: str, inner: str) -> str:
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<ns0:{response} xmlns:ns0="{NS}"><{part}>{inner}</{part}></ns0:{response}>'
        "</soap:Body></soap:Envelope>"
    )


# -- status mapping --------------------------------------------------------------------------


class _Item:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


@pytest.mark.parametrize(
    ("operation", "item", "status"),
    [
        ("NOP", None, TrackingStatus.CREATED),
        ("IND", None, TrackingStatus.IN_TRANSIT),
        ("ISR", None, TrackingStatus.PICKED_UP),
        ("CNL", None, TrackingStatus.CANCELLED),
        ("ISC", None, TrackingStatus.CANCELLED),
        ("BI", None, TrackingStatus.CANCELLED),
        ("DLV", None, TrackingStatus.DELIVERED),
        ("IND", _Item(cargoEventId="KAB"), TrackingStatus.PICKED_UP),
        ("IND", _Item(cargoEventId="DAG"), TrackingStatus.OUT_FOR_DELIVERY),
        ("IND", _Item(cargoEventId="OK"), TrackingStatus.IN_TRANSIT),
        ("IND", _Item(cargoEventId="ZZZ"), TrackingStatus.IN_TRANSIT),
        ("IND", _Item(returnStatus="1"), TrackingStatus.RETURNED),
        ("DLV", _Item(returnStatus="1"), TrackingStatus.RETURNED),
        ("IND", _Item(rejectStatus="1"), TrackingStatus.EXCEPTION),
        ("IND", _Item(cargoEventId="SRN"), TrackingStatus.EXCEPTION),
    ],
)
def test_operation_status_mapping(operation: str, item: Any, status: TrackingStatus) -> None:
    assert current_status(operation, item) is status


def test_each_operation_status_keeps_yurticis_code(fake: FakeYurtici) -> None:
    connector = connector_for(fake)
    connector.book(booking_request("YK-0010"))
    assert connector.track(["YK-0010"])[0].carrier_code == "NOP"
    fake.ledger.advance("YK-0010", TrackingStatus.PICKED_UP)
    assert connector.track(["YK-0010"])[0].carrier_code == "IND/KAB"
    fake.ledger.advance("YK-0010", TrackingStatus.DELIVERED)
    report = connector.track(["YK-0010"])[0]
    assert report.carrier_code == "DLV/OK"
    assert [e.carrier_code for e in report.events] == ["KAB", "OK"]
    assert report.first(TrackingStatus.PICKED_UP) is not None


def test_local_times() -> None:
    assert local_time("20261206", "0815") == local_time("20261206", "081500")
    assert local_time("bad", "0815") is None
    moment = local_time("20261206", "235959")
    assert moment is not None
    assert moment.tzinfo is TURKEY


def test_without_history_the_status_still_reads(fake: FakeYurtici) -> None:
    connector = connector_for(fake, history=False)
    connector.book(booking_request("YK-0011"))
    fake.ledger.advance("YK-0011", TrackingStatus.PICKED_UP, TrackingStatus.OUT_FOR_DELIVERY)
    [report] = connector.track(["YK-0011"])
    assert report.status is TrackingStatus.OUT_FOR_DELIVERY
    assert report.events == ()


# -- secrets ---------------------------------------------------------------------------------


def test_zeep_and_httpx_do_not_log_the_envelope(
    fake: FakeYurtici, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("zeep", "zeep.transports", "zeep.xsd", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    connector = connector_for(fake)
    connector.book(booking_request("YK-0012"))
    connector.track(["YK-0012"])
    connector.cancel("YK-0012")
    assert PASSWORD not in caplog.text
    assert "wsPassword" not in caplog.text
    assert PASSWORD not in repr(connector)
    assert PASSWORD not in repr(connector._soap)


def test_an_item_without_a_code_in_a_failed_answer_is_no_booking() -> None:
    body = _answer_body(
        "createShipmentResponse",
        "ShippingOrderResultVO",
        "<outFlag>1</outFlag><outResult>Hatali kayit</outResult><count>1</count><jobId>0</jobId>"
        "<shippingOrderDetailVO><cargoKey>YK-1</cargoKey></shippingOrderDetailVO>",
    )
    connector, _ = _connector_answering(200, body)
    with pytest.raises(RejectedByPartnerError, match="Hatali kayit"):
        connector.book(booking_request("YK-1"))


def test_the_fake_also_runs_on_the_shipped_wsdl() -> None:
    """Where the official WSDL is not at hand (the demo), the fake reads the connector's own."""
    server = FakeYurtici(wsdl_path=SHIPPED_WSDL, username=USERNAME, password=PASSWORD)
    with server.serve():
        connector = connector_for(server)
        connector.book(booking_request("YK-0013"))
        server.ledger.advance("YK-0013", TrackingStatus.PICKED_UP)
        [report] = connector.track(["YK-0013"])
        assert report.status is TrackingStatus.PICKED_UP
        assert not connector.cancel("YK-0013").cancelled
