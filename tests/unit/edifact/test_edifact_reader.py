"""The streaming reader: service characters, release characters, syntax levels, envelopes,
positions, and what is tolerated or refused, on small hand-written interchanges."""

from __future__ import annotations

import time

import pytest

from connectors.formats.edifact import (
    EdifactReader,
    EdifactSyntaxError,
    EdifactUnsupportedError,
    GroupEnd,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    Message,
    SyntaxErrorCode,
    read_orders,
)
from tests.unit.edifact.edifact_support import (
    ends,
    events,
    headers,
    interchange,
    messages,
    orders_body,
)

CODES = SyntaxErrorCode


def _kinds(data: bytes) -> list[str]:
    return [type(event).__name__ for event in events(data)]


# -- release characters and service characters ---------------------------------------------------


def test_release_characters_split_correctly_and_values_come_out_plain() -> None:
    body = [*orders_body(), "FTX+AAI+++A?+B?:C?'D??E:??'"]
    (message,) = messages(interchange(body))
    ftx = message.segments[-2]
    assert ftx.tag == "FTX"
    assert ftx.element(4) == ("A+B:C'D?E", "?")
    assert message.accepted


def test_a_released_terminator_at_every_chunk_boundary_reads_the_same() -> None:
    data = interchange(orders_body(extra=["FTX+AAI+++IT?'S ?? 50?+ PCT?: OFF"]), end="")
    whole = [(type(e).__name__, getattr(e, "segments", None)) for e in events(data)]
    for size in (1, 2, 3, 7, 64):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert [(type(e).__name__, getattr(e, "segments", None)) for e in events(chunks)] == whole


def test_una_with_other_separators_and_a_comma_decimal_mark() -> None:
    body = [s.replace("1.50", "1,50").replace("2.50", "2,50") for s in orders_body()]
    plain = interchange(body, una=None).decode("latin-1")
    table: dict[str, str | int | None] = {"+": "*", ":": "=", "'": "~", "?": "!"}
    respelled = plain.translate(str.maketrans(table))
    data = ("UNA=*,! ~\n" + respelled).encode("latin-1")
    (header,) = headers(data)
    service = header.service_characters
    assert (service.component, service.element, service.decimal) == ("=", "*", ",")
    assert (service.release, service.repetition, service.terminator) == ("!", None, "~")
    (message,) = messages(data)
    assert message.accepted, message.errors
    order = read_orders(message)
    assert str(order.lines[0].unit_price) == "1.50"
    assert order.buyer.name == "BUYER NV"


def test_without_una_syntax_version_4_repeats_with_asterisk_unless_released() -> None:
    body = [*orders_body(), "FTX+AAI+++FIRST*SECOND:X+EN", "FTX+AAI+++ONE?*TWO"]
    data = interchange(body, una=None, syntax="UNOC:4")
    (message,) = messages(data)
    repeated, released = message.segments[-3], message.segments[-2]
    assert repeated.element(4) == ("FIRST",)
    assert repeated.repeats == ((4, ("SECOND", "X")),)
    assert repeated.occurrences(4) == [("FIRST",), ("SECOND", "X")]
    assert repeated.get(5) == "EN"
    assert released.element(4) == ("ONE*TWO",)
    (version3,) = messages(interchange(body, una=None, syntax="UNOC:3"))
    assert version3.segments[-3].element(4) == ("FIRST*SECOND", "X")


def test_level_b_information_separators_without_una() -> None:
    segments = [
        "UNB\x1dUNOB\x1f3\x1dSENDER\x1dRECIPIENT\x1d260301\x1f0930\x1dREF1",
        "UNH\x1d1\x1dORDERS\x1fD\x1f96A\x1fUN",
        "BGM\x1d220\x1dPO-9",
        "UNT\x1d3\x1d1",
        "UNZ\x1d1\x1dREF1",
    ]
    data = "\x1c".join(segments).encode() + b"\x1c"
    (message,) = messages(data)
    assert message.segments[1].get(2) == "PO-9"
    assert message.accepted
    assert not ends(data)[0].rejected


