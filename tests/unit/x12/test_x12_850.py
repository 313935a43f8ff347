"""850 -> canonical PurchaseOrder: mapping, partner rules as parameters, precise refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.formats.x12 import (
    ElementErrorCode,
    SegmentErrorCode,
    X12InboundRules,
    X12SyntaxError,
    X12UnsupportedError,
    read_850,
)
from schemas import OrderChange, PurchaseOrder
from tests.unit.x12.x12_support import events, interchange, order_segments, sets_of

BERLIN = ZoneInfo("Europe/Berlin")


def translate(
    segments: Sequence[str],
    rules: X12InboundRules | None = None,
    **envelope: str,
) -> PurchaseOrder:
    (transaction_set,) = sets_of(events(interchange([segments], **envelope)))
    return read_850(transaction_set, rules, tz=BERLIN)


def refusal(segments: Sequence[str], rules: X12InboundRules | None = None) -> X12SyntaxError:
    with pytest.raises(X12SyntaxError) as refused:
        translate(segments, rules)
    return refused.value


def test_a_plain_850_maps_every_part() -> None:
    order = translate(order_segments(7))
    assert order.order_id == "PO-7"
    assert order.change is OrderChange.NEW
    assert order.order_type == "regular"
    assert order.order_date == datetime(2026, 1, 15, tzinfo=BERLIN)
    assert order.currency == "EUR"
    assert order.total == Decimal("11.50")
    assert order.requested_delivery_date == datetime(2026, 2, 1, tzinfo=BERLIN)
    assert order.extensions == {"REF.DP": "038"}
    assert order.buyer.name == "ACME STORES"
    assert [(i.scheme, i.value) for i in order.buyer.identifiers] == [
        ("92", "0001"),
        ("ZZ", "BUYER"),
    ]
    assert (order.buyer.email, order.buyer.phone) == ("jane@example.com", "5551234")
    assert [(i.scheme, i.value) for i in order.supplier.identifiers] == [
        ("ZZ", "SELLER"),
        ("ZZ", "SELLER"),
    ]
    ship_to = order.ship_to
    assert ship_to is not None
    assert ship_to.address is not None
    assert ship_to.address.deliver_to == ("RECEIVING DOCK 4",)
    assert ship_to.address.street == ("99 WAREHOUSE RD", "UNIT B")
    assert (ship_to.address.city, ship_to.address.region, ship_to.address.postal_code) == (
        "JOLIET",
        "IL",
        "60431",
    )
    assert ship_to.address.country == "US"
    assert order.bill_to is None
    line = order.lines[1]
    assert line.line_number == 2
    assert (line.quantity, line.unit_of_measure, line.unit_price) == (
        Decimal(4),
        "EA",
        Decimal("2.25"),
    )
    assert (line.supplier_part_id, line.buyer_part_id) == ("SKU-2", "B-2")
    assert line.extensions == {"product_id.UP": "012345678902"}
    assert line.description == "WIDGET 2"
    assert line.requested_delivery_date == datetime(2026, 2, 5, tzinfo=BERLIN)
    assert not order.is_test


@pytest.mark.parametrize(
    ("purpose", "change"),
    [
        ("00", OrderChange.NEW),
        ("01", OrderChange.DELETE),
        ("05", OrderChange.UPDATE),
        ("07", OrderChange.NEW),
    ],
)
def test_beg01_purpose_codes(purpose: str, change: OrderChange) -> None:
    order = translate(order_segments(1, beg=f"BEG*{purpose}*SA*PO-1**20260115"))
    assert order.change is change
    if purpose != "00":
        assert order.extensions["BEG01"] == purpose


def test_an_unmapped_purpose_is_unsupported_unless_the_rules_map_it() -> None:
    segments = order_segments(1, beg="BEG*04*SA*PO-1**20260115")
    with pytest.raises(X12UnsupportedError, match="BEG01 '04'") as refused:
        translate(segments)
    assert refused.value.position.element == 1
    assert refused.value.element_code == ElementErrorCode.INVALID_CODE
    rules = X12InboundRules(purpose_codes={"04": OrderChange.UPDATE})
    assert rules.purpose_codes["00"] is OrderChange.NEW
    assert translate(segments, rules).change is OrderChange.UPDATE


def test_order_types_release_number_and_contract_go_where_they_belong() -> None:
    order = translate(order_segments(1, beg="BEG*00*RL*PO-1*R7*20260115*C-99"))
    assert order.order_type == "release"
    assert order.extensions["BEG04"] == "R7"
    assert order.extensions["BEG06"] == "C-99"
    custom = translate(order_segments(1, beg="BEG*00*ZZ*PO-1**20260115"))
    assert custom.order_type == "ZZ"


def test_dates_use_the_partner_zone_unless_dtm04_names_one() -> None:
    segments = order_segments(1, extra_header=["DTM*010*20260120*1430*ES"])
    segments = [s.replace("DTM*002*20260201", "DTM*002*20260201*083015*UT") for s in segments]
    order = translate(segments)
    assert order.requested_delivery_date == datetime(2026, 2, 1, 8, 30, 15, tzinfo=UTC)
    assert order.extensions["DTM.010"] == "20260120"
    line_date = order.lines[0].requested_delivery_date
    assert line_date is not None
    assert line_date.utcoffset() == timedelta(hours=1)
    eastern = order_segments(1)
    eastern[5] = "DTM*002*20260701*0900*ED"
    when = translate(eastern).requested_delivery_date
    assert when == datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=-4)))


def test_missing_currency_comes_from_the_rules() -> None:
    segments = [s for s in order_segments(1) if not s.startswith("CUR")]
    segments[-1] = f"SE*{len(segments)}*0001"
    assert translate(segments).currency == "USD"
    assert translate(segments, X12InboundRules(default_currency="TRY")).currency == "TRY"


def test_product_id_preferences_are_rules() -> None:
    line = "PO1*1*3*CA*10**VP*VP-1*IN*IN-1*VN*VN-1*UK*00012345678905"
    segments = list(order_segments(1, lines=1))
    segments[12] = line
    default = translate(segments).lines[0]
    assert (default.supplier_part_id, default.buyer_part_id) == ("VN-1", "IN-1")
    assert default.extensions == {"product_id.VP": "VP-1", "product_id.UK": "00012345678905"}
    rules = X12InboundRules(supplier_part_qualifiers=("VP", "VN"), buyer_part_qualifiers=("CB",))
    custom = translate(segments, rules).lines[0]
    assert (custom.supplier_part_id, custom.buyer_part_id) == ("VP-1", None)
    assert custom.extensions["product_id.IN"] == "IN-1"


def test_party_roles_are_rules() -> None:
    segments = order_segments(1, extra_header=["N1*BT*ACCOUNTS*92*AP", "N1*BS*BILL AND SHIP"])
    assert translate(segments).bill_to is not None
    bill_to = translate(segments, X12InboundRules(bill_to_roles=("BS",))).bill_to
    assert bill_to is not None
    assert bill_to.name == "BILL AND SHIP"


def test_header_charges_taxes_and_notes() -> None:
    segments = order_segments(
        1,
        extra_header=[
            "SAC*C*G830***1250",
            "SAC*A*C310***500",
            "TXI*ST*3.10",
            "MSG*LEAVE AT DOCK",
            "NTE*GEN*RING TWICE",
        ],
    )
    order = translate(segments)
    assert order.shipping == Decimal("12.50")
    assert order.tax == Decimal("3.10")
    assert order.comments == "LEAVE AT DOCK\nRING TWICE"


def test_line_schedule_classification_and_notes() -> None:
    segments = order_segments(
        1,
        lines=1,
        line_extra=["SCH*2*EA***106*20260301", "TC2*J*5811.00", "MSG*FRAGILE", "REF*PD*L1"],
    )
    segments = [s for s in segments if s != "DTM*002*20260205"]
    segments[-1] = f"SE*{len(segments)}*0001"
    line = translate(segments).lines[0]
    assert line.requested_delivery_date == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert (line.classifications[0].scheme, line.classifications[0].value) == ("J", "5811.00")
    assert line.comments == "FRAGILE"
    assert line.extensions["REF.PD"] == "L1"


def test_test_usage_and_5010_envelopes() -> None:
    segments = order_segments(1)
    segments[0] = "ST*850*0001*005010X220"
    order = translate(segments, version="00501", release="005010", repetition="^", usage="T")
    assert order.is_test
    assert order.order_id == "PO-1"


def test_vics_release() -> None:
    assert translate(order_segments(3), release="004010VICS").order_id == "PO-3"


def test_a_bad_quantity_is_refused_at_its_element_with_its_bytes() -> None:
    segments = [s.replace("PO1*2*4*EA", "PO1*2*4X*EA") for s in order_segments(1)]
    data = interchange([segments])
    (transaction_set,) = sets_of(events(data))
    with pytest.raises(X12SyntaxError, match="PO102: '4X' is not a decimal number") as refused:
        read_850(transaction_set)
    where = refused.value.position
    assert (where.segment_id, where.segment_index, where.element) == ("PO1", 16, 2)
    assert (where.interchange, where.group, where.transaction_set) == ("000000001", "1", "0001")
    assert refused.value.element_code == ElementErrorCode.INVALID_CHARACTER
    assert refused.value.bad_value == "4X"
    assert data[where.byte_offset or 0 :].startswith(b"PO1*2*4X")


@pytest.mark.parametrize(
    ("change", "element", "code"),
    [
        (("PO1*1*2*EA", "PO1*1**EA"), 2, "1"),
        (("PO1*1*2*EA", "PO1*1*2*"), 3, "1"),
        (("PO1*1*2*EA*1.25", "PO1*1*2*EA*1E5"), 4, "6"),
        (("BEG*00*SA*PO-1**20260115", "BEG*00*SA*PO-1**20261315"), 5, "8"),
        (("BEG*00*SA*PO-1**20260115", "BEG*00*SA***20260115"), 3, "1"),
        (("DTM*002*20260201", "DTM*002*20260201*2561"), 3, "9"),
    ],
)
def test_element_refusals_carry_997_codes(change: tuple[str, str], element: int, code: str) -> None:
    old, new = change
    error = refusal([s.replace(old, new) for s in order_segments(1)])
    assert error.position.element == element
    assert error.element_code == code


def test_a_missing_beg_is_a_missing_mandatory_segment() -> None:
    segments = [s for s in order_segments(1) if not s.startswith("BEG")]
    segments[-1] = f"SE*{len(segments)}*0001"
    error = refusal(segments)
    assert error.segment_code == SegmentErrorCode.MANDATORY_SEGMENT_MISSING
    assert (error.position.segment_id, error.position.segment_index) == ("BEG", 2)


def test_ctt_line_count_must_match() -> None:
    error = refusal([s.replace("CTT*2", "CTT*3") for s in order_segments(1)])
    assert "CTT01 says 3 line items, the order has 2" in str(error)
    assert error.position.segment_id == "CTT"


def test_model_refusals_are_located_at_the_line() -> None:
    duplicate = [s.replace("PO1*2*", "PO1*1*") for s in order_segments(1)]
    error = refusal(duplicate)
    assert "line numbers must be unique" in str(error)
    zero = [s.replace("PO1*2*4*EA", "PO1*2*0*EA") for s in order_segments(1)]
    error = refusal(zero)
    assert error.position.segment_id == "PO1"
    assert error.position.element == 2
    assert error.message.startswith("lines.1.quantity")


def test_no_lines_for_a_new_order_is_refused_but_a_cancellation_may_have_none() -> None:
    header = [*order_segments(1)[:12], "CTT*0"]
    segments = [*header, f"SE*{len(header) + 1}*0001"]
    assert "needs at least one line" in str(refusal(segments))
    segments[1] = "BEG*01*SA*PO-1**20260115"
    assert translate(segments).change is OrderChange.DELETE


def test_a_set_with_envelope_errors_or_another_id_is_refused() -> None:
    bad = order_segments(1)
    bad[-1] = "SE*3*0001"
    error = refusal(bad)
    assert error.set_code == "4"
    assert "failed the envelope checks" in str(error)
    segments = [s.replace("ST*850", "ST*860") for s in order_segments(1)]
    with pytest.raises(X12UnsupportedError, match="expected an 850"):
        translate(segments)


def test_six_digit_dates_of_old_versions() -> None:
    order = translate(order_segments(1, beg="BEG*00*SA*PO-1**960807"))
    assert order.order_date.date() == date(1996, 8, 7)
