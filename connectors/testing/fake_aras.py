"""`FakeAras`: Aras Kargo's shipment (ASMX) and query (WCF) SOAP services over real HTTP.

    aras = FakeAras(clock=clock)        # credentials: FakeAras.USERNAME etc., or keywords
    with aras.serve():                  # the connector's shipment_url and query_url:
        ...                             # aras.endpoints

Each request is parsed with lxml (no entities, no network), checked (POST, `text/xml`, a
SOAPAction naming the operation in the body, the credentials) and answered with the shapes of
partners.md §6.2 ([ASSUME] marks our guesses, as in `connectors/aras/README.md`):

- `SetOrder`: `OrderResultInfo{ResultCode, ResultMessage, InvoiceKey, OrgReceiverCustId}`;
  0 booked; an IntegrationCode it has is updated in place (0) while not picked up, else 1001
  [ASSUME]; refusals 935 (phone), 938 (address), 939 (name), 937 (no IntegrationCode);
  1000 wrong user name or password (in the Order or beside it);
- `GetOrderWithIntegrationCode`: the `Order` (no tracking number), or an empty result for an
  unknown, cancelled [ASSUME] or wrongly authenticated [ASSUME] request;
- `CancelDispatch`: 0 cancelled, 1 cancelled before [ASSUME meaning], 999 the waybill is
  issued, -1 not found, -2 wrong credentials;
- `GetQueryJSON` (QueryType 1 by IntegrationCode): `{"QueryResult": {"Cargo": [record]}}`
  [ASSUME wrapper] once the parcel is picked up, with `KARGO_TAKIP_NO` (the ledger's tracking
  number: Aras reveals it only from pickup), `DURUM_KODU`, `DURUMU`, `ISLEM_TARIHI`;
  `{"QueryResult": {"Cargo": []}}` before pickup, for unknown references and for a wrong
  LoginInfo [ASSUME].

Faults: the shared queue (`fail_next`) applies to every SOAP call. No pytest, no `gateway_api`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from connectors.aras.soap import SOAP_ENV, TEMPURI, child_text, envelope, operation, parse_xml
from connectors.aras.status import ARAS_STATUSES, format_aras_time
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

__all__ = ["QUERY_PATH", "SHIPMENT_PATH", "FakeAras"]

SHIPMENT_PATH = "/arascargoservice/arascargoservice.asmx"
QUERY_PATH = "/ArasCargoIntegrationService.svc"
XML = "text/xml; charset=utf-8"
SHIPMENT_OPERATIONS = frozenset({"SetOrder", "GetOrderWithIntegrationCode", "CancelDispatch"})
QUERY_ACTION = "http://tempuri.org/IArasCargoIntegrationService/GetQueryJSON"

CODE_FOR: dict[TrackingStatus, tuple[str, str]] = {
    TrackingStatus.PICKED_UP: ("1", ARAS_STATUSES["1"][0]),
    TrackingStatus.IN_TRANSIT: ("2", ARAS_STATUSES["2"][0]),
    TrackingStatus.OUT_FOR_DELIVERY: ("4", ARAS_STATUSES["4"][0]),
    TrackingStatus.DELIVERED: ("6", ARAS_STATUSES["6"][0]),
    TrackingStatus.RETURNED: ("8", "IADE EDILDI"),
    TrackingStatus.EXCEPTION: ("9", "TESLIM EDILEMEDI - ADRES BULUNAMADI"),
}
"""What the fake's query answers for a ledger status once picked up [ASSUME codes 8 and 9]."""

_REJECTION_CODES = {"phone": "935", "address": "938", "name": "939"}


