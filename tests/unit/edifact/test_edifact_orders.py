"""ORDERS -> `PurchaseOrder`: every mapping rule, every refusal with its position and 0085 code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.formats.edifact import (
    EdifactError,
    EdifactInboundRules,
    EdifactUnsupportedError,
    Message,
    SyntaxErrorCode,
    read_orders,
)
from schemas import OrderChange, PurchaseOrder
from tests.unit.edifact.edifact_support import interchange, messages, orders_body

BRUSSELS = ZoneInfo("Europe/Brussels")
CODES = SyntaxErrorCode


def _message(body: Sequence[str], **options: str) -> Message:
    (message,) = messages(interchange(body, **options))  # type: ignore[arg-type]
    return message


def _order(
    body: Sequence[str], rules: EdifactInboundRules | None = None, **options: str
) -> PurchaseOrder:
    return read_orders(_message(body, **options), rules, tz=BRUSSELS)


def _refusal(body: Sequence[str], rules: EdifactInboundRules | None = None) -> EdifactError:
    with pytest.raises(EdifactError) as refused:
        _order(body, rules)
    return refused.value


def _replace(old: str, new: str, body: Sequence[str] | None = None) -> list[str]:
    """`body` with `old` replaced by `new` (which may hold several segments, split on `'`)."""
    replaced = [s.replace(old, new) for s in (body if body is not None else orders_body())]
    return [part for segment in replaced for part in segment.split("'")]


def test_a_full_eancom_order() -> None:
    order = _order(orders_body())
    assert (order.order_id, order.change, order.order_type, order.currency) == (
        "PO-1",
        OrderChange.NEW,
        "regular",
        "EUR",
    )
    assert order.order_date == datetime(2026, 3, 1, tzinfo=BRUSSELS)
    assert order.requested_delivery_date == datetime(2026, 3, 10, 12, 0, tzinfo=BRUSSELS)
    buyer = order.buyer
    assert buyer.name == "BUYER NV"
    assert buyer.email == "buyer@example.com"
    assert [(i.scheme, i.value) for i in buyer.identifiers] == [("GLN", "5412345000013")]
    assert buyer.address is not None
    assert (buyer.address.street, buyer.address.city, buyer.address.postal_code) == (
        ("MAIN STREET 1",),
        "BRUSSELS",
        "1000",
    )
    assert buyer.address.country == "BE"
    assert [(i.scheme, i.value) for i in order.supplier.identifiers] == [("GLN", "8711576000012")]
    assert order.ship_to is not None
    assert order.ship_to.identifiers[0].value == "5412345000020"
    assert order.comments == "PLEASE DELIVER IN THE MORNING"
    first, second = order.lines
    assert (first.line_number, first.supplier_part_id, first.buyer_part_id) == (1, "SUP-1", "BUY-1")
    assert (first.quantity, first.unit_of_measure, first.unit_price) == (
        Decimal(5),
        "PCE",
        Decimal("1.50"),
    )
    assert first.description == "ITEM 1"
    assert first.extensions == {"GTIN": "5400000000001"}
    assert (second.quantity, second.unit_price) == (Decimal(10), Decimal("2.50"))


@pytest.mark.parametrize(
    ("function", "change"),
    [
        ("9", OrderChange.NEW),
        ("7", OrderChange.NEW),
        ("4", OrderChange.UPDATE),
        ("5", OrderChange.UPDATE),
        ("1", OrderChange.DELETE),
        ("3", OrderChange.DELETE),
    ],
)
def test_message_functions(function: str, change: OrderChange) -> None:
    order = _order(_replace("BGM+220+PO-1+9", f"BGM+220+PO-1+{function}"))
    assert order.change is change
    if function != "9":
        assert order.extensions["BGM.1225"] == function


def test_a_cancellation_may_have_no_lines_and_no_bgm_function_means_original() -> None:
    body = [
        s for s in orders_body() if not s.startswith(("LIN", "PIA", "IMD", "QTY", "PRI", "CNT"))
    ]
    assert _order(_replace("+PO-1+9", "+PO-1+1", body)).change is OrderChange.DELETE
    assert _order(_replace("+PO-1+9", "+PO-1")).change is OrderChange.NEW


def test_order_kinds_and_what_is_not_an_order() -> None:
    assert _order(_replace("BGM+220", "BGM+221")).order_type == "blanket"
    assert _order(_replace("BGM+220", "BGM+226:::CALL OFF")).order_type == "release"
    error = _refusal(_replace("BGM+220", "BGM+380"))
    assert isinstance(error, EdifactUnsupportedError)
    assert (error.code, error.position.segment_id, error.position.element) == ("14", "BGM", 1)
    rules = EdifactInboundRules(document_codes={"380": "regular"})
    assert _order(_replace("BGM+220", "BGM+380"), rules).extensions["BGM.1001"] == "380"
    assert "220" in rules.document_codes


def test_an_unknown_message_function_is_refused() -> None:
    error = _refusal(_replace("+PO-1+9", "+PO-1+99"))
    assert isinstance(error, EdifactUnsupportedError)
    assert (error.code, error.position.element, error.bad_value) == ("14", 3, "99")


def test_d01b_document_identification_keeps_its_version() -> None:
    order = _order(
        _replace("BGM+220+PO-1+9", "BGM+220+PO-1:3+9"), message_type="ORDERS:D:01B:UN:EAN010"
    )
    assert order.order_id == "PO-1"
    assert order.extensions["BGM.1056"] == "3"


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("DTM+137:260301:101", datetime(2026, 3, 1, tzinfo=BRUSSELS)),
        ("DTM+137:20260301081530:204", datetime(2026, 3, 1, 8, 15, 30, tzinfo=BRUSSELS)),
        (
            "DTM+137:202603011200?+01:303",
            datetime(2026, 3, 1, 12, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("DTM+137:202603011200UTC:303", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("DTM+137:20260301", datetime(2026, 3, 1, tzinfo=BRUSSELS)),
        ("DTM+4:20260302:102", datetime(2026, 3, 2, tzinfo=BRUSSELS)),
    ],
)
def test_date_formats(segment: str, expected: datetime) -> None:
    order = _order(_replace("DTM+137:20260301:102", segment))
    assert order.order_date == expected


def test_delivery_dates_by_preference_and_periods() -> None:
    body = _replace("DTM+2:202603101200:203", "DTM+64:20260309:102")
    body.insert(2, "DTM+2:20260311-20260312:718")
    order = _order(body)
    assert order.requested_delivery_date == datetime(2026, 3, 11, tzinfo=BRUSSELS)
    lines = _replace("QTY+21:5:PCE", "QTY+21:5:PCE'DTM+69:20260320:102")
    assert _order(lines).lines[0].requested_delivery_date == datetime(2026, 3, 20, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("old", "new", "code", "where"),
    [
        ("DTM+137:20260301:102", "DTM+137:20260301:999", "14", (3, 1, 3)),
        ("DTM+137:20260301:102", "DTM+137:20261301:102", "12", (3, 1, 2)),
        ("DTM+137:20260301:102", "DTM+ZZZ:20260301:102", "13", (2, None, None)),
        ("QTY+21:5:PCE", "QTY+21:5X:PCE", "37", (15, 1, 2)),
        ("QTY+21:5:PCE", "QTY+21:1,5:PCE", "19", (15, 1, 2)),
        ("QTY+21:5:PCE", "QTY+21::PCE", "13", (15, 1, 2)),
        ("QTY+21:5:PCE", "QTY+21:0:PCE", "12", (15, 1, 2)),
        ("QTY+21:5:PCE", "QTY+59:5", "13", (12, None, None)),
        ("PRI+AAA:1.50", "PRI+AAA:ABC", "37", (16, 1, 2)),
        ("BGM+220+PO-1+9", "BGM+220++9", "13", (2, 2, 1)),
        ("CNT+2:2", "CNT+2:3", "12", (23, 1, 2)),
        ("CUX+2:EUR:9", "CUX+2:EURO:9", "12", (5, 1, 2)),
    ],
)
def test_refusals_carry_their_position_and_code(
    old: str, new: str, code: str, where: tuple[int, int | None, int | None]
) -> None:
    error = _refusal(_replace(old, new))
    position = error.position
    assert error.code == code
    assert (position.segment_index, position.element, position.component) == where
    assert position.message == "1"
    assert position.interchange == "1001"
    assert position.byte_offset is not None


def test_missing_segments_are_located_where_contrl_wants_them() -> None:
    no_bgm = [s for s in orders_body() if not s.startswith("BGM")]
    error = _refusal(no_bgm)
    assert (error.code, error.position.segment_index, error.position.segment_id) == ("13", 1, "BGM")
    assert "no BGM segment" in error.message
    no_lines = [s for s in orders_body() if not s.startswith(("LIN", "PIA", "IMD", "QTY", "PRI"))]
    error = _refusal(no_lines[:-1])
    assert (error.code, error.position.segment_id) == ("13", "LIN")


def test_duplicate_line_numbers_are_a_model_refusal_located_in_the_message() -> None:
    error = _refusal(_replace("LIN+2++", "LIN+1++"))
    assert "line numbers must be unique" in error.message
    assert error.position.message == "1"


def test_summary_amounts_and_price_basis() -> None:
    body = [*orders_body()[:-1], "MOA+79:100", "MOA+86:121", "MOA+124:21", orders_body()[-1]]
    body = _replace("PRI+AAA:1.50", "PRI+AAA:150:::100:PCE'PRI+AAB:2", body)
    order = _order(body)
    assert (order.total, order.tax) == (Decimal(121), Decimal(21))
    assert order.lines[0].unit_price == Decimal("1.5")
    assert order.lines[0].extensions["PRI.5284"] == "100"


def test_item_numbers_by_rules_and_unknown_types_as_extensions() -> None:
    body = _replace("PIA+1+BUY-1:IN+SUP-1:SA", "PIA+1+MF-1:MF+BP-1:BP")
    line = _order(body).lines[0]
    assert (line.supplier_part_id, line.buyer_part_id) == ("5400000000001", "BP-1")
    assert line.extensions == {"GTIN": "5400000000001", "item.MF": "MF-1"}
    rules = EdifactInboundRules(supplier_part_types=("SA",), buyer_part_types=("BP",))
    line = _order(body, rules).lines[0]
    assert line.supplier_part_id is None


def test_references_free_text_and_party_references() -> None:
    body = _replace(
        "NAD+SU+8711576000012::9",
        "NAD+SU+8711576000012::9'RFF+VA:BE0123456789",
    )
    body.insert(4, "RFF+CT:CONTRACT-9")
    body = _replace(
        "IMD+F++:::ITEM 1", "IMD+F++:::ITEM 1'FTX+LIN+++FRAGILE:HANDLE WITH CARE'RFF+LI:7", body
    )
    order = _order(body)
    assert order.extensions["RFF.CT"] == "CONTRACT-9"
    assert order.extensions["NAD.SU.RFF.VA"] == "BE0123456789"
    assert order.lines[0].comments == "FRAGILE HANDLE WITH CARE"
    assert order.lines[0].extensions["RFF.LI"] == "7"


def test_interchange_parties_and_test_indicator() -> None:
    data = interchange(orders_body()).replace(b"+1001'", b"+1001++++++1'", 1)
    (message,) = messages(data)
    order = read_orders(message)
    assert order.is_test
    assert [(i.scheme, i.value) for i in order.buyer.identifiers] == [("GLN", "5412345000013")]
    other = interchange(orders_body()).replace(b"5412345000013:14", b"BUYER1:ZZZ")
    order = read_orders(messages(other)[0])
    assert [(i.scheme, i.value) for i in order.buyer.identifiers] == [
        ("GLN", "5412345000013"),
        ("ZZZ", "BUYER1"),
    ]


def test_defaults_from_the_rules() -> None:
    body = [s for s in orders_body() if not s.startswith("CUX")]
    body = _replace("QTY+21:5:PCE", "QTY+21:5", body)
    rules = EdifactInboundRules(default_currency="GBP", default_unit="C62")
    order = _order(body, rules)
    assert (order.currency, order.lines[0].unit_of_measure) == ("GBP", "C62")


def test_only_orders_are_translated_and_releases_can_be_restricted() -> None:
    message = _message(orders_body(), message_type="INVOIC:D:96A:UN")
    with pytest.raises(EdifactUnsupportedError) as refused:
        read_orders(message)
    assert refused.value.code == CODES.NO_AGREEMENT
    rules = EdifactInboundRules(releases=("01B",))
    with pytest.raises(EdifactUnsupportedError, match="release '96A'"):
        read_orders(_message(orders_body()), rules)


def test_a_translation_refusal_becomes_ucs_and_ucd_in_the_message_outcome() -> None:
    message = _message(_replace("QTY+21:5:PCE", "QTY+21:5X:PCE"))
    with pytest.raises(EdifactError) as refused:
        read_orders(message)
    outcome = message.outcome.for_error(refused.value)
    assert outcome.action == "4"
    assert outcome.code is None
    (note,) = outcome.segments
    assert (note.position, note.code, note.segment_id) == (15, None, "QTY")
    (element,) = note.elements
    assert (element.code, element.element.position, element.element.component) == ("37", 2, 2)
