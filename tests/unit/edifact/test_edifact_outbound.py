"""ORDRSP, DESADV and INVOIC out: exact bytes, re-read by our reader, parsed by pydifact, and the
envelope, escaping, syntax level and reference rules of the writer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from connectors.formats.edifact import (
    ControlReferences,
    EdifactEncodeError,
    EdifactPartnerSettings,
    GroupHeader,
    InterchangeEnd,
    Message,
    OutboundMessage,
    ServiceCharacters,
    build_desadv,
    build_document,
    build_interchange,
    build_invoic,
    build_ordrsp,
    encode_ordrsp,
)
from schemas.confirmation import ConfirmationType
from schemas.references import OrderReference
from tests.unit.edifact.edifact_support import (
    NOW,
    confirmation,
    events,
    invoice,
    pydifact_segments,
    ship_notice,
)

REFS = ControlReferences(interchange=5, message=1)

ORDRSP = (
    "UNA:+.? '"
    "UNB+UNOC:3+8711576000012:14+5412345000013:14+260301:0930+5'"
    "UNH+1+ORDRSP:D:96A:UN:EAN005'"
    "BGM+231+CONF-1+4+AC'"
    "DTM+137:202603010930:203'"
    "FTX+AAI+++Line 2?: 4 pieces follow next week'"
    "RFF+ON:PO-1'"
    "DTM+171:20260227:102'"
    "CUX+2:EUR:9'"
    "LIN+1+5+SUP-1:SA'"
    "QTY+21:8:EA'"
    "QTY+113:8:EA'"
    "DTM+69:20260305:102'"
    "PRI+AAA:12.5'"
    "LIN+2+6'"
    "QTY+21:10:EA'"
    "QTY+113:6:EA'"
    "QTY+83:4:EA'"
    "UNS+S'"
    "CNT+2:2'"
    "UNT+19+1'"
    "UNZ+1+5'"
)


def _reread(data: bytes) -> list[Message]:
    """Our own reader finds the interchange sound: no errors, no notes, counts right."""
    read = events(data)
    found = [e for e in read if isinstance(e, Message)]
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    assert end.unz_seen
    assert not end.notes, end.notes
    for message in found:
        assert message.accepted, message.errors
    return found


def test_ordrsp_is_exact_and_reads_back(settings: EdifactPartnerSettings) -> None:
    written = build_ordrsp(confirmation(), settings, references=REFS, now=NOW)
    assert written.data.decode() == ORDRSP
    assert (written.interchange_reference, written.message_references) == ("5", ("1",))
    assert written.next_references == ControlReferences(interchange=6, message=2)
    (message,) = _reread(written.data)
    assert (message.message_type, message.directory, message.association_code) == (
        "ORDRSP",
        "D96A",
        "EAN005",
    )
    assert message.segments[3].get(4) == "Line 2: 4 pieces follow next week"


def test_ordrsp_parsed_by_pydifact(settings: EdifactPartnerSettings) -> None:
    written = build_ordrsp(confirmation(), settings, references=REFS, now=NOW)
    parsed = pydifact_segments(written.data)
    assert [tag for tag, _ in parsed] == [
        "UNH", "BGM", "DTM", "FTX", "RFF", "DTM", "CUX", "LIN", "QTY", "QTY", "DTM", "PRI",
        "LIN", "QTY", "QTY", "QTY", "UNS", "CNT", "UNT",
    ]  # fmt: skip
    assert parsed[1] == ("BGM", ["231", "CONF-1", "4", "AC"])
    assert parsed[3] == ("FTX", ["AAI", "", "", "Line 2: 4 pieces follow next week"])
    assert parsed[-1] == ("UNT", ["19", "1"])


@pytest.mark.parametrize(
    ("kind", "function", "response"),
    [
        (ConfirmationType.ACCEPT, "29", "AP"),
        (ConfirmationType.REJECT, "27", "RE"),
        (ConfirmationType.DETAIL, "4", "AC"),
    ],
)
def test_ordrsp_response_codes(
    settings: EdifactPartnerSettings, kind: ConfirmationType, function: str, response: str
) -> None:
    body = encode_ordrsp(confirmation(kind), settings).segments
    assert body[0] == ("BGM", ("231",), "CONF-1", function, response)
    actions = [segment[2] for segment in body if segment[0] == "LIN"]
    assert actions == {"29": ["5", "5"], "27": [], "4": ["5", "6"]}[function]


def test_desadv_reads_back_and_parses(settings: EdifactPartnerSettings) -> None:
    written = build_desadv(ship_notice(), settings, references=REFS, now=NOW)
    (message,) = _reread(written.data)
    tags = [segment.tag for segment in message.segments]
    assert tags.count("CPS") == 2
    gin = next(s for s in message.segments if s.tag == "GIN")
    assert gin.elements == (("BJ",), ("354123450000000014",))
    tdt = next(s for s in message.segments if s.tag == "TDT")
    assert tdt.element(5) == ("DHLX", "", "182")
    com = next(s for s in message.segments if s.tag == "COM")
    assert com.element(1) == ("+32 2 123 45 67", "TE")
    parsed = pydifact_segments(written.data)
    assert parsed[0] == ("UNH", ["1", ["DESADV", "D", "96A", "UN", "EAN005"]])
    assert ("MEA", ["PD", "AAB", ["KGM", "120.5"]]) in parsed
    assert ("QTY", [["12", "8", "EA"]]) in parsed
    assert ("RFF", [["ON", "PO-1", "1"]]) in parsed
    assert parsed[-1] == ("UNT", [str(len(parsed)), "1"])


def test_invoic_reads_back_and_parses(settings: EdifactPartnerSettings) -> None:
    written = build_invoic(invoice(), settings, references=REFS, now=NOW)
    (message,) = _reread(written.data)
    amounts = {s.get(1, 1): s.get(1, 2) for s in message.segments if s.tag == "MOA"}
    assert amounts == {
        "23": "10",
        "203": "80",
        "77": "227.8",
        "79": "180",
        "176": "37.8",
        "124": "37.8",
        "125": "180",
    }
    parsed = pydifact_segments(written.data)
    assert parsed[1] == ("BGM", ["380", "INV-1", "9"])
    assert ("PAT", ["1", "", ["5", "3", "D", "30"]]) in parsed
    assert ("TAX", ["7", "VAT", "", "", ["", "", "", "21"]]) in parsed
    assert parsed[-1] == ("UNT", [str(len(parsed)), "1"])


def test_credit_note_and_cancellation_codes(settings: EdifactPartnerSettings) -> None:
    from schemas.invoice import InvoiceOperation, InvoicePurpose

    credit = invoice().model_copy(
        update={
            "purpose": InvoicePurpose.CREDIT_MEMO,
            "header_level": True,
            "net_amount": Decimal(-10),
            "orders": (
                invoice().orders[0].model_copy(update={"lines": (), "subtotal": Decimal(-10)}),
            ),
        }
    )
    written = build_invoic(credit, settings, references=REFS, now=NOW)
    assert b"BGM+381+INV-1+9'" in written.data
    cancel = invoice().model_copy(
        update={"operation": InvoiceOperation.DELETE, "supersedes": "INV-0"}
    )
    written = build_invoic(cancel, settings, references=REFS, now=NOW)
    assert b"BGM+380+INV-1+1'" in written.data
    assert b"RFF+OI:INV-0'" in written.data


def test_d01b_groups_syntax_4_and_line_breaks(settings: EdifactPartnerSettings) -> None:
    custom = settings.model_copy(
        update={
            "directory": "D01B",
            "use_groups": True,
            "syntax_version": "4",
            "service_characters": ServiceCharacters(suffix="\r\n"),
            "test": True,
            "acknowledgement_request": True,
            "application_reference": "ORDRSP",
        }
    )
    references = ControlReferences(interchange=7, message=10, group=3)
    messages = [
        encode_ordrsp(confirmation(), custom),
        encode_ordrsp(confirmation(ConfirmationType.ACCEPT), custom),
    ]
    written = build_interchange(messages, custom, references=references, now=NOW)
    text = written.data.decode()
    assert text.startswith(
        "UNA:+.? '\r\n"
        "UNB+UNOC:4+8711576000012:14+5412345000013:14+20260301:0930+7++ORDRSP++1++1'\r\n"
    )
    assert (
        "UNG+ORDRSP+8711576000012:14+5412345000013:14+20260301:0930+3+UN+D:01B:EAN005'\r\n" in text
    )
    assert "UNH+10+ORDRSP:D:01B:UN:EAN005'" in text
    assert "UNH+11+ORDRSP:D:01B:UN:EAN005'" in text
    assert text.endswith("UNE+2+3'\r\nUNZ+1+7'\r\n")
    assert written.next_references == ControlReferences(interchange=8, message=12, group=4)
    read = events(written.data)
    assert any(isinstance(e, GroupHeader) for e in read)
    assert all(m.accepted for m in read if isinstance(m, Message))
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    assert not end.notes
    assert end.header.test
    assert end.header.acknowledgement_requested


def test_without_una_version_4_releases_the_default_repetition_separator(
    settings: EdifactPartnerSettings,
) -> None:
    plain = settings.model_copy(update={"send_una": False, "syntax_version": "4"})
    note = confirmation().model_copy(update={"comments": "A*B+C"})
    written = build_ordrsp(note, plain, references=REFS, now=NOW)
    assert written.data.startswith(b"UNB+")
    assert b"FTX+AAI+++A?*B?+C'" in written.data
    (message,) = _reread(written.data)
    assert message.segments[3].get(4) == "A*B+C"


def test_comma_decimal_mark(settings: EdifactPartnerSettings) -> None:
    comma = settings.model_copy(update={"service_characters": ServiceCharacters(decimal=",")})
    written = build_ordrsp(confirmation(), comma, references=REFS, now=NOW)
    assert written.data.startswith(b"UNA:+,? '")
    assert b"PRI+AAA:12,5'" in written.data
    _reread(written.data)


def test_unoa_refuses_or_transliterates(settings: EdifactPartnerSettings) -> None:
    unoa = settings.model_copy(update={"syntax_identifier": "UNOA"})
    with pytest.raises(EdifactEncodeError) as refused:
        build_ordrsp(confirmation(), unoa, references=REFS, now=NOW)
    message = str(refused.value)
    assert message.startswith(
        "ORDRSP 1: FTX element 4 component 1 'Line 2: 4 pieces follow next week'"
    )
    assert "'i' (U+0069) cannot be written in UNOA" in message
    loose = unoa.model_copy(update={"charset_policy": "transliterate"})
    note = confirmation().model_copy(update={"comments": "Müller & Söhne: straße"})
    written = build_ordrsp(note, loose, references=REFS, now=NOW)
    assert b"FTX+AAI+++MULLER & SOHNE?: STRASSE'" in written.data
    _reread(written.data)
    euro = confirmation().model_copy(update={"comments": "5 €"})
    with pytest.raises(EdifactEncodeError, match=r"'€' .* cannot be written in UNOA"):
        build_ordrsp(euro, loose, references=REFS, now=NOW)


def test_unoc_refuses_what_latin_1_cannot_carry(settings: EdifactPartnerSettings) -> None:
    note = confirmation().model_copy(update={"comments": "Łódź"})
    with pytest.raises(EdifactEncodeError, match=r"'Ł' .* cannot be written in UNOC"):
        build_ordrsp(note, settings, references=REFS, now=NOW)
    unow = settings.model_copy(update={"syntax_identifier": "UNOW", "syntax_version": "4"})
    written = build_ordrsp(note, unow, references=REFS, now=NOW)
    assert "Łódź".encode() in written.data
    assert _reread(written.data)[0].segments[3].get(4) == "Łódź"


def test_required_values_and_control_characters(settings: EdifactPartnerSettings) -> None:
    no_number = confirmation().model_copy(update={"order": OrderReference(payload_id="payload-1")})
    with pytest.raises(EdifactEncodeError, match="purchase order number"):
        build_ordrsp(no_number, settings, references=REFS, now=NOW)
    bell = confirmation().model_copy(update={"confirmation_id": "C\x07"})
    with pytest.raises(EdifactEncodeError, match="BGM element 2"):
        build_ordrsp(bell, settings, references=REFS, now=NOW)


def test_references_and_clock_are_checked(settings: EdifactPartnerSettings) -> None:
    with pytest.raises(ValueError, match="1-14 printable"):
        ControlReferences(interchange="X" * 15)
    with pytest.raises(ValueError, match="outside"):
        ControlReferences(interchange=0)
    message = encode_ordrsp(confirmation(), settings)
    with pytest.raises(ValueError, match="serves one message"):
        build_interchange(
            [message, message], settings, references=ControlReferences("A", "B"), now=NOW
        )
    with pytest.raises(ValueError, match="aware"):
        build_interchange([message], settings, references=REFS, now=datetime(2026, 3, 1))  # noqa: DTZ001
    grouped = settings.model_copy(update={"use_groups": True})
    with pytest.raises(ValueError, match=r"references\.group"):
        build_interchange([message], grouped, references=REFS, now=NOW)
    written = build_interchange(
        [message], settings, references=ControlReferences("IC-9", "M-9"), now=NOW
    )
    assert written.next_references is None
    assert b"UNH+M-9+ORDRSP" in written.data
    wrap = build_interchange(
        [message, message],
        settings,
        references=ControlReferences(99_999_999_999_999, 99_999_999_999_999),
        now=NOW,
    )
    assert wrap.message_references == ("99999999999999", "1")
    assert wrap.next_references == ControlReferences(interchange=1, message=2)


def test_build_document_dispatches_by_type(settings: EdifactPartnerSettings) -> None:
    for document, kind in (
        (confirmation(), b"ORDRSP"),
        (ship_notice(), b"DESADV"),
        (invoice(), b"INVOIC"),
    ):
        written = build_document(document, settings, references=REFS, now=NOW)
        assert b"UNH+1+" + kind + b":D:96A:UN" in written.data


def test_settings_refuse_what_cannot_be_written() -> None:
    base: dict[str, object] = {"our_id": "A", "partner_id": "B"}
    with pytest.raises(ValueError, match="UNOX"):
        EdifactPartnerSettings.model_validate({**base, "syntax_identifier": "UNOX"})
    with pytest.raises(ValueError, match="send_una"):
        EdifactPartnerSettings.model_validate(
            {**base, "send_una": False, "service_characters": ServiceCharacters(element="*")}
        )
    with pytest.raises(ValueError, match="must differ"):
        ServiceCharacters(element=":")
    with pytest.raises(ValueError, match="extra"):
        EdifactPartnerSettings.model_validate({**base, "unknown": 1})
    assert replace(ServiceCharacters(), decimal=",").una == "UNA:+,? '"
    custom = EdifactPartnerSettings.model_validate(
        {**base, "outbound": {"tax_types": {"vat": "MWS"}}, "inbound": {"default_unit": "PCE"}}
    )
    assert custom.outbound.tax_types["vat"] == "MWS"
    assert custom.outbound.tax_types["gst"] == "GST"
    assert custom.inbound.default_unit == "PCE"
    message = OutboundMessage("ORDRSP", (("BGM", "231"),))
    assert message.version is None