class FakeAras(FakeCarrierServer):
    """Aras' two SOAP services over one socket, with a ledger and faults."""

    key = "aras"
    USERNAME = "b2connect-aras"
    PASSWORD = "Aras-Shipment-Password-4f19c2"  # noqa: S105 - the fake's own test value
    CUSTOMER_CODE = "1234567"

    def __init__(
        self,
        *,
        clock: Clock = system_clock,
        username: str = USERNAME,
        password: str = PASSWORD,
        customer_code: str = CUSTOMER_CODE,
    ) -> None:
        super().__init__(clock=clock, prefix="ARS")
        self.username = username
        self.password = password
        self.customer_code = customer_code
        self.operations: list[str] = []
        """The SOAP operations received, in order."""

    def __repr__(self) -> str:
        return f"FakeAras(username={self.username!r})"

    @property
    def endpoints(self) -> dict[str, str]:
        """The connector's `shipment_url` and `query_url` while serving."""
        return {
            "shipment_url": self.base_url + SHIPMENT_PATH,
            "query_url": self.base_url + QUERY_PATH,
        }

    # -- FakeCarrierServer -------------------------------------------------------------------

    def connector_config(self) -> dict[str, str]:
        return self.endpoints

    def handle(self, request: PlatformRequest) -> Reply:
        if request.method != "POST":
            return Reply(405, b"Method Not Allowed", "text/plain; charset=utf-8")
        if not request.headers.get("content-type", "").startswith("text/xml"):
            return Reply(415, b"Unsupported Media Type", "text/plain; charset=utf-8")
        root = parse_xml(request.body)
        body = root.find(f"{{{SOAP_ENV}}}Body") if root is not None else None
        children = (
            [child for child in body if isinstance(child.tag, str)] if body is not None else []
        )
        op = children[0] if children else None
        if root is None or root.tag != f"{{{SOAP_ENV}}}Envelope" or op is None:
            return _fault("soap:Client", "Server was unable to read request.")
        name = etree.QName(op).localname
        action = request.headers.get("soapaction", "").strip('"')
        if etree.QName(op).namespace != TEMPURI or action != _action(name):
            return _fault("soap:Client", f"Server did not recognize SOAPAction: {action}.")
        self.operations.append(name)
        handlers: dict[tuple[str, str], Callable[[etree._Element], etree._Element]] = {
            (SHIPMENT_PATH, "SetOrder"): self._set_order,
            (SHIPMENT_PATH, "GetOrderWithIntegrationCode"): self._get_order,
            (SHIPMENT_PATH, "CancelDispatch"): self._cancel,
            (QUERY_PATH, "GetQueryJSON"): self._query,
        }
        handler = handlers.get((request.path, name))
        if handler is None:
            return _fault("soap:Client", f"{name} is not an operation of {request.path}")
        return Reply(200, envelope(handler(op)), XML)

    # -- operations --------------------------------------------------------------------------

    def _set_order(self, op: etree._Element) -> etree._Element:
        orders = list(op.iter(f"{{{TEMPURI}}}Order"))
        authentic = self._credentials(op) and all(
            (child_text(o, "UserName"), child_text(o, "Password")) == (self.username, self.password)
            for o in orders
        )
        answer = operation("SetOrderResponse")
        result = etree.SubElement(answer, _q("SetOrderResult"))
        targets: list[etree._Element | None] = [*orders] or [None]
        for order in targets:
            info = etree.SubElement(result, _q("OrderResultInfo"))
            code, message, key = (
                self._book(order) if authentic and order is not None else _refused(order)
            )
            _children(info, ResultCode=code, ResultMessage=message, InvoiceKey=key)
            etree.SubElement(info, _q("OrgReceiverCustId"))
        return answer

    def _book(self, order: etree._Element) -> tuple[str, str, str]:
        reference = child_text(order, "IntegrationCode") or ""
        if not reference:
            return "937", "Entegrasyon kodu (siparis no) bos olamaz", ""
        try:
            fields = _fields(order, reference)
            shipment = None if self.ledger.get(reference) else self.ledger.book(fields)
        except LedgerRejectionError as error:
            return _REJECTION_CODES.get(error.field, "936"), f"Hatali alan: {error}", ""
        except (InvalidOperation, ValueError) as error:
            return "936", f"Guncelleme hatasi: {error}", ""
        except DuplicateReferenceError:  # a concurrent SetOrder got there first
            shipment = None
        if shipment is not None:
            return "0", "Kayit basarili", shipment.carrier_shipment_id
        return _update(self.ledger.get(reference))

    def _get_order(self, op: etree._Element) -> etree._Element:
        answer = operation("GetOrderWithIntegrationCodeResponse")
        result = etree.SubElement(answer, _q("GetOrderWithIntegrationCodeResult"))
        shipment = self._held(child_text(op, "integrationCode"))
        if self._credentials(op) and shipment is not None:
            order = etree.SubElement(result, _q("Order"))
            _children(
                order,
                IntegrationCode=shipment.reference,
                ReceiverName=shipment.receiver_name,
                ReceiverCityName=shipment.receiver_city,
                ReceiverPhone1=shipment.receiver_phone,
                PieceCount=str(shipment.parcels),
                Weight=str(shipment.weight_kg),
                VolumetricWeight=str(shipment.desi),
            )
        return answer

    def _cancel(self, op: etree._Element) -> etree._Element:
        reference = child_text(op, "integrationCode") or ""
        if not self._credentials(op):
            code, message = "-2", "Kullanici adi veya sifre hatali"
        elif (shipment := self.ledger.get(reference)) is None:
            code, message = "-1", "Kayit bulunamadi"
        elif shipment.status is TrackingStatus.CANCELLED:
            code, message = "1", "Kayit daha once iptal edilmis"
        elif self.ledger.cancel(reference)[0]:
            code, message = "0", "Iptal edildi"
        else:
            code, message = "999", "Irsaliye kesilmis, iptal edilemez"
        answer = operation("CancelDispatchResponse")
        result = etree.SubElement(answer, _q("CancelDispatchResult"))
        _children(result, ResultCode=code, ResultMessage=message)
        return answer

    def _query(self, op: etree._Element) -> etree._Element:
        login = parse_xml((child_text(op, "loginInfo") or "").encode())
        query = parse_xml((child_text(op, "queryInfo") or "").encode())
        cargo: list[dict[str, Any]] = []
        if (
            login is not None
            and query is not None
            and (
                child_text(login, "UserName"),
                child_text(login, "Password"),
                child_text(login, "CustomerCode"),
            )
            == (self.username, self.password, self.customer_code)
            and child_text(query, "QueryType") == "1"
        ):
            shipment = self._held(child_text(query, "IntegrationCode"))
            if shipment is not None and shipment.status in CODE_FOR:
                cargo.append(_record(shipment))
        answer = operation("GetQueryJSONResponse")
        result = etree.SubElement(answer, _q("GetQueryJSONResult"))
        result.text = json.dumps({"QueryResult": {"Cargo": cargo}}, ensure_ascii=False)
        return answer

    # -- helpers -----------------------------------------------------------------------------

    def _credentials(self, op: etree._Element) -> bool:
        return (child_text(op, "userName"), child_text(op, "password")) == (
            self.username,
            self.password,
        )

    def _held(self, reference: str | None) -> LedgerShipment | None:
        shipment = self.ledger.get(reference) if reference else None
        if shipment is None or shipment.status is TrackingStatus.CANCELLED:
            return None
        return shipment