def test_blank_lines_crlf_tabs_and_empty_segments_between_segments_are_tolerated() -> None:
    data = interchange(orders_body(), end="\r\n\t").replace(b"'\r\n\tLIN", b"''\r\n\n  LIN")
    (message,) = messages(data)
    assert message.accepted
    assert message.interchange.service_characters.suffix == "\r\n"
    assert not ends(data)[0].notes


def test_the_last_segment_may_lack_its_terminator() -> None:
    data = interchange(orders_body(), end="").rstrip(b"'")
    end = ends(data)[0]
    assert end.unz_seen
    assert not end.notes


# -- syntax levels -------------------------------------------------------------------------------


def test_unoa_reports_lower_case_as_an_invalid_character_of_that_message_only() -> None:
    good = [s for s in orders_body() if not s.startswith("COM")]
    bad = [s.replace("ITEM 1", "Item 1") for s in good]
    data = interchange(good, bad, good, syntax="UNOA:3")
    first, second, third = messages(data)
    assert first.accepted
    assert third.accepted
    (error,) = second.errors
    assert error.code == CODES.INVALID_CHARACTER
    assert error.bad_value == "t"
    where = error.position
    assert (where.message, where.segment_index, where.segment_id) == ("2", 13, "IMD")
    assert (where.element, where.component) == (3, 4)
    assert where.byte_offset is not None
    assert data[where.byte_offset :].startswith(b"IMD+F++:::Item 1")
    assert "character 't' (U+0074) is not in the UNOA character repertoire" in str(error)
    assert "(at interchange 1001, message 2, segment 13 (IMD), element 3, component 4, byte" in str(
        error
    )
    with pytest.raises(EdifactSyntaxError, match="UNOA character repertoire"):
        read_orders(second)
    assert not ends(data)[0].rejected


def test_unoa_allows_service_characters_advised_in_una() -> None:
    body = ["BGM+220+A?~B+9"]
    data = interchange(body, una="UNA:+.? ~", syntax="UNOA:3", end="").replace(b"'", b"~")
    (message,) = messages(data)
    assert message.segments[1].get(2) == "A~B"
    assert message.accepted


def test_unob_allows_lower_case_but_not_national_characters() -> None:
    ok = interchange(["BGM+220+order-1 (rush)+9"], syntax="UNOB:3")
    assert messages(ok)[0].accepted
    bad = interchange(["BGM+220+ORDER #1+9"], syntax="UNOB:3")
    (error,) = messages(bad)[0].errors
    assert (error.code, error.bad_value, error.position.element) == ("21", "#", 2)


def test_unoc_is_latin_1_and_refuses_control_characters() -> None:
    data = interchange(["BGM+220+COMMANDE-É+9", "FTX+AAI+++BELL\x07"], syntax="UNOC:3")
    (message,) = messages(data)
    assert message.segments[1].get(2) == "COMMANDE-É"
    (error,) = message.errors
    assert (error.code, error.position.segment_id, error.bad_value) == ("21", "FTX", "\x07")
    assert message.interchange.encoding == "latin-1"


def test_unoa_utf8_bytes_are_an_invalid_character_shown_as_utf8() -> None:
    data = interchange(["NAD+SU+++MÜLLER GMBH"], syntax="UNOA:3").replace(b"\xdc", "Ü".encode())
    (message,) = messages(data)
    (error,) = message.errors
    assert error.code == CODES.INVALID_CHARACTER
    assert "not valid ascii" in error.message
    assert message.segments[1].get(4) == "MÜLLER GMBH"


def test_character_checks_can_be_switched_off_for_an_agreed_partner() -> None:
    data = interchange(["BGM+220+Order 1+9"], syntax="UNOA:3")
    (message,) = [e for e in events(data, check_characters=False) if isinstance(e, Message)]
    assert message.accepted


def test_unow_is_utf8() -> None:
    name = "ŁÓDŹ SP. Z O.O."
    utf8 = (
        b"UNB+UNOW:4+S+R+20260301:0930+9'UNH+1+ORDERS:D:01B:UN'NAD+SU+++"
        + name.encode()
        + b"'UNT+3+1'UNZ+1+9'"
    )
    (message,) = messages(utf8)
    assert message.interchange.encoding == "utf-8"
    assert message.segments[1].get(4) == name
    assert message.accepted


