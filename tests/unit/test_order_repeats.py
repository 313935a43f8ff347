"""`Order.repeats`: a document equal to the stored version is a resend, not a conflict (issue 9,
item 5: a whole X12 group resent after one set was fixed dead-lettered the stored orders)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway_api.domain import Order, OrderExistsError, StaleVersionError
from schemas import OrderChange, OrderLine, Party, PurchaseOrder

AT = datetime(2026, 11, 22, tzinfo=UTC)


def po(
    change: OrderChange = OrderChange.NEW,
    version: int | None = None,
    qty: int = 1,
    lines: bool = True,
) -> PurchaseOrder:
    return PurchaseOrder(
        order_id="PO-1",
        change=change,
        version=version,
        order_date=AT,
        currency="EUR",
        buyer=Party(),
        supplier=Party(),
        lines=(
            (OrderLine(line_number=1, quantity=Decimal(qty), unit_of_measure="EA"),)
            if lines
            else ()
        ),
    )


def stored(document: PurchaseOrder) -> Order:
    """As the store hands it back: the canonical document through its JSON form."""
    order, _ = Order.place("p", document, payload_id="a", at=AT)
    current = PurchaseOrder.model_validate(order.current.model_dump(mode="json"))
    return Order(
        order.id, order.partner_key, order.order_id, order.version, order.status, current, "a"
    )


def test_the_same_new_order_sent_again_repeats_it() -> None:
    order = stored(po())
    assert order.repeats(po())
    assert order.repeats(po(version=1))
    assert order.repeats(po(qty=1).model_copy(update={"lines": po().lines}))


def test_a_different_order_under_the_same_id_is_no_repeat_and_stays_a_conflict() -> None:
    order = stored(po())
    assert not order.repeats(po(qty=2))
    assert not order.repeats(po(version=2))
    with pytest.raises(OrderExistsError):
        order.apply(po(qty=2), payload_id="b", at=AT)


def test_an_update_sent_again_repeats_it_and_an_older_one_does_not() -> None:
    order, _ = stored(po()).apply(po(OrderChange.UPDATE, version=2, qty=3), payload_id="b", at=AT)
    assert order.repeats(po(OrderChange.UPDATE, version=2, qty=3))
    assert order.repeats(po(OrderChange.UPDATE, qty=3))  # no version: the one it repeats
    assert not order.repeats(po(OrderChange.UPDATE, version=2, qty=4))
    assert not order.repeats(po(version=1))  # the original new, now superseded
    with pytest.raises(StaleVersionError):
        order.apply(po(OrderChange.UPDATE, version=2, qty=4), payload_id="c", at=AT)


def test_a_cancellation_sent_again_repeats_it_with_or_without_lines() -> None:
    order, _ = stored(po()).apply(po(OrderChange.DELETE, version=2), payload_id="b", at=AT)
    assert order.repeats(po(OrderChange.DELETE, version=2))
    assert order.repeats(po(OrderChange.DELETE, version=2, lines=False))
