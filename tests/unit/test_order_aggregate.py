"""The Order aggregate's rules, without any database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway_api.domain import (
    Order,
    OrderCancelledError,
    OrderEventKind,
    OrderExistsError,
    OrderStatus,
    StaleVersionError,
    UnknownOrderError,
)
from schemas import OrderChange, OrderLine, Party, PurchaseOrder

AT = datetime(2026, 11, 22, tzinfo=UTC)


def po(
    change: OrderChange = OrderChange.NEW, version: int | None = None, qty: int = 1
) -> PurchaseOrder:
    return PurchaseOrder(
        order_id="PO-1",
        change=change,
        version=version,
        order_date=AT,
        currency="EUR",
        buyer=Party(),
        supplier=Party(),
        lines=(OrderLine(line_number=1, quantity=Decimal(qty), unit_of_measure="EA"),),
    )


def placed() -> Order:
    order, _ = Order.place("p", po(), payload_id="a", at=AT)
    return order


def test_place_starts_at_version_one_and_open() -> None:
    order, event = Order.place("p", po(), payload_id="a", at=AT)
    assert (order.version, order.status) == (1, OrderStatus.OPEN)
    assert (event.kind, event.version) == (OrderEventKind.RECEIVED, 1)
    assert order.current.version == 1


def test_place_refuses_changes_for_unknown_orders() -> None:
    with pytest.raises(UnknownOrderError, match="never received"):
        Order.place("p", po(OrderChange.UPDATE), payload_id="a", at=AT)


def test_update_replaces_the_order_and_bumps_the_version() -> None:
    order, event = placed().apply(po(OrderChange.UPDATE, qty=5), payload_id="b", at=AT)
    assert order.version == 2
    assert order.current.lines[0].quantity == 5
    assert event.kind is OrderEventKind.CHANGED
    assert order.current_payload_id == "b"


def test_explicit_versions_may_skip_but_never_go_back() -> None:
    order, _ = placed().apply(po(OrderChange.UPDATE, version=4), payload_id="b", at=AT)
    assert order.version == 4
    with pytest.raises(StaleVersionError):
        order.apply(po(OrderChange.UPDATE, version=3), payload_id="c", at=AT)
    with pytest.raises(StaleVersionError):
        order.apply(po(OrderChange.UPDATE, version=4), payload_id="c", at=AT)


def test_delete_cancels_and_keeps_the_lines() -> None:
    empty_delete = po(OrderChange.DELETE).model_copy(update={"lines": ()})
    order, event = placed().apply(empty_delete, payload_id="d", at=AT)
    assert order.status is OrderStatus.CANCELLED
    assert event.kind is OrderEventKind.CANCELLED
    assert len(order.current.lines) == 1
    with pytest.raises(OrderCancelledError):
        order.apply(po(OrderChange.UPDATE), payload_id="e", at=AT)


def test_new_for_existing_order_is_refused() -> None:
    with pytest.raises(OrderExistsError):
        placed().apply(po(), payload_id="x", at=AT)