def test_unox_and_unknown_syntax_versions_reject_the_interchange() -> None:
    data = interchange(orders_body(), syntax="UNOX:3")
    (header,) = headers(data)
    assert header.rejected
    assert [(n.code, n.position.element, n.position.component) for n in header.notes] == [
        ("2", 1, 1)
    ]
    (message,) = messages(data)
    with pytest.raises(EdifactSyntaxError, match="interchange is rejected: syntax identifier UNOX"):
        read_orders(message)
    (header,) = headers(interchange(orders_body(), syntax="UNOC:5"))
    assert [(n.code, n.message) for n in header.notes] == [
        ("2", "syntax version 5 is not 1, 2, 3 or 4")
    ]


def test_utf8_bom_is_tolerated_and_noted() -> None:
    data = "\ufeff".encode() + interchange(["NAD+SU+++CAFÉ"]).replace(b"\xc9", "É".encode())
    (message,) = messages(data)
    assert message.segments[1].get(4) == "CAFÉ"
    assert message.accepted
    (note,) = message.interchange.notes
    assert not note.rejecting
    assert "UTF-8 BOM" in note.message
    assert message.interchange.byte_offset == 3


# -- envelopes -----------------------------------------------------------------------------------


def test_unh_and_unt_checks() -> None:
    body = orders_body(lines=1)
    data = interchange(body, body, body).decode()
    data = data.replace(f"UNT+{len(body) + 2}+2'", f"UNT+{len(body) + 5}+X'")
    data = data.replace("UNH+3+ORDERS:D:96A:UN:EAN008", "UNH+1+ORDERS:D::UN")
    one, two, three = messages(data.encode())
    assert one.accepted
    assert [(e.code, e.position.segment_id, e.position.element) for e in two.errors] == [
        ("29", "UNT", 1),
        ("28", "UNT", 2),
    ]
    stated, present = len(body) + 5, len(body) + 2
    assert str(two.errors[0]).startswith(
        f"UNT segment count {stated} does not match the {present} segments of message 2"
    )
    assert [(e.code, e.position.element, e.position.component) for e in three.errors] == [
        ("13", 2, 3),
        ("26", 1, None),
        ("28", 2, None),
    ]


def test_a_message_without_unt_is_rejected_and_the_next_one_is_read() -> None:
    body = orders_body(lines=1)
    data = interchange(body, body).decode().replace(f"UNT+{len(body) + 2}+1'\n", "")
    first, second = messages(data.encode())
    (error,) = first.errors
    assert error.code == CODES.MISSING
    assert error.position.segment_id == "UNT"
    assert error.message.startswith("message 1 has no UNT: UNH at byte")
    assert second.accepted
    assert first.outcome.service_segment == "UNT"


def test_unz_count_and_reference_mismatches_reject_the_interchange() -> None:
    data = interchange(orders_body()).replace(b"UNZ+1+1001", b"UNZ+2+1002")
    (end,) = ends(data)
    assert end.rejected
    assert [(n.code, n.position.segment_id, n.position.element) for n in end.notes] == [
        ("29", "UNZ", 1),
        ("28", "UNZ", 2),
    ]
    assert end.stated_count == 2
    report = end.acknowledge()
    assert (report.action, report.code, report.service_segment) == ("4", "29", "UNZ")


def test_groups_une_checks_and_a_missing_une() -> None:
    body = orders_body(lines=1)
    count = len(body) + 2
    segments = [
        "UNB+UNOC:3+S:14+R:14+260301:0930+77",
        "UNG+ORDERS+S:14+R:14+260301:0930+G1+UN+D:96A",
        "UNH+1+ORDERS:D:96A:UN",
        *body,
        f"UNT+{count}+1",
        "UNE+2+G9",
        "UNG+ORDERS+S:14+R:14+260301:0930+G2+UN+D:96A",
        "UNH+2+ORDERS:D:96A:UN",
        *body,
        f"UNT+{count}+2",
        "UNZ+2+77",
    ]
    data = ("'".join(segments) + "'").encode()
    read = events(data)
    group_ends = [e for e in read if isinstance(e, GroupEnd)]
    assert [[(n.code, n.position.element) for n in g.notes] for g in group_ends] == [
        [("29", 1), ("28", 2)],
        [("13", None)],
    ]
    assert all(g.rejected for g in group_ends)
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    assert not end.rejected
    assert end.message_count == 2
    report = end.acknowledge()
    assert [(g.reference, g.action, g.code, g.service_segment) for g in report.groups] == [
        ("G1", "4", "29", "UNE"),
        ("G2", "4", "13", "UNE"),
    ]


