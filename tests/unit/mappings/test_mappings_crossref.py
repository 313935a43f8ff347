"""Part cross-reference: buyer part id first, then supplier part id, then the policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mappings.engine import (
    MappingConfigError,
    MappingError,
    PartCrossReference,
    UnknownPartPolicy,
    resolve_sku,
)
from schemas import OrderLine

FILE = "partners/acme/part_xref.csv"
XREF = PartCrossReference.from_csv(
    b"partner_part_id,sku,description\n"
    b"ACME-1,B2C-1001,paper\n"
    b"BUY-7,B2C-1007,cable ties\n"
    b"SUP-7,B2C-1008,bolts\n",
    FILE,
)

LineFactory = Callable[..., OrderLine]


def _problem_of(
    line: OrderLine, crossref: PartCrossReference | None, policy: UnknownPartPolicy
) -> str:
    with pytest.raises(MappingError) as caught:
        resolve_sku(line, crossref, policy)
    (problem,) = caught.value.problems
    assert problem.line_number == line.line_number
    assert problem.field == "sku"
    return str(problem)


def test_buyer_part_id_is_looked_up(line: LineFactory) -> None:
    assert resolve_sku(line(1, buyer_part_id="BUY-7"), XREF, "reject") == "B2C-1007"


def test_supplier_part_id_is_looked_up(line: LineFactory) -> None:
    assert resolve_sku(line(1, supplier_part_id="ACME-1"), XREF, "reject") == "B2C-1001"


def test_buyer_part_id_wins_over_supplier_part_id(line: LineFactory) -> None:
    found = resolve_sku(line(1, buyer_part_id="BUY-7", supplier_part_id="SUP-7"), XREF, "reject")
    assert found == "B2C-1007"


def test_unknown_buyer_part_falls_back_to_supplier_part(line: LineFactory) -> None:
    found = resolve_sku(line(1, buyer_part_id="NOPE", supplier_part_id="SUP-7"), XREF, "reject")
    assert found == "B2C-1008"


def test_lookup_normalises_case_and_whitespace(line: LineFactory) -> None:
    assert resolve_sku(line(1, supplier_part_id=" acme-1 "), XREF, "reject") == "B2C-1001"
    assert XREF.find("buy-7") == "B2C-1007"


def test_reject_policy_names_part_and_file(line: LineFactory) -> None:
    text = _problem_of(line(3, supplier_part_id="X-1"), XREF, "reject")
    assert text == "line 3: part 'X-1' is not in partners/acme/part_xref.csv"


def test_reject_policy_names_both_ids(line: LineFactory) -> None:
    text = _problem_of(line(2, buyer_part_id="B-9", supplier_part_id="S-9"), XREF, "reject")
    assert "'B-9' (buyer) and 'S-9' (supplier) are not in partners/acme/part_xref.csv" in text


@pytest.mark.parametrize("policy", ["reject", "supplier_part_id_is_sku"])
def test_line_without_part_ids_is_a_problem_under_both_policies(
    line: LineFactory, policy: UnknownPartPolicy
) -> None:
    text = _problem_of(line(1, supplier_part_id="  "), XREF, policy)
    assert "neither a buyer_part_id nor a supplier_part_id" in text


def test_supplier_part_id_is_sku_policy(line: LineFactory) -> None:
    policy: UnknownPartPolicy = "supplier_part_id_is_sku"
    assert resolve_sku(line(1, supplier_part_id=" B2C-2000 "), XREF, policy) == "B2C-2000"
    assert resolve_sku(line(1, supplier_part_id="B2C-2000"), None, policy) == "B2C-2000"
    # the cross-reference still wins when it knows the part
    assert resolve_sku(line(1, supplier_part_id="ACME-1"), XREF, policy) == "B2C-1001"


def test_supplier_part_id_is_sku_needs_a_supplier_part_id(line: LineFactory) -> None:
    text = _problem_of(line(4, buyer_part_id="B-9"), XREF, "supplier_part_id_is_sku")
    assert "buyer part 'B-9' is not in partners/acme/part_xref.csv" in text
    assert "no supplier_part_id to use as SKU" in text


def test_conflicting_duplicate_is_a_config_error() -> None:
    data = b"partner_part_id,sku,description\nA-1,B2C-1,x\na-1 ,B2C-2,y\n"
    with pytest.raises(MappingConfigError) as caught:
        PartCrossReference.from_csv(data, FILE)
    assert caught.value.file == FILE
    assert "'a-1' maps to both 'B2C-1' and 'B2C-2'" in caught.value.detail


def test_header_is_checked() -> None:
    with pytest.raises(
        MappingConfigError, match="header must be 'partner_part_id,sku,description'"
    ):
        PartCrossReference.from_csv(b"part,sku,description\nA,B,C\n", FILE)


def test_empty_sku_is_a_config_error() -> None:
    with pytest.raises(MappingConfigError, match="line 2: sku is empty"):
        PartCrossReference.from_csv(b"partner_part_id,sku,description\nA-1,,x\n", FILE)
