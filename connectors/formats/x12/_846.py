"""`encode_846`: a canonical `InventorySnapshot` as an X12 846 inventory inquiry/advice.

BIA (purpose 00, report type, snapshot id, date and time), DTM (as-of), then one LIN loop per
stock level: LIN (sequence number, SK/VN/BP ids), the location (`REF*WS*<location>` or
`N1*WH**92*<location>`, as the partner's rules say), QTY on hand (17) and available (33); CTT
carries the LIN count and the sum of the quantities.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from decimal import Decimal

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
    hash_total,
    product_ids,
    quantity,
    unit,
)
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_date, format_time
from connectors.formats.x12._writer import OutboundSet
from schemas.inventory import InventorySnapshot, StockLevel


def encode_846(
    snapshot: InventorySnapshot,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The 846 body for `snapshot`; dates are written in the partner's `tz`."""
    rules = rules or DEFAULT_OUTBOUND_RULES
    as_of_date, as_of_time = format_date(snapshot.as_of, tz), format_time(snapshot.as_of, tz)
    segments: list[Segment] = [
        ("BIA", "00", rules.inventory_report_type, snapshot.snapshot_id, as_of_date, as_of_time),
        ("DTM", rules.inventory_date_qualifier, as_of_date, as_of_time),
    ]
    quantities: list[Decimal] = []
    for number, item in enumerate(snapshot.items, start=1):
        segments.extend(_item(number, item, rules))
        quantities.append(item.quantity_on_hand)
        if item.quantity_available is not None:
            quantities.append(item.quantity_available)
    if snapshot.items:
        segments.append(("CTT", str(len(snapshot.items)), hash_total(quantities)))
    return OutboundSet("846", tuple(segments))


def _item(number: int, item: StockLevel, rules: X12OutboundRules) -> list[Segment]:
    ids = product_ids(
        [
            (rules.sku_qualifier, item.sku),
            (rules.supplier_part_qualifier, item.supplier_part_id),
            (rules.buyer_part_qualifier, item.buyer_part_id),
        ]
    )
    segments: list[Segment] = [("LIN", str(number), *ids)]
    if item.location is not None and rules.location_style == "REF":
        segments.append(("REF", rules.location_reference_qualifier, item.location))
    code = unit(rules, item.unit_of_measure)
    segments.append(("QTY", rules.on_hand_qualifier, quantity(item.quantity_on_hand), code))
    if item.quantity_available is not None:
        segments.append(("QTY", rules.available_qualifier, quantity(item.quantity_available), code))
    if item.location is not None and rules.location_style == "N1":
        # The LIN loop has its QTY loops before its N1 loops.
        segments.append(
            ("N1", rules.location_entity, "", rules.location_id_qualifier, item.location)
        )
    return segments