def test_segments_outside_messages_are_noted_not_fatal() -> None:
    data = interchange(orders_body()).replace(b"UNZ+", b"XYZ+1'UNZ+")
    (end,) = ends(data)
    assert not end.rejected
    assert [(n.code, n.message) for n in end.notes] == [
        ("33", "segment XYZ outside a message (skipped)")
    ]


def test_interchange_header_fields() -> None:
    data = (
        b"UNA:+.? 'UNB+UNOC:3+SENDER:14:ROUTE+RECIP:ZZZ+260301:0930+REF7+PASS+ORDERS+A+1+EANCOM+1'"
        b"UNH+1+ORDERS:D:96A:UN:EAN008'BGM+220+X'UNT+3+1'UNZ+1+REF7'"
    )
    (header,) = headers(data)
    assert (header.sender_id, header.sender_qualifier, header.sender_routing) == (
        "SENDER",
        "14",
        "ROUTE",
    )
    assert (header.recipient_id, header.recipient_qualifier) == ("RECIP", "ZZZ")
    assert (header.date, header.time, header.control_reference) == ("260301", "0930", "REF7")
    assert (header.recipient_reference, header.application_reference) == ("PASS", "ORDERS")
    assert (header.priority, header.acknowledgement_requested, header.agreement_id) == (
        "A",
        True,
        "EANCOM",
    )
    assert header.test
    assert header.una
    assert header.key.control_reference == "REF7"
    assert not header.notes


def test_unb_problems_reject_the_interchange() -> None:
    data = b"UNB+UNOC:3++R+261301:9930+'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+'"
    (header,) = headers(data)
    assert [(n.code, n.position.element) for n in header.notes] == [
        ("13", 2),
        ("13", 5),
        ("12", 4),
        ("12", 4),
    ]
    assert header.rejected


# -- tolerance: mailbags, missing UNZ, garbage -----------------------------------------------------


def test_a_mailbag_with_a_broken_interchange_between_two_good_ones() -> None:
    good = interchange(orders_body(), reference="A1")
    broken = b"UNA:+.? :UNB+UNOC:3+S+R+260301:0930+B1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+B1'\n"
    other = interchange(orders_body(), reference="C1", una=None)
    read = events(good + broken + other)
    assert [type(e).__name__ for e in read] == [
        "InterchangeHeader",
        "Message",
        "InterchangeEnd",
        "InterchangeFailure",
        "InterchangeHeader",
        "Message",
        "InterchangeEnd",
    ]
    failure = read[3]
    assert isinstance(failure, InterchangeFailure)
    assert failure.byte_offset == len(good)
    assert "UNA" in failure.error.message
    assert failure.error.code == CODES.INVALID_SERVICE_CHARACTER_ADVICE
    assert [e.header.control_reference for e in read if isinstance(e, InterchangeEnd)] == [
        "A1",
        "C1",
    ]
    assert all(m.accepted for m in read if isinstance(m, Message))


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (b"UNB*UNOC:3*S*R*260301:0930*B1'UNH*1*ORDERS:D:96A:UN'UNT*2*1'UNZ*1*B1'", "'+'"),
        (b"UNA:+.? 'UNB:UNOC:3+S+R+260301:0930+B1'UNZ+0+B1'", "the UNA advises"),
        (b"UNA:+.? 'XYZ+1'\n", "not followed by a UNB"),
        (b"UNA:+.?  ", "cannot be a service character"),
    ],
)
def test_a_broken_unb_or_una_is_skipped_to_the_next_interchange(broken: bytes, reason: str) -> None:
    data = (
        interchange(orders_body(), reference="A1")
        + broken
        + interchange(orders_body(), reference="C1")
    )
    read = events(data)
    (failure,) = [e for e in read if isinstance(e, InterchangeFailure)]
    assert reason in failure.error.message
    assert [e.header.control_reference for e in read if isinstance(e, InterchangeEnd)] == [
        "A1",
        "C1",
    ]


