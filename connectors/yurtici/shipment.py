"""A `BookingRequest` as Yurtici's `ShippingOrderVO`, and its cash-on-delivery fields.

Yurtici books one shipment per `cargoKey` (our reference). The sender is the account itself:
createShipment has no sender fields, so `BookingRequest.sender` cannot be honoured here.
Required numbers of the type (`taxOfficeId`, `cargoCount`, `ttDocumentId`, `dcSelectedCredit`,
`dcCreditRule`) are always sent, 0 when unused, as the service expects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.core.errors import RejectedByPartnerError
from schemas.carrier import BookingRequest

ORDER_NUMBER_FIELD = 3
"""specialField1 field number 3 is "Sipariş No" (order number) on Yurtici's label."""
COLLECTION_TYPES = {"cash": "0", "card": "1"}
"""ttCollectionType: 0 cash, 1 credit card."""
SAME_DOCUMENT = "0"
"""ttDocumentSaveType 0: the collection goes on the same document (1 = a separate invoice)."""
COD_CURRENCY = "TRY"


def shipping_order(request: BookingRequest, *, tax_office_id: int = 0) -> dict[str, Any]:
    """The `ShippingOrderVO` fields for `request` (keys in the service's sequence order)."""
    receiver = request.receiver
    order: dict[str, Any] = {
        "cargoKey": request.reference,
        "invoiceKey": request.invoice_number or request.reference,
        "receiverCustName": receiver.name,
        "receiverAddress": receiver.address,
        "cityName": receiver.city,
        "townName": receiver.town,
        "receiverPhone1": receiver.phone,
        "emailAddress": receiver.email,
        "taxOfficeId": tax_office_id,
        "taxNumber": receiver.tax_number,
        "taxOfficeName": receiver.tax_office,
        "desi": float(sum((p.desi for p in request.parcels), Decimal(0))),
        "kg": float(sum((p.weight_kg for p in request.parcels), Decimal(0))),
        "cargoCount": len(request.parcels),
        "waybillNo": request.waybill_number,
        "specialField1": special_fields({ORDER_NUMBER_FIELD: request.order_number}),
        "ttDocumentId": 0,
        "dcSelectedCredit": 0,
        "dcCreditRule": 0,
        "description": request.description or _contents(request),
    }
    order.update(cash_on_delivery_fields(request))
    return order


def cash_on_delivery_fields(request: BookingRequest) -> dict[str, Any]:
    """`ttInvoiceAmount`, `ttCollectionType`, `ttDocumentSaveType` (and the document id when
    the invoice number is one); empty without cash on delivery."""
    cod = request.cash_on_delivery
    if cod is None:
        return {}
    if cod.currency != COD_CURRENCY:
        msg = (
            f"booking {request.reference}: not sent, Yurtici collects cash on delivery in "
            f"{COD_CURRENCY} only (asked {cod.currency})"
        )
        raise RejectedByPartnerError(msg)
    invoice = request.invoice_number
    return {
        "ttInvoiceAmount": float(cod.amount),
        "ttDocumentId": int(invoice) if invoice and invoice.isdigit() else 0,
        "ttCollectionType": COLLECTION_TYPES[cod.collection],
        "ttDocumentSaveType": SAME_DOCUMENT,
    }


def special_fields(fields: dict[int, str | None]) -> str | None:
    """Yurtici's `no$value#no$value#` form (e.g. `3$PO4500012345#`), None when all are empty.

    `$` and `#` delimit the form, so they are dropped from values.
    """
    parts = [
        f"{number}${_clean(value)}#"
        for number, value in sorted(fields.items())
        if value and _clean(value)
    ]
    return "".join(parts) or None


def read_special_fields(text: str | None) -> dict[int, str]:
    """The inverse of `special_fields` (what the fake reads)."""
    found: dict[int, str] = {}
    for part in (text or "").split("#"):
        number, sep, value = part.partition("$")
        if sep and number.strip().isdigit():
            found[int(number)] = value
    return found


def _clean(value: str) -> str:
    return value.replace("$", "").replace("#", "").strip()


def _contents(request: BookingRequest) -> str | None:
    contents = [p.content for p in request.parcels if p.content]
    return ", ".join(contents)[:200] if contents else None
