"""CONTRL both ways and APERAK in: a good and a bad interchange answered, business refusals,
what `build_contrl` writes read back by `read_contrl`, and partners' hand-written messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.formats.edifact import (
    ActionCode,
    ContrlReport,
    ControlReferences,
    EdifactError,
    EdifactSyntaxError,
    EdifactUnsupportedError,
    ElementRef,
    InterchangeEnd,
    Message,
    MessageOutcome,
    SyntaxErrorCode,
    build_contrl,
    read_aperak,
    read_contrl,
    read_orders,
)
from tests.unit.edifact.edifact_support import (
    NOW,
    SAMPLES_DIR,
    events,
    interchange,
    messages,
    orders_body,
)

REFS = ControlReferences(interchange=900, message=1)


def _read(data: bytes) -> tuple[list[Message], InterchangeEnd]:
    read = events(data)
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    return [e for e in read if isinstance(e, Message)], end


def _answer(
    data: bytes,
    results: list[MessageOutcome] | None = None,
    *,
    list_accepted: bool = False,
    received_only: bool = False,
) -> str:
    _, end = _read(data)
    report = end.acknowledge(results or ())
    written = build_contrl(
        report,
        end.header,
        references=REFS,
        now=NOW,
        list_accepted=list_accepted,
        received_only=received_only,
    )
    return written.data.decode()


def _segments(text: str) -> list[str]:
    return [line for line in text.replace("'", "'\n").split("\n") if line]


def _body(text: str) -> list[str]:
    """The CONTRL segments between UNH and UNT."""
    lines = _segments(text)
    start = next(i for i, line in enumerate(lines) if line.startswith("UNH"))
    return lines[start + 1 : -2]


def test_a_good_interchange_is_acknowledged() -> None:
    data = interchange(orders_body(), orders_body())
    assert _answer(data) == (
        "UNA:+.? '\n"
        "UNB+UNOC:3+8711576000012:14+5412345000013:14+260301:0930+900'\n"
        "UNH+1+CONTRL:D:3:UN'\n"
        "UCI+1001+5412345000013:14+8711576000012:14+7'\n"
        "UNT+3+1'\n"
        "UNZ+1+900'\n"
    )
    assert _body(_answer(data, list_accepted=True)) == [
        "UCI+1001+5412345000013:14+8711576000012:14+7'",
        "UCM+1+ORDERS:D:96A:UN:EAN008+7'",
        "UCM+2+ORDERS:D:96A:UN:EAN008+7'",
    ]


def test_a_bad_interchange_rejects_only_its_bad_messages() -> None:
    good = [s for s in orders_body() if not s.startswith("COM")]
    lower = [s.replace("ITEM 1", "Item 1") for s in good]
    data = interchange(good, good, lower, syntax="UNOA:3").decode()
    data = data.replace(f"UNT+{len(good) + 2}+2'", f"UNT+{len(good) + 9}+2'")
    assert _body(_answer(data.encode())) == [
        "UCI+1001+5412345000013:14+8711576000012:14+7'",
        "UCM+2+ORDERS:D:96A:UN:EAN008+4+29+UNT+2'",
        "UCM+3+ORDERS:D:96A:UN:EAN008+4'",
        "UCS+13'",
        "UCD+21+4:4'",
    ]


def test_translation_and_business_refusals_are_merged_in() -> None:
    body = orders_body()
    bad_quantity = [s.replace("QTY+21:5:PCE", "QTY+21:5X:PCE") for s in body]
    data = interchange(body, bad_quantity, body)
    found, end = _read(data)
    results: list[MessageOutcome] = []
    for message in found:
        try:
            read_orders(message)
            results.append(message.outcome)
        except EdifactError as error:
            results.append(message.outcome.for_error(error))
    not_enabled = found[2].outcome.rejected(
        SyntaxErrorCode.NO_AGREEMENT, service_segment="UNH", element=ElementRef(3, 1)
    )
    results[2] = not_enabled
    report = end.acknowledge(results)
    assert [m.action for m in report.messages] == ["7", "4", "4"]
    written = build_contrl(report, end.header, references=REFS, now=NOW).data.decode()
    assert _body(written) == [
        "UCI+1001+5412345000013:14+8711576000012:14+7'",
        "UCM+2+ORDERS:D:96A:UN:EAN008+4'",
        "UCS+15'",
        "UCD+37+2:2'",
        "UCM+3+ORDERS:D:96A:UN:EAN008+4+17+UNH+3:1'",
    ]


def test_a_translator_cannot_hide_an_envelope_rejection() -> None:
    body = orders_body()
    data = interchange(body).decode().replace(f"UNT+{len(body) + 2}+1", "UNT+3+1").encode()
    _, end = _read(data)
    report = end.acknowledge([MessageOutcome(reference="1", message_type="ORDERS")])
    (outcome,) = report.messages
    assert outcome.action == ActionCode.REJECTED
    assert (outcome.code, outcome.service_segment) == ("29", "UNT")


def test_an_interchange_rejected_at_its_unz() -> None:
    data = interchange(orders_body()).replace(b"UNZ+1+1001", b"UNZ+1+1009")
    assert _body(_answer(data)) == ["UCI+1001+5412345000013:14+8711576000012:14+4+28+UNZ+3'"]


def test_functional_groups_are_answered_with_ucf() -> None:
    data = (SAMPLES_DIR / "staedi" / "orders-with-group.edi").read_bytes()
    text = _answer(data)
    assert (
        _segments(text)[0] == "UNB+UNOA:3+5013546107732:14+5400110000009:14+260301:0930+900++++++1'"
    )
    assert _body(text) == [
        "UCI+2722166169492+5400110000009:14+5013546107732:14+7'",
        "UCF+1+5400110000009:14+5013546107732:14+7'",
        "UCM+1+ORDERS:D:96B:UN:EAN008B+4+29+UNT+2'",
    ]


def test_receipt_only_syntax_4_and_eancom_identifiers() -> None:
    data = (SAMPLES_DIR / "pydifact" / "order.edi").read_bytes()
    text = _answer(data, received_only=True)
    lines = _segments(text)
    assert lines[0] == "UNA:+,? '"
    assert lines[1] == "UNB+UNOA:4+WBDZDD:ZZ+12345678:8+20260301:0930+900'"
    assert lines[2] == "UNH+1+CONTRL:4:1:UN'"
    assert lines[3] == "UCI+807+12345678:8+WBDZDD:ZZ+8'"
    _, end = _read(interchange(orders_body()))
    written = build_contrl(
        end.acknowledge(),
        end.header,
        references=REFS,
        now=NOW,
        message_version=("D", "3"),
        association_code="EAN004",
    )
    assert b"UNH+1+CONTRL:D:3:UN:EAN004'" in written.data


def test_a_level_b_interchange_without_una_is_answered_in_its_separators() -> None:
    segments = [
        "UNB\x1dUNOB\x1f3\x1dSENDER\x1dRECIPIENT\x1d260301\x1f0930\x1dREF1",
        "UNH\x1d1\x1dORDERS\x1fD\x1f96A\x1fUN",
        "BGM\x1d220\x1dPO-9",
        "UNT\x1d3\x1d1",
        "UNZ\x1d1\x1dREF1",
    ]
    data = "\x1c".join(segments).encode() + b"\x1c"
    text = _answer(data, list_accepted=True)
    assert text.startswith("UNB\x1dUNOB\x1f3\x1dRECIPIENT\x1dSENDER\x1d260301\x1f0930\x1d900\x1c")
    (contrl,) = messages(text.encode())
    assert contrl.accepted
    assert read_contrl(contrl).message_action("1") == ActionCode.ACKNOWLEDGED


def test_read_contrl_reads_what_build_contrl_writes() -> None:
    good = [s for s in orders_body() if not s.startswith("COM")]
    lower = [s.replace("ITEM 1", "Item 1") for s in good]
    data = interchange(good, lower, syntax="UNOA:3")
    _, end = _read(data)
    report = end.acknowledge()
    written = build_contrl(report, end.header, references=REFS, now=NOW, list_accepted=True)
    (contrl,) = messages(written.data)
    assert contrl.accepted
    back = read_contrl(contrl)
    assert back.interchange_reference == "1001"
    assert (back.sender_id, back.recipient_id) == ("5412345000013", "8711576000012")
    assert back.action == ActionCode.ACKNOWLEDGED
    assert [(m.reference, m.action) for m in back.messages] == [("1", "7"), ("2", "4")]
    rejected = back.messages[1]
    assert rejected.identifier == ("ORDERS", "D", "96A", "UN", "EAN008")
    (note,) = rejected.segments
    assert (note.position, note.code) == (13, None)
    assert [(e.code, e.element.position, e.element.component) for e in note.elements] == [
        ("21", 4, 4)
    ]
    assert note.elements[0].element.data_element == 3
    assert back.message_action("2") == ActionCode.REJECTED
    assert back.message_action("1") == ActionCode.ACKNOWLEDGED


PARTNER_CONTRL = (
    "UNA:+.? '\n"
    "UNB+UNOC:3+5412345000013:14+8711576000012:14+260302:1015+ACK77'\n"
    "UNH+AK1+CONTRL:D:3:UN:EAN004'\n"
    "UCI+5+8711576000012:14+5412345000013:14+7'\n"
    "UCM+1+ORDRSP:D:96A:UN:EAN005+4+13+UNH+2:4'\n"
    "UCM+2+DESADV:D:96A:UN:EAN005+4'\n"
    "UCS+7+13'\n"
    "UCS+9'\n"
    "UCD+12+2:1'\n"
    "UCD+37+3'\n"
    "UCM+3+INVOIC:D:96A:UN:EAN008+7'\n"
    "UNT+10+AK1'\n"
    "UNZ+1+ACK77'\n"
)


def test_a_partners_contrl_about_our_interchange() -> None:
    (contrl,) = messages(PARTNER_CONTRL.encode())
    report = read_contrl(contrl)
    assert report.interchange_reference == "5"
    assert [(m.reference, m.message_type, m.action, m.code) for m in report.messages] == [
        ("1", "ORDRSP", "4", "13"),
        ("2", "DESADV", "4", None),
        ("3", "INVOIC", "7", None),
    ]
    first = report.messages[0]
    assert (first.service_segment, first.element) == ("UNH", ElementRef(2, 4))
    second = report.messages[1]
    assert [(n.position, n.code, len(n.elements)) for n in second.segments] == [
        (7, "13", 0),
        (9, None, 2),
    ]
    assert [report.message_action(ref) for ref in ("1", "2", "3", "4")] == ["4", "4", "7", "7"]


@pytest.mark.parametrize(
    ("uci", "action", "unlisted"),
    [
        ("UCI+5+A+B+4+28+UNZ+3'", "4", "4"),
        ("UCI+5+A+B+8'", "8", "8"),
        ("UCI+5+A+B+6'", "4", "4"),
        ("UCI+5+A+B+1'", "7", "7"),
    ],
)
def test_interchange_level_actions_including_retired_codes(
    uci: str, action: str, unlisted: str
) -> None:
    data = f"UNB+UNOC:3+B+A+260302:1015+X1'UNH+1+CONTRL:D:3:UN'{uci}UNT+3+1'UNZ+1+X1'".encode()
    report = read_contrl(messages(data)[0])
    assert report.action == action
    assert report.message_action("1") == unlisted


def test_a_group_level_contrl() -> None:
    data = (
        b"UNB+UNOC:3+B+A+260302:1015+X1'UNH+1+CONTRL:D:3:UN'UCI+5+A+B+7'"
        b"UCF+G1+A+B+4+29+UNE+2'UCM+1+ORDRSP:D:96A:UN+4'UCF+G2+A+B+7'UNT+6+1'UNZ+1+X1'"
    )
    report = read_contrl(messages(data)[0])
    assert [(g.reference, g.action, g.code, len(g.messages)) for g in report.groups] == [
        ("G1", "4", "29", 1),
        ("G2", "7", None, 0),
    ]
    assert report.messages == ()
    assert report.message("1") is not None
    assert report.message_action("2", group="G1") == ActionCode.REJECTED
    assert report.message_action("2", group="G2") == ActionCode.ACKNOWLEDGED


def test_read_contrl_refusals() -> None:
    with pytest.raises(EdifactUnsupportedError, match="expected a CONTRL"):
        read_contrl(messages(interchange(orders_body()))[0])
    data = b"UNB+UNOC:3+B+A+260302:1015+X1'UNH+1+CONTRL:D:3:UN'UNT+2+1'UNZ+1+X1'"
    with pytest.raises(EdifactSyntaxError, match="no UCI") as refused:
        read_contrl(messages(data)[0])
    assert refused.value.code == SyntaxErrorCode.MISSING
    data = b"UNB+UNOC:3+B+A+260302:1015+X1'UNH+1+CONTRL:D:3:UN'UCI+5+A+B+X'UNT+3+1'UNZ+1+X1'"
    with pytest.raises(EdifactSyntaxError, match="not an action code") as refused:
        read_contrl(messages(data)[0])
    assert (refused.value.position.segment_id, refused.value.position.element) == ("UCI", 4)


def test_contrl_report_helpers() -> None:
    report = ContrlReport("9", "A", "", "B", "")
    assert report.accepted
    assert report.all_messages() == ()
    assert report.message_action("1") == ActionCode.ACKNOWLEDGED


APERAK = (
    "UNA:+.? '"
    "UNB+UNOC:3+5412345000013:14+8711576000012:14+260302:1015+AP1'"
    "UNH+1+APERAK:D:96A:UN:EAN002'"
    "BGM+313+APK-1+27'"
    "DTM+137:202603021015:203'"
    "FTX+AAI+++ORDER RESPONSE REFUSED'"
    "RFF+ON:PO-1'"
    "RFF+ACW:7'"
    "DOC+231+CONF-1'"
    "NAD+MS+5412345000013::9'"
    "ERC+12:ZZZ:9'"
    "FTX+AAO+++THE DELIVERY DATE IS IN THE PAST'"
    "RFF+LI:2'"
    "ERC+16'"
    "FTX+AAO+++UNKNOWN ITEM:SEE LINE 3'"
    "UNT+14+1'"
    "UNZ+1+AP1'"
)


def test_a_rejecting_aperak() -> None:
    (message,) = messages(APERAK.encode())
    report = read_aperak(message, tz=UTC)
    assert report.rejected
    assert (report.document_code, report.document_number, report.function) == ("313", "APK-1", "27")
    assert report.issued == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    assert report.reference("ON") == "PO-1"
    assert report.reference("DOC:231") == "CONF-1"
    assert report.referenced_message == "7"
    assert report.texts == ("ORDER RESPONSE REFUSED",)
    assert [(e.code, e.code_list, e.agency) for e in report.errors] == [
        ("12", "ZZZ", "9"),
        ("16", "", ""),
    ]
    assert report.errors[0].texts == ("THE DELIVERY DATE IS IN THE PAST",)
    assert [(r.qualifier, r.value) for r in report.errors[0].references] == [("LI", "2")]
    assert report.errors[1].texts == ("UNKNOWN ITEM SEE LINE 3",)


def test_an_accepting_aperak_and_refusals() -> None:
    text = APERAK.replace("BGM+313+APK-1+27", "BGM+313+APK-2+29")
    report = read_aperak(messages(text.encode())[0])
    assert not report.rejected
    no_errors = text.split("ERC+12")[0] + "UNT+9+1'UNZ+1+AP1'"
    report = read_aperak(messages(no_errors.replace("+29'", "+9'").encode())[0])
    assert not report.rejected
    assert report.errors == ()
    with pytest.raises(EdifactUnsupportedError, match="expected an APERAK"):
        read_aperak(messages(interchange(orders_body()))[0])
