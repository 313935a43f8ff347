"""The fulfilment rules (confirm, ship, invoice, cancel), without any database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from gateway_api.domain import Order
from gateway_api.domain.fulfilment import (
    ConfirmCommand,
    CreditCommand,
    Fulfilment,
    FulfilmentConflictError,
    FulfilmentInputError,
    InvoiceCommand,
    Issue,
    IssuedDocument,
    LineQuantity,
    LineSplit,
    ShipCommand,
)
from schemas import (
    ConfirmationOperation,
    ConfirmationType,
    FulfillmentType,
    Identifier,
    Invoice,
    InvoiceOperation,
    InvoicePurpose,
    LineStatus,
    OrderChange,
    OrderConfirmation,
    OrderLine,
    Party,
    PurchaseOrder,
    ShipNotice,
    ShipNoticeOperation,
)

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
UPS = (Identifier(scheme="SCAC", value="UPSN"),)
LATER = AT + timedelta(days=3)


def _order(*, cancelled: bool = False, price: Decimal | None = Decimal("12.50")) -> Order:
    document = PurchaseOrder(
        order_id="PO-7",
        order_date=AT,
        currency="USD",
        buyer=Party(),
        supplier=Party(),
        lines=(
            OrderLine(
                line_number=1,
                quantity=Decimal(10),
                unit_of_measure="EA",
                unit_price=price,
                supplier_part_id="CP-1",
            ),
            OrderLine(
                line_number=2,
                quantity=Decimal("2.5"),
                unit_of_measure="KGM",
                unit_price=Decimal("4.10"),
            ),
        ),
    )
    order, _ = Order.place("coupa-demo", document, payload_id="po-payload@buyer", at=AT)
    if cancelled:
        delete = document.model_copy(update={"change": OrderChange.DELETE})
        order, _ = order.apply(delete, payload_id="po-delete@buyer", at=AT)
    return order


class _Ledger:
    """An order with the documents issued so far, the way the service keeps them."""

    def __init__(self, order: Order) -> None:
        self.order = order
        self.issued: list[IssuedDocument] = []

    @property
    def fulfilment(self) -> Fulfilment:
        return Fulfilment(self.order, self.issued)

    def apply(self, issue: Issue) -> Issue:
        if issue.replaces is not None:
            self.issued = [
                IssuedDocument(i.id, i.payload_id, i.document, False)
                if i.id == issue.replaces.id
                else i
                for i in self.issued
            ]
        self.issued.append(
            IssuedDocument(uuid4(), f"ours-{len(self.issued)}@hub", issue.document, True)
        )
        return issue


@pytest.fixture
def ledger() -> _Ledger:
    return _Ledger(_order())


def test_accept_whole_order_lists_no_lines(ledger: _Ledger) -> None:
    issue = ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="accept"), at=AT))
    confirmation = issue.document
    assert isinstance(confirmation, OrderConfirmation)
    assert confirmation.type is ConfirmationType.ACCEPT
    assert confirmation.lines == ()
    assert confirmation.order.order_id == "PO-7"
    assert confirmation.order.payload_id == "po-payload@buyer"
    assert (issue.business_id, confirmation.confirmation_id) == ("PO-7-C", "PO-7-C")


def test_accept_with_dates_lists_every_line_accepted(ledger: _Ledger) -> None:
    issue = ledger.fulfilment.confirm(ConfirmCommand(type="accept", delivery_date=LATER), at=AT)
    assert isinstance(issue.document, OrderConfirmation)
    lines = issue.document.lines
    assert [(line.line_number, line.statuses[0].quantity) for line in lines] == [
        (1, Decimal(10)),
        (2, Decimal("2.5")),
    ]
    assert all(line.statuses[0].delivery_date == LATER for line in lines)


def test_detail_splits_a_line_and_the_split_must_add_up(ledger: _Ledger) -> None:
    split = LineSplit(1, accepted=Decimal(6), backordered=Decimal(3), rejected=Decimal(1))
    issue = ledger.fulfilment.confirm(ConfirmCommand(type="detail", lines=(split,)), at=AT)
    assert isinstance(issue.document, OrderConfirmation)
    (line,) = issue.document.lines
    assert [(s.status, s.quantity) for s in line.statuses] == [
        (LineStatus.ACCEPT, Decimal(6)),
        (LineStatus.BACKORDERED, Decimal(3)),
        (LineStatus.REJECT, Decimal(1)),
    ]
    bad = LineSplit(1, accepted=Decimal(6), rejected=Decimal(1))
    with pytest.raises(FulfilmentInputError, match="add up to the ordered 10"):
        ledger.fulfilment.confirm(ConfirmCommand(type="detail", lines=(bad,)), at=AT)
    with pytest.raises(FulfilmentInputError, match="has no line 9"):
        ledger.fulfilment.confirm(
            ConfirmCommand(type="detail", lines=(LineSplit(9, accepted=Decimal(1)),)), at=AT
        )


def test_a_second_confirmation_updates_the_first(ledger: _Ledger) -> None:
    first = ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="accept"), at=AT))
    second = ledger.fulfilment.confirm(ConfirmCommand(type="reject", comments="no stock"), at=AT)
    assert isinstance(second.document, OrderConfirmation)
    assert second.document.operation is ConfirmationOperation.UPDATE
    assert second.document.confirmation_id == first.business_id
    assert second.document.supersedes == "ours-0@hub"
    assert second.replaces is not None


def test_rejected_order_cannot_be_shipped_or_invoiced(ledger: _Ledger) -> None:
    ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="reject"), at=AT))
    with pytest.raises(FulfilmentConflictError, match="rejected order cannot be shipped"):
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    with pytest.raises(FulfilmentConflictError, match="rejected order cannot be invoiced"):
        ledger.fulfilment.invoice(InvoiceCommand(), at=AT)


def test_partial_then_complete_shipment(ledger: _Ledger) -> None:
    first = ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(
                delivery_date=LATER,
                lines=(LineQuantity(1, Decimal(4)),),
                carrier=UPS,
                tracking_numbers=("1Z999",),
            ),
            at=AT,
        )
    )
    assert isinstance(first.document, ShipNotice)
    assert first.document.fulfillment is FulfillmentType.PARTIAL
    assert first.document.shipment_id == "PO-7-S1"
    assert first.document.carriers[0].tracking_numbers == ("1Z999",)
    rest = ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    assert isinstance(rest.document, ShipNotice)
    assert rest.document.fulfillment is FulfillmentType.COMPLETE
    shipped = [(s.line_number, s.quantity) for s in rest.document.orders[0].lines]
    assert shipped == [(1, Decimal(6)), (2, Decimal("2.5"))]
    progress = ledger.fulfilment.progress()
    assert progress[1].shipped == Decimal(10)
    assert progress[1].shippable == 0
    with pytest.raises(FulfilmentConflictError, match="nothing left to ship"):
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )


def test_never_ships_more_than_ordered_less_rejected(ledger: _Ledger) -> None:
    split = LineSplit(1, accepted=Decimal(8), rejected=Decimal(2))
    ledger.apply(ledger.fulfilment.confirm(ConfirmCommand(type="detail", lines=(split,)), at=AT))
    with pytest.raises(FulfilmentConflictError, match="only 8 may still ship"):
        ledger.fulfilment.ship(
            ShipCommand(
                delivery_date=LATER,
                carrier=UPS,
                tracking_numbers=("1Z1",),
                lines=(LineQuantity(1, Decimal(9)),),
            ),
            at=AT,
        )
    issue = ledger.fulfilment.ship(
        ShipCommand(
            delivery_date=LATER,
            carrier=UPS,
            tracking_numbers=("1Z1",),
            lines=(LineQuantity(1, Decimal(8)),),
        ),
        at=AT,
    )
    assert isinstance(issue.document, ShipNotice)
    # line 2 still open: the shipment is partial
    assert issue.document.fulfillment is FulfillmentType.PARTIAL


def test_an_order_with_shipments_cannot_be_rejected(ledger: _Ledger) -> None:
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    with pytest.raises(FulfilmentConflictError, match="can no longer be rejected"):
        ledger.fulfilment.confirm(ConfirmCommand(type="reject"), at=AT)


def test_cancelled_order_takes_nothing() -> None:
    ledger = _Ledger(_order(cancelled=True))
    with pytest.raises(FulfilmentConflictError, match="cancelled by the buyer"):
        ledger.fulfilment.confirm(ConfirmCommand(type="accept"), at=AT)
    with pytest.raises(FulfilmentConflictError, match="cancelled by the buyer"):
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )


def test_no_invoice_for_nothing_shipped(ledger: _Ledger) -> None:
    with pytest.raises(FulfilmentConflictError, match="no invoice for nothing shipped"):
        ledger.fulfilment.invoice(InvoiceCommand(), at=AT)


def test_invoice_bills_shipped_quantities_with_line_taxes(ledger: _Ledger) -> None:
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(
                delivery_date=LATER,
                carrier=UPS,
                tracking_numbers=("1Z1",),
                lines=(LineQuantity(1, Decimal(3)),),
            ),
            at=AT,
        )
    )
    with pytest.raises(FulfilmentConflictError, match="only 3 is shipped and not yet invoiced"):
        ledger.fulfilment.invoice(InvoiceCommand(lines=(LineQuantity(1, Decimal(4)),)), at=AT)
    issue = ledger.apply(
        ledger.fulfilment.invoice(
            InvoiceCommand(tax_rate=Decimal("8.25"), shipping=Decimal("5")), at=AT
        )
    )
    invoice = issue.document
    assert isinstance(invoice, Invoice)
    (line,) = invoice.lines()
    assert (line.order_line_number, line.quantity, line.subtotal) == (
        1,
        Decimal(3),
        Decimal("37.50"),
    )
    assert line.tax == Decimal("3.09")  # 37.50 * 8.25% = 3.09375, half-up to cents
    assert (invoice.subtotal, invoice.tax, invoice.shipping) == (
        Decimal("37.50"),
        Decimal("3.09"),
        Decimal("5.00"),
    )
    assert invoice.net_amount == invoice.due_amount == Decimal("45.59")
    assert invoice.taxes[0].rate == Decimal("8.25")
    with pytest.raises(FulfilmentConflictError, match="no invoice for nothing shipped"):
        ledger.fulfilment.invoice(InvoiceCommand(), at=AT)


def test_invoice_needs_prices() -> None:
    ledger = _Ledger(_order(price=None))
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    with pytest.raises(FulfilmentInputError, match="no unit price"):
        ledger.fulfilment.invoice(InvoiceCommand(), at=AT)


def test_cancelled_invoice_releases_its_quantities(ledger: _Ledger) -> None:
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    first = ledger.apply(ledger.fulfilment.invoice(InvoiceCommand(), at=AT))
    cancel = ledger.apply(ledger.fulfilment.cancel_invoice(first.business_id, at=AT))
    assert isinstance(cancel.document, Invoice)
    assert cancel.document.operation is InvoiceOperation.DELETE
    assert cancel.document.supersedes == "ours-1@hub"
    again = ledger.fulfilment.invoice(InvoiceCommand(), at=AT)
    assert isinstance(again.document, Invoice)
    assert again.document.invoice_id == "PO-7-I2"  # numbers are never reused
    with pytest.raises(FulfilmentConflictError, match="already issued"):
        ledger.fulfilment.invoice(InvoiceCommand(invoice_id=first.business_id), at=AT)


def test_credit_memo_is_negative_and_bounded_by_what_is_invoiced(ledger: _Ledger) -> None:
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    invoiced = ledger.apply(ledger.fulfilment.invoice(InvoiceCommand(), at=AT))
    assert isinstance(invoiced.document, Invoice)
    too_much = invoiced.document.net_amount + 1
    with pytest.raises(FulfilmentConflictError, match=r"only .* is invoiced"):
        ledger.fulfilment.credit(CreditCommand(amount=too_much, reason="x"), at=AT)
    issue = ledger.fulfilment.credit(CreditCommand(amount=Decimal(10), reason="damaged"), at=AT)
    memo = issue.document
    assert isinstance(memo, Invoice)
    assert memo.purpose is InvoicePurpose.CREDIT_MEMO
    assert memo.header_level
    assert memo.due_amount == Decimal("-10.00")
    assert memo.orders[0].subtotal == Decimal("-10.00")


def test_withdrawn_shipment_frees_its_quantities_unless_invoiced(ledger: _Ledger) -> None:
    shipped = ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    withdrawal = ledger.fulfilment.cancel_shipment(shipped.business_id, at=AT)
    assert isinstance(withdrawal.document, ShipNotice)
    assert withdrawal.document.operation is ShipNoticeOperation.DELETE
    assert withdrawal.document.supersedes == "ours-0@hub"
    ledger.apply(ledger.fulfilment.invoice(InvoiceCommand(), at=AT))
    with pytest.raises(FulfilmentConflictError, match="cancel the invoice first"):
        ledger.fulfilment.cancel_shipment(shipped.business_id, at=AT)
    with pytest.raises(FulfilmentConflictError, match="no shipment 'nope'"):
        ledger.fulfilment.cancel_shipment("nope", at=AT)


def test_freed_quantities_ship_again() -> None:
    ledger = _Ledger(_order())
    shipped = ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )
    ledger.apply(ledger.fulfilment.cancel_shipment(shipped.business_id, at=AT))
    assert ledger.fulfilment.progress()[1].shippable == Decimal(10)
    again = ledger.fulfilment.ship(
        ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",), shipment_id="S-B"),
        at=AT,
    )
    assert isinstance(again.document, ShipNotice)
    assert again.document.fulfillment is FulfillmentType.COMPLETE
    with pytest.raises(FulfilmentConflictError, match="already recorded"):
        ledger.fulfilment.ship(
            ShipCommand(
                delivery_date=LATER,
                carrier=UPS,
                tracking_numbers=("1Z1",),
                shipment_id=shipped.business_id,
            ),
            at=AT,
        )


def test_a_shipment_names_carrier_and_tracking(ledger: _Ledger) -> None:
    with pytest.raises(FulfilmentInputError, match="carrier and at least one tracking"):
        ledger.fulfilment.ship(ShipCommand(delivery_date=LATER, tracking_numbers=("1Z",)), at=AT)
    with pytest.raises(FulfilmentInputError, match="carrier and at least one tracking"):
        ledger.fulfilment.ship(ShipCommand(delivery_date=LATER, carrier=UPS), at=AT)


def _order_with_line_2_in_aud() -> Order:
    order = _order()
    current = order.current
    lines = (
        current.lines[0],
        current.lines[1].model_copy(update={"unit_price_currency": "AUD"}),
    )
    priced = current.model_copy(update={"lines": lines})
    placed, _ = Order.place("coupa-demo", priced, payload_id="po-aud@buyer", at=AT)
    return placed


def _ship_everything(ledger: _Ledger) -> None:
    ledger.apply(
        ledger.fulfilment.ship(
            ShipCommand(delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",)), at=AT
        )
    )


def test_a_line_priced_in_another_currency_is_invoiced_only_at_a_stated_price() -> None:
    ledger = _Ledger(_order_with_line_2_in_aud())
    _ship_everything(ledger)
    with pytest.raises(FulfilmentInputError, match=r"4\.10 AUD, not in the order currency USD"):
        ledger.fulfilment.invoice(InvoiceCommand(), at=AT)
    issue = ledger.fulfilment.invoice(
        InvoiceCommand(
            lines=(
                LineQuantity(1, Decimal(10)),
                LineQuantity(2, Decimal("2.5"), unit_price=Decimal("2.70")),
            )
        ),
        at=AT,
    )
    invoice = issue.document
    assert isinstance(invoice, Invoice)
    assert invoice.currency == "USD"
    assert [(x.unit_price, x.subtotal) for x in invoice.lines()] == [
        (Decimal("12.50"), Decimal("125.00")),
        (Decimal("2.70"), Decimal("6.75")),
    ]
    assert invoice.net_amount == Decimal("131.75")


def test_a_stated_price_never_overrides_the_order_price_in_its_currency(ledger: _Ledger) -> None:
    _ship_everything(ledger)
    with pytest.raises(FulfilmentInputError, match=r"prices it at 12\.50 USD"):
        ledger.fulfilment.invoice(
            InvoiceCommand(lines=(LineQuantity(1, Decimal(10), unit_price=Decimal("9")),)), at=AT
        )
    same = LineQuantity(1, Decimal(10), unit_price=Decimal("12.50"))
    issue = ledger.fulfilment.invoice(InvoiceCommand(lines=(same,)), at=AT)
    assert isinstance(issue.document, Invoice)
    assert issue.document.net_amount == Decimal("125.00")


def test_a_shipment_carries_no_prices(ledger: _Ledger) -> None:
    priced = LineQuantity(1, Decimal(1), unit_price=Decimal("12.50"))
    with pytest.raises(FulfilmentInputError, match="a shipment carries no prices"):
        ledger.fulfilment.ship(
            ShipCommand(
                delivery_date=LATER, carrier=UPS, tracking_numbers=("1Z1",), lines=(priced,)
            ),
            at=AT,
        )


def test_a_confirmation_of_a_line_priced_in_another_currency_states_no_amount() -> None:
    """Confirmations echo quantities and dates only, so an AUD line is never restated as USD."""
    ledger = _Ledger(_order_with_line_2_in_aud())
    split = LineSplit(2, accepted=Decimal(2), rejected=Decimal("0.5"))
    issue = ledger.fulfilment.confirm(ConfirmCommand(type="detail", lines=(split,)), at=AT)
    confirmation = issue.document
    assert isinstance(confirmation, OrderConfirmation)
    assert (confirmation.currency, confirmation.total, confirmation.tax) == (None, None, None)
    assert all(s.unit_price is None for line in confirmation.lines for s in line.statuses)
