"""The cross-reference read backwards, as the feeds read it: our SKU -> the partner's part id."""

from __future__ import annotations

import pytest

from mappings.engine import MappingConfigError
from mappings.engine.crossref import PartCrossReference

CSV = b"""partner_part_id,sku,description
 bp-100 ,SKU-1,first name of SKU-1
BP-101,SKU-1,second name of SKU-1
VN-2, SKU-2 ,padded sku
"""


def test_part_for_names_the_first_part_id_as_written() -> None:
    table = PartCrossReference.from_csv(CSV, "partners/p/part_xref.csv")
    assert table.part_for("SKU-1") == "bp-100"  # stripped, case kept: it is the partner's id
    assert table.part_for(" SKU-2 ") == "VN-2"
    assert table.part_for("SKU-3") is None
    assert table.skus() == frozenset({"SKU-1", "SKU-2"})
    # Both ids still find the SKU on the way in.
    assert table.find("BP-100") == table.find("bp-101") == "SKU-1"
    assert len(table) == 3


def test_an_id_mapped_to_two_skus_is_refused() -> None:
    with pytest.raises(MappingConfigError, match="maps to both"):
        PartCrossReference.from_rows([("X-1", "SKU-1"), ("x-1", "SKU-2")], "f.csv")


def test_a_table_of_100_000_rows_names_every_sku() -> None:
    rows = [(f"P-{i}", f"SKU-{i}") for i in range(100_000)]
    table = PartCrossReference.from_rows(rows, "big.csv")
    assert table.part_for("SKU-99999") == "P-99999"
    assert len(table.skus()) == 100_000
