"""A `BookingRequest` as MNG's createOrder and createbarcode bodies, and their answers read back.

Field names follow partners.md §6.3 (createOrder transcribed from the official swagger by a
public client) and public createbarcode clients. The receiver's city and district go by name
(`cityName`, `districtName`) with codes left at 0 [ASSUME: MNG resolves names when no CBS code
is given; a customer that needs codes maps them with `cbsinfoapi` before booking]. Each parcel
gets the barcode `<reference>_P<n>`, so a repeated createbarcode names the same pieces.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.core.phone import turkish_national_number
from schemas.carrier import Booking, BookingRequest

__all__ = ["barcode_body", "booking_from", "order_body", "shipment_id"]


def order_body(
    request: BookingRequest,
    *,
    shipment_service_type: int,
    packaging_type: int,
    payment_type: int,
    delivery_type: int,
) -> dict[str, Any]:
    """The `createOrder` body: the order (referenceId = our reference), pieces, recipient."""
    receiver = request.receiver
    cod = request.cash_on_delivery
    contents = [p.content for p in request.parcels if p.content]
    return {
        "order": {
            "referenceId": request.reference,
            "barcode": request.reference,
            "billOfLandingId": request.waybill_number or "",
            "isCOD": 1 if cod else 0,
            "codAmount": _number(cod.amount) if cod else 0,
            "shipmentServiceType": shipment_service_type,
            "packagingType": packaging_type,
            "content": ", ".join(contents)[:100],
            "smsPreference1": 0,
            "smsPreference2": 0,
            "smsPreference3": 0,
            "paymentType": payment_type,
            "deliveryType": delivery_type,
            "description": request.description or request.order_number or "",
            "marketPlaceShortCode": "",
        },
        "orderPieceList": _pieces(request),
        "recipient": {
            "fullName": receiver.name,
            "cityCode": 0,
            "cityName": receiver.city,
            "districtCode": 0,
            "districtName": receiver.town or "",
            "address": receiver.address,
            "mobilePhoneNumber": turkish_national_number(receiver.phone),
            "email": receiver.email or "",
            "taxNumber": receiver.tax_number or "",
            "taxOffice": receiver.tax_office or "",
        },
    }


def barcode_body(request: BookingRequest) -> dict[str, Any]:
    """The `createbarcode` body for an order createOrder accepted."""
    cod = request.cash_on_delivery
    return {
        "referenceId": request.reference,
        "billOfLandingId": request.waybill_number or "",
        "isCOD": 1 if cod else 0,
        "codAmount": _number(cod.amount) if cod else 0,
        "printReferenceBarcodeOnError": 0,
        "message": request.description or "",
        "additionalContent1": request.order_number or "",
        "orderPieceList": _pieces(request),
    }


def booking_from(reference: str, answer: Any, *, already_booked: bool) -> Booking:
    """A `Booking` from a createbarcode answer or a getshipment answer (the shipment at the
    top or under `shipment`; an object or a one-element array). The shipment id is also the
    tracking number customers type in."""
    record = _shipment_record(answer) or {}
    number = shipment_id(answer)
    barcodes: list[str] = []
    pieces = record.get("barcodes")
    if isinstance(pieces, list):
        for piece in pieces:
            value = piece.get("barcode") or piece.get("value") if isinstance(piece, dict) else piece
            if isinstance(value, str | int) and str(value).strip():
                barcodes.append(str(value).strip())
    return Booking(
        reference=reference,
        carrier_shipment_id=number,
        tracking_number=number,
        barcodes=tuple(barcodes),
        already_booked=already_booked,
    )


def shipment_id(answer: Any) -> str | None:
    """`shipmentId` of an answer, at the top or under `shipment`, if it has one."""
    record = _shipment_record(answer)
    value = record.get("shipmentId") if record else None
    if isinstance(value, str | int) and str(value).strip():
        return str(value).strip()
    return None


def _pieces(request: BookingRequest) -> list[dict[str, Any]]:
    return [
        {
            "barcode": f"{request.reference}_P{n}",
            "desi": _number(parcel.desi),
            "kg": _number(parcel.weight_kg),
            "content": parcel.content or "",
        }
        for n, parcel in enumerate(request.parcels, start=1)
    ]


def _shipment_record(answer: Any) -> dict[str, Any] | None:
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    if not isinstance(answer, dict):
        return None
    nested = answer.get("shipment")
    return nested if isinstance(nested, dict) else answer


def _number(value: Decimal) -> int | float:
    """A JSON number: an integer when whole (MNG's examples), else a float of the decimal."""
    return int(value) if value == value.to_integral_value() else float(value)
