"""Issue 9 at the format level: undecodable bytes echoed in answers and spelled out in text,
groups rejected as a whole reject their sets, quantities of countable units are whole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.formats.x12 import (
    AckCode,
    ControlNumbers,
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    X12InboundRules,
    X12SyntaxError,
    build_997,
    build_ta1,
    read_850,
    readable,
)
from tests.unit.x12.x12_support import NOW, events, interchange, order_segments, sets_of

NUMBERS = ControlNumbers(interchange=1, group=1)


def test_readable_spells_undecodable_bytes_and_control_characters() -> None:
    assert readable("0001") == "0001"
    assert readable("Zürich") == "Zürich"
    assert readable(b"00\xe91".decode("utf-8", "surrogateescape")) == "00\\xe91"
    assert readable("A\x00B\x1f") == "A\\x00B\\x1f"


def test_an_answer_echoes_the_partners_undecodable_bytes() -> None:
    data = interchange([order_segments(1, control="00X1")]).replace(b"00X1", b"00\xff1")
    items = events(data)
    (transaction_set,) = sets_of(items)
    assert not transaction_set.ack.accepted  # AK403 6: the set holds bytes that are not UTF-8
    group = next(item for item in items if isinstance(item, GroupEnd))
    end = next(item for item in items if isinstance(item, InterchangeEnd))
    answer = build_997(end.header, [group.acknowledge()], numbers=NUMBERS, now=NOW)
    assert b"AK2*850*00\xff1~" in answer.data


def test_a_ta1_echoes_undecodable_bytes_of_the_isa() -> None:
    data = interchange([order_segments(1)]).replace(b"BUYER  ", b"BUY\xffR  ")
    end = next(item for item in events(data) if isinstance(item, InterchangeEnd))
    assert b"BUY\xffR" in build_ta1(end, numbers=NUMBERS, now=NOW).data


def test_a_group_rejected_as_a_whole_accepts_none_of_its_sets() -> None:
    data = interchange([order_segments(1), order_segments(2)]).replace(b"GE*2*1", b"GE*2*9")
    group = next(item for item in events(data) if isinstance(item, GroupEnd))
    assert group.rejected
    assert group.rejection == "GE02 '9' does not match GS06 '1'"
    ack = group.acknowledge()
    assert (ack.status, ack.accepted) == (AckCode.REJECTED, 0)
    assert [s.status for s in ack.sets] == [AckCode.REJECTED, AckCode.REJECTED]
    assert [s.codes for s in ack.sets] == [(), ()]  # the AK905 code says why


def test_a_group_with_only_a_count_error_is_not_rejected_as_a_whole() -> None:
    data = interchange([order_segments(1)]).replace(b"GE*1*1", b"GE*2*1")
    group = next(item for item in events(data) if isinstance(item, GroupEnd))
    assert not group.rejected
    assert group.acknowledge().status is AckCode.ACCEPTED_WITH_ERRORS


def test_an_interchange_with_a_damaged_gs_is_rejected_with_its_reasons() -> None:
    data = interchange([order_segments(1)]).replace(b"GS*PO*", b"GS|PO*")
    end = next(item for item in events(data) if isinstance(item, InterchangeEnd))
    assert end.status is AckCode.REJECTED
    assert end.rejection is not None
    assert "segment GS|PO outside a transaction set" in end.rejection


def order_with(po1: str, rules: X12InboundRules | None = None) -> Decimal:
    segments = [s if not s.startswith("PO1*1*") else po1 for s in order_segments(1, lines=1)]
    (transaction_set,) = sets_of(events(interchange([segments])))
    return read_850(transaction_set, rules).lines[0].quantity


@pytest.mark.parametrize("unit", ["EA", "CA", "PC"])
def test_a_fraction_of_a_countable_unit_is_refused_naming_po102(unit: str) -> None:
    with pytest.raises(X12SyntaxError, match=r"PO102: 0\.0001 is not a whole number") as refused:
        order_with(f"PO1*1*0.0001*{unit}*1.25**VN*SKU-1")
    error = refused.value
    assert (error.position.segment_id, error.position.element) == ("PO1", 2)
    assert (error.element_code, error.bad_value) == ("6", "0.0001")


def test_fractions_of_measured_units_and_whole_counts_are_read() -> None:
    assert order_with("PO1*1*0.25*LB*1.25**VN*SKU-1") == Decimal("0.25")
    assert order_with("PO1*1*2.000*EA*1.25**VN*SKU-1") == 2
    rules = X12InboundRules(whole_units=frozenset({"BX"}))
    assert order_with("PO1*1*0.5*EA*1.25**VN*SKU-1", rules) == Decimal("0.5")


def test_sets_sharing_an_st02_keep_their_own_verdicts() -> None:
    """Results are matched to a group's sets in order: a repeated ST02 (AK5 23 on the second)
    must not hand the second set's rejection to the first, which was accepted and acted on."""
    first = order_segments(1, control="0001")
    data = interchange([first, first])
    items = events(data)
    good, repeated = sets_of(items)
    assert good.ack.accepted
    assert repeated.ack.codes == ("23",)
    group = next(item for item in items if isinstance(item, GroupEnd))
    ack = group.acknowledge([good.ack, repeated.ack])
    assert [(s.status, s.codes) for s in ack.sets] == [
        (AckCode.ACCEPTED, ()),
        (AckCode.REJECTED, ("23",)),
    ]
    assert (ack.status, ack.received, ack.accepted) == (AckCode.PARTIALLY_ACCEPTED, 2, 1)
    # A verdict for the first set only (results may name some sets) stays with the first.
    refused = good.ack.rejected("5")
    only_first = group.acknowledge([refused])
    assert [s.codes for s in only_first.sets] == [("5",), ("23",)]


