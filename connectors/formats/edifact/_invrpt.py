"""`encode_invrpt`: a canonical `InventorySnapshot` as an EDIFACT INVRPT inventory report.

BGM 35 (inventory report; the snapshot id, 1225 9), DTM 137 (as of, format 203), then per stock
level: LIN (sequence number), PIA 5 with our SKU, part number and the buyer's (types from the
rules: SK, SA, IN), LOC with the stock location (3227 18), QTY 145 on hand and QTY 198 available,
each with its unit (6411); CNT 2 counts the LINs.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from connectors.formats.edifact._outbound import Numbers, dtm, unit
from connectors.formats.edifact._settings import EdifactOutboundRules, EdifactPartnerSettings
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    OutSegment,
    build_interchange,
)
from schemas.inventory import InventorySnapshot, StockLevel

INVENTORY_REPORT = "35"
"""BGM 1001 of an inventory report."""


def encode_invrpt(
    snapshot: InventorySnapshot,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The INVRPT body for `snapshot`; the as-of time is written in the partner's `tz`."""
    rules = settings.outbound
    number = Numbers(settings)
    segments: list[OutSegment] = [
        ("BGM", (INVENTORY_REPORT,), snapshot.snapshot_id, "9"),
        dtm("137", snapshot.as_of, tz, with_time=True),
    ]
    for sequence, item in enumerate(snapshot.items, start=1):
        segments.extend(_item(sequence, item, rules, number))
    if snapshot.items:
        segments.append(("CNT", ("2", str(len(snapshot.items)))))
    return OutboundMessage("INVRPT", tuple(segments))


def item_ids(
    rules: EdifactOutboundRules, sku: str | None, supplier: str | None, buyer: str | None
) -> list[tuple[str, str]]:
    """PIA C212 item numbers (value, type) of the ids an item has."""
    pairs = [
        (sku, rules.sku_type),
        (supplier, rules.supplier_part_type),
        (buyer, rules.buyer_part_type),
    ]
    return [(value, kind) for value, kind in pairs if value]


def _item(
    sequence: int, item: StockLevel, rules: EdifactOutboundRules, number: Numbers
) -> list[OutSegment]:
    code = unit(rules, item.unit_of_measure)
    segments: list[OutSegment] = [
        ("LIN", str(sequence)),
        ("PIA", "5", *item_ids(rules, item.sku, item.supplier_part_id, item.buyer_part_id)),
    ]
    if item.location is not None:
        segments.append(("LOC", rules.stock_location_qualifier, (item.location,)))
    segments.append(("QTY", (rules.on_hand_qualifier, number(item.quantity_on_hand), code)))
    if item.quantity_available is not None:
        segments.append(("QTY", (rules.available_qualifier, number(item.quantity_available), code)))
    return segments


def build_invrpt(
    snapshot: InventorySnapshot,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying one INVRPT to the partner of `settings`."""
    message = encode_invrpt(snapshot, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
