"""The canonical purchase order: its public JSON shape and its invariants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas import OrderChange, OrderLine, Party, PurchaseOrder

REQUIRED_KEYS = {
    "document_type",
    "order_id",
    "change",
    "version",
    "order_date",
    "currency",
    "total",
    "buyer",
    "supplier",
    "ship_to",
    "bill_to",
    "lines",
}
LINE_KEYS = {
    "line_number",
    "supplier_part_id",
    "buyer_part_id",
    "description",
    "quantity",
    "unit_of_measure",
    "unit_price",
    "requested_delivery_date",
}


def make_order(**changes: object) -> PurchaseOrder:
    values: dict[str, object] = {
        "order_id": "PO-1",
        "order_date": datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
        "currency": "USD",
        "total": Decimal("21.00"),
        "buyer": Party(name="Buyer"),
        "supplier": Party(name="Us"),
        "lines": (
            OrderLine(
                line_number=1,
                quantity=Decimal("2"),
                unit_of_measure="EA",
                unit_price=Decimal("10.50"),
            ),
        ),
    }
    values.update(changes)
    return PurchaseOrder.model_validate(values)


def test_json_has_the_public_keys_and_decimal_strings() -> None:
    data = make_order().model_dump(mode="json")
    assert data.keys() >= REQUIRED_KEYS
    assert data["lines"][0].keys() >= LINE_KEYS
    assert data["document_type"] == "purchase_order"
    assert data["total"] == "21.00"
    assert data["lines"][0]["quantity"] == "2"
    assert data["lines"][0]["unit_price"] == "10.50"
    assert data["order_date"] == "2026-11-01T09:30:00Z"


def test_json_round_trip_is_lossless() -> None:
    order = make_order(total=Decimal("0.10"))
    assert PurchaseOrder.model_validate_json(order.model_dump_json()) == order


def test_floats_are_refused_for_amounts() -> None:
    with pytest.raises(ValidationError, match="binary floats"):
        make_order(total=0.1)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-Infinity"), "NaN", "Infinity", "inf"])
def test_amounts_and_quantities_must_be_finite(value: object) -> None:
    with pytest.raises(ValidationError, match="finite number"):
        make_order(total=value)
    line = {"line_number": 1, "quantity": value, "unit_of_measure": "EA"}
    with pytest.raises(ValidationError, match="finite number"):
        make_order(lines=(line,))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError):
        make_order(order_date=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        PurchaseOrder.model_validate({**make_order().model_dump(), "colour": "red"})


def test_models_are_frozen() -> None:
    order = make_order()
    with pytest.raises(ValidationError):
        order.order_id = "other"  # type: ignore[misc]


def test_new_order_needs_lines_but_delete_does_not() -> None:
    with pytest.raises(ValidationError, match="at least one line"):
        make_order(lines=())
    assert make_order(lines=(), change=OrderChange.DELETE).lines == ()


def test_line_numbers_are_unique() -> None:
    line = OrderLine(line_number=1, quantity=Decimal(1), unit_of_measure="EA")
    with pytest.raises(ValidationError, match="repeated"):
        make_order(lines=(line, line))


@pytest.mark.parametrize("currency", ["usd", "US", "DOLLAR"])
def test_currency_is_iso_4217(currency: str) -> None:
    with pytest.raises(ValidationError):
        make_order(currency=currency)
