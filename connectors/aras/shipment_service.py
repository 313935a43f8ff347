"""The shipment service's three operations: envelopes out, results in (partners.md §6.2).

    SetOrder(orderInfo: Order[], userName, password)   -> OrderResultInfo[]
        {ResultCode, ResultMessage, InvoiceKey, OrgReceiverCustId}
    GetOrderWithIntegrationCode(userName, password, integrationCode) -> Order[]
    CancelDispatch(userName, password, integrationCode) -> {ResultCode, ResultMessage}

Element names and order follow Aras' integration PDF as shipped in tcgunel/omniship-aras; the
credentials go both in the Order and beside it, as Aras' examples do. The receiver's phone is
sent as the ten digits Aras asks for (`ReceiverPhone1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from connectors.aras.config import ArasConfig
from connectors.aras.soap import child_text, q
from connectors.aras.soap import operation as soap_operation
from connectors.core.phone import turkish_national_number
from schemas.carrier import BookingRequest

__all__ = [
    "ArasResult",
    "cancel_dispatch",
    "get_order",
    "read_order",
    "read_result",
    "set_order",
]

SET_ORDER = "http://tempuri.org/SetOrder"
GET_ORDER = "http://tempuri.org/GetOrderWithIntegrationCode"
CANCEL_DISPATCH = "http://tempuri.org/CancelDispatch"


@dataclass(frozen=True)
class ArasResult:
    """`ResultCode` and `ResultMessage` of an answer, and `InvoiceKey` when SetOrder gave one."""

    code: str
    message: str
    invoice_key: str | None = None


def set_order(request: BookingRequest, config: ArasConfig) -> etree._Element:
    """The `SetOrder` operation element for one booking (IntegrationCode = our reference)."""
    password = config.password.get_secret_value()
    operation = soap_operation("SetOrder")
    order = etree.SubElement(etree.SubElement(operation, q("orderInfo")), q("Order"))
    receiver = request.receiver
    weight = sum((p.weight_kg for p in request.parcels), Decimal(0))
    desi = sum((p.desi for p in request.parcels), Decimal(0))
    cod = request.cash_on_delivery
    fields: list[tuple[str, str | None]] = [
        ("UserName", config.username),
        ("Password", password),
        ("TradingWaybillNumber", request.waybill_number or request.reference[:16]),
        ("InvoiceNumber", request.invoice_number),
        ("IntegrationCode", request.reference),
        ("ReceiverName", receiver.name),
        ("ReceiverAddress", receiver.address),
        ("ReceiverPhone1", turkish_national_number(receiver.phone)),
        ("ReceiverCityName", receiver.city),
        ("ReceiverTownName", receiver.town),
        ("VolumetricWeight", _decimal(desi)),
        ("Weight", _decimal(weight)),
        ("PieceCount", str(len(request.parcels))),
        ("SpecialField1", request.order_number),
        ("IsCod", "1" if cod else "0"),
        ("CodAmount", _decimal(cod.amount) if cod else None),
        ("CodCollectionType", ("1" if cod.collection == "card" else "0") if cod else None),
        ("CodBillingType", "0" if cod else None),
        ("Description", request.description),
        ("TaxNumber", receiver.tax_number),
        ("TaxOffice", receiver.tax_office),
        ("PayorTypeCode", str(config.payor_type_code)),
        ("IsWorldWide", "0"),
    ]
    for name, value in fields:
        if value is not None and value != "":
            etree.SubElement(order, q(name)).text = value
    pieces = etree.SubElement(order, q("PieceDetails"))
    for n, parcel in enumerate(request.parcels, start=1):
        piece = etree.SubElement(pieces, q("PieceDetail"))
        etree.SubElement(piece, q("VolumetricWeight")).text = _decimal(parcel.desi)
        etree.SubElement(piece, q("Weight")).text = _decimal(parcel.weight_kg)
        etree.SubElement(piece, q("BarcodeNumber")).text = f"{request.reference}-{n}"
        if parcel.content:
            etree.SubElement(piece, q("Description")).text = parcel.content
    if config.sender_account_address_id:
        etree.SubElement(order, q("SenderAccountAddressId")).text = config.sender_account_address_id
    etree.SubElement(operation, q("userName")).text = config.username
    etree.SubElement(operation, q("password")).text = password
    return operation


def get_order(reference: str, config: ArasConfig) -> etree._Element:
    """The `GetOrderWithIntegrationCode` operation element."""
    return _by_reference("GetOrderWithIntegrationCode", reference, config)


def cancel_dispatch(reference: str, config: ArasConfig) -> etree._Element:
    """The `CancelDispatch` operation element."""
    return _by_reference("CancelDispatch", reference, config)


def read_result(response: etree._Element) -> ArasResult | None:
    """The first result of a SetOrder or CancelDispatch answer (`<Op>Result`, directly or as
    an array of `OrderResultInfo`); None when it has no `ResultCode`."""
    for element in response.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "ResultCode":
            holder = element.getparent()
            return ArasResult(
                code=(element.text or "").strip(),
                message=child_text(holder, "ResultMessage") or "",
                invoice_key=child_text(holder, "InvoiceKey") or None,
            )
    return None


def read_order(response: etree._Element) -> dict[str, str] | None:
    """The first `Order` of a GetOrderWithIntegrationCode answer as name -> text; None when
    Aras has none under the code."""
    for element in response.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "Order":
            return {
                etree.QName(child).localname: (child.text or "").strip()
                for child in element
                if isinstance(child.tag, str) and len(child) == 0
            }
    return None


def _by_reference(name: str, reference: str, config: ArasConfig) -> etree._Element:
    operation = soap_operation(name)
    etree.SubElement(operation, q("userName")).text = config.username
    etree.SubElement(operation, q("password")).text = config.password.get_secret_value()
    etree.SubElement(operation, q("integrationCode")).text = reference
    return operation


def _decimal(value: Decimal) -> str:
    """`8.5`, `3`: invariant culture, no exponent, no trailing zeros."""
    return format(value.normalize(), "f")
