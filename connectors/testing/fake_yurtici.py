"""A fake Yurtici Kargo ShippingOrderDispatcherServices, driven by the official WSDL.

Requests are read with zeep from the WSDL the test passes in (the official one), strictly: an
envelope the real service's contract does not describe is a SOAP Fault here, so a connector
built from its own smaller WSDL is checked against the real contract on every call. Answers are
serialised by zeep from the same WSDL, so the fake cannot drift from the contract
(partners.md 8). State lives in the shared `CarrierLedger`; faults come from
`FakeCarrierServer`.

What the fake answers, and which parts are researched facts and which are assumptions:

- createShipment: errCode 0 and the jobId; 60020 ERR_EXIST_CARGO_KEY_PARAM for a cargoKey
  it holds; 82516 / 82502 / 82503 for a bad phone, address or name (codes researched, texts
  assumed); outFlag 0 when an item succeeded, else 1.
- cancelShipment: CNL (3) when cancelled, 82520 when already cancelled, 82519 for an unknown
  key (researched); a processed parcel answers its current status without cancelling (ASSUMED).
- queryShipment: operationStatus/operationCode NOP 0, IND 1, DLV 5, CNL 3 (researched) from the
  ledger's status; the parcel's event codes (`KAB`, `IN`, `DAG`, `OK`, `IAD`, `SRN`), the
  return flag and the unknown-key answer (82519) are ASSUMED (not published by Yurtici).
- wrong credentials: HTTP 500 with a YurticikargoWSException fault saying the user name or
  password is wrong (ASSUMED: the real wording and code are not published).

No pytest, no `gateway_api`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import zeep
import zeep.helpers
from lxml import etree

from connectors.core.contract import Clock, system_clock
from connectors.testing.fake_carrier import (
    BookingFields,
    DuplicateReferenceError,
    FakeCarrierServer,
    LedgerRejectionError,
    LedgerShipment,
)
from connectors.testing.fake_platform_http import PlatformRequest, Reply
from schemas.carrier import TrackingStatus

NAMESPACE = "http://yurticikargo.com.tr/ShippingOrderDispatcherServices"
EXCEPTIONS_NAMESPACE = "http://yurticikargo.com.tr/WSExceptions/"
BINDING = f"{{{NAMESPACE}}}ShippingOrderDispatcherServicesBinding"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_PATH = "/KOPSWebServices/ShippingOrderDispatcherServices"
CONTENT_TYPE = "text/xml; charset=utf-8"
TURKEY = timezone(timedelta(hours=3))

AUTH_ERROR_CODE = 1001
"""The fake's errorCode for wrong credentials (ASSUMED value; the connector reads the words)."""
AUTH_ERROR_TEXT = "Kullanıcı adı veya şifre hatalı"  # noqa: RUF001 - Turkish dotless i
DUPLICATE = (60020, "ERR_EXIST_CARGO_KEY_PARAM")
NOT_FOUND = (82519, "ERR_CARGO_KEY_NOT_FOUND")
ALREADY_CANCELLED = (82520, "ERR_CARGO_ALREADY_CANCELLED")
REJECTIONS = {
    "phone": (82516, "ERR_INTG_RECEIVER_PHONE_INVALID_PARAMETER"),
    "address": (82502, "ERR_INTG_RECEIVER_ADDRESS_INVALID_PARAMETER"),
    "name": (82503, "ERR_INTG_RECEIVER_NAME_INVALID_PARAMETER"),
}

