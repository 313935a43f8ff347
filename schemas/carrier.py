"""Carrier shipments: what we ask a cargo carrier to pick up, and what it tells us happened.

Carrier-neutral: Yurtici Kargo, MNG Kargo and Aras Kargo connectors translate these to and from
their own fields. The `reference` is ours (Yurtici `cargoKey`, MNG `referenceId`, Aras
`IntegrationCode`): every carrier books at most one shipment per reference, which makes booking
idempotent; the carrier's own numbers (tracking number, barcode) come back in `Booking` and
`TrackingReport`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from schemas._base import CanonicalModel
from schemas.types import NO_CONTROL_CHARACTERS, Amount, CurrencyCode

CarrierReference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$"),
]
"""Our key for a shipment at the carrier: letters, digits, `_` and `-`, at most 20 characters
(Yurtici's `cargoKey` limit, the shortest of the three carriers)."""

Line = Annotated[str, StringConstraints(min_length=1, pattern=NO_CONTROL_CHARACTERS)]


class TrackingStatus(StrEnum):
    """Where a parcel is, in the hub's words; each carrier's own code is kept beside it."""

    CREATED = "created"
    """Booked; the carrier has not taken the parcel yet."""
    PICKED_UP = "picked_up"
    """The carrier took the parcel: the goods have left (the ship notice goes out)."""
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNED = "returned"
    """Sent back to the sender."""
    CANCELLED = "cancelled"
    EXCEPTION = "exception"
    """Something went wrong (damaged, address not found, refused): someone should look."""

    @property
    def is_final(self) -> bool:
        """True when the carrier will report nothing more (no further polling)."""
        return self in _FINAL

    @property
    def has_left(self) -> bool:
        """True when the goods have left our dock."""
        return self not in {TrackingStatus.CREATED, TrackingStatus.CANCELLED}


_FINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED, TrackingStatus.CANCELLED})


class ShipmentContact(CanonicalModel):
    """A sender or receiver as a Turkish carrier needs it on the label."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    """Street address as one text (carriers take one address field)."""
    city: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    town: Annotated[str, StringConstraints(max_length=40)] | None = None
    """District (ilce)."""
    phone: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    email: str | None = None
    tax_number: str | None = None
    tax_office: str | None = None


class Parcel(CanonicalModel):
    """One piece of the shipment."""

    weight_kg: Annotated[Amount, Field(gt=0)]
    desi: Annotated[Amount, Field(ge=0)]
    """Volumetric weight: length x width x height in cm / 3000."""
    content: str | None = None
    """What is inside, for the label."""


class CashOnDelivery(CanonicalModel):
    """The receiver pays the goods at the door."""

    amount: Annotated[Amount, Field(gt=0)]
    currency: CurrencyCode = "TRY"
    collection: Literal["cash", "card"] = "cash"


class BookingRequest(CanonicalModel):
    """Ask a carrier to pick up a shipment."""

    reference: CarrierReference
    """Our key: booking the same reference twice books once."""
    receiver: ShipmentContact
    parcels: Annotated[tuple[Parcel, ...], Field(min_length=1)]
    order_number: Annotated[str, StringConstraints(max_length=35)] | None = None
    """The buyer's purchase order number, printed on the label."""
    invoice_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    waybill_number: Annotated[str, StringConstraints(max_length=16)] | None = None
    """The dispatch note (irsaliye) number; carriers need it for commercial shipments."""
    sender: ShipmentContact | None = None
    """Set when the pickup is not the account's registered address."""
    cash_on_delivery: CashOnDelivery | None = None
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class Booking(CanonicalModel):
    """The carrier took the booking: the numbers for the label and for tracking."""

    reference: CarrierReference
    carrier_shipment_id: str | None = None
    """The carrier's id of the booking (Yurtici jobId, MNG shipmentId, Aras InvoiceKey); may be
    None on an `already_booked` answer from a carrier that does not repeat it."""
    tracking_number: str | None = None
    """Known at booking for some carriers; others assign it when the branch takes the parcel."""
    barcodes: tuple[str, ...] = ()
    """Per-parcel barcodes to print, when the carrier issues them."""
    label: str | None = Field(default=None, repr=False)
    """Label data the carrier returned (ZPL or base64 PDF), when it returns one."""
    already_booked: bool = False
    """True when the carrier already had this reference: an earlier attempt got through."""


class Cancellation(CanonicalModel):
    """The carrier's answer to a cancellation."""

    reference: CarrierReference
    cancelled: bool
    """True: cancelled now or before. False: too late (the parcel is on its way)."""
    message: str | None = None
    """The carrier's words, when it refused."""


class TrackingEvent(CanonicalModel):
    """One movement the carrier reported."""

    status: TrackingStatus
    carrier_code: Line
    """The carrier's own status or event code, as it sent it."""
    occurred_at: AwareDatetime | None = None
    description: str | None = None
    location: str | None = None
    """Branch or city where it happened."""


class TrackingReport(CanonicalModel):
    """What a carrier knows about one of our references now."""

    reference: CarrierReference
    found: bool = True
    """False when the carrier has no shipment under this reference (some carriers stop
    reporting a cancelled booking: the core keeps its own `cancelled` state)."""
    status: TrackingStatus = TrackingStatus.CREATED
    carrier_code: str | None = None
    """The carrier's own current status code."""
    tracking_number: str | None = None
    carrier_shipment_id: str | None = None
    """The carrier's id of the booking, when its answer names it."""
    events: tuple[TrackingEvent, ...] = ()
    """Oldest first, when the carrier gives a history."""

    def first(self, status: TrackingStatus) -> datetime | None:
        """When the first event with `status` happened, if one is known."""
        return next((e.occurred_at for e in self.events if e.status is status), None)
