"""The streaming reader tolerates what real files do and refuses what cannot be X12, precisely.

Tolerated: a UTF-8 BOM and blanks before the ISA, CR/LF after terminators, a newline as the
terminator, a last segment without terminator, empty and indented segments, any ISA12, other
delimiters per interchange, undecodable bytes (only their set is rejected). Refused with a clear
error: EBCDIC, UTF-16, data that is not X12. A broken interchange in a mailbag is reported with
its byte offset and the reader goes on. Any chunking of the bytes gives the same events.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.formats.x12 import (
    AckCode,
    ElementErrorCode,
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeNoteCode,
    TransactionSet,
    X12Error,
    X12Event,
    X12Reader,
    X12SyntaxError,
    X12UnsupportedError,
    read_850,
)
from tests.unit.x12.x12_support import events, interchange, order_segments, sets_of


def _ends(items: list[X12Event]) -> list[InterchangeEnd]:
    return [item for item in items if isinstance(item, InterchangeEnd)]


def test_bom_and_leading_blanks_are_skipped_and_offsets_stay_absolute() -> None:
    body = interchange([order_segments()])
    data = b"\xef\xbb\xbf \r\n\t" + body
    items = events(data)
    (end,) = _ends(items)
    assert end.notes == ()
    assert end.header.byte_offset == 7
    (order,) = sets_of(items)
    assert data[order.byte_offset :].startswith(b"ST*850*0001")
    assert read_850(order).order_id == "PO-1"


@pytest.mark.parametrize(
    ("terminator", "suffix"),
    [("~", "\r\n"), ("~", "\n"), ("~", ""), ("\n", ""), ("\r", "\n"), ("'", "\r\n"), ("\x1c", "")],
)
def test_terminators_with_and_without_line_breaks(terminator: str, suffix: str) -> None:
    items = events(
        interchange([order_segments(), order_segments(2)], terminator=terminator, suffix=suffix)
    )
    (end,) = _ends(items)
    assert end.notes == ()
    assert end.header.delimiters.segment == terminator
    assert [read_850(ts).order_id for ts in sets_of(items)] == ["PO-1", "PO-2"]


def test_other_element_separators_including_control_characters() -> None:
    for element in ("|", "\x1d", "^", "\x7f"):
        items = events(interchange([order_segments()], element=element, component=":"))
        (order,) = sets_of(items)
        assert order.errors == ()
        assert order.delimiters.element == element
        assert read_850(order).lines[1].supplier_part_id == "SKU-2"


def test_last_segment_without_terminator_is_read() -> None:
    data = interchange([order_segments()]).rstrip(b"~\n")
    assert data.endswith(b"IEA*1*000000001")
    (end,) = _ends(events(data))
    assert end.notes == ()
    assert end.stated_group_count == 1


def test_empty_and_indented_segments_are_ignored() -> None:
    data = (
        interchange([order_segments()])
        .replace(b"REF*DP*038~", b"REF*DP*038~~  ~")
        .replace(b"\nN1", b"\n    N1")
    )
    items = events(data)
    (order,) = sets_of(items)
    assert order.errors == ()
    assert read_850(order).ship_to is not None


@pytest.mark.parametrize(
    ("version", "isa11", "expected"),
    [("00501", "^", "^"), ("00402", "!", "!"), ("00401", "^", None), ("00501", "U", None)],
)
def test_repetition_separator_applies_from_00402_when_it_is_a_symbol(
    version: str, isa11: str, expected: str | None
) -> None:
    refs = "REF*ZZ*A^B!C"
    data = interchange([order_segments(extra_header=[refs])], version=version, repetition=isa11)
    (order,) = sets_of(events(data))
    assert order.delimiters.repetition == expected
    value = next(s for s in order.segments if s.startswith("REF*ZZ")).split("*")[2]
    if expected is None:
        assert order.repetitions(value) == ["A^B!C"]
    else:
        assert order.repetitions(value) == value.split(expected)


def test_any_isa12_version_is_read() -> None:
    for version in ("00200", "00300", "00305", "00400", "00403", "00501", "00601", "00801"):
        (end,) = _ends(events(interchange([order_segments()], version=version)))
        assert end.header.version == version
        assert end.notes == ()


def _mailbag(middle: bytes) -> bytes:
    first = interchange([order_segments(1)], control="000000001")
    third = interchange(
        [order_segments(3)], control="000000003", element="|", terminator="\n", suffix=""
    )
    return first + middle + third


def _survivors(items: list[X12Event]) -> list[str]:
    return [read_850(ts).order_id for ts in sets_of(items) if not ts.errors]


def test_mailbag_with_a_broken_isa_in_the_middle_reads_first_and_third() -> None:
    middle = interchange([order_segments(2)], control="000000002").replace(b"*0*P*>~", b"~", 1)
    data = _mailbag(middle)
    items = events(data)
    failures = [item for item in items if isinstance(item, InterchangeFailure)]
    assert len(failures) == 1
    start = data.index(middle)
    assert failures[0].byte_offset == start
    assert "ISA13 '000000002~\\nGS' is not an ISA13 value" in str(failures[0].error)
    ends = _ends(items)
    assert [end.header.control_number for end in ends] == ["000000001", "000000003"]
    assert all(end.notes == () for end in ends)
    assert _survivors(items) == ["PO-1", "PO-3"]
    assert ends[1].header.delimiters.element == "|"


def test_mailbag_with_a_missing_iea_in_the_middle_reports_it_precisely() -> None:
    middle = interchange([order_segments(2)], control="000000002").replace(
        b"IEA*1*000000002~\n", b""
    )
    data = _mailbag(middle)
    items = events(data)
    ends = _ends(items)
    assert [end.header.control_number for end in ends] == ["000000001", "000000002", "000000003"]
    broken = ends[1]
    assert broken.status is AckCode.REJECTED
    assert broken.note_code == InterchangeNoteCode.PREMATURE_END
    assert broken.notes[0].position.byte_offset == data.index(b"ISA|")
    assert ends[0].notes == ends[2].notes == ()
    assert _survivors(items) == ["PO-1", "PO-2", "PO-3"]


def test_mailbag_with_a_truncated_middle_interchange_closes_its_open_set() -> None:
    whole = interchange([order_segments(2)], control="000000002")
    middle = whole[: whole.index(b"PO1*2")]
    data = _mailbag(middle)
    items = events(data)
    cut = [ts for ts in sets_of(items) if ts.errors]
    assert len(cut) == 1
    assert cut[0].errors[0].set_code == "2"
    group = next(
        item
        for item in items
        if isinstance(item, GroupEnd)
        and item.group.control_number == "1"
        and item.group.interchange.control_number == "000000002"
    )
    assert [note.code for note in group.notes] == ["3"]
    assert _survivors(items) == ["PO-1", "PO-3"]


def test_junk_between_interchanges_is_reported_once_and_skipped() -> None:
    data = _mailbag(b"garbage that is not X12\r\n")
    items = events(data)
    failures = [item for item in items if isinstance(item, InterchangeFailure)]
    assert len(failures) == 1
    assert failures[0].byte_offset == data.index(b"garbage")
    assert _survivors(items) == ["PO-1", "PO-3"]


def test_a_declared_terminator_never_used_is_bounded_and_the_next_interchange_read() -> None:
    liar = interchange([order_segments(2)], control="000000002", terminator="\n", suffix="")
    liar = liar.replace(b"*>\n", b"*>~", 1)
    data = _mailbag(liar)
    reader = X12Reader(max_segment_bytes=200, window=64)
    reader.feed(data)
    reader.close()
    items = list(reader.events())
    ends = _ends(items)
    assert [end.header.control_number for end in ends] == ["000000001", "000000002", "000000003"]
    assert ends[1].note_code == InterchangeNoteCode.SEGMENT_TERMINATOR
    assert "no segment terminator '~' within 200 bytes" in ends[1].notes[0].message
    assert _survivors(items) == ["PO-1", "PO-3"]


def test_ebcdic_is_refused_with_a_clear_error() -> None:
    data = interchange([order_segments()]).decode().encode("cp037")
    with pytest.raises(X12UnsupportedError, match="EBCDIC") as refused:
        events(data)
    assert refused.value.position.byte_offset == 0


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(codec: str) -> None:
    with pytest.raises(X12UnsupportedError, match="8-bit encoding"):
        events(interchange([order_segments()]).decode().encode(codec))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the document is empty"),
        (b"  \r\n ", "the document is empty"),
        (b'<?xml version="1.0"?><cXML/>', "expected 'ISA' at byte 0"),
        (b"UNA:+.? 'UNB+UNOC:3", "expected 'ISA' at byte 0"),
    ],
)
def test_data_that_is_not_x12_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(X12SyntaxError, match=reason):
        events(data)


def test_broken_first_isa_is_an_event_not_an_exception() -> None:
    items = events(b"ISA*00*short~GS*PO~")
    assert len(items) == 1
    assert isinstance(items[0], InterchangeFailure)
    assert items[0].byte_offset == 0


def test_undecodable_bytes_reject_only_their_set() -> None:
    bad = order_segments(1, extra_header=["MSG*CAF\xe9"])
    data = interchange([bad, order_segments(2)]).replace("CAF\xe9".encode(), b"CAF\xe9")
    items = events(data)
    first, second = sets_of(items)
    assert second.errors == ()
    (problem,) = first.errors
    assert problem.element_code == ElementErrorCode.INVALID_CHARACTER
    assert problem.position.segment_id == "MSG"
    assert problem.position.element == 1
    assert data[problem.position.byte_offset or 0 :].startswith(b"MSG*CAF")
    (latin,) = sets_of(events(data.replace(b"ST*850*0002", b"ST*850*0001", 0), encoding="latin-1"))[
        :1
    ]
    assert latin.errors == ()
    assert read_850(latin).comments == "CAF\xe9"


def test_multibyte_characters_keep_byte_offsets_exact() -> None:
    data = interchange(
        [order_segments(1, extra_header=["MSG*\u00fcber \u2026 caf\u00e9"]), order_segments(2)]
    )
    for transaction_set in sets_of(events(data)):
        assert data[transaction_set.byte_offset :].startswith(b"ST*850")
        index = next(i for i, s in enumerate(transaction_set.segments) if s.startswith("PO1*2"))
        assert data[transaction_set.segment_offset(index) :].startswith(b"PO1*2")


def test_events_may_be_abandoned_and_resumed_without_losing_any() -> None:
    reader = X12Reader()
    reader.feed(interchange([order_segments(n) for n in range(1, 6)]))
    reader.close()
    first = next(reader.events())
    rest = list(reader.events())
    assert isinstance(first, TransactionSet)
    assert [ts.control_number for ts in sets_of([first, *rest])] == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
    ]


def _summary(item: X12Event) -> tuple[Any, ...]:
    """What an event says, with exceptions reduced to message and position."""
    if isinstance(item, TransactionSet):
        errors = tuple((e.message, e.position) for e in item.errors)
        return ("set", item.control_number, item.segments, item.byte_offset, item.text, errors)
    if isinstance(item, GroupEnd):
        return ("group", item.group, item.sets, item.stated_count, item.notes)
    if isinstance(item, InterchangeEnd):
        return ("interchange", item.header, item.stated_group_count, item.notes)
    if isinstance(item, InterchangeFailure):
        return ("failure", item.error.message, item.error.position)
    return ("other", item)


MAILBAG = (
    b"\xef\xbb\xbf\r\n"
    + interchange(
        [order_segments(1, extra_header=["MSG*caf\u00e9 \u2026"]), order_segments(2)], suffix="\r\n"
    )
    + interchange([order_segments(3)], control="000000002").replace(b"*0*P*>~", b"~", 1)
    + interchange(
        [order_segments(4)], control="000000003", version="00501", repetition="^"
    ).replace(b"SE*", b"SE*9", 1)
    + interchange(
        [order_segments(5)], control="000000004", element="|", terminator="\n", suffix=""
    ).rstrip(b"\n")
)
WHOLE = [_summary(item) for item in events(MAILBAG)]


@settings(max_examples=150, deadline=None)
@example(cuts=[MAILBAG.index(b"~") + 1], window=16)  # the ISA's line break arrives later
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=len(MAILBAG)), max_size=40),
    window=st.sampled_from([16, 97, 4096, 65536]),
)
def test_any_chunking_gives_the_same_events(cuts: list[int], window: int) -> None:
    bounds = [0, *sorted(cuts), len(MAILBAG)]
    reader = X12Reader(window=window)
    seen: list[tuple[Any, ...]] = []
    for start, end in itertools.pairwise(bounds):
        reader.feed(MAILBAG[start:end])
        seen.extend(_summary(item) for item in reader.events())
    reader.close()
    seen.extend(_summary(item) for item in reader.events())
    assert seen == WHOLE


def test_the_chunking_mailbag_covers_every_kind_of_event() -> None:
    kinds = [summary[0] for summary in WHOLE]
    assert kinds.count("failure") == 1
    assert kinds.count("interchange") == 3
    assert sum(1 for s in WHOLE if s[0] == "set" and s[5]) == 1


def test_non_ascii_digits_are_errors_never_exceptions() -> None:
    hostile = order_segments(1)
    hostile[-1] = "SE*\u00b2*0001"
    hostile = [s.replace("PO1*2*4*EA", "PO1*\u0663*\u00b2*EA") for s in hostile]
    data = interchange([hostile]).replace(b"GE*1*1", "GE*\u00b2*1".encode())
    items = events(data.replace(b"IEA*1*", "IEA*\u00b9*".encode()))
    (order,) = sets_of(items)
    assert [error.set_code for error in order.errors] == ["4"]
    group = next(item for item in items if isinstance(item, GroupEnd))
    assert [note.code for note in group.notes] == ["5"]
    assert [note.code for note in _ends(items)[0].notes] == ["021"]
    quantity = [s.replace("PO1*2*4*EA", "PO1*2*\u00b2*EA") for s in order_segments(1)]
    date = [s.replace("20260205", "2026\uff10205") for s in order_segments(2)]
    bad_quantity, bad_date = sets_of(events(interchange([quantity, date])))
    with pytest.raises(X12SyntaxError, match="is not a decimal number"):
        read_850(bad_quantity)
    with pytest.raises(X12SyntaxError, match="is not a CCYYMMDD date"):
        read_850(bad_date)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(MAILBAG)),
            st.integers(min_value=0, max_value=4),
            st.binary(max_size=4),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_damaged_input_only_ever_raises_x12_errors(edits: list[tuple[int, int, bytes]]) -> None:
    data = MAILBAG
    for at, cut, insert in edits:
        data = data[:at] + insert + data[at + cut :]
    try:
        items = events(data)
    except X12Error:
        return
    located = []
    for transaction_set in sets_of(items):
        try:
            read_850(transaction_set)
        except X12Error as error:
            located.append(error.position.interchange)
            transaction_set.ack.for_error(error)
    assert None not in located