def _fields(order: etree._Element, reference: str) -> BookingFields:
    pieces = child_text(order, "PieceCount") or "0"
    return BookingFields(
        reference=reference,
        receiver_name=child_text(order, "ReceiverName") or "",
        receiver_address=child_text(order, "ReceiverAddress") or "",
        receiver_phone=child_text(order, "ReceiverPhone1") or "",
        receiver_city=child_text(order, "ReceiverCityName") or "",
        parcels=int(pieces),
        weight_kg=Decimal(child_text(order, "Weight") or "0"),
        desi=Decimal(child_text(order, "VolumetricWeight") or "0"),
        cod_amount=Decimal(child_text(order, "CodAmount") or "0"),
        order_number=child_text(order, "SpecialField1"),
    )


def _update(existing: LedgerShipment | None) -> tuple[str, str, str]:
    """SetOrder on an IntegrationCode Aras has: updated in place until the waybill is issued."""
    if existing is None:
        return "936", "Guncelleme hatasi", ""
    if existing.status is not TrackingStatus.CREATED:
        return "1001", "Entegrasyon guncelleme hatasi: irsaliye kesilmis", ""
    return "0", "Siparis guncellendi", existing.carrier_shipment_id


def _refused(order: etree._Element | None) -> tuple[str, str, str]:
    del order
    return "1000", "Kullanici adi veya sifre hatali", ""


def _record(shipment: LedgerShipment) -> dict[str, Any]:
    code, name = CODE_FOR[shipment.status]
    last = shipment.events[-1]
    return {
        "MUSTERI_OZEL_KODU": shipment.reference,
        "KARGO_TAKIP_NO": shipment.tracking_number,
        "DURUM_KODU": code,
        "DURUMU": name,
        "ISLEM_TARIHI": format_aras_time(last.at),
        "VARIS_SUBE": last.location,
        "ALICI": shipment.receiver_name,
        "ADET": shipment.parcels,
    }


def _action(name: str) -> str:
    if name in SHIPMENT_OPERATIONS:
        return f"{TEMPURI}{name}"
    return QUERY_ACTION if name == "GetQueryJSON" else ""


def _q(name: str) -> str:
    return f"{{{TEMPURI}}}{name}"


def _children(parent: etree._Element, **texts: str) -> None:
    for name, text in texts.items():
        etree.SubElement(parent, _q(name)).text = text


def _fault(code: str, message: str) -> Reply:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    fault = etree.SubElement(etree.SubElement(root, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return Reply(500, etree.tostring(root, xml_declaration=True, encoding="utf-8"), XML)
