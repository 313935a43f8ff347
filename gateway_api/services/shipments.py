"""Shipments with cargo carriers: book, cancel, and follow them until the goods arrive.

    book     store the shipment (state `booking`) under our reference and commit, then ask
             the carrier; a crash or a timeout in between leaves the row in `booking`, and the
             next attempt (the API again, or the tracking run) books the same reference again:
             every carrier books a reference once, so the goods are booked once
    track    per carrier, the open shipments in the carrier's batch size: new events are
             stored once, the status follows the carrier, and the first event that says the
             goods left sends the buyer's ship notice through the fulfilment service (its
             outbox then delivers it exactly once), with the carrier's tracking number
    cancel   asks the carrier; a parcel already on its way is not cancelled (a conflict)

The carrier connectors retry timeouts and 5xx themselves within bounds; what reaches this
service is classified: a refusal of the data ends the booking (`refused`, with the carrier's
words), anything else leaves it to be tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from connectors.core import (
    Clock,
    ConfigError,
    ConnectorError,
    RejectedByPartnerError,
    UnsupportedDocumentError,
)
from connectors.core.carrier import CarrierConnector
from gateway_api.domain.fulfilment import FulfilmentConflictError, LineQuantity, ShipCommand
from gateway_api.services.carrier_exchanges import exchange_records, recording
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.shipment_records import (
    ShipmentEventRecord,
    ShipmentRecord,
    ShipmentState,
)
from schemas import Identifier, Party, PurchaseOrder
from schemas.carrier import (
    BookingRequest,
    CashOnDelivery,
    Parcel,
    ShipmentContact,
    TrackingEvent,
    TrackingReport,
    TrackingStatus,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 1_000
"""Open shipments read from the database at a time during a tracking run."""
APPLY_GROUP = 100
"""Shipments whose answers are stored in one transaction: a carrier that answers one reference
per call (MNG, Aras) would otherwise pay a transaction per shipment (measured: 37% of its
tracking run, bench/tracking.py)."""
TRANSIT_DAYS = 3
"""Expected days from pickup to delivery, for the ship notice's delivery date (Turkish
domestic cargo delivers in 1-3 working days; the carriers give no date at pickup)."""


class ShipmentNotFoundError(LookupError):
    """No shipment has this id."""


class CarrierNotFoundError(LookupError):
    """No enabled partner of this key is a cargo carrier."""


class BookingRefusedError(ValueError):
    """The booking cannot be made as asked (by the carrier, or before asking it)."""


class ShipmentConflictError(RuntimeError):
    """The request contradicts the shipment's state (a parcel on its way cannot be cancelled,
    a reference belongs to another order)."""


class CarrierUnavailableError(RuntimeError):
    """The carrier could not be reached or refused our credentials; the shipment is kept and
    tried again. `cause` is the classified connector error."""

    def __init__(self, message: str, *, cause: ConnectorError | None = None) -> None:
        super().__init__(message)
        self.cause = cause


@dataclass(frozen=True)
class BookCommand:
    """Book a shipment of an order with a carrier."""

    carrier_key: str
    parcels: tuple[Parcel, ...]
    receiver: ShipmentContact | None = None
    """None: the order's ship-to (it must have a street, a city and a phone)."""
    reference: str | None = None
    """Our key at the carrier; None mints one. Booking again with the same reference returns
    the same shipment (safe to retry)."""
    lines: tuple[LineQuantity, ...] = ()
    """The order lines in the parcels; empty: everything still to ship."""
    cash_on_delivery: CashOnDelivery | None = None
    waybill_number: str | None = None
    invoice_number: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ShipmentView:
    """A shipment with the events its carrier reported."""

    shipment: ShipmentRecord
    events: list[ShipmentEventRecord]


