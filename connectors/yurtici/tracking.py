"""Yurtici's queryShipment answer as the hub's `TrackingReport`, Yurtici's codes kept.

A shipment's state comes in two layers. `operationStatus` (with `operationCode`) says where
the booking is in Yurtici's order process (researched, partners.md 6.1):

    NOP 0  not processed yet          created
    IND 1  in delivery                (the parcel's own event decides, default in_transit)
    ISR 2  processed, invoice open    (the parcel's own event decides, default picked_up)
    CNL 3  cancelled                  cancelled
    ISC 4  already cancelled          cancelled
    DLV 5  delivered                  delivered
    BI  6  cancelled by the agent     cancelled

While the parcel moves, its current event (`cargoEventId`) and its history
(`invDocCargoVOArray`, with `addHistoricalData`) tell pickup, transit and delivery apart, and
`returnStatus` / `rejectStatus` tell a return and a refusal. Yurtici does not publish its event
codes: `EVENT_STATUSES` holds the two seen in public clients (`IN` unloaded at a unit, `OK`
delivered) and our ASSUMED codes for the rest; an unknown event falls back to the
operationStatus, and never to "delivered". Times are Turkish local time (`yyyyMMdd`,
`HHmmss`), read as +03:00 (Turkey keeps UTC+3 all year).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from schemas.carrier import TrackingEvent, TrackingReport, TrackingStatus

TURKEY = timezone(timedelta(hours=3), "TRT")

OPERATION_STATUSES: dict[str, TrackingStatus | None] = {
    "NOP": TrackingStatus.CREATED,
    "IND": None,
    "ISR": None,
    "CNL": TrackingStatus.CANCELLED,
    "ISC": TrackingStatus.CANCELLED,
    "DLV": TrackingStatus.DELIVERED,
    "BI": TrackingStatus.CANCELLED,
}
"""operationStatus -> status; None: the parcel's events decide."""
MOVING_DEFAULTS: dict[str, TrackingStatus] = {
    "IND": TrackingStatus.IN_TRANSIT,
    "ISR": TrackingStatus.PICKED_UP,
}
"""What a moving shipment is when its event code is unknown."""
CANCELLED_STATUSES = frozenset({"CNL", "ISC", "BI"})

EVENT_STATUSES: dict[str, TrackingStatus] = {
    "KAB": TrackingStatus.PICKED_UP,  # ASSUMED: kabul (taken in at the branch)
    "YUK": TrackingStatus.IN_TRANSIT,  # ASSUMED: yuklendi (loaded)
    "IN": TrackingStatus.IN_TRANSIT,  # seen in public clients: indirildi (unloaded at a unit)
    "DAG": TrackingStatus.OUT_FOR_DELIVERY,  # ASSUMED: dagitimda (out for delivery)
    "OK": TrackingStatus.DELIVERED,  # seen in public clients: delivered
    "IAD": TrackingStatus.RETURNED,  # ASSUMED: iade (returned to the sender)
    "SRN": TrackingStatus.EXCEPTION,  # ASSUMED: sorunlu (a problem: address, damage, refusal)
}
"""Yurtici event codes -> status (see the module docstring for which are assumptions)."""


def not_found(reference: str, code: object = None) -> TrackingReport:
    """The report of a reference Yurtici does not know."""
    return TrackingReport(
        reference=reference, found=False, carrier_code=str(code) if code is not None else None
    )


def tracking_report(reference: str, detail: Any) -> TrackingReport:
    """One `shippingDeliveryDetailVO` as the hub's report of `reference`."""
    operation = (getattr(detail, "operationStatus", None) or "").strip().upper()
    item = getattr(detail, "shippingDeliveryItemDetailVO", None)
    events = tuple(_events(item))
    status = current_status(operation, item, events)
    event_code = _text(item, "cargoEventId")
    carrier_code = f"{operation}/{event_code}" if event_code else operation or None
    return TrackingReport(
        reference=reference,
        found=True,
        status=status,
        carrier_code=carrier_code,
        tracking_number=_text(item, "docId"),
        events=events,
    )


def current_status(  # noqa: PLR0911 - one return per rule, in order
    operation: str, item: Any, events: tuple[TrackingEvent, ...] = ()
) -> TrackingStatus:
    """The hub's status from operationStatus, the item's return/refusal flags and events."""
    fixed = OPERATION_STATUSES.get(operation)
    if fixed is TrackingStatus.CANCELLED:
        return fixed
    if _flag(item, "returnStatus"):
        return TrackingStatus.RETURNED
    if fixed is not None:
        return fixed
    if _flag(item, "rejectStatus"):
        return TrackingStatus.EXCEPTION
    event = EVENT_STATUSES.get(_text(item, "cargoEventId") or "")
    if event is not None and event is not TrackingStatus.DELIVERED:
        return event  # only operationStatus DLV says delivered
    if events and events[-1].status is not TrackingStatus.DELIVERED:
        return events[-1].status
    return MOVING_DEFAULTS.get(operation, TrackingStatus.IN_TRANSIT)


def event_status(code: str) -> TrackingStatus:
    """One history event's status; an unknown code is a movement (in transit)."""
    return EVENT_STATUSES.get(code, TrackingStatus.IN_TRANSIT)


def local_time(date: str | None, time: str | None) -> datetime | None:
    """Yurtici's `yyyyMMdd` and `HHmmss` (or `HHmm`) as an aware time; None if unreadable."""
    digits = "".join(c for c in (time or "") if c.isdigit()).ljust(6, "0")[:6]
    try:
        return datetime.strptime(f"{(date or '').strip()}{digits}", "%Y%m%d%H%M%S").replace(
            tzinfo=TURKEY
        )
    except ValueError:
        return None


def _events(item: Any) -> list[TrackingEvent]:
    raw = getattr(item, "invDocCargoVOArray", None) or []
    events = []
    for entry in raw:
        if entry is None:
            continue
        code = (getattr(entry, "eventId", None) or "").strip()
        if not code:
            continue
        place = " / ".join(p for p in (_text(entry, "unitName"), _text(entry, "cityName")) if p)
        events.append(
            TrackingEvent(
                status=event_status(code),
                carrier_code=code,
                occurred_at=local_time(_text(entry, "eventDate"), _text(entry, "eventTime")),
                description=_joined(_text(entry, "eventName"), _text(entry, "reasonName")),
                location=place or None,
            )
        )
    # oldest first; events without a time keep their place at the start
    return sorted(events, key=lambda e: e.occurred_at or datetime.min.replace(tzinfo=TURKEY))


def _flag(item: Any, name: str) -> bool:
    value = _text(item, name)
    return bool(value) and value not in {"0", "N", "false"}


def _text(obj: Any, name: str) -> str | None:
    value = getattr(obj, name, None) if obj is not None else None
    text = str(value).strip() if value is not None else ""
    return text or None


def _joined(*parts: str | None) -> str | None:
    text = ": ".join(p for p in parts if p)
    return text or None
