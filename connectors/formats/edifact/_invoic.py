"""`encode_invoic`: a canonical `Invoice` as an EDIFACT INVOIC invoice message.

BGM (1001 380 invoice, 381 credit note, 383 debit note; 1225 9, or 1 for a cancellation), DTM
137, FTX, RFF ON + DTM 171 (one order), RFF CT (a contract), RFF OI (the cancelled invoice), NAD
SU/IV/PE (+CTA/COM), CUX 2:<currency>:4, PAT (net days), ALC C FC + MOA 23 (shipping), ALC A DI +
MOA 204 (discount). Lines: LIN (invoice line, our part number), PIA (buyer's part), IMD, QTY 47,
MOA 203 (line amount), PRI AAA, RFF ON with the order line (1156), RFF AAK (the despatch advice),
TAX 7 + MOA 124 per tax. Summary: UNS, CNT 2, MOA 77 (invoice amount), 79 (lines total), 176
(tax total), 9 (amount due, when it differs), TAX + MOA 124/125 per header tax.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from decimal import Decimal

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
from schemas.invoice import Invoice, InvoiceLine, InvoiceOperation, TaxDetail


def encode_invoic(
    invoice: Invoice,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The INVOIC body for `invoice`; dates are written in the partner's `tz`."""
    rules = settings.outbound
    number = Numbers(settings)
    cancel = invoice.operation is InvoiceOperation.DELETE
    segments: list[OutSegment] = [
        (
            "BGM",
            (rules.invoice_types[invoice.purpose],),
            invoice.invoice_id,
            "1" if cancel else "9",
        ),
        dtm("137", invoice.invoice_date, tz),
    ]
    if rules.send_comments:
        segments.extend(free_text("AAI", invoice.comments))
    references = [portion.order for portion in invoice.orders if portion.order is not None]
    single = references[0] if len(invoice.orders) == 1 and references else None
    if single is not None and single.order_id:
        segments.append(("RFF", ("ON", single.order_id)))
        if single.order_date is not None:
            segments.append(dtm("171", single.order_date, tz))
    if len(invoice.orders) == 1 and invoice.orders[0].agreement_id:
        segments.append(("RFF", ("CT", invoice.orders[0].agreement_id)))
    if invoice.supersedes:
        segments.append(("RFF", (rules.previous_invoice_qualifier, invoice.supersedes)))
    segments.extend(party_segments(rules.supplier_role, invoice.supplier, rules))
    segments.extend(party_segments(rules.bill_to_role, invoice.bill_to, rules))
    segments.extend(party_segments(rules.remit_to_role, invoice.remit_to, rules))
    segments.append(("CUX", ("2", invoice.currency, "4")))
    if invoice.payment_terms_days is not None:
        segments.append(("PAT", "1", "", ("5", "3", "D", str(invoice.payment_terms_days))))
    if invoice.shipping:
        segments.append(("ALC", "C", "", "", "", (rules.shipping_charge_code,)))
        segments.append(("MOA", ("23", number(invoice.shipping))))
    if invoice.discount:
        segments.append(("ALC", "A", "", "", "", (rules.discount_code,)))
        segments.append(("MOA", ("204", number(invoice.discount))))
    lines = 0
    for portion in invoice.orders:
        order_id = portion.order.order_id if portion.order is not None else None
        for line in portion.lines:
            lines += 1
            segments.extend(_line(line, order_id, rules, number))
    segments.append(("UNS", "S"))
    if lines:
        segments.append(("CNT", ("2", str(lines))))
    segments.append(("MOA", ("77", number(invoice.net_amount))))
    segments.append(("MOA", ("79", number(invoice.subtotal))))
    segments.append(("MOA", ("176", number(invoice.tax))))
    if invoice.due_amount is not None and invoice.due_amount != invoice.net_amount:
        segments.append(("MOA", ("9", number(invoice.due_amount))))
    segments.extend(_taxes(invoice.taxes, None, rules, number, with_taxable=True))
    return OutboundMessage("INVOIC", tuple(segments))


def _line(
    line: InvoiceLine, order_id: str | None, rules: EdifactOutboundRules, number: Numbers
) -> list[OutSegment]:
    item = (line.supplier_part_id, rules.supplier_part_type) if line.supplier_part_id else ""
    segments: list[OutSegment] = [("LIN", str(line.invoice_line_number), "", item)]
    if line.buyer_part_id:
        segments.append(("PIA", "1", (line.buyer_part_id, rules.buyer_part_type)))
    if line.description:
        segments.append(("IMD", "F", "", ("", "", "", *chunks(line.description, 35)[:2])))
    segments.append(("QTY", ("47", number(line.quantity), unit(rules, line.unit_of_measure))))
    if line.subtotal is not None:
        segments.append(("MOA", ("203", number(line.subtotal))))
    segments.append(("PRI", ("AAA", number(line.unit_price))))
    if order_id:
        segments.append(("RFF", ("ON", order_id, str(line.order_line_number))))
    if line.ship_notice_id:
        segments.append(("RFF", ("AAK", line.ship_notice_id)))
    segments.extend(_taxes(line.taxes, line.tax, rules, number, with_taxable=False))
    return segments


def _taxes(
    details: tuple[TaxDetail, ...],
    total: Decimal | None,
    rules: EdifactOutboundRules,
    number: Numbers,
    *,
    with_taxable: bool,
) -> list[OutSegment]:
    segments: list[OutSegment] = []
    for detail in details:
        kind = rules.tax_types.get(detail.category.lower(), rules.default_tax_type)
        rate = ("", "", "", number(detail.rate)) if detail.rate is not None else ""
        segments.append(("TAX", "7", kind, "", "", rate))
        segments.append(("MOA", ("124", number(detail.amount))))
        if with_taxable and detail.taxable_amount is not None:
            segments.append(("MOA", ("125", number(detail.taxable_amount))))
    if not details and total:
        segments.append(("TAX", "7", rules.default_tax_type))
        segments.append(("MOA", ("124", number(total))))
    return segments


def build_invoic(
    invoice: Invoice,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying one INVOIC to the partner of `settings`."""
    message = encode_invoic(invoice, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
