"""The canonical InventorySnapshot/StockLevel that the 846 writer reads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas.inventory import InventorySnapshot, StockLevel

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _level(**values: object) -> StockLevel:
    base: dict[str, object] = {"sku": "SKU-1", "quantity_on_hand": "12", "unit_of_measure": "EA"}
    base.update(values)
    return StockLevel.model_validate(base)


def test_json_round_trip_keeps_decimals_as_strings() -> None:
    snapshot = InventorySnapshot(
        snapshot_id="STOCK-1",
        as_of=NOW,
        items=(_level(quantity_available="10.5", location="DC1"), _level(location="DC2")),
    )
    data = snapshot.model_dump(mode="json")
    assert data["document_type"] == "inventory_snapshot"
    assert data["items"][0]["quantity_available"] == "10.5"
    assert InventorySnapshot.model_validate_json(snapshot.model_dump_json()) == snapshot
    assert snapshot.items[0].quantity_on_hand == Decimal(12)


def test_an_item_is_named_and_appears_once_per_location() -> None:
    with pytest.raises(ValidationError, match="names its item"):
        _level(sku=None)
    assert _level(sku=None, buyer_part_id="B-1").buyer_part_id == "B-1"
    with pytest.raises(ValidationError, match="once per location"):
        InventorySnapshot(
            snapshot_id="S", as_of=NOW, items=(_level(location="DC1"), _level(location="DC1"))
        )


def test_refusals_follow_the_canonical_conventions() -> None:
    with pytest.raises(ValidationError, match="binary floats"):
        _level(quantity_on_hand=1.5)
    with pytest.raises(ValidationError):
        InventorySnapshot(snapshot_id="S", as_of=datetime(2026, 1, 1), items=())  # noqa: DTZ001
    with pytest.raises(ValidationError):
        _level(unknown="x")
    with pytest.raises(ValidationError):
        _level(sku="A\nB")
    assert StockLevel.model_fields["quantity_on_hand"].description
