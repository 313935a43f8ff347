"""Envelope checks: ISA/IEA, GS/GE, ST/SE counts and control numbers, as 997/TA1 codes.

Each broken rule is reported with its X12 code and a position that points at the offending
segment (and element); sound neighbours are untouched.
"""

from __future__ import annotations

import pytest

from connectors.formats.x12 import (
    AckCode,
    GroupEnd,
    InterchangeEnd,
    InterchangeKey,
    InterchangeNoteCode,
    ReceivedTa1,
    SetErrorCode,
    TransactionSet,
    X12Event,
)
from tests.unit.x12.x12_support import events, interchange, isa, order_segments, sets_of


def _group(items: list[X12Event]) -> GroupEnd:
    (group,) = [item for item in items if isinstance(item, GroupEnd)]
    return group


def _end(items: list[X12Event]) -> InterchangeEnd:
    (end,) = [item for item in items if isinstance(item, InterchangeEnd)]
    return end


def _codes(transaction_set: TransactionSet) -> list[str | None]:
    return [error.set_code for error in transaction_set.errors]


def test_a_sound_interchange_has_no_problem_and_exposes_its_duplicate_key() -> None:
    items = events(interchange([order_segments(1), order_segments(2)], control="000000042"))
    end = _end(items)
    assert end.notes == ()
    assert end.status is AckCode.ACCEPTED
    assert end.note_code == "000"
    assert end.group_count == end.stated_group_count == 1
    assert end.header.key == InterchangeKey("ZZ", "BUYER", "ZZ", "SELLER", "000000042")
    group = _group(items)
    assert group.stated_count == 2
    assert [ack.status for ack in group.sets] == [AckCode.ACCEPTED, AckCode.ACCEPTED]
    assert all(ts.errors == () for ts in sets_of(items))


def test_se01_count_mismatch_rejects_only_that_set_pointing_at_se01() -> None:
    bad = order_segments(1)
    bad[-1] = "SE*99*0001"
    data = interchange([bad, order_segments(2)])
    items = events(data)
    first, second = sets_of(items)
    assert _codes(first) == [SetErrorCode.SEGMENT_COUNT_MISMATCH]
    assert second.errors == ()
    where = first.errors[0].position
    assert (where.segment_id, where.element, where.segment_index) == ("SE", 1, 21)
    assert (where.interchange, where.group, where.transaction_set) == ("000000001", "1", "0001")
    assert data[where.byte_offset or 0 :].startswith(b"SE*99*0001")
    assert "SE01 says 99 segments, the set has 21" in str(first.errors[0])
    assert [ack.status for ack in _group(items).sets] == [AckCode.REJECTED, AckCode.ACCEPTED]


def test_se02_must_match_st02() -> None:
    bad = order_segments(1)
    bad[-1] = bad[-1].replace("*0001", "*0009")
    (transaction_set,) = sets_of(events(interchange([bad])))
    assert _codes(transaction_set) == [SetErrorCode.CONTROL_NUMBER_MISMATCH]
    assert transaction_set.errors[0].position.element == 2


@pytest.mark.parametrize("follower", ["ST", "GE", "IEA"])
def test_a_set_without_se_is_closed_by_what_follows(follower: str) -> None:
    cut = order_segments(1)[:-1]
    sets = [cut, order_segments(2)] if follower == "ST" else [cut]
    data = interchange(sets)
    if follower == "IEA":
        data = data.replace(b"GE*1*1~\n", b"")
    items = events(data)
    first = sets_of(items)[0]
    assert SetErrorCode.TRAILER_MISSING in _codes(first)
    assert first.errors[-1].position.segment_id == follower
    assert first.segments[-1].startswith("AMT")
    if follower == "ST":
        assert sets_of(items)[1].errors == ()


def test_duplicate_and_malformed_st_control_numbers() -> None:
    items = events(
        interchange([order_segments(1), order_segments(1), order_segments(3, control="12")])
    )
    first, duplicate, short = sets_of(items)
    assert first.errors == ()
    assert _codes(duplicate) == [SetErrorCode.DUPLICATE_CONTROL_NUMBER]
    assert _codes(short) == [SetErrorCode.INVALID_CONTROL_NUMBER]


def test_st01_must_be_a_transaction_set_identifier() -> None:
    bad = [segment.replace("ST*850", "ST*85X") for segment in order_segments(1)]
    (transaction_set,) = sets_of(events(interchange([bad])))
    assert _codes(transaction_set) == [SetErrorCode.INVALID_SET_ID]


