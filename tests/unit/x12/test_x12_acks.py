"""997, 999 and TA1 both ways: built from reader and translator results, read back from partners.

Every acknowledgement we write is re-read by our reader and by pyx12's X12Reader without
envelope errors; it answers in the partner's delimiters, ISA12 and GS08, with the control
numbers passed in.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.formats.x12 import (
    AckCode,
    ControlNumbers,
    GroupAck,
    GroupEnd,
    InterchangeEnd,
    SetAck,
    TransactionSet,
    X12Error,
    X12SyntaxError,
    X12UnsupportedError,
    build_997,
    build_999,
    build_ta1,
    count_ack_groups,
    read_850,
    read_acknowledgment,
)
from tests.unit.x12.x12_support import (
    NOW,
    SAMPLES_DIR,
    assert_clean,
    events,
    interchange,
    isa,
    order_segments,
    pyx12_errors,
    sets_of,
)

NUMBERS = ControlNumbers(interchange=123, group=77, transaction_set=5)


def acknowledge(data: bytes) -> tuple[InterchangeEnd, list[GroupAck]]:
    """What the ingest service does: translate each set, fold results into group acks."""
    acks: list[GroupAck] = []
    results: list[SetAck] = []
    end = None
    for item in events(data):
        if isinstance(item, TransactionSet):
            try:
                read_850(item)
                results.append(item.ack)
            except X12Error as error:
                results.append(item.ack.for_error(error))
        elif isinstance(item, GroupEnd):
            acks.append(item.acknowledge(results))
            results = []
        elif isinstance(item, InterchangeEnd):
            end = item
    assert end is not None
    return end, acks


def _segments(data: bytes, terminator: str = "~") -> list[str]:
    return [s.strip() for s in data.decode().split(terminator) if s.strip()]


def test_997_for_an_accepted_group_in_the_partners_envelope() -> None:
    end, acks = acknowledge(interchange([order_segments(1), order_segments(2)]))
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    assert out.data.decode() == (
        "ISA*00*          *00*          *ZZ*SELLER         *ZZ*BUYER          "
        "*260301*0930*U*00401*000000123*0*P*>~\n"
        "GS*FA*SELLER*BUYER*20260301*0930*77*X*004010~\n"
        "ST*997*0005~\n"
        "AK1*PO*1~\n"
        "AK2*850*0001~\n"
        "AK5*A~\n"
        "AK2*850*0002~\n"
        "AK5*A~\n"
        "AK9*A*2*2*2~\n"
        "SE*8*0005~\n"
        "GE*1*77~\n"
        "IEA*1*000000123~\n"
    )
    assert out.interchange_control_number == "000000123"
    assert out.group_control_numbers == ("77",)
    assert out.set_control_numbers == ("0005",)
    assert out.next_numbers == ControlNumbers(interchange=124, group=78, transaction_set=6)
    assert_clean(out.data)
    assert pyx12_errors(out.data) == []


def test_997_for_a_partially_accepted_group_one_bad_set_of_two() -> None:
    bad = order_segments(2)
    bad[-1] = "SE*4*0002"
    end, acks = acknowledge(interchange([order_segments(1), bad]))
    (ack,) = acks
    assert ack.status is AckCode.PARTIALLY_ACCEPTED
    assert (ack.included, ack.received, ack.accepted) == (2, 2, 1)
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    body = _segments(out.data)
    assert body[3:9] == [
        "AK1*PO*1",
        "AK2*850*0001",
        "AK5*A",
        "AK2*850*0002",
        "AK5*R*4",
        "AK9*P*2*2*1",
    ]
    assert pyx12_errors(out.data) == []


def test_997_reports_a_translation_error_as_ak3_and_ak4() -> None:
    broken = [s.replace("PO1*1*2*EA", "PO1*1*ABC*EA") for s in order_segments(1)]
    end, acks = acknowledge(interchange([broken, order_segments(2)]))
    (ack,) = acks
    rejected = ack.sets[0]
    assert rejected.status is AckCode.REJECTED
    assert rejected.codes == ("5",)
    (note,) = rejected.segments
    assert (note.segment_id, note.position, note.code) == ("PO1", 13, "8")
    (element,) = note.elements
    assert (element.position, element.code, element.bad_value) == (2, "6", "ABC")
    body = _segments(build_997(end.header, acks, numbers=NUMBERS, now=NOW).data)
    assert body[4:8] == ["AK2*850*0001", "AK3*PO1*13**8", "AK4*2**6*ABC", "AK5*R*5"]
    assert body[-4] == "AK9*P*2*2*1"


def test_997_for_a_rejected_group() -> None:
    first, second = order_segments(1), order_segments(2)
    first[-1], second[-1] = "SE*1*0001", "SE*1*0002"
    end, acks = acknowledge(interchange([first, second]))
    (ack,) = acks
    assert ack.status is AckCode.REJECTED
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    assert "AK9*R*2*2*0" in _segments(out.data)
    assert pyx12_errors(out.data) == []


def test_a_translator_result_never_hides_an_envelope_rejection() -> None:
    bad = order_segments(1)
    bad[-1] = "SE*1*0001"
    items = events(interchange([bad]))
    group = next(item for item in items if isinstance(item, GroupEnd))
    claimed = SetAck("850", "0001")
    ack = group.acknowledge([claimed])
    assert ack.sets[0].status is AckCode.REJECTED
    assert ack.sets[0].codes == ("4",)


def test_group_level_errors_become_ak9_codes() -> None:
    data = interchange([order_segments(1)]).replace(b"GE*1*1", b"GE*3*1")
    end, acks = acknowledge(data)
    body = _segments(build_997(end.header, acks, numbers=NUMBERS, now=NOW).data)
    assert "AK9*E*3*1*1*5" in body


@pytest.mark.parametrize(
    ("version", "release", "isa11"),
    [("00401", "004010", "U"), ("00401", "004010VICS", "U"), ("00501", "005010", "^")],
)
def test_the_997_echoes_the_inbound_version(version: str, release: str, isa11: str) -> None:
    sets = [order_segments(1, control="0001")]
    if release.startswith("005"):
        sets = [[sets[0][0] + "*005010X220", *sets[0][1:]]]
    data = interchange(sets, version=version, release=release, repetition=isa11)
    end, acks = acknowledge(data)
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    body = _segments(out.data)
    assert body[0].split("*")[11:13] == [isa11, version]
    assert body[1].endswith(f"*77*X*{release}")
    if release.startswith("005"):
        assert body[3] == "AK1*PO*1*005010"
        assert body[4] == "AK2*850*0001*005010X220"
    else:
        assert body[3] == "AK1*PO*1"
        assert body[4] == "AK2*850*0001"
    assert_clean(out.data)
    assert pyx12_errors(out.data) == []


@pytest.mark.parametrize(
    ("terminator", "suffix"), [("~", ""), ("\n", ""), ("'", "\r\n"), ("~", "\r\n")]
)
def test_the_997_uses_the_partners_delimiters(terminator: str, suffix: str) -> None:
    data = interchange([order_segments(1)], terminator=terminator, suffix=suffix, component=":")
    end, acks = acknowledge(data)
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    text = out.data.decode()
    assert text[105] == terminator
    assert text[104] == ":"
    assert text.endswith(f"IEA*1*000000123{terminator}{suffix}")
    (again,) = [item for item in assert_clean(out.data) if isinstance(item, InterchangeEnd)]
    assert again.header.delimiters == end.header.delimiters
    assert pyx12_errors(out.data) == []


def test_one_fa_group_per_acknowledged_version() -> None:
    data = (SAMPLES_DIR / "staedi" / "invoice810_po850_dual.edi").read_bytes()
    items = events(data)
    end = next(item for item in items if isinstance(item, InterchangeEnd))
    acks = [item.acknowledge() for item in items if isinstance(item, GroupEnd)]
    assert count_ack_groups(acks) == 2
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW)
    groups = [s for s in _segments(out.data) if s.startswith("GS*")]
    assert groups == [
        "GS*FA*007326879*SENDERDEPT*20260301*0930*77*X*004010",
        "GS*FA*5566778899*9994935230*260301*0930*78*X*003010",
    ]
    assert out.set_control_numbers == ("0005", "0006")
    assert out.next_numbers == ControlNumbers(124, 79, 7)
    assert_clean(out.data)
    assert pyx12_errors(out.data) == []


def test_999_with_ik3_ik4_ik5() -> None:
    broken = [s.replace("PO1*1*2*EA", "PO1*1*2*") for s in order_segments(1)]
    sets = [[s[0] + "*005010X220", *s[1:]] for s in (broken, order_segments(2))]
    data = interchange(sets, version="00501", release="005010", repetition="^")
    end, acks = acknowledge(data)
    out = build_999(end.header, acks, numbers=NUMBERS, now=NOW)
    body = _segments(out.data)
    assert body[2] == "ST*999*0005*005010X231A1"
    assert body[3:11] == [
        "AK1*PO*1*005010",
        "AK2*850*0001*005010X220",
        "IK3*PO1*13**8",
        "IK4*3**1",
        "IK5*R*5",
        "AK2*850*0002*005010X220",
        "IK5*A",
        "AK9*P*2*2*1",
    ]
    assert_clean(out.data)
    assert pyx12_errors(out.data) == []
    (again,) = sets_of(events(out.data))
    assert read_acknowledgment(again) == acks[0]


def test_999_without_st03_in_the_acknowledged_sets() -> None:
    data = interchange([order_segments(1)], version="00501", release="005010", repetition="^")
    end, acks = acknowledge(data)
    out = build_999(end.header, acks, numbers=NUMBERS, now=NOW)
    assert "AK2*850*0001" in _segments(out.data)
    assert pyx12_errors(out.data) == []


def test_ta1_for_an_interchange_with_mismatched_trailer() -> None:
    data = interchange([order_segments(1)]).replace(b"IEA*1*000000001", b"IEA*1*000000002")
    end, _ = acknowledge(data)
    out = build_ta1(end, numbers=NUMBERS, now=NOW)
    assert _segments(out.data)[1:] == ["TA1*000000001*260115*1200*E*001", "IEA*0*000000123"]
    assert out.next_numbers == ControlNumbers(124, 77, 5)
    assert_clean(out.data)
    assert pyx12_errors(out.data) == []


def test_ta1_rejecting_a_truncated_interchange_and_one_inside_a_997() -> None:
    data = interchange([order_segments(1)]).replace(b"IEA*1*000000001~\n", b"")
    end, acks = acknowledge(data)
    ack = end.acknowledge()
    assert (ack.status, ack.note_code) == (AckCode.REJECTED, "023")
    out = build_997(end.header, acks, numbers=NUMBERS, now=NOW, ta1=ack)
    body = _segments(out.data)
    assert body[1] == "TA1*000000001*260115*1200*R*023"
    assert body[2].startswith("GS*FA")
    assert_clean(out.data)


def test_reading_the_staedi_999() -> None:
    (transaction_set,) = sets_of(events((SAMPLES_DIR / "staedi" / "simple999.edi").read_bytes()))
    ack = read_acknowledgment(transaction_set)
    assert (ack.functional_id, ack.control_number, ack.version) == ("HC", "17456", "005010X222")
    assert ack.status is AckCode.PARTIALLY_ACCEPTED
    assert (ack.included, ack.received, ack.accepted) == (3, 3, 1)
    assert [s.status for s in ack.sets] == [AckCode.ACCEPTED, AckCode.REJECTED, AckCode.REJECTED]
    clm = ack.set("0002")
    assert clm is not None
    (note,) = clm.segments
    assert (note.segment_id, note.position, note.code) == ("CLM", 22, "8")
    assert (note.elements[0].position, note.elements[0].reference, note.elements[0].code) == (
        2,
        "782",
        "1",
    )
    assert ack.sender_code == "SNDR"


def test_reading_every_997_of_a_mailbag() -> None:
    data = (SAMPLES_DIR / "staedi" / "simple997-multiple-interchanges.edi").read_bytes()
    acks = [read_acknowledgment(ts) for ts in sets_of(events(data))]
    assert len(acks) == 3
    assert all(ack.status is AckCode.REJECTED for ack in acks)
    assert all(ack.sets[0].segments[0].elements[0].bad_value == "MI" for ack in acks)


def test_reading_a_997_with_repetitions_where_none_belong() -> None:
    data = (SAMPLES_DIR / "staedi" / "extraDelimiter997.edi").read_bytes()
    (transaction_set,) = sets_of(events(data))
    ack = read_acknowledgment(transaction_set)
    (note,) = ack.sets[0].segments
    assert note.position is None
    assert note.code == "AK304-R1"
    assert note.elements[0].position == 8


@pytest.mark.parametrize(("version", "release"), [("00401", "004010"), ("00501", "005010")])
def test_our_997_reads_back_as_the_ack_we_built(version: str, release: str) -> None:
    bad = order_segments(2)
    bad[-1] = "SE*4*0002"
    data = interchange([order_segments(1), bad], version=version, release=release)
    end, acks = acknowledge(data)
    (transaction_set,) = sets_of(events(build_997(end.header, acks, numbers=NUMBERS, now=NOW).data))
    expected = acks[0] if release.startswith("005") else replace(acks[0], version=None)
    assert read_acknowledgment(transaction_set) == expected


def test_an_ack_without_ak9_or_with_an_unknown_code_is_refused_precisely() -> None:
    segments = ["ST*997*0001", "AK1*PO*1", "AK2*850*0001", "AK5*Q", "AK9*A*1*1*1", "SE*6*0001"]
    data = interchange([segments], functional_id="FA")
    (transaction_set,) = sets_of(events(data))
    with pytest.raises(X12SyntaxError, match="AK501 'Q' is not an acknowledgment code") as bad:
        read_acknowledgment(transaction_set)
    assert (bad.value.position.segment_index, bad.value.position.element) == (4, 1)
    truncated = interchange([["ST*997*0001", "AK1*PO*1", "SE*3*0001"]], functional_id="FA")
    with pytest.raises(X12SyntaxError, match="997 has no AK9"):
        read_acknowledgment(sets_of(events(truncated))[0])
    with pytest.raises(X12UnsupportedError, match="expected a 997 or 999"):
        read_acknowledgment(sets_of(events(interchange([order_segments(1)])))[0])


def test_control_numbers_wrap_like_the_stores_counter() -> None:
    data = (SAMPLES_DIR / "staedi" / "invoice810_po850_dual.edi").read_bytes()
    items = events(data)
    end = next(item for item in items if isinstance(item, InterchangeEnd))
    acks = [item.acknowledge() for item in items if isinstance(item, GroupEnd)]
    numbers = ControlNumbers(
        interchange=999_999_999, group=999_999_999, transaction_set=999_999_999
    )
    out = build_997(end.header, acks, numbers=numbers, now=NOW)
    assert out.group_control_numbers == ("999999999", "1")
    assert out.set_control_numbers == ("999999999", "0001")
    assert out.next_numbers == ControlNumbers(1, 2, 2)
    assert_clean(out.data)


def test_ta1_can_be_addressed_without_groups() -> None:
    data = (isa(ack="1") + "~IEA*0*000000001~").encode()
    (end,) = [item for item in events(data) if isinstance(item, InterchangeEnd)]
    assert end.header.acknowledgment_requested
    out = build_ta1(end, numbers=NUMBERS, now=NOW)
    assert "TA1*000000001*260115*1200*A*000" in _segments(out.data)
    assert pyx12_errors(out.data) == []
