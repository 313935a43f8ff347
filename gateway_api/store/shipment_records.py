"""What the store keeps of carrier shipments: the booking, its state and what the carrier said."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID


class ShipmentState(StrEnum):
    """Where a shipment is in the hub's hands; after `booked`, the carrier's status says more."""

    BOOKING = "booking"
    """Stored, the carrier not yet known to have it: the next booking attempt or tracking run
    books it again under the same reference (the carrier books a reference once)."""
    BOOKED = "booked"
    """The carrier has it; `tracking_status` follows the parcel."""
    REFUSED = "refused"
    """The carrier refused the booking as sent (`error` says why); nothing to track."""


@dataclass(frozen=True)
class ShipmentRecord:
    """One booking with one carrier for (part of) one order."""

    id: UUID
    order_uuid: UUID
    carrier_key: str
    """The carrier's partner key (`yurtici-demo`)."""
    reference: str
    """Our key at the carrier (Yurtici cargoKey, MNG referenceId, Aras IntegrationCode)."""
    state: ShipmentState
    tracking_status: str
    """A `schemas.carrier.TrackingStatus` value; `created` until the carrier reports more."""
    request: dict[str, Any]
    """The canonical `BookingRequest` JSON, kept to book again after a crash."""
    lines: list[dict[str, Any]]
    """Order lines and quantities the shipment carries (`[]`: everything still to ship), for
    the ship notice."""
    created_at: datetime
    updated_at: datetime
    carrier_code: str | None = None
    """The carrier's own current status code."""
    carrier_shipment_id: str | None = None
    tracking_number: str | None = None
    barcodes: list[str] = field(default_factory=list)
    label: str | None = field(default=None, repr=False)
    error: str | None = None
    """Why the booking was refused, or the last failure to book or track."""
    ship_notice_id: str | None = None
    """The ship notice the pickup sent (its shipment id), or `none:<why>` when none was due."""
    booked_at: datetime | None = None
    picked_up_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    last_event_at: datetime | None = None
    polled_at: datetime | None = None


@dataclass(frozen=True)
class ShipmentEventRecord:
    """One movement the carrier reported, stored once."""

    shipment_id: UUID
    seq: int
    """Order of arrival within the shipment, from 1."""
    status: str
    carrier_code: str
    occurred_at: datetime | None
    description: str | None
    location: str | None
    recorded_at: datetime
