"""`encode_ordrsp`: a canonical `OrderConfirmation` as an EDIFACT ORDRSP purchase order response.

BGM 231 (number: our confirmation id, else the order number; 1225 from the confirmation type:
29 accepted, 27 not accepted, 4 changed, 5 for an update; 4343 AP/RE/AC), DTM 137, FTX, RFF ON +
DTM 171 (the order), CUX. Per confirmed line: LIN (1082 line, 1229 5/7/6, our part number), QTY 21
(ordered), then per status QTY 113 (to be delivered) or 83 (backordered), DTM 69/11, PRI AAA, FTX.
Summary: UNS, MOA 86 (total, when the confirmation changes it), MOA 124 (tax), CNT 2.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from connectors.formats.edifact._outbound import Numbers, dtm, free_text, required, unit
from connectors.formats.edifact._settings import EdifactOutboundRules, EdifactPartnerSettings
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    OutSegment,
    build_interchange,
)
from schemas.confirmation import (
    ConfirmationLine,
    ConfirmationOperation,
    LineStatus,
    OrderConfirmation,
)


def encode_ordrsp(
    confirmation: OrderConfirmation,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The ORDRSP body for `confirmation`; dates are written in the partner's `tz`."""
    rules = settings.outbound
    number = Numbers(settings)
    order = confirmation.order
    order_id = required(order.order_id, "the purchase order number (RFF ON)")
    function = (
        "5"
        if confirmation.operation is ConfirmationOperation.UPDATE
        else rules.confirmation_functions[confirmation.type]
    )
    segments: list[OutSegment] = [
        (
            "BGM",
            ("231",),
            confirmation.confirmation_id or order_id,
            function,
            rules.response_types[confirmation.type],
        ),
        dtm("137", confirmation.notice_date, tz, with_time=True),
    ]
    if rules.send_comments:
        segments.extend(free_text("AAI", confirmation.comments))
    segments.append(("RFF", ("ON", order_id)))
    if order.order_date is not None:
        segments.append(dtm("171", order.order_date, tz))
    if confirmation.currency:
        segments.append(("CUX", ("2", confirmation.currency, "9")))
    for line in confirmation.lines:
        segments.extend(_line(line, rules, number, tz, send_comments=rules.send_comments))
    if confirmation.lines or confirmation.total is not None or confirmation.tax is not None:
        segments.append(("UNS", "S"))
        if confirmation.total is not None:
            segments.append(("MOA", ("86", number(confirmation.total))))
        if confirmation.tax is not None:
            segments.append(("MOA", ("124", number(confirmation.tax))))
        if confirmation.lines:
            segments.append(("CNT", ("2", str(len(confirmation.lines)))))
    return OutboundMessage("ORDRSP", tuple(segments))


def _line(
    line: ConfirmationLine,
    rules: EdifactOutboundRules,
    number: Numbers,
    tz: tzinfo,
    *,
    send_comments: bool,
) -> list[OutSegment]:
    statuses = {status.status for status in line.statuses}
    if statuses == {LineStatus.ACCEPT}:
        action = rules.line_accepted_code
    elif statuses == {LineStatus.REJECT}:
        action = rules.line_rejected_code
    else:
        action = rules.line_changed_code
    item = (line.supplier_part_id, rules.supplier_part_type) if line.supplier_part_id else ""
    segments: list[OutSegment] = [
        ("LIN", str(line.line_number), action, item),
        ("QTY", ("21", number(line.quantity), unit(rules, line.unit_of_measure))),
    ]
    for status in line.statuses:
        qualifier = rules.status_quantities.get(status.status)
        if qualifier is not None:
            own_unit = status.unit_of_measure or line.unit_of_measure
            segments.append(("QTY", (qualifier, number(status.quantity), unit(rules, own_unit))))
        when: list[tuple[str, datetime]] = []
        if status.delivery_date is not None:
            when.append((rules.confirmed_delivery_qualifier, status.delivery_date))
        if status.shipment_date is not None:
            when.append((rules.despatch_date_qualifier, status.shipment_date))
        segments.extend(dtm(qualifier, value, tz) for qualifier, value in when)
        if status.unit_price is not None:
            segments.append(("PRI", ("AAA", number(status.unit_price))))
        if send_comments:
            segments.extend(free_text("AAI", status.comments))
    return segments


def build_ordrsp(
    confirmation: OrderConfirmation,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying one ORDRSP to the partner of `settings`."""
    message = encode_ordrsp(confirmation, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
