"""`encode_desadv`: a canonical `ShipNotice` as an EDIFACT DESADV despatch advice.

BGM 351 (shipment id; 1225 9 new, 5 update, 1 withdrawal), DTM 137/11/17, FTX, RFF ON (+ DTM 171)
when the notice carries one order, RFF CN per tracking number, NAD SF/DP (+CTA/COM), TDT per
carrier (C040: SCAC with agency 182, else the name). Packing: CPS 1 for the consignment (PAC with
the package count), then one CPS per package (PAC, MEA PD AAB gross weight, PCI 33E + GIN BJ for
an SSCC-18, GIN ML for another id) holding its lines. Lines: LIN (line, our part number), PIA
(buyer's part), IMD, QTY 12 (despatched), RFF ON with the order line (1156). Summary: CNT 2.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from connectors.formats.edifact._outbound import (
    Numbers,
    chunks,
    dtm,
    free_text,
    party_segments,
    unit,
)
from connectors.formats.edifact._settings import EdifactOutboundRules, EdifactPartnerSettings
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    OutSegment,
    build_interchange,
)
from schemas.shipment import (
    Package,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
)

_FUNCTIONS = {
    ShipNoticeOperation.NEW: "9",
    ShipNoticeOperation.UPDATE: "5",
    ShipNoticeOperation.DELETE: "1",
}


def encode_desadv(
    notice: ShipNotice,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The DESADV body for `notice`; dates are written in the partner's `tz`."""
    rules = settings.outbound
    number = Numbers(settings)
    segments = _header(notice, rules, tz)
    segments.append(("CPS", "1"))
    if notice.packages:
        segments.append(("PAC", str(len(notice.packages)), "", rules.package_type))
    loose: list[tuple[str | None, ShipNoticeLine]] = []
    packed: dict[str, list[tuple[str | None, ShipNoticeLine]]] = {}
    for portion in notice.orders:
        for line in portion.lines:
            entry = (portion.order.order_id, line)
            if line.package_id is None:
                loose.append(entry)
            else:
                packed.setdefault(line.package_id, []).append(entry)
    lines = 0
    for order_id, line in loose:
        segments.extend(_item(line, order_id, rules, number))
        lines += 1
    packages = {package.package_id: package for package in notice.packages}
    order = [p.package_id for p in notice.packages] + [p for p in packed if p not in packages]
    for sequence, package_id in enumerate(order, start=2):
        package = packages.get(package_id, Package(package_id=package_id))
        segments.append(("CPS", str(sequence), "1"))
        segments.extend(_package(package, rules, number))
        for order_id, line in packed.get(package_id, []):
            segments.extend(_item(line, order_id, rules, number))
            lines += 1
    if lines:
        segments.append(("CNT", ("2", str(lines))))
    return OutboundMessage("DESADV", tuple(segments))


def _header(notice: ShipNotice, rules: EdifactOutboundRules, tz: tzinfo) -> list[OutSegment]:
    """BGM, dates, comments, references, parties and carriers."""
    segments: list[OutSegment] = [
        ("BGM", ("351",), notice.shipment_id, _FUNCTIONS[notice.operation]),
        dtm("137", notice.notice_date, tz, with_time=True),
    ]
    if notice.shipment_date is not None:
        segments.append(
            dtm(rules.despatch_date_qualifier, notice.shipment_date, tz, with_time=True)
        )
    if notice.delivery_date is not None:
        segments.append(
            dtm(rules.delivery_date_qualifier, notice.delivery_date, tz, with_time=True)
        )
    if rules.send_comments:
        segments.extend(free_text("AAI", notice.comments))
    orders = [portion.order for portion in notice.orders]
    if len(orders) == 1 and orders[0].order_id:
        segments.append(("RFF", ("ON", orders[0].order_id)))
        if orders[0].order_date is not None:
            segments.append(dtm("171", orders[0].order_date, tz))
    for control in notice.carriers:
        segments.extend(("RFF", (rules.tracking_qualifier, n)) for n in control.tracking_numbers)
    segments.extend(party_segments(rules.ship_from_role, notice.ship_from, rules))
    segments.extend(party_segments(rules.ship_to_role, notice.ship_to, rules))
    segments.extend(_carrier(control, rules) for control in notice.carriers)
    return segments


def _carrier(control: ShipControl, rules: EdifactOutboundRules) -> OutSegment:
    for identifier in control.carrier:
        agency = rules.carrier_agencies.get(identifier.scheme)
        if agency is not None:
            return ("TDT", "20", "", "", "", (identifier.value, "", agency))
    return ("TDT", "20", "", "", "", ("", "", "", control.carrier[0].value[:35]))


def _package(package: Package, rules: EdifactOutboundRules, number: Numbers) -> list[OutSegment]:
    segments: list[OutSegment] = [("PAC", "1", "", rules.package_type)]
    if package.gross_weight is not None and package.weight_unit is not None:
        weight = number(package.gross_weight)
        segments.append(("MEA", "PD", "AAB", (unit(rules, package.weight_unit), weight)))
    if package.is_sscc:
        segments.append(("PCI", "33E"))
        segments.append(("GIN", rules.sscc_qualifier, package.package_id))
    else:
        segments.append(("GIN", rules.package_qualifier, package.package_id))
    return segments


def _item(
    line: ShipNoticeLine, order_id: str | None, rules: EdifactOutboundRules, number: Numbers
) -> list[OutSegment]:
    item = (line.supplier_part_id, rules.supplier_part_type) if line.supplier_part_id else ""
    segments: list[OutSegment] = [("LIN", str(line.line_number), "", item)]
    if line.buyer_part_id:
        segments.append(("PIA", "1", (line.buyer_part_id, rules.buyer_part_type)))
    if line.description:
        segments.append(("IMD", "F", "", ("", "", "", *chunks(line.description, 35)[:2])))
    segments.append(("QTY", ("12", number(line.quantity), unit(rules, line.unit_of_measure))))
    if order_id:
        segments.append(("RFF", ("ON", order_id, str(line.line_number))))
    return segments


def build_desadv(
    notice: ShipNotice,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying one DESADV to the partner of `settings`."""
    message = encode_desadv(notice, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
