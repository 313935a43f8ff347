"""Per-line figures folded from the documents in force, as reconciliation compares them."""

from __future__ import annotations

from decimal import Decimal

from gateway_api.domain.fulfilment import (
    ConfirmCommand,
    InvoiceCommand,
    LineQuantity,
    LineSplit,
    ShipCommand,
)
from gateway_api.domain.line_figures import LineFigures, line_figures
from tests.unit.test_fulfilment_domain import AT, LATER, UPS, _Ledger, _order


def _ship(ledger: _Ledger, *lines: LineQuantity) -> None:
    command = ShipCommand(delivery_date=LATER, lines=lines, carrier=UPS, tracking_numbers=("1Z",))
    ledger.apply(ledger.fulfilment.ship(command, at=AT))


def test_nothing_issued_gives_zeros_for_every_ordered_line() -> None:
    ledger = _Ledger(_order())
    assert line_figures(ledger.fulfilment) == [LineFigures(1), LineFigures(2)]


def test_rejected_shipped_and_invoiced_with_amounts() -> None:
    ledger = _Ledger(_order())
    split = LineSplit(line_number=1, accepted=Decimal(7), rejected=Decimal(3))
    ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="detail", lines=(split,)), at=AT))
    _ship(ledger, LineQuantity(1, Decimal(4)))
    _ship(ledger, LineQuantity(1, Decimal(3)), LineQuantity(2, Decimal("2.5")))
    ledger.apply(ledger.fulfilment.invoice(InvoiceCommand(), at=AT))
    one, two = line_figures(ledger.fulfilment)
    assert (one.rejected, one.shipped, one.invoiced) == (Decimal(3), Decimal(7), Decimal(7))
    assert one.invoiced_amount == Decimal("87.50")  # 7 x 12.50
    assert (two.shipped, two.invoiced, two.invoiced_amount) == (
        Decimal("2.5"),
        Decimal("2.5"),
        Decimal("10.25"),
    )
    assert (one.invoice_lines, two.invoice_lines) == (1, 1)


def test_a_withdrawn_ship_notice_no_longer_counts() -> None:
    ledger = _Ledger(_order())
    ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="accept"), at=AT))
    _ship(ledger, LineQuantity(1, Decimal(10)))
    (notice,) = ledger.fulfilment.shipments
    shipment_id = notice[1].shipment_id
    ledger.apply(ledger.fulfilment.cancel_shipment(shipment_id, at=AT))
    assert [f.shipped for f in line_figures(ledger.fulfilment)] == [Decimal(0), Decimal(0)]


def test_a_rejected_order_rejects_every_line_in_full() -> None:
    ledger = _Ledger(_order())
    ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="reject"), at=AT))
    assert [f.rejected for f in line_figures(ledger.fulfilment)] == [Decimal(10), Decimal("2.5")]
