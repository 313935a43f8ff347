"""855, 856, 810 and 846 from canonical documents, in the partner's envelope.

Every document is re-read by our reader (no envelope problem) and by pyx12's X12Reader (no
envelope error, HL parents checked); the content is asserted segment by segment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors.formats.x12 import (
    ControlNumbers,
    Delimiters,
    OutboundDocument,
    OutboundSet,
    X12EncodeError,
    X12OutboundRules,
    X12PartnerSettings,
    build_document,
    encode_810,
    encode_846,
    encode_855,
    encode_856,
)
from schemas import (
    ConfirmationLine,
    ConfirmationType,
    ConfirmedQuantity,
    Identifier,
    Invoice,
    InvoiceLine,
    InvoiceOrder,
    LineStatus,
    OrderConfirmation,
    OrderReference,
    Package,
    Party,
    PostalAddress,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOrder,
    TaxDetail,
)
from schemas.inventory import InventorySnapshot, StockLevel
from tests.unit.x12.x12_support import NOW, assert_clean, pyx12_errors, sets_of

NUMBERS = ControlNumbers(interchange=500, group=60, transaction_set=7)
ORDER = OrderReference(order_id="PO-1", order_date=NOW - timedelta(days=3))
EASTERN = timezone(timedelta(hours=-5))


def _settings(**overrides: object) -> X12PartnerSettings:
    values: dict[str, object] = {
        "our_qualifier": "ZZ",
        "our_id": "SELLER",
        "partner_qualifier": "01",
        "partner_id": "123456789",
    }
    values.update(overrides)
    return X12PartnerSettings.model_validate(values)


def _confirmation(**overrides: object) -> OrderConfirmation:
    values: dict[str, object] = {
        "type": "detail",
        "confirmation_id": "CONF-9",
        "notice_date": NOW,
        "order": ORDER,
        "currency": "USD",
        "total": Decimal("95.00"),
        "lines": [
            ConfirmationLine(
                line_number=1,
                quantity=Decimal(10),
                unit_of_measure="EA",
                supplier_part_id="SKU-1",
                statuses=[
                    ConfirmedQuantity(
                        status="accept", quantity=Decimal(6), unit_price=Decimal("9.50")
                    ),
                    ConfirmedQuantity(
                        status="backordered",
                        quantity=Decimal(4),
                        delivery_date=NOW + timedelta(days=9),
                    ),
                ],
            ),
            ConfirmationLine(
                line_number=2,
                quantity=Decimal(1),
                unit_of_measure="CS",
                statuses=[
                    ConfirmedQuantity(status="reject", quantity=Decimal(1), comments="discontinued")
                ],
            ),
        ],
    }
    values.update(overrides)
    return OrderConfirmation.model_validate(values)


SSCC = "000123456789012343"


def _notice(**overrides: object) -> ShipNotice:
    values: dict[str, object] = {
        "shipment_id": "SHP-77",
        "notice_date": NOW,
        "shipment_date": NOW,
        "delivery_date": NOW + timedelta(days=2),
        "carriers": [
            ShipControl(
                carrier=[Identifier(scheme="SCAC", value="UPSN")], tracking_numbers=["1Z1", "1Z2"]
            ),
            ShipControl(
                carrier=[Identifier(scheme="companyName", value="Yurtici")],
                tracking_numbers=["YK-5"],
            ),
        ],
        "packages": [
            Package(package_id=SSCC, is_sscc=True, gross_weight=Decimal("2.5"), weight_unit="KGM"),
            Package(package_id="BOX-2", gross_weight=Decimal("1.25"), weight_unit="KGM"),
            Package(package_id="PALLET-9"),
        ],
        "ship_from": Party(
            name="OUR DC", address=PostalAddress(street=("1 Depot Rd",), city="Izmir", country="TR")
        ),
        "ship_to": Party(name="ACME DC 7", identifiers=(Identifier(scheme="92", value="0007"),)),
        "orders": [
            ShipNoticeOrder(
                order=ORDER,
                lines=[
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal(4),
                        unit_of_measure="EA",
                        supplier_part_id="SKU-1",
                        package_id=SSCC,
                    ),
                    ShipNoticeLine(
                        line_number=2,
                        quantity=Decimal(2),
                        unit_of_measure="EA",
                        buyer_part_id="B-2",
                        package_id=SSCC,
                    ),
                    ShipNoticeLine(
                        line_number=3, quantity=Decimal(1), unit_of_measure="EA", package_id="BOX-2"
                    ),
                    ShipNoticeLine(
                        line_number=4,
                        quantity=Decimal("0.5"),
                        unit_of_measure="KGM",
                        description="loose",
                        package_id="BOX-2",
                    ),
                ],
            ),
            ShipNoticeOrder(order=OrderReference(order_id="PO-2")),
        ],
    }
    values.update(overrides)
    return ShipNotice.model_validate(values)


def _invoice(**overrides: object) -> Invoice:
    values: dict[str, object] = {
        "invoice_id": "INV-5",
        "invoice_date": NOW,
        "currency": "USD",
        "supplier": Party(
            name="OUR COMPANY", identifiers=(Identifier(scheme="ZZ", value="SELLER"),)
        ),
        "bill_to": Party(name="ACME AP", email="ap@acme.example"),
        "payment_terms_days": 30,
        "orders": [
            InvoiceOrder(
                order=ORDER,
                lines=[
                    InvoiceLine(
                        invoice_line_number=1,
                        order_line_number=4,
                        quantity=Decimal(6),
                        unit_of_measure="EA",
                        unit_price=Decimal("9.50"),
                        supplier_part_id="SKU-1",
                        buyer_part_id="B-1",
                        description="Widget",
                        ship_notice_id="SHP-77",
                        taxes=(
                            TaxDetail(category="VAT", amount=Decimal("11.40"), rate=Decimal(20)),
                        ),
                    )
                ],
            )
        ],
        "subtotal": Decimal("57.00"),
        "tax": Decimal("11.40"),
        "shipping": Decimal("5.005"),
        "net_amount": Decimal("73.405"),
    }
    values.update(overrides)
    return Invoice.model_validate(values)


def _snapshot() -> InventorySnapshot:
    return InventorySnapshot(
        snapshot_id="STOCK-1",
        as_of=NOW,
        items=(
            StockLevel(
                sku="SKU-1",
                supplier_part_id="SKU-1",
                quantity_on_hand=Decimal(12),
                quantity_available=Decimal(10),
                unit_of_measure="EA",
                location="DC1",
            ),
            StockLevel(
                sku="SKU-1", quantity_on_hand=Decimal(3), unit_of_measure="EA", location="DC2"
            ),
            StockLevel(
                buyer_part_id="B-9", quantity_on_hand=Decimal("-1.5"), unit_of_measure="KGM"
            ),
        ),
    )


def _text(outbound: OutboundSet) -> list[str]:
    """Body segments as the writer writes them (trailing empty elements dropped)."""
    return ["*".join(segment).rstrip("*") for segment in outbound.segments]


def _body(document: OutboundDocument, settings: X12PartnerSettings | None = None) -> list[str]:
    settings = settings or _settings()
    data = build_document(document, settings, numbers=NUMBERS, now=NOW).data
    return [s.strip() for s in data.decode().split("~") if s.strip()]


DOCUMENTS: dict[str, Callable[[], OutboundDocument]] = {
    "855": _confirmation,
    "856": _notice,
    "810": _invoice,
    "846": _snapshot,
}


@pytest.mark.parametrize("set_id", sorted(DOCUMENTS))
@pytest.mark.parametrize(
    ("version", "release"), [("00401", "004010"), ("00401", "004010VICS"), ("00501", "005010")]
)
def test_every_document_is_clean_for_our_reader_and_pyx12(
    set_id: str, version: str, release: str
) -> None:
    settings = _settings(
        interchange_version=version,
        release=release,
        delimiters=Delimiters(repetition="^", suffix="\n"),
    )
    out = build_document(DOCUMENTS[set_id](), settings, numbers=NUMBERS, now=NOW)
    items = assert_clean(out.data)
    (transaction_set,) = sets_of(items)
    assert transaction_set.set_id == set_id
    assert transaction_set.control_number == "0007"
    assert transaction_set.group.version == release
    assert transaction_set.interchange.control_number == "000000500"
    assert pyx12_errors(out.data) == []
    assert out.data.decode().index("~") == 105


def test_855_lines_and_acks() -> None:
    body = _body(_confirmation())
    assert body[1] == "GS*PR*SELLER*123456789*20260301*0930*60*X*004010"
    assert body[3:] == [
        "BAK*00*AC*PO-1*20260226****CONF-9*20260301",
        "CUR*SE*USD",
        "PO1*1*10*EA*9.5**VN*SKU-1",
        "ACK*IA*6*EA",
        "ACK*IB*4*EA*067*20260310",
        "PO1*2*1*CS",
        "ACK*IR*1*CS",
        "CTT*2*11",
        "AMT*TT*95",
        "SE*11*0007",
        "GE*1*60",
        "IEA*1*000000500",
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"type": "accept", "lines": []}, "AK"),
        ({"type": "reject", "lines": []}, "RJ"),
        ({"type": "except"}, "AE"),
    ],
)
def test_855_bak02_follows_the_confirmation_type(overrides: dict[str, object], code: str) -> None:
    body = _body(_confirmation(**overrides))
    assert body[3].split("*")[2] == code


def test_855_replacement_comments_and_partner_codes() -> None:
    confirmation = _confirmation(
        operation="update", supersedes="CONF-8", comments="partial\nsee line 2"
    )
    rules = X12OutboundRules(
        send_comments=True, confirmation_codes={"detail": "AD"}, line_status_codes={"reject": "R2"}
    )
    outbound = encode_855(confirmation, rules, tz=EASTERN)
    segments = _text(outbound)
    assert segments[0] == "BAK*05*AD*PO-1*20260226****CONF-9*20260301"
    assert segments[2:5] == ["N9*L1*NOTES", "MSG*partial", "MSG*see line 2"]
    assert "ACK*R2*1*CS" in segments
    assert rules.confirmation_codes[ConfirmationType.REJECT] == "RJ"


def test_856_hierarchy_pack_levels_and_totals() -> None:
    """S, O, P, I: items in the cartons that hold them; PALLET-9 holds none, so no empty pack."""
    body = _body(_notice())
    assert body[3:] == [
        "BSN*00*SHP-77*20260301*0930*0001",
        "HL*1**S",
        "TD1*CTN25*3",
        "TD5**2*UPSN",
        "REF*CN*1Z1",
        "REF*CN*1Z2",
        "TD5*****Yurtici",
        "REF*CN*YK-5",
        "DTM*011*20260301*0930",
        "DTM*017*20260303",
        "N1*SF*OUR DC",
        "N3*1 Depot Rd",
        "N4*Izmir***TR",
        "N1*ST*ACME DC 7*92*0007",
        "HL*2*1*O",
        "PRF*PO-1***20260226",
        "HL*3*2*P",
        f"MAN*GM*{SSCC}",
        "TD1*CTN25*1****G*2.5*KGM",
        "HL*4*3*I",
        "LIN*1*VN*SKU-1",
        "SN1*1*4*EA",
        "HL*5*3*I",
        "LIN*2*BP*B-2",
        "SN1*2*2*EA",
        "HL*6*2*P",
        "MAN*CP*BOX-2",
        "TD1*CTN25*1****G*1.25*KGM",
        "HL*7*6*I",
        "SN1*3*1*EA",
        "HL*8*6*I",
        "SN1*4*0.5*KGM",
        "PID*F****loose",
        "HL*9*1*O",
        "PRF*PO-2",
        "CTT*9*12",  # hash total: 4 + 2 + 1 + 05 (0.5 without its point)
        "SE*38*0007",
        "GE*1*60",
        "IEA*1*000000500",
    ]


def test_856_hl_parents_always_precede_their_children() -> None:
    segments = _text(encode_856(_notice()))
    seen: dict[str, str] = {}
    allowed: dict[str, set[str | None]] = {  # BSN05 0001: shipment, order, pack, item
        "S": {None},
        "O": {"S"},
        "P": {"O"},
        "I": {"P"},
    }
    for segment in segments:
        if segment.startswith("HL*"):
            _, number, parent, level = segment.split("*")
            assert (seen[parent] if parent else None) in allowed[level]
            seen[number] = level


def test_856_weights_units_withdrawal_and_carrier_qualifiers() -> None:
    rules = X12OutboundRules(units={"KGM": "KG"}, tracking_qualifier="BM", sscc_qualifier="GM")
    notice = _notice(
        packages=[
            Package(package_id=SSCC, is_sscc=True, gross_weight=Decimal("2.5"), weight_unit="KGM")
        ],
        orders=[
            ShipNoticeOrder(
                order=ORDER,
                lines=[
                    ShipNoticeLine(
                        line_number=1, quantity=Decimal(1), unit_of_measure="KGM", package_id=SSCC
                    )
                ],
            )
        ],
    )
    segments = _text(encode_856(notice, rules))
    assert "TD1*CTN25*1****G*2.5*KG" in segments
    assert "REF*BM*1Z1" in segments
    assert "SN1*1*1*KG" in segments
    withdrawal = ShipNotice(
        shipment_id="SHP-77", operation="delete", supersedes="SHP-77", notice_date=NOW
    )
    assert _text(encode_856(withdrawal))[:2] == ["BSN*03*SHP-77*20260301*0930*0004", "HL*1**S"]


def test_810_amounts_in_cents_and_parties() -> None:
    body = _body(_invoice())
    assert body[3:] == [
        "BIG*20260301*INV-5*20260226*PO-1***DI*00",
        "CUR*SE*USD",
        "N1*SU*OUR COMPANY*ZZ*SELLER",
        "N1*BT*ACME AP",
        "PER*IC**EM*ap@acme.example",
        "ITD*01*3*****30",
        "IT1*4*6*EA*9.5**VN*SKU-1*BP*B-1",
        "PID*F****Widget",
        "REF*SI*SHP-77",
        "TXI*VA*11.4*20",
        "TDS*7341",
        "TXI*TX*11.4",
        "SAC*C*G830***501",
        "CTT*1*6",
        "SE*16*0007",
        "GE*1*60",
        "IEA*1*000000500",
    ]


def test_810_credit_memo_cancellation_and_several_orders() -> None:
    credit = _invoice(
        purpose="creditMemo",
        header_level=True,
        orders=[InvoiceOrder(order=ORDER, subtotal=Decimal("-10"))],
        subtotal=Decimal("-10"),
        tax=Decimal(0),
        shipping=None,
        net_amount=Decimal("-10"),
    )
    segments = _text(encode_810(credit))
    assert segments[0] == "BIG*20260301*INV-5*20260226*PO-1***CR*00"
    assert "TDS*-1000" in segments
    cancel = _invoice(operation="delete", supersedes="INV-4")
    segments = _text(encode_810(cancel))
    assert segments[0].endswith("***DI*01")
    assert "REF*OI*INV-4" in segments
    line = InvoiceLine(
        invoice_line_number=2,
        order_line_number=1,
        quantity=Decimal(1),
        unit_of_measure="EA",
        unit_price=Decimal(1),
    )
    two = _invoice(
        orders=[
            *_invoice().orders,
            InvoiceOrder(order=OrderReference(order_id="PO-2"), lines=[line]),
        ]
    )
    rules = X12OutboundRules(invoice_line_id="invoice_line")
    segments = _text(encode_810(two, rules))
    assert segments[0] == "BIG*20260301*INV-5*****DI*00"
    assert [s for s in segments if s.startswith("IT1")] == [
        "IT1*1*6*EA*9.5**VN*SKU-1*BP*B-1",
        "IT1*2*1*EA*1",
    ]
    assert [s for s in segments if s.startswith("REF*PO")] == ["REF*PO*PO-1", "REF*PO*PO-2"]


def test_846_locations_quantities_and_hash_total() -> None:
    body = _body(_snapshot())
    assert body[3:] == [
        "BIA*00*DD*STOCK-1*20260301*0930",
        "DTM*007*20260301*0930",
        "LIN*1*SK*SKU-1*VN*SKU-1",
        "REF*WS*DC1",
        "QTY*17*12*EA",
        "QTY*33*10*EA",
        "LIN*2*SK*SKU-1",
        "REF*WS*DC2",
        "QTY*17*3*EA",
        "LIN*3*BP*B-9",
        "QTY*17*-1.5*KGM",
        "CTT*3*40",  # hash total: 12 + 10 + 3 + 15 (-1.5 without sign or point)
        "SE*14*0007",
        "GE*1*60",
        "IEA*1*000000500",
    ]
    rules = X12OutboundRules(location_style="N1", available_qualifier="QA")
    segments = _text(encode_846(_snapshot(), rules))
    assert segments[2:6] == [
        "LIN*1*SK*SKU-1*VN*SKU-1",
        "QTY*17*12*EA",
        "QTY*QA*10*EA",
        "N1*WH**92*DC1",  # the LIN loop has its QTY loops before its N1 loops
    ]


def test_dates_are_written_in_the_partner_zone() -> None:
    late = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    segments = _text(encode_846(_snapshot().model_copy(update={"as_of": late}), tz=EASTERN))
    assert segments[0] == "BIA*00*DD*STOCK-1*20260228*2100"


def test_delimiters_in_data_are_replaced_or_refused() -> None:
    line = ConfirmationLine(
        line_number=1,
        quantity=Decimal(1),
        unit_of_measure="EA",
        supplier_part_id="SKU*1~X\nY",
        statuses=[ConfirmedQuantity(status="accept", quantity=Decimal(1))],
    )
    confirmation = _confirmation(type="accept", lines=[line])
    assert _body(confirmation)[5] == "PO1*1*1*EA***VN*SKU 1 X Y"
    assert _body(confirmation, _settings(replacement="_"))[5] == "PO1*1*1*EA***VN*SKU_1_X_Y"
    with pytest.raises(X12EncodeError, match="contains an X12 delimiter"):
        _body(confirmation, _settings(replacement=None))


def test_repetition_separator_only_from_00402() -> None:
    data = build_document(
        _snapshot(), _settings(interchange_version="00501"), numbers=NUMBERS, now=NOW
    ).data
    assert data.decode()[81:88] == "*^*0050"
    legacy = build_document(_snapshot(), _settings(), numbers=NUMBERS, now=NOW).data
    assert legacy.decode()[81:88] == "*U*0040"
    caret = _confirmation(order=OrderReference(order_id="A^B"))
    assert _body(caret, _settings(interchange_version="00501"))[3].startswith("BAK*00*AC*A B*")
    assert _body(caret)[3].startswith("BAK*00*AC*A^B*")


def test_uppercase_suffix_and_encoding_options() -> None:
    settings = _settings(uppercase=True, delimiters=Delimiters(segment="'", suffix="\r\n"))
    data = build_document(_invoice(), settings, numbers=NUMBERS, now=NOW).data.decode()
    assert "\r\nN1*BT*ACME AP'\r\nPER*IC**EM*AP@ACME.EXAMPLE'\r\n" in data
    assert pyx12_errors(data.encode()) == []
    with pytest.raises(X12EncodeError, match="cannot be written in ascii"):
        build_document(
            _invoice(bill_to=Party(name="Müller")),
            _settings(encoding="ascii"),
            numbers=NUMBERS,
            now=NOW,
        )


def test_mandatory_values_missing_in_the_canonical_document_are_encode_errors() -> None:
    with pytest.raises(X12EncodeError, match="BAK03"):
        encode_855(_confirmation(order=OrderReference(payload_id="123@buyer")))


def test_control_numbers_are_validated_roll_over_and_need_an_aware_clock() -> None:
    with pytest.raises(ValueError, match=r"outside 1\.\.999999999"):
        ControlNumbers(interchange=0, group=1)
    out = build_document(
        _snapshot(), _settings(), numbers=ControlNumbers(999_999_999, 999_999_999, 9_999), now=NOW
    )
    assert out.interchange_control_number == "999999999"
    assert out.set_control_numbers == ("9999",)
    assert out.next_numbers == ControlNumbers(1, 1, 10_000)
    with pytest.raises(ValueError, match="aware"):
        build_document(_snapshot(), _settings(), numbers=NUMBERS, now=datetime(2026, 1, 1))  # noqa: DTZ001


def test_settings_refuse_what_cannot_be_written() -> None:
    with pytest.raises(ValidationError, match="contains a delimiter"):
        _settings(our_id="SELL*ER")
    with pytest.raises(ValidationError, match="replacement character"):
        _settings(replacement="*")
    with pytest.raises(ValidationError):
        _settings(our_qualifier="Z")
    with pytest.raises(ValidationError):
        _settings(delimiters={"element": "*", "component": "*", "segment": "~"})
    settings = _settings(
        delimiters={"element": "|", "component": ":", "segment": "\n"},
        our_application_id="SELLERAPP",
        outbound={"line_status_codes": {"unknown": "IQ"}},
    )
    assert settings.delimiters == Delimiters("|", ":", "\n")
    assert settings.gs_sender == "SELLERAPP"
    assert settings.gs_receiver == "123456789"
    assert settings.outbound.line_status_codes[LineStatus.ACCEPT] == "IA"
