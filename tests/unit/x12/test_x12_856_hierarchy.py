"""The 856 HL tree is what BSN05 says it is, and cartons hold their items (issue 9).

BSN05 `0001` (pick and pack) is shipment, order, pack, item: every item sits in the pack (carton,
`MAN*GM` SSCC) that holds it, every pack holds at least one item. Retailers' receiving scans a
carton's SSCC and checks its contents against the ASN, so a pack level is written only when the
notice says what the package holds: the lines name it, or it is the shipment's only package.
When several packages carry lines that name none, the notice is BSN05 `0004` (shipment, order,
item) with the package count on the shipment's TD1 - no guessed carton contents.

The tree is read back with pyx12's X12Reader, an independent X12 reader, not with ours.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pyx12.x12file
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.formats.x12 import ControlNumbers, X12PartnerSettings, build_document
from schemas import (
    Identifier,
    OrderReference,
    Package,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOrder,
)
from schemas.gs1 import gs1_check_digit
from tests.unit.x12.x12_support import NOW, pyx12_errors

SSCC_1 = "000123450000000010"
SSCC_2 = "000123450000000027"
SETTINGS = X12PartnerSettings(
    our_qualifier="ZZ", our_id="SELLER", partner_qualifier="ZZ", partner_id="RETAILER"
)


@dataclass
class Level:
    """One HL level as pyx12 read it, with the segments under it."""

    number: str
    parent: str
    code: str
    segments: list[list[str]] = field(default_factory=list)

    def first(self, segment_id: str) -> list[str] | None:
        return next((s for s in self.segments if s[0] == segment_id), None)


@dataclass
class Read856:
    """BSN05, the HL levels in order, and CTT01/CTT02, read by pyx12."""

    structure: str
    levels: list[Level]
    ctt: list[str]

    def by_number(self) -> dict[str, Level]:
        return {level.number: level for level in self.levels}

    def children(self, level: Level) -> list[Level]:
        return [child for child in self.levels if child.parent == level.number]

    def shape(self) -> list[tuple[str, str]]:
        """(code, parent code) of every level, in order."""
        numbers = self.by_number()
        return [(lv.code, numbers[lv.parent].code if lv.parent else "") for lv in self.levels]


def read_856(data: bytes) -> Read856:
    """Read an 856 interchange with pyx12 (envelope checked: no errors allowed)."""
    assert pyx12_errors(data) == []
    reader = pyx12.x12file.X12Reader(io.StringIO(data.decode("utf-8")))
    structure, ctt, levels = "", [], []
    for segment in reader:
        seg_id = segment.get_seg_id()
        values = [seg_id] + [segment.get_value(f"{seg_id}{n:02d}") or "" for n in range(1, 10)]
        if seg_id == "BSN":
            structure = values[5]
        elif seg_id == "HL":
            levels.append(Level(values[1], values[2], values[3]))
        elif seg_id == "CTT":
            ctt = values[1:3]
        elif levels and seg_id not in {"SE", "GE", "IEA"}:
            levels[-1].segments.append(values)
    reader.cleanup()
    return Read856(structure, levels, ctt)


def encode(notice: ShipNotice) -> Read856:
    numbers = ControlNumbers(interchange=1, group=1, transaction_set=1)
    return read_856(build_document(notice, SETTINGS, numbers=numbers, now=NOW).data)


def line(number: int, quantity: int, package_id: str | None = None) -> ShipNoticeLine:
    return ShipNoticeLine(
        line_number=number,
        quantity=Decimal(quantity),
        unit_of_measure="EA",
        supplier_part_id=f"SKU-{number}",
        package_id=package_id,
    )


def notice(packages: list[Package], *orders: tuple[str, list[ShipNoticeLine]]) -> ShipNotice:
    return ShipNotice(
        shipment_id="SHP-1",
        notice_date=NOW,
        shipment_date=NOW,
        delivery_date=NOW + timedelta(days=2),
        carriers=(
            ShipControl(
                carrier=(Identifier(scheme="SCAC", value="UPSN"),), tracking_numbers=("1Z",)
            ),
        ),
        packages=tuple(packages),
        orders=tuple(
            ShipNoticeOrder(order=OrderReference(order_id=order_id), lines=tuple(lines))
            for order_id, lines in orders
        ),
    )


def assert_pick_and_pack(read: Read856) -> None:
    """What a 0001 validator checks: S > O > P > I, no empty pack, no item outside a pack."""
    assert read.structure == "0001"
    allowed = {"S": "", "O": "S", "P": "O", "I": "P"}
    for code, parent in read.shape():
        assert allowed[code] == parent, read.shape()
    for level in read.levels:
        if level.code == "P":
            assert level.first("MAN") is not None
            assert [c.code for c in read.children(level)], f"pack {level.number} holds no item"


def shipped(read: Read856) -> Counter[tuple[str, str]]:
    """(line, quantity) of every SN1."""
    return Counter(
        (sn1[1], sn1[2]) for level in read.levels for sn1 in level.segments if sn1[0] == "SN1"
    )


def test_one_sscc_carton_holds_every_line_of_the_order() -> None:
    """The demo's shipment: one SSCC package, lines that name none - they are in it."""
    read = encode(
        notice([Package(package_id=SSCC_1, is_sscc=True)], ("PO-1", [line(1, 10), line(2, 4)]))
    )
    assert_pick_and_pack(read)
    assert read.shape() == [("S", ""), ("O", "S"), ("P", "O"), ("I", "P"), ("I", "P")]
    pack = read.levels[2]
    assert pack.first("MAN") == ["MAN", "GM", SSCC_1, "", "", "", "", "", "", ""]
    assert [c.first("SN1")[1:3] for c in read.children(pack)] == [["1", "10"], ["2", "4"]]  # type: ignore[index]
    assert read.ctt == ["5", "14"]


