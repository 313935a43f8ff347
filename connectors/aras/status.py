"""Aras' cargo statuses in the hub's words, and a `TrackingReport` from a query record.

`DURUM_KODU` codes as public integrations use them [ASSUME: the query PDF's table was not
readable in the corpus; names as Aras' tracking page shows them]: 1 CIKIS SUBESINDE (at the
origin branch: Aras holds the parcel, the waybill exists), 2 YOLDA, 3 TESLIMAT SUBESINDE,
4 TESLIMATTA (with the courier), 5 PARCALI TESLIMAT, 6 TESLIM EDILDI, 7 YONLENDIRILDI.
A code not in the table reads `returned` when its name says IADE (return), else `exception`,
so someone looks instead of the hub guessing. The code as sent is kept.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from schemas.carrier import TrackingEvent, TrackingReport, TrackingStatus

__all__ = ["ARAS_STATUSES", "report_from", "status_for"]

TURKEY = timezone(timedelta(hours=3), "TRT")

ARAS_STATUSES: dict[str, tuple[str, TrackingStatus]] = {
    "1": ("CIKIS SUBESINDE", TrackingStatus.PICKED_UP),
    "2": ("YOLDA", TrackingStatus.IN_TRANSIT),
    "3": ("TESLIMAT SUBESINDE", TrackingStatus.IN_TRANSIT),
    "4": ("TESLIMATTA", TrackingStatus.OUT_FOR_DELIVERY),
    "5": ("PARCALI TESLIMAT", TrackingStatus.OUT_FOR_DELIVERY),
    "6": ("TESLIM EDILDI", TrackingStatus.DELIVERED),
    "7": ("YONLENDIRILDI", TrackingStatus.IN_TRANSIT),
}
"""Aras code -> (its name, Turkish letters folded to ASCII; the hub's status)."""


def status_for(code: object, name: object = None) -> tuple[str, TrackingStatus]:
    """(Aras' code as sent, the hub's status)."""
    text = str(code).strip() if code is not None else ""
    if text in ARAS_STATUSES:
        return text, ARAS_STATUSES[text][1]
    if "IADE" in _fold(str(name or "")):
        return text or "?", TrackingStatus.RETURNED
    return text or "?", TrackingStatus.EXCEPTION


def report_from(reference: str, cargo: dict[str, Any]) -> TrackingReport:
    """A found reference's report from its GetQueryJSON record: the current status, and one
    event for it when the record dates it (`ISLEM_TARIHI` [ASSUME]); Aras' query type 1 gives
    no history."""
    code, status = status_for(cargo.get("DURUM_KODU"), cargo.get("DURUMU"))
    number = cargo.get("KARGO_TAKIP_NO")
    when = parse_aras_time(cargo.get("ISLEM_TARIHI"))
    name = cargo.get("DURUMU")
    place = cargo.get("VARIS_SUBE") or cargo.get("CIKIS_SUBE")
    events = (
        (
            TrackingEvent(
                status=status,
                carrier_code=code,
                occurred_at=when,
                description=str(name) if name else None,
                location=str(place) if place else None,
            ),
        )
        if when is not None
        else ()
    )
    return TrackingReport(
        reference=reference,
        status=status,
        carrier_code=code,
        tracking_number=str(number).strip() if number not in (None, "") else None,
        events=events,
    )


def parse_aras_time(value: object) -> datetime | None:
    """`dd.MM.yyyy HH:mm:ss` (or ISO 8601), zone-less read as Turkey time; None otherwise."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=TURKEY)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TURKEY)


def format_aras_time(moment: datetime) -> str:
    """`dd.MM.yyyy HH:mm:ss` in Turkey time (as the fake writes it)."""
    return moment.astimezone(TURKEY).strftime("%d.%m.%Y %H:%M:%S")


def _fold(text: str) -> str:
    text = text.replace("\u0131", "i").replace("\u0130", "I")  # dotless i, dotted capital I
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).upper()