@dataclass
class TrackingRunReport:
    """What one tracking run of one carrier did (a `JobReport`)."""

    carrier_key: str
    polled: int = 0
    batches: int = 0
    changed: int = 0
    events: int = 0
    picked_up: int = 0
    delivered: int = 0
    exceptions: int = 0
    ship_notices: int = 0
    rebooked: int = 0
    not_found: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[JobProblem] = field(default_factory=list)
    """Calls to the carrier that failed, classified: the scheduler fails the run (and retries
    it when they are transient)."""

    def as_dict(self) -> dict[str, object]:
        """The counts and errors, JSON-ready."""
        values = asdict(self)
        values["problems"] = [f"{p.kind}: {p.message}" for p in self.problems]
        return values

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"{self.carrier_key}: polled {self.polled} in {self.batches} batches, "
            f"{self.changed} changed, {self.events} new events, {self.picked_up} picked up, "
            f"{self.delivered} delivered, {self.exceptions} exceptions, "
            f"{self.ship_notices} ship notices, {self.rebooked} re-booked, "
            f"{self.not_found} unknown to the carrier, {self.failed} failed"
        )


class ShipmentService:
    """Carrier bookings and tracking, and the ship notices they trigger."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        fulfilment: FulfilmentService,
        *,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._fulfilment = fulfilment
        self._clock = clock

    # -- booking -----------------------------------------------------------------------------

    def book(self, order_uuid: UUID, command: BookCommand) -> ShipmentRecord:
        """Book `command` for the order; the same reference again returns the same shipment."""
        partner = self.carrier(command.carrier_key)
        now = self._clock()
        with self._uow() as uow:
            found = uow.orders.get(order_uuid)
            if found is None:
                raise LookupError(str(order_uuid))
            order = found[0]
            record = (
                None
                if command.reference is None
                else uow.shipments.by_reference(partner.key, command.reference)
            )
            if record is not None and record.order_uuid != order_uuid:
                msg = f"reference {command.reference!r} is another order's shipment"
                raise ShipmentConflictError(msg)
            if record is not None and record.state is not ShipmentState.BOOKING:
                return record
            if record is None:
                shipment_id = uuid4()
                request = _booking_request(order.current, command, shipment_id)
                record = ShipmentRecord(
                    id=shipment_id,
                    order_uuid=order_uuid,
                    carrier_key=partner.key,
                    reference=request.reference,
                    state=ShipmentState.BOOKING,
                    tracking_status=TrackingStatus.CREATED.value,
                    request=request.model_dump(mode="json"),
                    lines=[
                        {"line_number": line.line_number, "quantity": str(line.quantity)}
                        for line in command.lines
                    ],
                    barcodes=[],
                    created_at=now,
                    updated_at=now,
                )
                uow.shipments.add(record)
                uow.commit()
        return self._send_booking(partner, record)

    def retry_booking(self, shipment_id: UUID) -> ShipmentRecord:
        """Book again a shipment left in `booking` (the carrier books its reference once)."""
        record = self.view(shipment_id).shipment
        if record.state is not ShipmentState.BOOKING:
            return record
        return self._send_booking(self.carrier(record.carrier_key), record)

    def _send_booking(self, partner: Partner, record: ShipmentRecord) -> ShipmentRecord:
        carrier = _carrier_of(partner)
        request = BookingRequest.model_validate(record.request)
        try:
            with self._logged(partner, "carrier booking", record.reference):
                booking = carrier.book(request)
        except RejectedByPartnerError as error:
            self._set(record.id, state=ShipmentState.REFUSED.value, error=str(error))
            raise BookingRefusedError(str(error)) from None
        except ConnectorError as error:
            self._set(record.id, error=str(error))
            msg = f"{partner.profile.display_name} could not book {record.reference}: {error}"
            raise CarrierUnavailableError(msg, cause=error) from None
        now = self._clock()
        self._set(
            record.id,
            state=ShipmentState.BOOKED.value,
            carrier_shipment_id=booking.carrier_shipment_id,
            tracking_number=booking.tracking_number,
            barcodes=list(booking.barcodes),
            label=booking.label,
            booked_at=now,
            error=None,
        )
        logger.info(
            "booked %s with %s%s",
            record.reference,
            partner.key,
            " (it already had it)" if booking.already_booked else "",
        )
        return self.view(record.id).shipment

    # -- cancelling --------------------------------------------------------------------------

    def cancel(self, shipment_id: UUID) -> ShipmentRecord:
        """Cancel the booking at the carrier; `ShipmentConflictError` when it is too late."""
        record = self.view(shipment_id).shipment
        if record.tracking_status == TrackingStatus.CANCELLED.value:
            return record
        if record.state is not ShipmentState.REFUSED:
            partner = self.carrier(record.carrier_key)
            carrier = _carrier_of(partner)
            try:
                with self._logged(partner, "carrier cancellation", record.reference):
                    answer = carrier.cancel(record.reference)
            except RejectedByPartnerError as error:
                raise ShipmentConflictError(str(error)) from None
            except ConnectorError as error:
                raise CarrierUnavailableError(str(error), cause=error) from None
            if not answer.cancelled:
                msg = f"{record.carrier_key} will not cancel {record.reference}: " + (
                    answer.message or "the parcel is on its way"
                )
                raise ShipmentConflictError(msg)
        now = self._clock()
        self._set(shipment_id, tracking_status=TrackingStatus.CANCELLED.value, cancelled_at=now)
        return self.view(shipment_id).shipment

    # -- reading -----------------------------------------------------------------------------

    def view(self, shipment_id: UUID) -> ShipmentView:
        """The shipment and its events."""
        with self._uow() as uow:
            record = uow.shipments.get(shipment_id)
            if record is None:
                raise ShipmentNotFoundError(str(shipment_id))
            events = uow.shipments.events([shipment_id])[shipment_id]
        return ShipmentView(record, events)

    def for_order(self, order_uuid: UUID) -> list[ShipmentRecord]:
        """The order's shipments, oldest first; `LookupError` for an unknown order."""
        with self._uow() as uow:
            if uow.orders.get(order_uuid) is None:
                raise LookupError(str(order_uuid))
            return uow.shipments.for_order(order_uuid)

    def carrier(self, key: str) -> Partner:
        """The enabled carrier partner `key`; `CarrierNotFoundError` otherwise."""
        partner = self._directory.get(key)
        if partner is None or partner.carrier is None:
            msg = f"no enabled cargo carrier is configured as {key!r}"
            raise CarrierNotFoundError(msg)
        return partner

    # -- tracking ----------------------------------------------------------------------------

    def track_one(self, shipment_id: UUID) -> ShipmentView:
        """Ask the carrier about one shipment now (booking it first if it is still `booking`);
        a pickup sends the ship notice as a tracking run would."""
        record = self.view(shipment_id).shipment
        partner = self.carrier(record.carrier_key)
        if record.state is ShipmentState.BOOKING:
            record = self._send_booking(partner, record)
        if record.state is ShipmentState.BOOKED:
            report = TrackingRunReport(partner.key)
            self._track_group(partner, [record], 1, report)
            if report.problems:
                raise CarrierUnavailableError(report.problems[0].message)
        return self.view(shipment_id)

    def track(self, carrier_key: str, *, limit: int | None = None) -> TrackingRunReport:
        """Poll every open shipment of the carrier once (at most `limit`), in its batch size."""
        partner = self.carrier(carrier_key)
        carrier = _carrier_of(partner)
        report = TrackingRunReport(carrier_key)
        started = self._clock()
        size = max(1, type(carrier).track_batch_size)
        while limit is None or report.polled < limit:
            page_size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - report.polled)
            with self._uow() as uow:
                page = uow.shipments.open_for_tracking(
                    carrier_key, limit=page_size, polled_before=started
                )
            if not page:
                break
            for record in [r for r in page if r.state is ShipmentState.BOOKING]:
                self._rebook(partner, record, report)
            booked = [r for r in page if r.state is ShipmentState.BOOKED]
            group = max(size, APPLY_GROUP // size * size)
            for start in range(0, len(booked), group):
                self._track_group(partner, booked[start : start + group], size, report)
        return report

    def _rebook(self, partner: Partner, record: ShipmentRecord, report: TrackingRunReport) -> None:
        try:
            self._send_booking(partner, record)
            report.rebooked += 1
        except (BookingRefusedError, CarrierUnavailableError) as error:
            report.failed += 1
            report.errors.append(f"{record.reference}: {error}")
            if isinstance(error, CarrierUnavailableError) and error.cause is not None:
                report.problems.append(JobProblem.of(partner.key, error.cause))
            self._set(record.id, polled_at=self._clock())

    def _track_group(
        self,
        partner: Partner,
        group: Sequence[ShipmentRecord],
        size: int,
        report: TrackingRunReport,
    ) -> None:
        """Ask the carrier about `group` in calls of `size`, store the answers in one
        transaction, then send the ship notices of the shipments whose goods left."""
        carrier = _carrier_of(partner)
        answered: list[ShipmentRecord] = []
        reports: dict[str, TrackingReport] = {}
        failed: list[tuple[ShipmentRecord, str]] = []
        for start in range(0, len(group), size):
            batch = group[start : start + size]
            report.batches += 1
            try:
                found = carrier.track([r.reference for r in batch])
            except ConnectorError as error:
                report.failed += len(batch)
                report.errors.append(f"{len(batch)} shipments not tracked: {error}")
                report.problems.append(JobProblem.of(partner.key, error))
                failed.extend((r, str(error)) for r in batch)
                continue
            answered.extend(batch)
            reports.update((r.reference, r) for r in found)
        report.polled += len(answered)
        left = self._apply(answered, reports, report, failed=failed)
        for record, shipped_at in left:
            self._send_ship_notice(partner, record, shipped_at, report)

    def _apply(
        self,
        batch: Sequence[ShipmentRecord],
        reports: dict[str, TrackingReport],
        report: TrackingRunReport,
        *,
        failed: Sequence[tuple[ShipmentRecord, str]] = (),
    ) -> list[tuple[ShipmentRecord, datetime]]:
        """Store what the carrier said about `batch` (and the failure of `failed`) in one
        transaction; returns the shipments whose goods have left and whose ship notice is still
        to send. A shipment the carrier reports as we hold it only gets its poll time (one
        statement for all of them), not a rewrite of its row."""
        now = self._clock()
        updates: list[dict[str, Any]] = []
        unchanged: list[UUID] = []
        new_events: list[ShipmentEventRecord] = []
        left: list[tuple[ShipmentRecord, datetime]] = []
        with self._uow() as uow:
            stored = uow.shipments.events([r.id for r in batch])
            for record in batch:
                found = reports.get(record.reference)
                if found is None or not found.found:
                    report.not_found += 1
                    updates.append(_unchanged(record, now, "the carrier does not know it"))
                    continue
                known = stored[record.id]
                fresh = _fresh_events(record, found, known)
                new_events.extend(
                    ShipmentEventRecord(
                        shipment_id=record.id,
                        seq=len(known) + n,
                        status=event.status.value,
                        carrier_code=event.carrier_code,
                        occurred_at=event.occurred_at,
                        description=event.description,
                        location=event.location,
                        recorded_at=now,
                    )
                    for n, event in enumerate(fresh, start=1)
                )
                report.events += len(fresh)
                row, shipped_at = _tracked(record, found, fresh, now)
                if row["tracking_status"] != record.tracking_status:
                    report.changed += 1
                    status = TrackingStatus(row["tracking_status"])
                    report.delivered += status is TrackingStatus.DELIVERED
                    report.exceptions += status is TrackingStatus.EXCEPTION
                if record.picked_up_at is None and row["picked_up_at"] is not None:
                    report.picked_up += 1
                if not fresh and record.error is None and _same(record, row):
                    unchanged.append(record.id)
                else:
                    updates.append(row)
                if shipped_at is not None and record.ship_notice_id is None:
                    left.append((record, shipped_at))
            uow.shipments.add_events(new_events)
            uow.shipments.update_many(updates)
            uow.shipments.touch(unchanged, polled_at=now)
            uow.shipments.update_many(
                [{"id": r.id, "polled_at": now, "error": error} for r, error in failed]
            )
            uow.commit()
        return left

    def _send_ship_notice(
        self,
        partner: Partner,
        record: ShipmentRecord,
        shipped_at: datetime,
        report: TrackingRunReport,
    ) -> None:
        """Issue the buyer's ship notice for a shipment whose goods left, once."""
        with self._uow() as uow:
            current = uow.shipments.get(record.id)
            issued = uow.fulfilment.has_business_id(
                record.order_uuid, "ship_notice", record.reference
            )
        if current is None or current.ship_notice_id is not None:
            return
        if issued:
            self._set(record.id, ship_notice_id=record.reference)  # sent before a crash
            return
        command = ShipCommand(
            delivery_date=shipped_at + timedelta(days=TRANSIT_DAYS),
            lines=tuple(
                LineQuantity(int(line["line_number"]), Decimal(str(line["quantity"])))
                for line in record.lines
            ),
            shipment_id=record.reference,
            shipment_date=shipped_at,
            carrier=(Identifier(scheme="companyName", value=partner.connector.spec.display_name),),
            tracking_numbers=(current.tracking_number or record.reference,),
        )
        try:
            result = self._fulfilment.ship(record.order_uuid, command)
        except (FulfilmentConflictError, ConfigError, UnsupportedDocumentError) as error:
            logger.warning("no ship notice for %s: %s", record.reference, error)
            self._set(record.id, ship_notice_id=f"none: {error}"[:255])
            return
        self._set(record.id, ship_notice_id=result.document.business_id)
        report.ship_notices += 1

    @contextmanager
    def _logged(self, partner: Partner, kind: str, reference: str) -> Iterator[None]:
        """Log the carrier's HTTP exchanges made in the block (see `carrier_exchanges`), also
        when it fails: a refusal's bytes are what an engineer needs to see."""
        with recording() as exchanges:
            try:
                yield
            finally:
                records = exchange_records(
                    exchanges,
                    partner_key=partner.key,
                    protocol=partner.protocol,
                    kind=kind,
                    reference=reference,
                    secrets=partner.secret_values,
                    at=self._clock(),
                )
                if records:
                    with self._uow() as uow:
                        uow.documents.add(*records)
                        uow.commit()

    def _set(self, shipment_id: UUID, **values: Any) -> None:
        with self._uow() as uow:
            uow.shipments.update(shipment_id, updated_at=self._clock(), **values)
            uow.commit()


def _carrier_of(partner: Partner) -> CarrierConnector:
    if partner.carrier is None:  # pragma: no cover - `carrier()` checked it
        msg = f"{partner.key} is not a cargo carrier"
        raise CarrierNotFoundError(msg)
    return partner.carrier


def _booking_request(
    order: PurchaseOrder, command: BookCommand, shipment_id: UUID
) -> BookingRequest:
    receiver = command.receiver or _receiver_from(order.ship_to)
    try:
        return BookingRequest(
            reference=command.reference or f"B2C{shipment_id.hex[:16].upper()}",
            receiver=receiver,
            parcels=command.parcels,
            order_number=order.order_id[:35],
            invoice_number=command.invoice_number,
            waybill_number=command.waybill_number,
            cash_on_delivery=command.cash_on_delivery,
            description=command.description or f"PO {order.order_id}"[:200],
        )
    except ValueError as error:
        raise BookingRefusedError(str(error)) from None


def _receiver_from(ship_to: Party | None) -> ShipmentContact:
    """The order's ship-to as a carrier's receiver; `BookingRefusedError` naming what is
    missing when the order does not say enough."""
    address = ship_to.address if ship_to is not None else None
    missing = [
        what
        for what, value in (
            ("a ship-to", ship_to),
            ("a name", ship_to and ship_to.name),
            ("a street", address and address.street),
            ("a city", address and address.city),
            ("a phone", ship_to and ship_to.phone),
        )
        if not value
    ]
    if missing or ship_to is None or address is None:
        msg = (
            f"the order's ship-to has no {', '.join(m.removeprefix('a ') for m in missing)}; "
            "give the receiver with the booking"
        )
        raise BookingRefusedError(msg)
    try:
        return ShipmentContact(
            name=(ship_to.name or "")[:100],
            address=" ".join((*address.deliver_to, *address.street))[:500],
            city=(address.city or "")[:40],
            town=address.region[:40] if address.region else None,
            phone=ship_to.phone or "",
            email=ship_to.email,
        )
    except ValueError as error:
        raise BookingRefusedError(f"the order's ship-to cannot be a receiver: {error}") from None


def _fresh_events(
    record: ShipmentRecord, report: TrackingReport, known: Sequence[ShipmentEventRecord]
) -> list[TrackingEvent]:
    """The events of `report` not stored yet. A carrier that gives no history gives its
    current status: that is an event when it differs from what we hold."""
    seen = {(e.status, e.carrier_code, e.occurred_at) for e in known}
    if report.events:
        return [
            e for e in report.events if (e.status.value, e.carrier_code, e.occurred_at) not in seen
        ]
    code = report.carrier_code or report.status.value
    if report.status.value == record.tracking_status and code == record.carrier_code:
        return []
    return [TrackingEvent(status=report.status, carrier_code=code)]


def _tracked(
    record: ShipmentRecord,
    report: TrackingReport,
    fresh: Sequence[TrackingEvent],
    now: datetime,
) -> tuple[dict[str, Any], datetime | None]:
    """The shipment's new row values, and when its goods left if they have."""
    status = report.status
    stamps = [e.occurred_at for e in fresh if e.occurred_at is not None]
    picked_up = record.picked_up_at
    if picked_up is None and status.has_left:
        picked_up = (
            next(
                (e.occurred_at for e in report.events if e.status.has_left and e.occurred_at),
                None,
            )
            or now
        )
    delivered = record.delivered_at
    if delivered is None and status is TrackingStatus.DELIVERED:
        delivered = report.first(TrackingStatus.DELIVERED) or now
    cancelled = record.cancelled_at
    if cancelled is None and status is TrackingStatus.CANCELLED:
        cancelled = report.first(TrackingStatus.CANCELLED) or now
    row = {
        "id": record.id,
        "tracking_status": status.value,
        "carrier_code": report.carrier_code
        or (fresh[-1].carrier_code if fresh else None)
        or record.carrier_code,
        "tracking_number": report.tracking_number or record.tracking_number,
        "picked_up_at": picked_up,
        "delivered_at": delivered,
        "cancelled_at": cancelled,
        "last_event_at": max(stamps) if stamps else record.last_event_at,
        "polled_at": now,
        "error": None,
        "updated_at": now,
    }
    shipped_at = picked_up if status.has_left else None
    return row, shipped_at


_TRACKED_COLUMNS = (
    "tracking_status",
    "carrier_code",
    "tracking_number",
    "picked_up_at",
    "delivered_at",
    "cancelled_at",
    "last_event_at",
)


def _same(record: ShipmentRecord, row: dict[str, Any]) -> bool:
    """True when `row` says nothing the stored shipment does not already hold."""
    return all(getattr(record, name) == row[name] for name in _TRACKED_COLUMNS)


def _unchanged(record: ShipmentRecord, now: datetime, error: str) -> dict[str, Any]:
    """The row values that keep what the shipment holds and record a poll that learnt
    nothing (`error` says why)."""
    kept = {name: getattr(record, name) for name in _TRACKED_COLUMNS}
    return {"id": record.id, **kept, "polled_at": now, "error": error, "updated_at": now}
