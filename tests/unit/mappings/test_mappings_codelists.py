"""Code lists: strict, two-way, normalised lookups; conflicting rows are configuration errors."""

from __future__ import annotations

import re

import pytest

from mappings.engine import (
    CodeList,
    MappingConfigError,
    MappingError,
    default_mappings_root,
    normalise_code,
)

FILE = "codelists/uom.csv"


def _csv(*rows: str, header: str = "partner_code,canonical_code,description") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def _units(*rows: str, file: str = FILE) -> CodeList:
    return CodeList.from_csv(_csv(*rows), file, label="unit")


@pytest.fixture(scope="module")
def shipped() -> CodeList:
    data = (default_mappings_root() / "codelists" / "uom.csv").read_bytes()
    return CodeList.from_csv(data, FILE, label="unit")


def test_shipped_list_maps_every_rec20_code_to_itself_first(shipped: CodeList) -> None:
    for code in shipped.canonical_codes:
        assert re.fullmatch(r"[A-Z0-9]{2,3}", code), code
        assert shipped.to_canonical(code) == code
        assert shipped.to_partner(code) == code, "the first row of a code must be the code itself"


PROCUREMENT_UNITS = [
    "EA",
    "H87",
    "C62",
    "BX",
    "CS",
    "PK",
    "PR",
    "DZN",
    "SET",
    "KGM",
    "GRM",
    "LBR",
    "LTR",
    "MLT",
    "MTR",
    "CMT",
    "FOT",
    "INH",
    "MTK",
    "HUR",
    "DAY",
    "MON",
    "RO",
    "BG",
    "CT",
    "PA",
    "PL",
    "TU",
    "KT",
    "LO",
]


@pytest.mark.parametrize("code", PROCUREMENT_UNITS)
def test_shipped_list_has_the_procurement_units(shipped: CodeList, code: str) -> None:
    assert code in shipped.canonical_codes


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("EACH", "EA"),
        ("PCS", "H87"),
        ("PC", "H87"),
        ("PCE", "H87"),
        ("BOX", "BX"),
        ("CASE", "CS"),
        ("PACK", "PK"),
        ("DOZ", "DZN"),
        ("DZ", "DZN"),
        ("KG", "KGM"),
        ("G", "GRM"),
        ("LB", "LBR"),
        ("L", "LTR"),
        ("M", "MTR"),
        ("HR", "HUR"),
        ("CAR", "CT"),
    ],
)
def test_shipped_aliases(shipped: CodeList, alias: str, canonical: str) -> None:
    assert shipped.to_canonical(alias) == canonical


@pytest.mark.parametrize("ambiguous", ["CA", "ST", "GR", "LT"])
def test_ambiguous_codes_are_not_guessed(shipped: CodeList, ambiguous: str) -> None:
    with pytest.raises(MappingError):
        shipped.to_canonical(ambiguous)


@pytest.mark.parametrize("sent", ["each", " Each ", "EACH\t", "ea"])
def test_lookup_normalises_case_and_whitespace(shipped: CodeList, sent: str) -> None:
    assert shipped.to_canonical(sent) == "EA"
    assert normalise_code(sent) in shipped.partner_codes


def test_unknown_code_raises_with_the_file_named() -> None:
    units = _units("EA,EA,each")
    with pytest.raises(MappingError) as caught:
        units.to_canonical("BOXX", field="unit_of_measure")

    (problem,) = caught.value.problems
    assert problem.line_number is None
    assert problem.field == "unit_of_measure"
    assert problem.value == "BOXX"
    assert problem.files == (FILE,)
    assert str(caught.value) == "header: unit 'BOXX' is not in codelists/uom.csv"
    assert units.find_canonical("BOXX") is None


def test_to_partner_gives_the_first_row_of_a_canonical_code() -> None:
    units = _units("EACH,EA,alias first", "EA,EA,each", "PCS,H87,piece")
    assert units.to_partner("EA") == "EACH"
    assert units.to_partner(" h87 ") == "PCS"
    assert units.to_canonical("EA") == "EA"
    with pytest.raises(MappingError, match=r"unit 'KGM' has no partner code in codelists/uom\.csv"):
        units.to_partner("KGM")
    assert units.find_partner("KGM") is None


def test_conflicting_duplicate_is_a_config_error() -> None:
    with pytest.raises(MappingConfigError) as caught:
        _units("EA,EA,each", "PC,H87,piece", "pc ,EA,each again")
    assert caught.value.file == FILE
    assert "'pc' maps to both 'H87' and 'EA'" in caught.value.detail


def test_repeated_identical_row_is_harmless() -> None:
    units = _units("EA,EA,each", "ea,EA,each (again)")
    assert len(units) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_csv("EA,EA,each", header="code,canonical,description"), "header must be"),
        (b"", "header must be"),
        (_csv("EA,EA"), "line 2: expected 3 columns, found 2"),
        (_csv("EA,EA,each,extra"), "line 2: expected 3 columns, found 4"),
        (_csv("EA,EA,each", ",EA,missing"), "line 3: partner_code is empty"),
        (_csv("EA, ,missing"), "line 2: canonical_code is empty"),
        (_csv('EA,EA,"unclosed'), "line"),
        (b"partner_code,canonical_code,description\n\xff\xfe,EA,x\n", "not UTF-8"),
    ],
)
def test_malformed_csv_is_a_config_error(data: bytes, message: str) -> None:
    with pytest.raises(MappingConfigError, match=re.escape(message)) as caught:
        CodeList.from_csv(data, FILE, label="unit")
    assert caught.value.file == FILE


def test_byte_order_mark_and_blank_lines_are_accepted() -> None:
    data = "\ufeffpartner_code,canonical_code,description\n\nEA,EA,each\n,,\n".encode()
    units = CodeList.from_csv(data, FILE, label="unit")
    assert units.to_canonical("ea") == "EA"
    assert len(units) == 1


def test_overrides_win_in_both_directions() -> None:
    shared = _units("EA,EA,each", "H87,H87,piece", "PCS,H87,piece")
    override = _units("UNIT,EA,each", "PCS,EA,this partner means each", file="partners/x/uom.csv")
    units = shared.with_overrides(override)

    assert units.files == ("partners/x/uom.csv", FILE)
    assert units.to_canonical("PCS") == "EA"
    assert units.to_canonical("UNIT") == "EA"
    assert units.to_canonical("H87") == "H87"
    assert units.to_partner("EA") == "UNIT"
    assert units.to_partner("H87") == "H87"
    with pytest.raises(MappingError, match=r"is not in partners/x/uom\.csv or codelists/uom\.csv"):
        units.to_canonical("BOXX")


def test_override_cannot_invent_canonical_codes() -> None:
    shared = _units("EA,EA,each")
    override = _units("BAG,XB,bag (Rec 21)", file="partners/x/uom.csv")
    with pytest.raises(MappingConfigError) as caught:
        shared.with_overrides(override)
    assert caught.value.file == "partners/x/uom.csv"
    assert "['XB']" in caught.value.detail