def test_a_missing_unz_before_the_next_interchange_is_tolerated() -> None:
    first = interchange(orders_body(), reference="A1", unz=False)
    second = interchange(orders_body(), reference="B1")
    read = events(first + second)
    first_end = next(e for e in read if isinstance(e, InterchangeEnd))
    assert not first_end.unz_seen
    assert not first_end.rejected
    assert first_end.notes[0].message.startswith("the next interchange starts at byte")
    assert len([e for e in read if isinstance(e, Message)]) == 2


def test_garbage_before_the_first_interchange_is_a_failure_then_reading_goes_on() -> None:
    data = b"Subject: orders\r\n\r\n" + interchange(orders_body())
    read = events(data)
    failure = read[0]
    assert isinstance(failure, InterchangeFailure)
    assert failure.byte_offset == 0
    assert "before the first UNA/UNB" in failure.error.message
    assert isinstance(read[1], InterchangeHeader)
    assert read[1].byte_offset == 19
    assert len([e for e in read if isinstance(e, Message)]) == 1


def test_garbage_between_interchanges_is_reported_once() -> None:
    data = interchange(orders_body()) + b"%%%% noise %%%%\n" * 3 + interchange(orders_body())
    assert _kinds(data).count("InterchangeFailure") == 1
    assert _kinds(data).count("Message") == 2


@pytest.mark.parametrize(
    ("data", "error", "text"),
    [
        (b"", EdifactSyntaxError, "the document is empty"),
        (b"   \n", EdifactSyntaxError, "the document is empty"),
        (b"hello world, this is not EDI", EdifactSyntaxError, "no UNA or UNB segment"),
        (b"ISA*00*          *00*", EdifactSyntaxError, "ANSI X12"),
        (b"<?xml version='1.0'?><cXML/>", EdifactSyntaxError, "XML"),
        ("UNB+UNOC:3".encode("utf-16"), EdifactUnsupportedError, "UTF-16"),
        ("UNB+UNOC:3+S+R".encode("cp037"), EdifactUnsupportedError, "EBCDIC"),
    ],
)
def test_what_is_not_edifact_at_all_is_refused(
    data: bytes, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        events(data)


def test_a_segment_without_terminator_ends_the_interchange_and_reading_resumes() -> None:
    reader = EdifactReader(window=1024, max_segment_bytes=4096)
    good = interchange(orders_body(), reference="Z9")
    runaway = b"UNB+UNOC:3+S+R+260301:0930+R1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++" + b"X" * 5000
    reader.feed(
        runaway
        + b"\nUNB+UNOC:3+S+R+260301:0930+R2'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'UNZ+1+R2'"
        + good
    )
    reader.close()
    read = list(reader.events())
    first_end = next(e for e in read if isinstance(e, InterchangeEnd))
    assert first_end.rejected
    assert "no segment terminator" in first_end.notes[0].message
    assert [e.header.control_reference for e in read if isinstance(e, InterchangeEnd)][-2:] == [
        "R2",
        "Z9",
    ]


def test_reading_is_linear_in_the_number_of_messages_and_of_released_characters() -> None:
    body = orders_body(lines=3)
    data = interchange(*([body] * 2000))
    started = time.perf_counter()
    assert len(messages(data)) == 2000
    quotes = "?'" * 50_000
    released = interchange([f"FTX+AAI+++{'A??' * 50_000}", f"FTX+AAI+++{quotes}"])
    ftx = messages(released)[0].segments
    assert ftx[1].get(4) == "A?" * 50_000
    assert ftx[2].get(4) == "'" * 50_000
    assert time.perf_counter() - started < 5