OPERATION = {
    TrackingStatus.CREATED: ("NOP", 0, "Kargo henuz islem gormemistir"),
    TrackingStatus.PICKED_UP: ("IND", 1, "Kargo teslimattadir"),
    TrackingStatus.IN_TRANSIT: ("IND", 1, "Kargo teslimattadir"),
    TrackingStatus.OUT_FOR_DELIVERY: ("IND", 1, "Kargo teslimattadir"),
    TrackingStatus.EXCEPTION: ("IND", 1, "Kargo teslimattadir"),
    TrackingStatus.RETURNED: ("IND", 1, "Kargo iade surecindedir"),
    TrackingStatus.DELIVERED: ("DLV", 5, "Kargo teslim edilmistir"),
    TrackingStatus.CANCELLED: ("CNL", 3, "Kargo iptal edilmistir"),
}
"""Ledger status -> operationStatus, operationCode, operationMessage."""
EVENTS = {
    TrackingStatus.PICKED_UP: ("KAB", "Kargo kabul edildi"),
    TrackingStatus.IN_TRANSIT: ("IN", "Kargo indirildi"),
    TrackingStatus.OUT_FOR_DELIVERY: ("DAG", "Kargo dagitima cikti"),
    TrackingStatus.DELIVERED: ("OK", "Kargo teslim edildi"),
    TrackingStatus.RETURNED: ("IAD", "Kargo gondericiye iade edildi"),
    TrackingStatus.EXCEPTION: ("SRN", "Adres bulunamadi"),
}
"""Ledger status -> the parcel's event code and name (ASSUMED codes)."""


@dataclass(frozen=True)
class SoapFaultReply:
    """What the fake refuses with a SOAP Fault (HTTP 500)."""

    code: str
    text: str
    error_code: int | None = None


