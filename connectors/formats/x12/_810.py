"""`encode_810`: a canonical `Invoice` as an X12 810 invoice.

BIG (invoice date and number, PO date and number when the invoice bills one order, BIG07 type
DI/CR/DR, BIG08 purpose 00 or 01 for a cancellation), CUR, REF*OI (the invoice a cancellation
cancels), N1 loops (SU supplier, BT bill to, RI remit to), ITD (net days), one IT1 per line
(IT101 the order or invoice line number as the partner wants, quantity, unit, price, VN/BP ids)
with PID, REF*PO (when the invoice bills several orders), REF*SI (the ship notice) and TXI;
then TDS (amount due in cents: two implied decimals), TXI (header taxes), SAC (shipping, in
cents) and CTT.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from decimal import Decimal

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
    hash_total,
    party_segments,
    product_ids,
    quantity,
    unit,
)
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_date, format_implied, format_real
from connectors.formats.x12._writer import OutboundSet
from schemas.invoice import Invoice, InvoiceLine, InvoiceOperation, InvoicePurpose, TaxDetail
from schemas.references import OrderReference

_TYPES = {
    InvoicePurpose.STANDARD: "DI",
    InvoicePurpose.CREDIT_MEMO: "CR",
    InvoicePurpose.LINE_LEVEL_CREDIT_MEMO: "CR",
    InvoicePurpose.DEBIT_MEMO: "DR",
    InvoicePurpose.LINE_LEVEL_DEBIT_MEMO: "DR",
}


def encode_810(
    invoice: Invoice,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The 810 body for `invoice`; dates are written in the partner's `tz`."""
    rules = rules or DEFAULT_OUTBOUND_RULES
    references = [portion.order for portion in invoice.orders if portion.order is not None]
    single: OrderReference | None = (
        references[0] if len(invoice.orders) == 1 and references else None
    )
    segments: list[Segment] = [
        (
            "BIG",
            format_date(invoice.invoice_date, tz),
            invoice.invoice_id,
            format_date(single.order_date, tz) if single and single.order_date else "",
            (single.order_id or "") if single else "",
            "",
            "",
            _TYPES[invoice.purpose],
            "01" if invoice.operation is InvoiceOperation.DELETE else "00",
        ),
        ("CUR", "SE", invoice.currency),
    ]
    if invoice.supersedes:
        segments.append(("REF", "OI", invoice.supersedes))
    segments.extend(party_segments("SU", invoice.supplier))
    segments.extend(party_segments("BT", invoice.bill_to))
    segments.extend(party_segments("RI", invoice.remit_to))
    if invoice.payment_terms_days is not None:
        segments.append(("ITD", "01", "3", "", "", "", "", str(invoice.payment_terms_days)))
    lines = 0
    shipped: list[Decimal] = []
    for portion in invoice.orders:
        order_id = portion.order.order_id if portion.order is not None else None
        for line in portion.lines:
            lines += 1
            shipped.append(line.quantity)
            segments.extend(_line(line, order_id if single is None else None, rules))
    due = invoice.due_amount if invoice.due_amount is not None else invoice.net_amount
    segments.append(("TDS", format_implied(due)))
    segments.extend(_taxes(invoice.taxes, invoice.tax, rules))
    if invoice.shipping:
        segments.append(
            ("SAC", "C", rules.shipping_charge_code, "", "", format_implied(invoice.shipping))
        )
    if lines:
        segments.append(("CTT", str(lines), hash_total(shipped)))
    return OutboundSet("810", tuple(segments))


def _line(line: InvoiceLine, order_id: str | None, rules: X12OutboundRules) -> list[Segment]:
    number = (
        line.order_line_number
        if rules.invoice_line_id == "order_line"
        else line.invoice_line_number
    )
    segments: list[Segment] = [
        (
            "IT1",
            str(number),
            quantity(line.quantity),
            unit(rules, line.unit_of_measure),
            format_real(line.unit_price),
            "",
            *product_ids(
                [
                    (rules.supplier_part_qualifier, line.supplier_part_id),
                    (rules.buyer_part_qualifier, line.buyer_part_id),
                ]
            ),
        )
    ]
    if line.description:
        segments.append(("PID", "F", "", "", "", line.description))
    if order_id:
        segments.append(("REF", "PO", order_id))
    if line.ship_notice_id:
        segments.append(("REF", "SI", line.ship_notice_id))
    segments.extend(_taxes(line.taxes, line.tax, rules))
    return segments


def _taxes(
    details: tuple[TaxDetail, ...], total: Decimal | None, rules: X12OutboundRules
) -> list[Segment]:
    if details:
        return [
            (
                "TXI",
                rules.tax_types.get(detail.category.lower(), rules.default_tax_type),
                format_real(detail.amount),
                format_real(detail.rate) if detail.rate is not None else "",
            )
            for detail in details
        ]
    if total:
        return [("TXI", rules.default_tax_type, format_real(total))]
    return []