def test_ge01_and_ge02_are_checked() -> None:
    data = interchange([order_segments(1)], group="7").replace(b"GE*1*7", b"GE*3*8")
    group = _group(events(data))
    assert [note.code for note in group.notes] == ["5", "4"]
    assert group.stated_count == 3
    assert [note.position.element for note in group.notes] == [1, 2]
    ack = group.acknowledge()
    assert ack.status is AckCode.REJECTED
    # A group rejected as a whole accepts none of its sets (issue 9: the 997 said AK5 A).
    assert (ack.included, ack.received, ack.accepted) == (3, 1, 0)
    assert [result.status for result in ack.sets] == [AckCode.REJECTED]


def test_missing_ge_rejects_the_group_and_flags_the_interchange() -> None:
    data = interchange([order_segments(1)]).replace(b"GE*1*1~\n", b"")
    items = events(data)
    group = _group(items)
    assert [note.code for note in group.notes] == ["3"]
    assert group.stated_count is None
    end = _end(items)
    assert [note.code for note in end.notes] == [InterchangeNoteCode.INVALID_CONTENT]
    assert end.status is AckCode.REJECTED


@pytest.mark.parametrize(("release", "code"), [("004010", "6"), ("005010", "19")])
def test_duplicate_gs06_in_an_interchange(release: str, code: str) -> None:
    gs = f"GS*PO*BUYER*SELLER*20260115*1200*5*X*{release}"
    segments = [gs, *order_segments(1), "GE*1*5", gs, *order_segments(2), "GE*1*5"]
    data = (isa() + "~" + "~".join([*segments, "IEA*2*000000001"]) + "~").encode()
    groups = [item for item in events(data) if isinstance(item, GroupEnd)]
    assert [note.code for note in groups[0].notes] == []
    assert [note.code for note in groups[1].notes] == [code]


def test_iea01_and_iea02_are_checked_and_accept_with_errors() -> None:
    data = interchange([order_segments(1)]).replace(b"IEA*1*000000001", b"IEA*2*000000009")
    end = _end(events(data))
    assert [note.code for note in end.notes] == ["001", "021"]
    assert end.status is AckCode.ACCEPTED_WITH_ERRORS
    assert end.note_code == "001"
    assert end.stated_group_count == 2
    assert end.acknowledge().status is AckCode.ACCEPTED_WITH_ERRORS


def test_missing_iea_at_the_end_of_data() -> None:
    data = interchange([order_segments(1)]).replace(b"IEA*1*000000001~\n", b"")
    end = _end(events(data))
    assert end.note_code == InterchangeNoteCode.PREMATURE_END
    assert end.status is AckCode.REJECTED
    assert end.notes[0].position.byte_offset == len(data)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"version": "4010"}, "017"),
        ({"control": "12345"}, "018"),
        ({"ack": "2"}, "019"),
        ({"usage": "X"}, "020"),
    ],
)
def test_isa_fields_that_break_their_syntax_are_noted(fields: dict[str, str], code: str) -> None:
    data = interchange([order_segments(1)], **fields)
    if "control" in fields:
        data = data.replace(b"IEA*1*000000001", b"IEA*1*12345")
    end = _end(events(data))
    assert [note.code for note in end.notes] == [code]


def test_isa_date_and_time_are_checked() -> None:
    data = interchange([order_segments(1)]).replace(b"*260115*1200*", b"*261315*2561*")
    end = _end(events(data))
    assert [note.code for note in end.notes] == ["014", "015"]
    assert end.status is AckCode.REJECTED


def test_segments_outside_a_set_and_sets_outside_a_group_are_noted() -> None:
    segments = [*order_segments(1), "GE*1*1"]
    data = (isa() + "~" + "~".join(["REF*XX*1", *segments, "IEA*0*000000001"]) + "~").encode()
    items = events(data)
    end = _end(items)
    assert [note.code for note in end.notes][:3] == ["024", "024", "024"]
    assert "segment REF outside a transaction set" in end.notes[0].message
    assert "ST outside a functional group" in end.notes[1].message
    assert sets_of(items) == []


def test_a_received_ta1_is_an_event() -> None:
    data = (isa() + "~TA1*000000077*260114*0900*R*021~IEA*0*000000001~").encode()
    items = events(data)
    (ta1,) = [item for item in items if isinstance(item, ReceivedTa1)]
    assert ta1.ack.control_number == "000000077"
    assert ta1.ack.status is AckCode.REJECTED
    assert ta1.ack.note_code == "021"
    assert data[ta1.byte_offset :].startswith(b"TA1")
    assert _end(items).notes == ()
