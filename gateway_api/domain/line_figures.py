"""Per order line, what the supplier's documents in force say: rejected, shipped, invoiced.

Reconciliation compares these figures with the order as it stands now (which the buyer may
have changed since), so they are folded from the documents alone: a ship notice for a line the
buyer later removed still counts against that line. They follow the same documents as
`Fulfilment.progress` (the confirmation in force, ship notices not withdrawn, invoices not
cancelled) and add what an invoice billed per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gateway_api.domain.fulfilment import CENT, Fulfilment

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineFigures:
    """One order line's figures from the documents in force."""

    line_number: int
    rejected: Decimal = ZERO
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    invoiced_amount: Decimal = ZERO
    """Sum of the invoice line subtotals (each rounded to cents when issued)."""
    invoice_lines: int = 0
    """How many invoice lines were summed: the rounding each may add is bounded by it."""


def line_figures(fulfilment: Fulfilment) -> list[LineFigures]:
    """The figures of every line the order has or any document in force names, by number."""
    rejected = fulfilment.rejected_by_line()
    shipped = fulfilment.shipped_by_line()
    invoiced: dict[int, Decimal] = {}
    amounts: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    for _, invoice in fulfilment.invoices:
        for item in invoice.lines():
            n = item.order_line_number
            subtotal = item.subtotal
            if subtotal is None:
                subtotal = (item.quantity * item.unit_price).quantize(CENT, ROUND_HALF_UP)
            invoiced[n] = invoiced.get(n, ZERO) + item.quantity
            amounts[n] = amounts.get(n, ZERO) + subtotal
            counts[n] = counts.get(n, 0) + 1
    numbers = {line.line_number for line in fulfilment.order.current.lines}
    numbers |= rejected.keys() | shipped.keys() | invoiced.keys()
    return [
        LineFigures(
            line_number=n,
            rejected=rejected.get(n, ZERO),
            shipped=shipped.get(n, ZERO),
            invoiced=invoiced.get(n, ZERO),
            invoiced_amount=amounts.get(n, ZERO),
            invoice_lines=counts.get(n, 0),
        )
        for n in sorted(numbers)
    ]
