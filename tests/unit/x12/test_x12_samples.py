"""Every real X12 sample is read; what the reader reports is derived from the file itself.

For each file listed in `samples/x12/SOURCES.tsv` the expectations come from two independent
places: the provenance row (delimiters, ISA12/GS08, transaction sets, as recorded when the
corpus was collected) and a deliberately naive whole-file re-count of the envelope (split on
the terminator, count segments, compare trailers). The streaming reader must agree with both:
no sample is refused, and the envelope problems it reports are exactly the ones the naive count
finds (IEA02 != ISA13 in four files, a truncated 850 whose SE01 says 33, gozer's synthetic
`ST*AAA` sets with wrong SE01 and GE01).
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.formats.x12 import (
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    TransactionSet,
    X12SyntaxError,
    read_850,
)
from schemas import OrderChange
from tests.unit.x12.x12_support import SAMPLES_DIR, events, sets_of

SAMPLES = SAMPLES_DIR
NEW_YORK = ZoneInfo("America/New_York")


def _rows() -> list[dict[str, str]]:
    sources = SAMPLES / "SOURCES.tsv"
    if not sources.is_file():
        return []
    with sources.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["standard"] == "X12"]


ROWS = _rows()


def _notes(row: dict[str, str]) -> dict[str, str]:
    """`ele=* sub=> rep=U seg=~ ...` of the notes column as a dict."""
    return dict(re.findall(r"([\w-]+)=(\S+)", row["notes"]))


def _char(value: str) -> str:
    if value == "\\n":
        return "\n"
    if value.startswith("0x"):
        return chr(int(value, 16))
    return value


class _Recount:
    """A deliberately naive whole-file envelope count, independent of the streaming reader."""

    def __init__(self) -> None:
        self.problems: set[tuple[str, str]] = set()
        self.isa13 = self.gs06 = self.st02 = ""
        self.groups = self.sets = self.count = 0

    def segment(self, parts: list[str]) -> None:
        tag = parts[0]
        if tag == "ISA":
            self.isa13, self.groups = parts[13].strip(), 0
        elif tag == "GS":
            self.gs06, self.groups, self.sets = parts[6], self.groups + 1, 0
        elif tag == "ST":
            self.st02, self.sets, self.count = parts[2], self.sets + 1, 1
            self.check(bool(re.fullmatch(r"\d{3}", parts[1])), "set 6", self.st02)
        elif tag == "SE":
            self.count += 1
            self.check(int(parts[1]) == self.count, "set 4", self.st02)
            self.check(parts[2] == self.st02, "set 3", self.st02)
        elif tag == "GE":
            self.check(int(parts[1]) == self.sets, "group 5", self.gs06)
            self.check(parts[2] == self.gs06, "group 4", self.gs06)
        elif tag == "IEA":
            self.check(parts[2] == self.isa13, "interchange 001", self.isa13)
            self.check(int(parts[1]) == self.groups, "interchange 021", self.isa13)
        else:
            self.count += 1

    def check(self, holds: bool, code: str, control: str) -> None:
        if not holds:
            self.problems.add((code, control))


def _naive_problems(data: bytes, element: str, terminator: str) -> set[tuple[str, str]]:
    """Envelope problems found by re-counting the whole file at once."""
    recount = _Recount()
    for raw in data.decode("utf-8").lstrip("\ufeff").split(terminator):
        if raw.strip():
            recount.segment(raw.strip().split(element))
    return recount.problems


def _reported(items: list[object]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for item in items:
        if isinstance(item, TransactionSet):
            found |= {(f"set {error.set_code}", item.control_number) for error in item.errors}
        elif isinstance(item, GroupEnd):
            found |= {(f"group {note.code}", item.group.control_number) for note in item.notes}
        elif isinstance(item, InterchangeEnd):
            found |= {(f"interchange {n.code}", item.header.control_number) for n in item.notes}
    return found


def test_every_sample_file_has_a_provenance_row() -> None:
    if not SAMPLES.is_dir():
        pytest.fail(f"shared X12 samples not found at {SAMPLES}")
    listed = {row["local_path"] for row in ROWS}
    present = {
        path.relative_to(SAMPLES).as_posix()
        for path in SAMPLES.rglob("*")
        if path.is_file() and path.name != "SOURCES.tsv"
    }
    assert present == listed


@pytest.mark.parametrize("row", ROWS, ids=[row["local_path"] for row in ROWS])
def test_sample_is_read_with_the_delimiters_and_versions_it_declares(row: dict[str, str]) -> None:
    data = (SAMPLES / row["local_path"]).read_bytes()
    items = events(data)
    assert not [item for item in items if isinstance(item, InterchangeFailure)]
    ends = [item for item in items if isinstance(item, InterchangeEnd)]
    assert ends, "no interchange read"
    notes = _notes(row)
    versions = dict(item.split("=") for item in row["version"].split())
    for end in ends:
        header = end.header
        assert header.delimiters.element == notes["ele"]
        assert header.delimiters.component == notes["sub"]
        assert header.delimiters.segment == _char(notes["seg"])
        declared = notes["rep"]
        uses_repetition = int(header.version) >= 402 and not declared.isalnum()
        assert header.delimiters.repetition == (declared if uses_repetition else None)
        assert header.version == versions["ISA12"]
    groups = [item.group.version for item in items if isinstance(item, GroupEnd)]
    assert set(groups) == set(versions["GS08"].split(","))
    expected_sets = []
    for part in filter(None, row["transaction_set"].split(",")):
        set_id, _, times = part.partition("x")
        expected_sets += [set_id] * (int(times) if times else 1)
    read_ids = sorted(ts.set_id for ts in sets_of(items))
    if expected_sets:
        assert read_ids == sorted(expected_sets)


@pytest.mark.parametrize("row", ROWS, ids=[row["local_path"] for row in ROWS])
def test_sample_envelope_problems_are_those_a_naive_recount_finds(row: dict[str, str]) -> None:
    data = (SAMPLES / row["local_path"]).read_bytes()
    notes = _notes(row)
    expected = _naive_problems(data, notes["ele"], _char(notes["seg"]))
    assert _reported(list(events(data))) == expected


@pytest.mark.parametrize("row", ROWS, ids=[row["local_path"] for row in ROWS])
def test_sample_positions_point_at_the_segments(row: dict[str, str]) -> None:
    data = (SAMPLES / row["local_path"]).read_bytes()
    for item in events(data):
        if isinstance(item, InterchangeEnd):
            assert data[item.header.byte_offset :].startswith(b"ISA")
        if isinstance(item, TransactionSet):
            assert data[item.byte_offset :].startswith(b"ST")
            last = len(item.segments) - 1
            assert data[item.segment_offset(last) :].startswith(item.segments[last].encode()[:3])
            for error in item.errors:
                offset = error.position.byte_offset
                assert offset is not None
                tag = (error.position.segment_id or "").encode()
                assert data[offset:].startswith(tag)


def _850s() -> list[tuple[str, int]]:
    found = []
    for row in ROWS:
        if "850" in row["transaction_set"]:
            data = (SAMPLES / row["local_path"]).read_bytes()
            count = sum(1 for ts in sets_of(events(data)) if ts.set_id == "850")
            found += [(row["local_path"], index) for index in range(count)]
    return found


@pytest.mark.parametrize(("path", "index"), _850s())
def test_every_sample_850_translates_or_is_refused_for_its_envelope(path: str, index: int) -> None:
    orders = [ts for ts in sets_of(events((SAMPLES / path).read_bytes())) if ts.set_id == "850"]
    transaction_set = orders[index]
    if transaction_set.errors:
        with pytest.raises(X12SyntaxError) as refused:
            read_850(transaction_set, tz=NEW_YORK)
        assert refused.value.set_code == transaction_set.errors[0].set_code
        assert refused.value.position == transaction_set.errors[0].position
        return
    order = read_850(transaction_set, tz=NEW_YORK)
    assert order.order_id
    assert order.lines
    assert order.order_date.tzinfo is not None


def _order(path: str, index: int = 0):  # type: ignore[no-untyped-def]
    orders = [ts for ts in sets_of(events((SAMPLES / path).read_bytes())) if ts.set_id == "850"]
    return read_850(orders[index], tz=NEW_YORK)


def test_node_x12_vics_850_key_facts() -> None:
    order = _order("node-x12/850.edi")
    assert order.order_id == "08292233294"
    assert order.change is OrderChange.NEW
    assert order.order_date.date() == date(2010, 11, 27)
    assert order.order_date.utcoffset() == NEW_YORK.utcoffset(order.order_date.replace(tzinfo=None))
    assert order.total == Decimal("13045.94")
    assert order.currency == "USD"
    assert order.ship_to is not None
    assert order.ship_to.name == "XYZ RETAIL"
    assert order.ship_to.address is not None
    assert order.ship_to.address.city == "SOLON"
    assert [line.line_number for line in order.lines] == [1, 2, 3, 4, 5, 6]
    first = order.lines[0]
    assert (first.supplier_part_id, first.buyer_part_id) == ("AB3542", "065322-117")
    assert (first.quantity, first.unit_of_measure, first.unit_price) == (
        Decimal(120),
        "EA",
        Decimal("9.25"),
    )
    assert first.description == "SMALL WIDGET"
    assert order.extensions["REF.DP"] == "038"
    assert order.requested_delivery_date is not None
    assert order.requested_delivery_date.date() == date(2010, 12, 14)
    assert order.buyer.identifiers[-1].scheme == "12"
    assert order.buyer.identifiers[-1].value == "4405197800"


def test_edi_net_850_with_bom_tabs_and_line_level_dates() -> None:
    order = _order("edi-net/x12.850a.edi")
    assert order.order_id == "4600000406"
    assert order.is_test
    assert [line.line_number for line in order.lines] == [100001, 200001, 200002]
    line = order.lines[0]
    assert line.unit_of_measure == "YD"
    assert line.buyer_part_id == "A_QU001-BLK"
    assert line.classifications[0].scheme == "J"
    assert line.classifications[0].value == "5811.00.3000"
    assert line.comments == "4.4OZ 100% POLYESTER QUILT\nFirst Quality"
    assert order.bill_to is not None
    assert order.bill_to.name == "Test Inc."
    assert order.buyer.identifiers[0].value == "1500"


def test_staedi_003010_850_with_six_digit_dates_and_no_prices() -> None:
    order = _order("staedi/invoice810_po850_dual.edi")
    assert order.order_id == "S115921858"
    assert order.order_date.date() == date(2004, 3, 17)
    assert [line.buyer_part_id for line in order.lines] == ["02006", "02008", "01019", "01220"]
    assert all(line.unit_price is None for line in order.lines)
    assert order.ship_to is not None
    assert order.ship_to.identifiers == ()


def test_node_x12_850_without_po101_numbers_lines_by_position() -> None:
    order = _order("node-x12/850_3.edi")
    assert order.order_id == "----------"
    assert order.lines[0].line_number == 1
    assert order.lines[0].unit_of_measure == "KI"
    assert order.lines[0].unit_price == Decimal(225)
    assert order.lines[0].extensions["product_id.SK"] == "000000000001010700"
