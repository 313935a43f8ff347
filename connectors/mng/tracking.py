"""MNG's shipment statuses in the hub's words, and a `TrackingReport` from its query answers.

`shipmentStatusCode` (getshipmentstatus) and `eventStatus` (trackshipment) share one list,
documented in the Standard Query API's swagger (as transcribed by public clients):
1 Gonderi hazirlandi, 2 Transfer asamasinda, 3 Teslimat birimine ulasti, 4 Alici adresine
yonlendirildi, 5 Teslim edildi, 6 Teslim edilemedi, 7 Geri geliyor, 8 Destek gerekiyor.

The mapping is ours: 1 is the shipment record, made when the barcode is created, so the goods
have not left yet (`created`); 2 is the first code that proves MNG holds the parcel
(`picked_up`, which sends the buyer's ship notice). Any other code is an `exception` with the
code kept, so someone looks at it instead of the hub guessing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from connectors.mng.times import parse_mng_time
from schemas.carrier import TrackingEvent, TrackingReport, TrackingStatus

__all__ = ["MNG_STATUSES", "report_from", "status_for"]

MNG_STATUSES: dict[str, tuple[str, TrackingStatus]] = {
    "1": ("Gonderi hazirlandi", TrackingStatus.CREATED),
    "2": ("Transfer asamasinda", TrackingStatus.PICKED_UP),
    "3": ("Teslimat birimine ulasti", TrackingStatus.IN_TRANSIT),
    "4": ("Alici adresine yonlendirildi", TrackingStatus.OUT_FOR_DELIVERY),
    "5": ("Teslim edildi", TrackingStatus.DELIVERED),
    "6": ("Teslim edilemedi", TrackingStatus.EXCEPTION),
    "7": ("Geri geliyor", TrackingStatus.RETURNED),
    "8": ("Destek gerekiyor", TrackingStatus.EXCEPTION),
}
"""MNG code -> (MNG's name, Turkish letters folded to ASCII; the hub's status)."""


def _fold(text: str) -> str:
    """`Teslim_Edildi`, `TESLIM EDILDI` with dotted capitals, `teslim edildi`: `teslimedildi`."""
    text = text.replace("\u0131", "i").replace("\u0130", "I")  # dotless i, dotted capital I
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


_BY_NAME = {_fold(name): code for code, (name, _) in MNG_STATUSES.items()}


def status_for(code_or_name: object) -> tuple[str, TrackingStatus]:
    """(MNG's code as sent, the hub's status) for a status code or an event status name."""
    text = str(code_or_name).strip() if code_or_name is not None else ""
    if text in MNG_STATUSES:
        return text, MNG_STATUSES[text][1]
    code = _BY_NAME.get(_fold(text))
    if code is not None:
        return text, MNG_STATUSES[code][1]
    return text or "?", TrackingStatus.EXCEPTION


def report_from(reference: str, status_answer: Any, events_answer: Any) -> TrackingReport:
    """A found shipment's report from getshipmentstatus and trackshipment answers."""
    record = _record(status_answer) or {}
    code = record.get("shipmentStatusCode")
    carrier_code, status = status_for(code if code is not None else record.get("shipmentStatus"))
    value = record.get("shipmentId")
    number = str(value).strip() if value not in (None, "") else None
    return TrackingReport(
        reference=reference,
        found=True,
        status=status,
        carrier_code=carrier_code,
        tracking_number=number,
        carrier_shipment_id=number,
        events=_events(events_answer),
    )


def _events(answer: Any) -> tuple[TrackingEvent, ...]:
    items = answer if isinstance(answer, list) else [answer] if isinstance(answer, dict) else []
    events: list[TrackingEvent] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        raw = item.get("eventStatusCode") or item.get("eventStatus")
        if raw is None or not str(raw).strip():
            continue
        code, status = status_for(raw)
        location = item.get("location")
        description = item.get("description") or item.get("eventStatusEn")
        events.append(
            TrackingEvent(
                status=status,
                carrier_code=code,
                occurred_at=parse_mng_time(item.get("eventDateTime")),
                description=str(description) if description else None,
                location=str(location) if location else None,
            )
        )
    # Oldest first; events without a time keep their place at the end of what MNG sent.
    timed = sorted((e for e in events if e.occurred_at), key=lambda e: e.occurred_at or 0)
    return (*timed, *(e for e in events if e.occurred_at is None))


def _record(answer: Any) -> dict[str, Any] | None:
    if isinstance(answer, list):
        answer = answer[-1] if answer else None
    return answer if isinstance(answer, dict) else None
