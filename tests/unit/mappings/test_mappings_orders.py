"""map_purchase_order: units to Rec 20, SKUs set, every problem of every line in one error."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from mappings.engine import (
    MappingError,
    MappingStore,
    PartnerMapping,
    map_purchase_order,
)
from schemas import OrderChange, OrderLine, PurchaseOrder

LineFactory = Callable[..., OrderLine]
OrderFactory = Callable[..., PurchaseOrder]


@pytest.fixture
def mapping(mappings_root: Path) -> PartnerMapping:
    return MappingStore(mappings_root).mapping("acme")


def test_units_and_skus_are_mapped(
    mapping: PartnerMapping, line: LineFactory, order: OrderFactory
) -> None:
    original = order(
        line(1, "each", supplier_part_id="ACME-1", description="paper"),
        line(2, "PCS", buyer_part_id="BUY-7", supplier_part_id="whatever"),
        line(3, "KGM", supplier_part_id="acme-2"),
    )

    mapped = map_purchase_order(original, mapping)

    assert [(ln.unit_of_measure, ln.sku) for ln in mapped.lines] == [
        ("EA", "B2C-1001"),
        ("H87", "B2C-1007"),
        ("KGM", "B2C-1002"),
    ]
    # everything else is untouched, and the input is not modified
    assert mapped.lines[0].description == "paper"
    assert mapped.lines[1].supplier_part_id == "whatever"
    assert mapped.lines[0].quantity == Decimal("2")
    assert mapped.model_dump(exclude={"lines"}) == original.model_dump(exclude={"lines"})
    assert [ln.unit_of_measure for ln in original.lines] == ["each", "PCS", "KGM"]
    assert all(ln.sku is None for ln in original.lines)


def test_mapping_is_idempotent(
    mapping: PartnerMapping, line: LineFactory, order: OrderFactory
) -> None:
    once = map_purchase_order(order(line(1, "EACH", supplier_part_id="ACME-1")), mapping)
    assert map_purchase_order(once, mapping) == once


def test_all_problems_are_reported_in_one_error(
    mapping: PartnerMapping, line: LineFactory, order: OrderFactory
) -> None:
    bad = order(
        line(1, "EA", supplier_part_id="ACME-1"),
        line(2, "BOXX", supplier_part_id="ACME-2"),
        line(3, "EA", supplier_part_id="X-1"),
        line(4, "LITRE", buyer_part_id="B-4"),
    )

    with pytest.raises(MappingError) as caught:
        map_purchase_order(bad, mapping)

    problems = caught.value.problems
    assert [(p.line_number, p.field, p.value) for p in problems] == [
        (2, "unit_of_measure", "BOXX"),
        (3, "sku", "X-1"),
        (4, "unit_of_measure", "LITRE"),
        (4, "sku", "B-4"),
    ]
    assert problems[0].files == ("codelists/uom.csv",)
    assert problems[1].files == ("partners/acme/part_xref.csv",)
    assert str(caught.value) == (
        "line 2: unit 'BOXX' is not in codelists/uom.csv; "
        "line 3: part 'X-1' is not in partners/acme/part_xref.csv; "
        "line 4: unit 'LITRE' is not in codelists/uom.csv; "
        "line 4: part 'B-4' is not in partners/acme/part_xref.csv"
    )


def test_a_cancellation_without_lines_maps_to_itself(
    mapping: PartnerMapping, order: OrderFactory
) -> None:
    cancellation = order(change=OrderChange.DELETE)
    assert map_purchase_order(cancellation, mapping) == cancellation


def test_mapping_error_survives_pickling(
    mapping: PartnerMapping, line: LineFactory, order: OrderFactory
) -> None:
    import pickle

    with pytest.raises(MappingError) as caught:
        map_purchase_order(order(line(1, "BOXX", supplier_part_id="ACME-1")), mapping)
    restored = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert restored.problems == caught.value.problems
    assert str(restored) == str(caught.value)


def test_mapping_error_needs_problems() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        MappingError([])
