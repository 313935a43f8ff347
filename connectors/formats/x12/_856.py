"""`encode_856`: a canonical `ShipNotice` as an X12 856 ship notice/manifest.

BSN (purpose 00/05/03, shipment id, notice date and time, hierarchical structure), then the HL
tree in the order BSN05 names:

    S  shipment   TD1 (packages, gross weight), TD5 (carrier SCAC) + REF (tracking), DTM 011/017,
                  N1 loops (SF ship from, ST ship to)
    O  order      PRF (PO number, PO date)
    P  pack       MAN (GM + SSCC-18, or the package qualifier), TD1 (weight, said once)
    I  item       LIN (line, VN/BP ids), SN1 (line, quantity shipped, unit), PID

BSN05 `0001` (pick and pack: S, O, P, I) when the notice says which package holds every line it
ships: each line names its package, or the shipment has exactly one package, which then holds
them all. Each item then sits under the pack (carton) that holds it, and a package holding lines
of two orders appears under both. Retailers' docks scan a carton's SSCC and check its contents
against the ASN, and 0001 validators refuse a pack without items or an item outside a pack, so
contents are never guessed: when several packages carry lines that name none (the API cannot say
which carton holds which line), or there are no packages, the notice is BSN05 `0004`
(shipment, order, item) and the packages are only counted (and weighed) on the shipment's TD1.
A package no line is in gets no (empty) pack level either. CTT carries the HL count and the sum
of SN1 quantities.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from decimal import Decimal

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
    hash_total,
    party_segments,
    product_ids,
    quantity,
    required,
    unit,
)
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_date, format_real, format_time
from connectors.formats.x12._writer import OutboundSet
from schemas.shipment import Package, ShipNotice, ShipNoticeLine, ShipNoticeOperation

_PURPOSES = {
    ShipNoticeOperation.NEW: "00",
    ShipNoticeOperation.UPDATE: "05",
    ShipNoticeOperation.DELETE: "03",
}


class _Tree:
    """Numbers HL segments and remembers the shipped quantities (for the hash total)."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.count = 0
        self.shipped: list[Decimal] = []

    def level(self, parent: int | None, code: str) -> int:
        self.count += 1
        self.segments.append(("HL", str(self.count), "" if parent is None else str(parent), code))
        return self.count


def encode_856(
    notice: ShipNotice,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The 856 body for `notice`; dates are written in the partner's `tz`."""
    rules = rules or DEFAULT_OUTBOUND_RULES
    packed = _packs_per_order(notice)
    tree = _Tree()
    tree.segments.append(
        (
            "BSN",
            _PURPOSES[notice.operation],
            notice.shipment_id,
            format_date(notice.notice_date, tz),
            format_time(notice.notice_date, tz),
            "0001" if packed is not None else "0004",
        )
    )
    shipment = tree.level(None, "S")
    tree.segments.extend(_shipment(notice, rules, tz))
    weighed: set[str] = set()
    for index, portion in enumerate(notice.orders):
        order = tree.level(shipment, "O")
        reference = portion.order
        tree.segments.append(
            (
                "PRF",
                required(reference.order_id, "the purchase order number (PRF01)"),
                "",
                "",
                format_date(reference.order_date, tz) if reference.order_date else "",
            )
        )
        if packed is None:
            _items(tree, order, portion.lines, rules)
            continue
        for package, lines in packed[index]:
            pack = tree.level(order, "P")
            tree.segments.extend(_package(package, rules, weigh=package.package_id not in weighed))
            weighed.add(package.package_id)
            _items(tree, pack, lines, rules)
    tree.segments.append(("CTT", str(tree.count), hash_total(tree.shipped)))
    return OutboundSet("856", tuple(tree.segments))


_Packs = list[tuple[Package, list[ShipNoticeLine]]]


def _packs_per_order(notice: ShipNotice) -> list[_Packs] | None:
    """Per order, the packages holding its lines (in the notice's package order) with those
    lines; `None` when some line's package is unknown or no line is in a package at all."""
    listed = {package.package_id: package for package in notice.packages}
    rank = {package_id: n for n, package_id in enumerate(listed)}
    only = notice.packages[0].package_id if len(notice.packages) == 1 else None
    per_order: list[_Packs] = []
    for portion in notice.orders:
        holding: dict[str, list[ShipNoticeLine]] = {}
        for line in portion.lines:
            package_id = line.package_id or only
            if package_id is None:
                return None
            holding.setdefault(package_id, []).append(line)
        ordered = sorted(holding, key=lambda package_id: rank.get(package_id, len(rank)))
        per_order.append(
            [(listed.get(pid, Package(package_id=pid)), holding[pid]) for pid in ordered]
        )
    if not any(per_order):
        return None
    return per_order


def _shipment(notice: ShipNotice, rules: X12OutboundRules, tz: tzinfo) -> list[Segment]:
    segments: list[Segment] = []
    if notice.packages:
        td1: list[str] = ["TD1", rules.packaging_code, str(len(notice.packages))]
        weights = [p.gross_weight for p in notice.packages if p.gross_weight is not None]
        units = {p.weight_unit for p in notice.packages}
        if len(weights) == len(notice.packages) and len(units) == 1:
            (weight_unit,) = units
            if weight_unit is not None:
                total = format_real(sum(weights, start=Decimal(0)))
                td1.extend(("", "", "", "G", total, unit(rules, weight_unit)))
        segments.append(tuple(td1))
    for control in notice.carriers:
        scac = next((c.value for c in control.carrier if c.scheme.upper() == "SCAC"), None)
        if scac is not None:
            segments.append(("TD5", "", rules.carrier_qualifier, scac))
        else:
            segments.append(("TD5", "", "", "", "", control.carrier[0].value))
        segments.extend(
            ("REF", rules.tracking_qualifier, number) for number in control.tracking_numbers
        )
    if notice.shipment_date is not None:
        segments.append(
            (
                "DTM",
                rules.shipped_date_qualifier,
                format_date(notice.shipment_date, tz),
                format_time(notice.shipment_date, tz),
            )
        )
    if notice.delivery_date is not None:
        segments.append(
            ("DTM", rules.delivery_date_qualifier, format_date(notice.delivery_date, tz))
        )
    segments.extend(party_segments("SF", notice.ship_from))
    segments.extend(party_segments("ST", notice.ship_to))
    return segments


def _package(package: Package, rules: X12OutboundRules, *, weigh: bool) -> list[Segment]:
    qualifier = rules.sscc_qualifier if package.is_sscc else rules.package_qualifier
    segments: list[Segment] = [("MAN", qualifier, package.package_id)]
    if weigh and package.gross_weight is not None and package.weight_unit is not None:
        weight = format_real(package.gross_weight)
        segments.append(
            (
                "TD1",
                rules.packaging_code,
                "1",
                "",
                "",
                "",
                "G",
                weight,
                unit(rules, package.weight_unit),
            )
        )
    return segments


def _items(
    tree: _Tree, parent: int, lines: Sequence[ShipNoticeLine], rules: X12OutboundRules
) -> None:
    for line in lines:
        tree.level(parent, "I")
        ids = product_ids(
            [
                (rules.supplier_part_qualifier, line.supplier_part_id),
                (rules.buyer_part_qualifier, line.buyer_part_id),
            ]
        )
        if ids:
            tree.segments.append(("LIN", str(line.line_number), *ids))
        tree.segments.append(
            (
                "SN1",
                str(line.line_number),
                quantity(line.quantity),
                unit(rules, line.unit_of_measure),
            )
        )
        if line.description:
            tree.segments.append(("PID", "F", "", "", "", line.description))
        tree.shipped.append(line.quantity)
