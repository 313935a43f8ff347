"""`encode_856`: a canonical `ShipNotice` as an X12 856 ship notice/manifest.

BSN (purpose 00/05/03, shipment id, notice date and time, structure 0001 pick-and-pack or 0004
standard carton), then the HL tree:

    S  shipment   TD1 (packages, gross weight), TD5 (carrier SCAC) + REF (tracking), DTM 011/017,
                  N1 loops (SF ship from, ST ship to); packages no line names hang here as P
    O  order      PRF (PO number, PO date)
    P  pack       MAN (GM + SSCC-18, or the package qualifier), TD1 (weight)
    I  item       LIN (line, VN/BP ids), SN1 (line, quantity shipped, unit), PID

Items packed in a package sit under its P; unpacked items sit under their O. CTT carries the
HL count and the sum of SN1 quantities.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from decimal import Decimal

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
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
    """Numbers HL segments and remembers the total shipped quantity."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.count = 0
        self.shipped = Decimal(0)

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
    packages = {package.package_id: package for package in notice.packages}
    packed = {line.package_id for portion in notice.orders for line in portion.lines}
    tree = _Tree()
    tree.segments.append(
        (
            "BSN",
            _PURPOSES[notice.operation],
            notice.shipment_id,
            format_date(notice.notice_date, tz),
            format_time(notice.notice_date, tz),
            "0001" if notice.packages else "0004",
        )
    )
    shipment = tree.level(None, "S")
    tree.segments.extend(_shipment(notice, rules, tz))
    for package in notice.packages:
        if package.package_id not in packed:
            tree.level(shipment, "P")
            tree.segments.extend(_package(package, rules))
    for portion in notice.orders:
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
        loose = [line for line in portion.lines if line.package_id is None]
        _items(tree, order, loose, rules)
        in_packages: dict[str, list[ShipNoticeLine]] = {}
        for line in portion.lines:
            if line.package_id is not None:
                in_packages.setdefault(line.package_id, []).append(line)
        for package_id, lines in in_packages.items():
            pack = tree.level(order, "P")
            package = packages.get(package_id, Package(package_id=package_id))
            tree.segments.extend(_package(package, rules))
            _items(tree, pack, lines, rules)
    tree.segments.append(("CTT", str(tree.count), quantity(tree.shipped)))
    return OutboundSet("856", tuple(tree.segments))


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


def _package(package: Package, rules: X12OutboundRules) -> list[Segment]:
    qualifier = rules.sscc_qualifier if package.is_sscc else rules.package_qualifier
    segments: list[Segment] = [("MAN", qualifier, package.package_id)]
    if package.gross_weight is not None and package.weight_unit is not None:
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
        tree.shipped += line.quantity
