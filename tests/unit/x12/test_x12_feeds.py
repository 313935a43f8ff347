"""846 and 832 out and back: exact segments, our readers' round trip (property-based), pyx12's
envelope check, and the refusals of the readers.

pyx12 has no 846 or 832 map (shared/reference/x12.md), so as for the 855/856/810 it checks what
it can without one: ISA/IEA, GS/GE, ST/SE framing, segment and set counts and control numbers.
The content is checked by our readers against the canonical document we started from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.formats.x12 import (
    ControlNumbers,
    Delimiters,
    TransactionSet,
    X12OutboundRules,
    X12PartnerSettings,
    X12SyntaxError,
    X12UnsupportedError,
    build_document,
    encode_832,
    read_832,
    read_846,
)
from schemas.catalog import PriceCatalog
from schemas.inventory import InventorySnapshot
from tests.unit.x12.feed_strategies import catalogs, snapshots, zones
from tests.unit.x12.x12_support import NOW, assert_clean, interchange, pyx12_errors, sets_of

NUMBERS = ControlNumbers(interchange=500, group=60, transaction_set=7)
VERSIONS = [("00401", "004010"), ("00401", "004010VICS"), ("00501", "005010")]


def _settings(**overrides: object) -> X12PartnerSettings:
    values: dict[str, object] = {
        "our_qualifier": "ZZ",
        "our_id": "SELLER",
        "partner_qualifier": "01",
        "partner_id": "123456789",
    }
    values.update(overrides)
    return X12PartnerSettings.model_validate(values)


def catalog() -> PriceCatalog:
    """Two tiers in two currencies (one with a period) and a withdrawn item."""
    return PriceCatalog.model_validate(
        {
            "catalog_id": "CAT-1",
            "as_of": NOW,
            "name": "Spring prices",
            "full": True,
            "items": [
                {
                    "sku": "SKU-1",
                    "supplier_part_id": "V-1",
                    "gtin": "012345678905",
                    "description": "Blue widget",
                    "unit_of_measure": "EA",
                    "prices": [
                        {"unit_price": "9.50", "currency": "EUR"},
                        {
                            "unit_price": "8.75",
                            "currency": "USD",
                            "min_quantity": "10",
                            "valid_from": "2026-01-01",
                            "valid_to": "2026-12-31",
                        },
                    ],
                },
                {
                    "buyer_part_id": "B-2",
                    "description": "Old widget",
                    "unit_of_measure": "KGM",
                    "change": "delete",
                },
            ],
        }
    )


def snapshot() -> InventorySnapshot:
    """Two locations of one item and an overall level in another unit."""
    return InventorySnapshot.model_validate(
        {
            "snapshot_id": "STOCK-1",
            "as_of": NOW,
            "items": [
                {
                    "sku": "SKU-1",
                    "quantity_on_hand": "12",
                    "quantity_available": "10",
                    "unit_of_measure": "EA",
                    "location": "DC1",
                },
                {
                    "sku": "SKU-1",
                    "quantity_on_hand": "3",
                    "unit_of_measure": "EA",
                    "location": "DC2",
                },
                {"buyer_part_id": "B-9", "quantity_on_hand": "-1.5", "unit_of_measure": "KGM"},
            ],
        }
    )


def _one_set(data: bytes) -> TransactionSet:
    (transaction_set,) = sets_of(assert_clean(data))
    return transaction_set


def test_832_segments() -> None:
    data = build_document(catalog(), _settings(), numbers=NUMBERS, now=NOW).data
    body = [s for s in data.decode().split("~") if s]
    assert body[1] == "GS*SC*SELLER*123456789*20260301*0930*60*X*004010"
    assert body[2:] == [
        "ST*832*0007",
        "BCT*PC*CAT-1*******Spring prices*05",
        "DTM*007*20260301*0930",
        "CUR*SE*EUR",
        "LIN*1*SK*SKU-1*VN*V-1*UP*012345678905",
        "PID*F****Blue widget",
        "PO4*1*1*EA",
        "CTP**PCB*9.5*1*EA",
        "CTP**PCB*8.75*10*EA",
        "CUR*SE*USD",
        "DTM*007*20260101",
        "DTM*036*20261231",
        "LIN*2*BP*B-2",
        "G53*002",
        "PID*F****Old widget",
        "PO4*1*1*KGM",
        "CTT*2",
        "SE*18*0007",
        "GE*1*60",
        "IEA*1*000000500",
    ]


def test_a_changes_only_catalogue_and_partner_codes() -> None:
    rules = X12OutboundRules(
        units={"KGM": "KG"}, gtin_qualifier="EN", catalog_change_code="02", item_delete_code="024"
    )
    changes = catalog().model_copy(update={"full": False})
    segments = _texts(encode_832(changes, rules).segments)
    assert segments[0] == "BCT*PC*CAT-1*******Spring prices*02"
    assert "LIN*1*SK*SKU-1*VN*V-1*EN*012345678905" in segments
    assert segments[-4:] == ["G53*024", "PID*F****Old widget", "PO4*1*1*KG", "CTT*2"]
    data = build_document(changes, _settings(outbound=rules), numbers=NUMBERS, now=NOW).data
    assert read_832(_one_set(data), rules) == changes


def _texts(segments: tuple[tuple[str, ...], ...]) -> list[str]:
    return ["*".join(segment).rstrip("*") for segment in segments]


@pytest.mark.parametrize(("version", "release"), VERSIONS)
@pytest.mark.parametrize("make", [catalog, snapshot])
def test_feeds_read_back_and_pass_pyx12(
    make: Callable[[], PriceCatalog | InventorySnapshot], version: str, release: str
) -> None:
    document = make()
    settings_ = _settings(
        interchange_version=version,
        release=release,
        delimiters=Delimiters(repetition="^", suffix="\n"),
    )
    data = build_document(document, settings_, numbers=NUMBERS, now=NOW).data
    transaction_set = _one_set(data)
    read = read_832 if isinstance(document, PriceCatalog) else read_846
    assert read(transaction_set) == document
    assert transaction_set.group.version == release
    assert pyx12_errors(data) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=catalogs(), tz=zones, version=st.sampled_from(VERSIONS))
def test_any_catalogue_round_trips_and_pyx12_finds_no_envelope_error(
    document: PriceCatalog, tz: tzinfo, version: tuple[str, str]
) -> None:
    settings_ = _settings(interchange_version=version[0], release=version[1])
    data = build_document(document, settings_, numbers=NUMBERS, now=NOW, tz=tz).data
    assert read_832(_one_set(data), tz=tz) == document
    assert pyx12_errors(data) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=snapshots(), style=st.sampled_from(["REF", "N1"]), version=st.sampled_from(VERSIONS)
)
def test_any_snapshot_round_trips_and_pyx12_finds_no_envelope_error(
    document: InventorySnapshot, style: str, version: tuple[str, str]
) -> None:
    rules = X12OutboundRules.model_validate({"location_style": style, "units": {"KGM": "KG"}})
    settings_ = _settings(interchange_version=version[0], release=version[1], outbound=rules)
    data = build_document(document, settings_, numbers=NUMBERS, now=NOW).data
    assert read_846(_one_set(data), rules) == document
    assert pyx12_errors(data) == []


def _set(*body: str, set_id: str = "832") -> TransactionSet:
    segments = [f"ST*{set_id}*0001", *body, f"SE*{len(body) + 2}*0001"]
    functional_id = "SC" if set_id == "832" else "IB"
    return _one_set(interchange([segments], functional_id=functional_id))


def test_readers_refuse_other_sets_and_say_where() -> None:
    with pytest.raises(X12UnsupportedError, match="expected an 846"):
        read_846(_set("BCT*PC*C-1"))
    with pytest.raises(X12SyntaxError, match="no BCT") as missing:
        read_832(_set("DTM*007*20260301"))
    assert missing.value.position.segment_index == 2
    with pytest.raises(X12SyntaxError, match="CTP03") as bad:
        read_832(
            _set(
                "BCT*PC*C-1",
                "DTM*007*20260301*0930",
                "CUR*SE*EUR",
                "LIN*1*SK*A",
                "PID*F****Thing",
                "CTP**PCB*9,5*1*EA",
            )
        )
    assert (bad.value.position.segment_index, bad.value.position.element) == (7, 3)
    with pytest.raises(X12SyntaxError, match="CTT01 says 2"):
        read_846(
            _set("BIA*00*DD*S-1*20260301*0930", "LIN*1*SK*A", "QTY*17*1*EA", "CTT*2", set_id="846")
        )


def test_readers_locate_model_refusals_at_the_item() -> None:
    with pytest.raises(X12SyntaxError, match="at least one price") as priceless:
        read_832(
            _set("BCT*PC*C-1", "DTM*007*20260301*0930", "LIN*1*SK*A", "PID*F****A", "PO4*1*1*EA")
        )
    assert priceless.value.position.segment_index == 4
    with pytest.raises(X12SyntaxError, match="quantity_on_hand"):
        read_846(_set("BIA*00*DD*S-1*20260301*0930", "LIN*1*SK*A", "QTY*33*1*EA", set_id="846"))
    with pytest.raises(X12SyntaxError, match="price identifier"):
        read_832(
            _set("BCT*PC*C-1", "DTM*007*20260301", "CUR*SE*EUR", "LIN*1*SK*A", "CTP**RES*1*1*EA")
        )


def test_a_snapshot_date_is_read_in_the_partner_zone() -> None:
    eastern = timezone(timedelta(hours=-5))
    read = read_846(
        _set("BIA*00*DD*S-1*20260228*2100", "LIN*1*SK*A", "QTY*17*1*EA", set_id="846"),
        tz=eastern,
    )
    assert read.as_of == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert read.items[0].quantity_on_hand == Decimal(1)
