"""Every real EDIFACT sample is read; what the reader reports is checked against the file itself.

For each file listed in `samples/edifact/SOURCES.tsv` the expectations come from two places:
the provenance row (message type, syntax identifier and version, separators, as recorded when
the corpus was collected) and a deliberately naive whole-file recount of every UNH..UNT (split
on the terminator, count, compare the trailer). The streaming reader must agree with both, and
the errors it reports must be exactly the ones listed here (wrong UNT counts and references in
three files, UNZ references in two, lower case and UTF-8 bytes under UNOA in two).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.formats.edifact import (
    EdifactError,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeHeader,
    Message,
    SyntaxErrorCode,
    read_orders,
)
from schemas import OrderChange
from tests.unit.edifact.edifact_support import SAMPLES_DIR, events, messages

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _rows() -> list[dict[str, str]]:
    sources = SAMPLES_DIR / "SOURCES.tsv"
    if not sources.is_file():
        return []
    with sources.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [row for row in rows if row["standard"] == "EDIFACT"]


ROWS = _rows()
IDS = [row["local_path"] for row in ROWS]

EXPECTED_ERRORS: dict[str, list[tuple[str, str, int, int | None, int | None]]] = {
    "edi-net/edifact.01.edi": [("29", "UNT", 31, 1, None)],
    "edi-net/edifact.ORDRSP.edi": [("29", "UNT", 31, 1, None), ("28", "UNT", 31, 2, None)],
    "pydifact/invoice1.edi": [],
    "pydifact/order.edi": [],
    "pydifact/wikipedia_en.edi": [],
    "staedi/invoic_d93a_una.edi": [
        ("21", "NAD", 6, 3, None),
        ("21", "NAD", 7, 3, None),
        ("21", "IMD", 9, 3, 4),
        ("21", "IMD", 14, 3, 4),
        ("21", "IMD", 19, 3, 4),
    ],
    "staedi/invoic_d97b.edi": [("21", "NAD", 6, 4, None)],
    "staedi/invoic_d97b_una.edi": [],
    "staedi/orders-with-group.edi": [("29", "UNT", 18, 1, None)],
}
"""Per file: (0085 code, segment tag, segment index, element, component) of each error."""

EXPECTED_INTERCHANGE_CODES = {
    "edi-net/edifact.01.edi": ["28"],
    "edi-net/edifact.ORDRSP.edi": ["28"],
}
"""Files whose UNZ reference differs from their UNB reference (the interchange is rejected)."""


def _notes(row: dict[str, str]) -> dict[str, str]:
    """`ele=+ sub=: rep= seg=' ...` of the notes column as a dict."""
    return dict(re.findall(r"([\w-]+)=(\S*)", row["notes"]))


def _char(value: str) -> str:
    return chr(int(value, 16)) if value.startswith("0x") else value


def _recount(data: bytes, terminator: str, release: str) -> list[tuple[str, int, str, str]]:
    """(UNH 0062, segments UNH..UNT, UNT 0074, UNT 0062) per message, by plain splitting."""
    text = (
        data.decode("latin-1")
        .replace(release + release, "\x00")
        .replace(release + terminator, "\x01")
    )
    found: list[tuple[str, int, str, str]] = []
    reference, count = "", 0
    for segment in (s.strip() for s in text.split(terminator)):
        if segment.startswith("UNH"):
            reference, count = segment[4:].split(segment[3], 1)[0], 1
        elif segment.startswith("UNT"):
            parts = segment[4:].split(segment[3])
            found.append((reference, count + 1, parts[0], parts[1]))
        elif count:
            count += 1
    return found


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_sample_reads_with_exactly_its_known_errors(row: dict[str, str]) -> None:
    data = (SAMPLES_DIR / row["local_path"]).read_bytes()
    read = events(data)
    header = next(e for e in read if isinstance(e, InterchangeHeader))
    found = [e for e in read if isinstance(e, Message)]
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    identifier, version = row["version"].split()[0].split(":")
    assert (header.syntax_identifier, header.syntax_version) == (identifier, version)
    notes = _notes(row)
    service = header.service_characters
    assert service.element == _char(notes["ele"])
    assert service.component == _char(notes["sub"])
    assert service.terminator == _char(notes["seg"])
    if " UNA(" in row["notes"]:
        assert header.una
        assert service.decimal == re.search(r"dec=(.)", row["notes"]).group(1)  # type: ignore[union-attr]
    assert [m.message_type for m in found] == [row["transaction_set"]]
    recount = _recount(data, service.terminator, service.release or "?")
    assert [(m.reference, len(m.segments)) for m in found] == [(r[0], r[1]) for r in recount]
    (message,) = found
    stated_ok = recount[0][2] == str(len(message.segments))
    reference_ok = recount[0][3] == message.reference
    codes = {e.code for e in message.errors}
    assert (SyntaxErrorCode.CONTROL_COUNT_MISMATCH in codes) is not stated_ok
    assert (SyntaxErrorCode.REFERENCES_DO_NOT_MATCH in codes) is not reference_ok
    positions = [
        (
            e.code,
            e.position.segment_id,
            e.position.segment_index,
            e.position.element,
            e.position.component,
        )
        for e in message.errors
    ]
    assert positions == EXPECTED_ERRORS[row["local_path"]]
    rejecting = [n.code for n in end.notes if n.rejecting]
    assert rejecting == EXPECTED_INTERCHANGE_CODES.get(row["local_path"], [])
    for error in message.errors:
        assert isinstance(error, EdifactError)
        assert error.position.interchange == header.control_reference
        assert error.position.message == message.reference
        assert error.position.byte_offset is not None
        assert data[error.position.byte_offset :].startswith(error.position.segment_id.encode())  # type: ignore[union-attr]


def test_pydifact_order_is_translated() -> None:
    data = (SAMPLES_DIR / "pydifact" / "order.edi").read_bytes()
    read = events(data)
    (message,) = [e for e in read if isinstance(e, Message)]
    end = read[-1]
    assert isinstance(end, InterchangeEnd)
    assert not end.unz_seen
    assert not end.rejected
    assert [n.message for n in end.notes] == [
        "the data ends before the interchange's UNZ (tolerated: every message was read)"
    ]
    order = read_orders(message, tz=AMSTERDAM)
    assert order.order_id == "801715918011"
    assert len(order.lines) == 2
    assert order.change is OrderChange.NEW
    assert order.order_date.isoformat() == "2015-08-03T00:00:00+02:00"
    assert order.requested_delivery_date is not None
    assert order.requested_delivery_date.isoformat() == "2015-08-06T00:00:00+02:00"
    assert [(i.scheme, i.value) for i in order.buyer.identifiers] == [
        ("GLN", "8711576000012"),
        ("8", "12345678"),
    ]
    assert order.supplier.identifiers[0].value == "5020436000004"
    assert order.ship_to is not None
    assert order.ship_to.identifiers[0].value == "8711576100019"
    assert [(line.line_number, line.quantity, line.unit_of_measure) for line in order.lines] == [
        (1, Decimal(8), "EA"),
        (2, Decimal(8), "EA"),
    ]
    assert order.lines[0].supplier_part_id == "5020436373085"
    assert order.lines[0].extensions == {"RFF.PD": "99", "GTIN": "5020436373085"}
    assert order.extensions == {"BGM.4343": "NA", "RFF.PD": "50515"}


def test_orders_with_a_wrong_unt_count_is_refused_citing_unt_and_reading_goes_on() -> None:
    data = (SAMPLES_DIR / "staedi" / "orders-with-group.edi").read_bytes()
    read = events(data)
    assert [type(e).__name__ for e in read] == [
        "InterchangeHeader",
        "GroupHeader",
        "Message",
        "GroupEnd",
        "InterchangeEnd",
    ]
    message = read[2]
    assert isinstance(message, Message)
    with pytest.raises(EdifactError) as refused:
        read_orders(message)
    assert "UNT segment count 21 does not match the 18 segments of message 1" in str(refused.value)
    assert refused.value.code == SyntaxErrorCode.CONTROL_COUNT_MISMATCH
    assert refused.value.position.segment_id == "UNT"
    group_end, end = read[3], read[4]
    assert isinstance(group_end, GroupEnd)
    assert not group_end.rejected
    assert group_end.stated_count == 1
    assert isinstance(end, InterchangeEnd)
    assert not end.rejected
    assert end.header.test
    assert end.header.agreement_id == "EANCOM"
    group = read[1]
    assert isinstance(group, GroupHeader)
    assert (group.group_id, group.reference, group.version, group.release) == (
        "ORDERS",
        "1",
        "D",
        "96A",
    )
    assert group.association_code == "EAN008A"


def test_orders_with_group_translates_once_its_unt_is_right() -> None:
    data = (SAMPLES_DIR / "staedi" / "orders-with-group.edi").read_bytes()
    (message,) = messages(data.replace(b"UNT+21+1'", b"UNT+18+1'"))
    order = read_orders(message)
    assert order.order_id == "C1441747"
    assert len(order.lines) == 1
    line = order.lines[0]
    assert line.buyer_part_id == "8641800"
    assert line.supplier_part_id == "5400111864181"
    assert line.quantity == Decimal(288)
    assert line.unit_price == Decimal("12.80")
    assert line.description == "0.7066 EURO"
    assert line.extensions["QTY.59"] == "12"
    assert order.comments == "THIS IS AN EXAMPLE OF EDIFACT FILE."
    assert order.supplier.name == "COMPANY ABC"
    assert order.is_test


def test_samples_that_are_not_orders_are_read_as_messages() -> None:
    expected = {
        "pydifact/invoice1.edi": ("INVOIC", "D97A", 24),
        "pydifact/wikipedia_en.edi": ("PAORES", "931", 13),
        "edi-net/edifact.ORDRSP.edi": ("ORDRSP", "D10A", 31),
        "edi-net/edifact.01.edi": ("QUOTES", "D96A", 31),
        "staedi/invoic_d97b_una.edi": ("INVOIC", "D97B", 24),
    }
    for path, (kind, directory, count) in expected.items():
        (message,) = messages((SAMPLES_DIR / path).read_bytes())
        assert (message.message_type, message.directory, len(message.segments)) == (
            kind,
            directory,
            count,
        ), path


def test_values_come_out_unescaped_and_decoded() -> None:
    (ordrsp,) = messages((SAMPLES_DIR / "edi-net" / "edifact.ORDRSP.edi").read_bytes())
    com = [s for s in ordrsp.segments if s.tag == "COM"]
    assert com[0].element(1) == ("+49 123 45678 8652", "TE")
    assert ordrsp.association_code == "1.1e"
    (quotes,) = messages((SAMPLES_DIR / "edi-net" / "edifact.01.edi").read_bytes())
    assert quotes.interchange.encoding == "utf-8"
    assert [n.rejecting for n in quotes.interchange.notes] == [False]
    (una,) = messages((SAMPLES_DIR / "staedi" / "invoic_d97b_una.edi").read_bytes())
    assert una.interchange.recipient_id == "006415160"
    assert una.segments[4].element(4) == ("CUMMINS MID-RANGE ENGINE PLANT",)
    (plain,) = messages((SAMPLES_DIR / "staedi" / "invoic_d97b.edi").read_bytes())
    assert plain.segments[5].get(4) == "BÜTTNER WIDGET COMPANY"