class FakeYurtici(FakeCarrierServer):
    """Yurtici's dispatcher service on 127.0.0.1 (see the module docstring)."""

    key = "yurtici"

    def __init__(
        self,
        *,
        wsdl_path: Path,
        username: str,
        password: str,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(clock=clock, prefix="")
        self._username = username
        self._password = password
        client = zeep.Client(str(wsdl_path), settings=zeep.Settings(strict=True))  # type: ignore[no-untyped-call]
        self._binding = client.wsdl.bindings[BINDING]
        self.shipping_orders: dict[str, dict[str, Any]] = {}
        """The ShippingOrderVO of every booked cargoKey, as zeep read it (tests assert on it)."""
        self.calls: list[tuple[str, dict[str, Any]]] = []
        """(operation, arguments without the password) of every call that was read."""

    @property
    def service_url(self) -> str:
        """The endpoint to configure: base URL plus the service path."""
        return self.base_url + SERVICE_PATH

    def connector_config(self) -> dict[str, str]:
        return {"base_url": self.service_url}

    def is_business_request(self, request: PlatformRequest) -> bool:
        return request.method == "POST"

    def handle(self, request: PlatformRequest) -> Reply:
        if request.method != "POST":
            return Reply(405, b"405 Method Not Allowed\n", "text/plain; charset=utf-8")
        if request.path.split("?")[0] != SERVICE_PATH:
            return Reply(404, b"404 Not Found\n", "text/plain; charset=utf-8")
        return self._answer(request.body)

    def _answer(self, body: bytes) -> Reply:
        try:
            envelope = etree.fromstring(
                body, etree.XMLParser(resolve_entities=False, no_network=True)
            )
            operation = _operation_name(envelope)
        except (etree.XMLSyntaxError, ValueError) as error:
            return _fault(SoapFaultReply("Client", f"not a SOAP request: {error}"))
        handlers = {
            "createShipment": self._create,
            "cancelShipment": self._cancel,
            "queryShipment": self._query,
        }
        if operation not in handlers:
            return _fault(SoapFaultReply("Client", f"unknown operation {operation}"))
        try:
            operation_type = self._binding.get(operation)  # type: ignore[no-untyped-call]
            read = operation_type.input.deserialize(envelope)
            arguments: dict[str, Any] = zeep.helpers.serialize_object(read, dict)  # type: ignore[no-untyped-call]
        except Exception as error:  # any zeep refusal is a Client fault
            return _fault(SoapFaultReply("Client", f"{operation}: {type(error).__name__}"))
        self.calls.append((operation, {k: v for k, v in arguments.items() if k != "wsPassword"}))
        if (arguments.get("wsUserName"), arguments.get("wsPassword")) != (
            self._username,
            self._password,
        ):
            return _fault(SoapFaultReply("Server", AUTH_ERROR_TEXT, AUTH_ERROR_CODE))
        part, value = handlers[operation](arguments)
        message = self._binding.get(operation).output.serialize(**{part: value})  # type: ignore[no-untyped-call]
        return Reply(
            200,
            etree.tostring(message.content, xml_declaration=True, encoding="utf-8"),
            CONTENT_TYPE,
        )

    # -- operations --------------------------------------------------------------------------

    def _create(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        details = []
        job_id = 0
        for order in arguments.get("ShippingOrderVO") or []:
            reference = order["cargoKey"] or ""
            try:
                shipment = self.ledger.book(_booking_fields(order))
            except DuplicateReferenceError:
                details.append(_detail(reference, *DUPLICATE))
                continue
            except LedgerRejectionError as error:
                code, name = REJECTIONS[error.field]
                details.append(_detail(reference, code, f"{name}: {error}"))
                continue
            self.shipping_orders[reference] = dict(order)
            job_id = int(shipment.carrier_shipment_id)
            details.append(_detail(reference, 0, None))
        succeeded = any(d["errCode"] == 0 for d in details)
        result = {
            "outFlag": "0" if succeeded else "1",
            "outResult": "Basarili" if succeeded else "Hatali kayit",
            "count": len(details),
            "jobId": job_id,
            "shippingOrderDetailVO": details,
        }
        return "ShippingOrderResultVO", result

    def _cancel(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        details = []
        for reference in arguments.get("cargoKeys") or []:
            held = self.ledger.get(reference)
            if held is None:
                details.append(_cancel_detail(reference, None, *NOT_FOUND))
                continue
            if held.status is TrackingStatus.CANCELLED:
                details.append(_cancel_detail(reference, held, *ALREADY_CANCELLED))
                continue
            cancelled, shipment = self.ledger.cancel(reference)
            assert shipment is not None
            if cancelled:
                details.append(_cancel_detail(reference, shipment, 0, None))
            else:
                details.append(
                    _cancel_detail(
                        reference, shipment, None, "Kargo islem gormustur, iptal edilemez"
                    )
                )
        ok = any(d["errCode"] in {0, ALREADY_CANCELLED[0]} for d in details)
        result = {
            "outFlag": "0" if ok else "1",
            "outResult": "Basarili" if ok else "Hatali kayit",
            "count": len(details),
            "senderCustId": 1,
            "shippingCancelDetailVO": details,
        }
        return "ShippingOrderResultVO", result

    def _query(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if arguments.get("keyType") != 0:
            result = {
                "outFlag": "1",
                "outResult": "KEY_TYPE",
                "errCode": "82527",
                "count": 0,
                "senderCustId": 1,
                "shippingDeliveryDetailVO": [],
            }
            return "ShippingDeliveryVO", result
        history = bool(arguments.get("addHistoricalData"))
        details = []
        for reference in arguments.get("keys") or []:
            held = self.ledger.get(reference)
            if held is None:
                code, name = NOT_FOUND
                details.append(
                    {"cargoKey": reference, "errCode": code, "errMessage": name, "jobId": 0}
                )
                continue
            details.append(_delivery_detail(held, history=history))
        found = any(d["errCode"] == 0 for d in details)
        result = {
            "outFlag": "0" if found else "1",
            "outResult": "Basarili" if found else "Kayit bulunamadi",
            "count": len(details),
            "senderCustId": 1,
            "shippingDeliveryDetailVO": details,
        }
        return "ShippingDeliveryVO", result


def _operation_name(envelope: etree._Element) -> str:
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope" or not children:
        msg = "no SOAP 1.1 Envelope with a Body"
        raise ValueError(msg)
    return str(etree.QName(children[0]).localname)


def _booking_fields(order: dict[str, Any]) -> BookingFields:
    special = _special_fields(order.get("specialField1"))
    return BookingFields(
        reference=order.get("cargoKey") or "",
        receiver_name=order.get("receiverCustName") or "",
        receiver_address=order.get("receiverAddress") or "",
        receiver_phone=order.get("receiverPhone1") or "",
        receiver_city=order.get("cityName") or "",
        parcels=int(order.get("cargoCount") or 0),
        weight_kg=Decimal(str(order.get("kg") or 0)),
        desi=Decimal(str(order.get("desi") or 0)),
        cod_amount=Decimal(str(order.get("ttInvoiceAmount") or 0)),
        order_number=special.get(3),
    )


def _special_fields(text: str | None) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in (text or "").split("#"):
        number, sep, value = part.partition("$")
        if sep and number.isdigit():
            found[int(number)] = value
    return found


def _detail(reference: str, code: int, message: str | None) -> dict[str, Any]:
    return {"cargoKey": reference, "errCode": code, "errMessage": message, "invoiceKey": None}


def _cancel_detail(
    reference: str, shipment: LedgerShipment | None, code: int | None, message: str | None
) -> dict[str, Any]:
    status, operation_code, operation_message = (
        OPERATION[shipment.status] if shipment is not None else (None, None, None)
    )
    return {
        "cargoKey": reference,
        "docId": int(shipment.tracking_number) if shipment and _has_left(shipment) else 0,
        "errCode": code,
        "errMessage": message,
        "jobId": int(shipment.carrier_shipment_id) if shipment else 0,
        "operationCode": operation_code,
        "operationMessage": operation_message,
        "operationStatus": status,
    }


def _delivery_detail(shipment: LedgerShipment, *, history: bool) -> dict[str, Any]:
    status, code, message = OPERATION[shipment.status]
    detail: dict[str, Any] = {
        "cargoKey": shipment.reference,
        "errCode": 0,
        "jobId": int(shipment.carrier_shipment_id),
        "operationCode": code,
        "operationMessage": message,
        "operationStatus": status,
    }
    if _has_left(shipment):
        moves = [e for e in shipment.events if e.status in EVENTS]
        last = moves[-1] if moves else None
        event_id, event_name = EVENTS[last.status] if last else (None, None)
        detail["shippingDeliveryItemDetailVO"] = {
            "cargoKey": shipment.reference,
            "docId": shipment.tracking_number,
            "receiverCustName": shipment.receiver_name,
            "totalCargo": str(shipment.parcels),
            "cargoEventId": event_id,
            "cargoEventExplanation": event_name,
            "returnStatus": "1" if shipment.status is TrackingStatus.RETURNED else None,
            "invDocCargoVOArray": [_event(e) for e in moves] if history else [],
        }
    return detail


def _event(event: Any) -> dict[str, Any]:
    event_id, event_name = EVENTS[event.status]
    local = event.at.astimezone(TURKEY)
    return {
        "unitName": f"{event.location} TRANSFER MERKEZI" if event.location else None,
        "eventId": event_id,
        "eventName": event_name,
        "eventDate": local.strftime("%Y%m%d"),
        "eventTime": local.strftime("%H%M%S"),
        "cityName": event.location or None,
    }


def _has_left(shipment: LedgerShipment) -> bool:
    return any(e.status is not TrackingStatus.CANCELLED for e in shipment.events)


def _fault(fault: SoapFaultReply) -> Reply:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(element, "faultstring").text = fault.text
    if fault.error_code is not None:
        detail = etree.SubElement(element, "detail")
        exception = etree.SubElement(
            detail,
            f"{{{EXCEPTIONS_NAMESPACE}}}YurticikargoWSException",
            nsmap={"ns1": EXCEPTIONS_NAMESPACE},
        )
        etree.SubElement(exception, "errorCode").text = str(fault.error_code)
        etree.SubElement(exception, "errText").text = fault.text
    return Reply(
        500, etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), CONTENT_TYPE
    )


__all__ = ["SERVICE_PATH", "FakeYurtici"]
