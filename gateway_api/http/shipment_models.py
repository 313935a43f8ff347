"""JSON shapes of carrier shipments: a booking request, and a shipment with its label data and
tracking events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from gateway_api.domain.fulfilment import LineQuantity
from gateway_api.http.fields import SingleLine
from gateway_api.http.fulfilment_models import LineQuantityIn
from gateway_api.services.shipments import BookCommand, ShipmentView
from gateway_api.store.shipment_records import ShipmentEventRecord, ShipmentRecord
from schemas.carrier import CarrierReference, CashOnDelivery, Parcel, ShipmentContact

CarrierKey = Annotated[SingleLine, Field(min_length=1, max_length=64)]


class BookShipmentIn(BaseModel):
    """Book a shipment of an order with a cargo carrier."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    carrier: CarrierKey
    """The carrier's partner key (`yurtici-demo`): a profile whose connector is a carrier."""
    parcels: Annotated[tuple[Parcel, ...], Field(min_length=1, max_length=99)]
    """The pieces, each with its weight (kg) and desi."""
    receiver: ShipmentContact | None = None
    """Who receives it; omitted: the order's ship-to (it needs a street, a city and a phone)."""
    reference: CarrierReference | None = None
    """Our key at the carrier; omitted: the hub mints one. Booking again with the same
    reference returns the same shipment, so a client may retry safely."""
    lines: tuple[LineQuantityIn, ...] = ()
    """The order lines in the parcels, for the ship notice; omitted: everything still to ship."""
    cash_on_delivery: CashOnDelivery | None = None
    waybill_number: Annotated[SingleLine, Field(max_length=16)] | None = None
    """The dispatch note (irsaliye) number."""
    invoice_number: Annotated[SingleLine, Field(max_length=20)] | None = None
    description: Annotated[SingleLine, Field(max_length=200)] | None = None

    def command(self) -> BookCommand:
        """The service's command."""
        return BookCommand(
            carrier_key=self.carrier,
            parcels=self.parcels,
            receiver=self.receiver,
            reference=self.reference,
            lines=tuple(LineQuantity(line.line_number, line.quantity) for line in self.lines),
            cash_on_delivery=self.cash_on_delivery,
            waybill_number=self.waybill_number,
            invoice_number=self.invoice_number,
            description=self.description,
        )


class TrackingEventOut(BaseModel):
    """One movement the carrier reported."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    status: str
    """The hub's status (`picked_up`, `delivered`...)."""
    carrier_code: str
    """The carrier's own code."""
    occurred_at: datetime | None
    description: str | None
    location: str | None
    recorded_at: datetime
    """When the hub learnt it."""

    @classmethod
    def of(cls, event: ShipmentEventRecord) -> TrackingEventOut:
        """From the stored event."""
        return cls(
            status=event.status,
            carrier_code=event.carrier_code,
            occurred_at=event.occurred_at,
            description=event.description,
            location=event.location,
            recorded_at=event.recorded_at,
        )


class ShipmentOut(BaseModel):
    """A carrier shipment: label data, where the parcel is, and the ship notice it sent."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: UUID
    order_id: UUID
    """Our id of the order."""
    carrier: str
    reference: str
    """Our key at the carrier (Yurtici cargoKey, MNG referenceId, Aras IntegrationCode)."""
    state: str
    """`booking` (not yet confirmed by the carrier: tried again), `booked` or `refused`."""
    tracking_status: str
    carrier_code: str | None
    carrier_shipment_id: str | None
    tracking_number: str | None
    barcodes: list[str]
    label: str | None
    """Label data the carrier returned (ZPL or base64 PDF), if any."""
    error: str | None
    """Why the booking was refused, or the last failure."""
    ship_notice_id: str | None
    """The ship notice sent when the carrier picked the goods up."""
    booked_at: datetime | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    polled_at: datetime | None
    created_at: datetime
    events: list[TrackingEventOut] | None = None
    """The carrier's events, oldest first (on the single-shipment view)."""

    @classmethod
    def of(
        cls, record: ShipmentRecord, events: list[ShipmentEventRecord] | None = None
    ) -> ShipmentOut:
        """From the stored shipment (and its events)."""
        return cls(
            id=record.id,
            order_id=record.order_uuid,
            carrier=record.carrier_key,
            reference=record.reference,
            state=record.state.value,
            tracking_status=record.tracking_status,
            carrier_code=record.carrier_code,
            carrier_shipment_id=record.carrier_shipment_id,
            tracking_number=record.tracking_number,
            barcodes=list(record.barcodes),
            label=record.label,
            error=record.error,
            ship_notice_id=record.ship_notice_id,
            booked_at=record.booked_at,
            picked_up_at=record.picked_up_at,
            delivered_at=record.delivered_at,
            cancelled_at=record.cancelled_at,
            polled_at=record.polled_at,
            created_at=record.created_at,
            events=None if events is None else [TrackingEventOut.of(e) for e in events],
        )

    @classmethod
    def of_view(cls, view: ShipmentView) -> ShipmentOut:
        """The shipment with its events."""
        return cls.of(view.shipment, view.events)
