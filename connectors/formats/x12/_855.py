"""`encode_855`: a canonical `OrderConfirmation` as an X12 855 purchase order acknowledgment.

BAK (purpose 00/05, BAK02 from the confirmation type, PO number and date, our confirmation id
in BAK08, the notice date in BAK09), CUR, optional N9/MSG comments, one PO1 per confirmed line
followed by one ACK per status (ACK01 from the line status, quantity, unit, and the estimated
delivery (067) or ship (068) date), CTT and AMT. Codes come from `X12OutboundRules`.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
    hash_total,
    message_segments,
    product_ids,
    quantity,
    required,
    unit,
)
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_date, format_real
from connectors.formats.x12._writer import OutboundSet
from schemas.confirmation import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    ConfirmedQuantity,
    OrderConfirmation,
)


def encode_855(
    confirmation: OrderConfirmation,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The 855 body for `confirmation`; dates are written in the partner's `tz`."""
    rules = rules or DEFAULT_OUTBOUND_RULES
    order = confirmation.order
    code = rules.confirmation_codes[confirmation.type]
    if confirmation.type is ConfirmationType.ACCEPT and not confirmation.lines:
        code = rules.accept_without_lines_code
    order_date = order.order_date or confirmation.notice_date
    segments: list[Segment] = [
        (
            "BAK",
            "05" if confirmation.operation is ConfirmationOperation.UPDATE else "00",
            code,
            required(order.order_id, "the purchase order number (BAK03)"),
            format_date(order_date, tz),
            "",
            "",
            "",
            confirmation.confirmation_id or "",
            format_date(confirmation.notice_date, tz),
        )
    ]
    if confirmation.currency:
        segments.append(("CUR", "SE", confirmation.currency))
    if rules.send_comments:
        segments.extend(message_segments(confirmation.comments))
    for line in confirmation.lines:
        segments.extend(_line(line, rules, tz))
    if confirmation.lines:
        quantities = (line.quantity for line in confirmation.lines)
        segments.append(("CTT", str(len(confirmation.lines)), hash_total(quantities)))
        if confirmation.total is not None:
            segments.append(("AMT", "TT", format_real(confirmation.total)))
    return OutboundSet("855", tuple(segments))


def _line(line: ConfirmationLine, rules: X12OutboundRules, tz: tzinfo) -> list[Segment]:
    price = next((s.unit_price for s in line.statuses if s.unit_price is not None), None)
    segments: list[Segment] = [
        (
            "PO1",
            str(line.line_number),
            quantity(line.quantity),
            unit(rules, line.unit_of_measure),
            format_real(price) if price is not None else "",
            "",
            *product_ids([(rules.supplier_part_qualifier, line.supplier_part_id)]),
        )
    ]
    segments.extend(_ack(status, line, rules, tz) for status in line.statuses)
    return segments


def _ack(
    status: ConfirmedQuantity, line: ConfirmationLine, rules: X12OutboundRules, tz: tzinfo
) -> Segment:
    qualifier, when = "", ""
    if status.delivery_date is not None:
        qualifier, when = "067", format_date(status.delivery_date, tz)
    elif status.shipment_date is not None:
        qualifier, when = "068", format_date(status.shipment_date, tz)
    return (
        "ACK",
        rules.line_status_codes[status.status],
        quantity(status.quantity),
        unit(rules, status.unit_of_measure or line.unit_of_measure),
        qualifier,
        when,
    )