def test_lines_go_into_the_packages_they_name_per_order() -> None:
    packages = [
        Package(package_id=SSCC_1, is_sscc=True, gross_weight=Decimal("2.5"), weight_unit="KGM"),
        Package(package_id=SSCC_2, is_sscc=True),
    ]
    read = encode(
        notice(
            packages,
            ("PO-1", [line(1, 3, SSCC_1), line(2, 1, SSCC_2), line(3, 2, SSCC_1)]),
            ("PO-2", [line(1, 5, SSCC_2)]),
        )
    )
    assert_pick_and_pack(read)
    contents: dict[tuple[str, str], list[str]] = {}
    numbers = read.by_number()
    for level in read.levels:
        if level.code == "I":
            pack = numbers[level.parent]
            order = numbers[pack.parent]
            key = (order.first("PRF")[1], pack.first("MAN")[2])  # type: ignore[index]
            contents.setdefault(key, []).append(level.first("SN1")[1])  # type: ignore[index]
    assert contents == {
        ("PO-1", SSCC_1): ["1", "3"],
        ("PO-1", SSCC_2): ["2"],
        ("PO-2", SSCC_2): ["1"],
    }
    # The carton's weight is said once, at its first pack level.
    weights = [lv.first("TD1") for lv in read.levels if lv.code == "P"]
    assert weights[0] is not None
    assert weights[0][6:9] == ["G", "2.5", "KGM"]
    assert shipped(read) == Counter({("1", "3"): 1, ("2", "1"): 1, ("3", "2"): 1, ("1", "5"): 1})


def test_several_packages_whose_contents_are_unknown_make_a_shipment_order_item_notice() -> None:
    packages = [Package(package_id=SSCC_1, is_sscc=True), Package(package_id=SSCC_2, is_sscc=True)]
    read = encode(notice(packages, ("PO-1", [line(1, 10), line(2, 4)])))
    assert read.structure == "0004"
    assert read.shape() == [("S", ""), ("O", "S"), ("I", "O"), ("I", "O")]
    assert read.levels[0].first("TD1")[1:3] == ["CTN25", "2"]  # type: ignore[index]
    assert shipped(read) == Counter({("1", "10"): 1, ("2", "4"): 1})


def test_a_package_no_line_is_in_gets_no_empty_pack_level() -> None:
    packages = [Package(package_id=SSCC_1, is_sscc=True), Package(package_id="PALLET-9")]
    read = encode(notice(packages, ("PO-1", [line(1, 10, SSCC_1), line(2, 4, SSCC_1)])))
    assert_pick_and_pack(read)
    assert [lv.first("MAN")[2] for lv in read.levels if lv.code == "P"] == [SSCC_1]  # type: ignore[index]
    assert read.levels[0].first("TD1")[1:3] == ["CTN25", "2"]  # type: ignore[index]


def test_no_packages_is_shipment_order_item() -> None:
    read = encode(notice([], ("PO-1", [line(1, 10)])))
    assert read.structure == "0004"
    assert read.shape() == [("S", ""), ("O", "S"), ("I", "O")]


ssccs = st.from_regex(r"\A[0-9]{17}\Z").map(lambda d: f"{d}{gs1_check_digit(d)}")


@st.composite
def notices(draw: st.DrawFn) -> ShipNotice:
    ids = draw(
        st.lists(ssccs | st.sampled_from(["BOX-1", "BOX-2", "PALLET"]), unique=True, max_size=4)
    )
    packages = [Package(package_id=i, is_sscc=i.isdigit()) for i in ids]
    orders = []
    for order_number in range(draw(st.integers(1, 3))):
        lines = [
            line(
                n, draw(st.integers(1, 50)), draw(st.none() | st.sampled_from(ids)) if ids else None
            )
            for n in sorted(draw(st.sets(st.integers(1, 20), min_size=1, max_size=4)))
        ]
        orders.append((f"PO-{order_number}", lines))
    return notice(packages, *orders)


@settings(max_examples=60, deadline=None)
@given(notices())
def test_every_notice_is_pick_and_pack_exactly_when_every_carton_content_is_known(
    ship_notice: ShipNotice,
) -> None:
    read = encode(ship_notice)
    lines = [ln for portion in ship_notice.orders for ln in portion.lines]
    known = ship_notice.packages and (
        len(ship_notice.packages) == 1 or all(ln.package_id for ln in lines)
    )
    if known:
        assert_pick_and_pack(read)
    else:
        assert read.structure == "0004"
        assert {code for code, _ in read.shape()} <= {"S", "O", "I"}
    assert shipped(read) == Counter((str(ln.line_number), str(ln.quantity)) for ln in lines)
    assert read.ctt == [str(len(read.levels)), str(sum(ln.quantity for ln in lines))]