def isa_field(data: bytes, element: int, value: bytes) -> bytes:
    """`data` with ISA element `element` (1-16) set to `value` at the element's fixed width."""
    fields = data[:106].split(b"*")
    fields[element] = value.ljust(len(fields[element]))
    return b"*".join(fields) + data[106:]


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        (2, b"   \r", "011"),
        (3, b"0\r", "012"),
        (8, b"SELLER    \n", "008"),
        (13, b"000\r00001", "018"),
    ],
)
def test_a_fixed_width_isa_with_a_control_character_in_a_field_is_read_and_rejected(
    element: int, value: bytes, code: str
) -> None:
    """Found by fuzzing: a line break inside an ISA field made the whole body unreadable (400
    problem+json). At the standard's fixed width the ISA is framed beyond doubt, so it is read,
    and the field is noted with its TA105 code: the partner gets a TA1 saying what is wrong."""
    data = isa_field(interchange([order_segments(1)]), element, value)
    items = events(data)
    assert not [item for item in items if isinstance(item, InterchangeFailure)]
    end = next(item for item in items if isinstance(item, InterchangeEnd))
    assert end.note_code == code  # ISA13 also differs from IEA02 (001), which does not reject
    assert end.status is AckCode.REJECTED


def test_an_isa_of_another_width_with_a_line_break_is_still_unreadable() -> None:
    """Off the fixed width, a line break in a field means the ISA is cut short or its element
    separator is not what it seems: nothing in it can be trusted to address an answer."""
    data = interchange([order_segments(1)]).replace(b"*SELLER         *", b"*SEL\nLER*", 1)
    (failure, *_) = events(data)
    assert isinstance(failure, InterchangeFailure)


def test_a_fixed_width_isa_is_read_by_its_bytes_when_a_field_holds_multibyte_text() -> None:
    """Found by fuzzing: ISA06 held a two-byte UTF-8 character and a line feed. Its bytes sit at
    the fixed width, its decoded text does not (one character less), and the ISA was refused."""
    data = isa_field(interchange([order_segments(1)]), 6, b"BUY\xc9\x86\nER")
    items = events(data)
    assert not [item for item in items if isinstance(item, InterchangeFailure)]
    end = next(item for item in items if isinstance(item, InterchangeEnd))
    assert end.note_code == "006"
    assert end.status is AckCode.REJECTED
