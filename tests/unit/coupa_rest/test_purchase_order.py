"""`read_purchase_order`: Coupa's JSON to the canonical order; every refusal located."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError
from connectors.coupa_rest.purchase_order import (
    CoupaRestRules,
    purchase_order_id,
    purchase_order_key,
    purchase_order_updated_at,
    read_purchase_order,
)
from connectors.testing.fake_coupa_rest import FakeCoupaRest
from schemas import Identifier, OrderChange
from tests.support.clock import FakeClock
from tests.unit.coupa_rest.coupa_samples import sample_order

ISTANBUL = timezone(timedelta(hours=3))
RULES = CoupaRestRules(buyer_identity="acme.coupahost.com", buyer_name="ACME Holding")


def test_every_field_is_mapped() -> None:
    order = read_purchase_order(sample_order(), tz=UTC, rules=RULES)

    assert order.order_id == "6112"
    assert order.change is OrderChange.NEW
    assert order.version == 1
    assert order.order_date == datetime(2024, 1, 10, 9, 15, 2, tzinfo=ISTANBUL)
    assert order.currency == "TRY"
    assert order.extensions == {"coupa-id": "6112", "payment-term": "Net 30"}
    assert order.buyer.name == "ACME Holding"
    assert order.buyer.identifiers == (
        Identifier(scheme="CoupaInstance", value="acme.coupahost.com"),
    )
    assert order.supplier.name == "ACME Ltd"
    assert order.supplier.identifiers == (
        Identifier(scheme="CoupaSupplierID", value="42"),
        Identifier(scheme="CoupaSupplierNumber", value="SUP-0042"),
    )
    ship_to = order.ship_to
    assert ship_to is not None
    assert ship_to.name == "Main WH"
    assert ship_to.identifiers == (
        Identifier(scheme="addressID", value="IST-01"),
        Identifier(scheme="CoupaAddressID", value="301"),
    )
    assert ship_to.address is not None
    assert ship_to.address.street == ("Eski Büyükdere Cad. 3", "Kat 4, Şişli")
    assert ship_to.address.deliver_to == ("Gülşen Çağlar",)
    assert ship_to.address.city == "İstanbul"
    assert ship_to.address.region == "İstanbul"
    assert ship_to.address.postal_code == "34398"
    assert ship_to.address.country == "TR"

    first, second = order.lines
    assert first.line_number == 1
    assert first.description == "Pallet wrap 50cm"
    assert first.quantity == Decimal("10.0")
    assert first.unit_price == Decimal("150.00")
    assert first.unit_of_measure == "EA"
    assert first.supplier_part_id == "PW-50"
    assert first.requested_delivery_date == datetime(2024, 1, 20, tzinfo=ISTANBUL)
    assert first.extensions == {"coupa-line-id": "9001", "account": "100-200"}
    assert second.line_number == 2
    assert second.description == "Koli bandı 45mm"  # noqa: RUF001 - Turkish dotless i
    assert second.quantity == Decimal(3)
    assert second.unit_price == Decimal("32.5")
    assert second.unit_of_measure == "RO"
    assert second.requested_delivery_date is None
    assert second.buyer_part_id is None


def test_non_ascii_survives_the_json_round_trip() -> None:
    order = read_purchase_order(sample_order(), tz=UTC, rules=RULES)
    assert "Gülşen Çağlar" in order.model_dump_json()
    assert order.model_validate_json(order.model_dump_json()) == order


def test_a_higher_version_is_an_update_and_cancelled_is_a_delete() -> None:
    data = sample_order()
    data["version"] = 2
    assert read_purchase_order(data, tz=UTC, rules=RULES).change is OrderChange.UPDATE
    data["status"] = "cancelled"
    cancelled = read_purchase_order(data, tz=UTC, rules=RULES)
    assert cancelled.change is OrderChange.DELETE
    assert cancelled.version == 2
    del data["order-lines"]
    assert read_purchase_order(data, tz=UTC, rules=RULES).lines == ()


def test_times_without_an_offset_are_read_in_the_given_zone() -> None:
    data = sample_order()
    data["created-at"] = "2024-01-10T09:15:02"
    data["order-lines"][0]["need-by-date"] = "2024-01-20"
    order = read_purchase_order(data, tz=ISTANBUL, rules=RULES)
    assert order.order_date == datetime(2024, 1, 10, 9, 15, 2, tzinfo=ISTANBUL)
    need_by = order.lines[0].requested_delivery_date
    assert need_by is not None
    assert need_by.date() == date(2024, 1, 20)
    assert need_by.tzinfo is ISTANBUL
    data["created-at"] = "2024-01-10T06:15:02Z"
    assert read_purchase_order(data, tz=ISTANBUL, rules=RULES).order_date == datetime(
        2024, 1, 10, 6, 15, 2, tzinfo=UTC
    )


def test_numbers_may_be_decimals_or_integers_but_not_binary_floats() -> None:
    data = sample_order()
    data["order-lines"][0]["quantity"] = Decimal("2.5")
    data["order-lines"][0]["price"] = 7
    line = read_purchase_order(data, tz=UTC, rules=RULES).lines[0]
    assert (line.quantity, line.unit_price) == (Decimal("2.5"), Decimal(7))
    data["order-lines"][0]["quantity"] = 2.5
    with pytest.raises(MalformedDocumentError) as caught:
        read_purchase_order(data, tz=UTC, rules=RULES)
    assert caught.value.location == "order-lines[0].quantity"


def test_rules_choose_the_unit_default_and_the_part_fields() -> None:
    data = sample_order()
    del data["order-lines"][1]["uom"]
    rules = RULES.model_copy(
        update={
            "default_unit_of_measure": "H87",
            "supplier_part_id_field": "description",
            "buyer_part_id_field": "item.item-number",
        }
    )
    second = read_purchase_order(data, tz=UTC, rules=rules).lines[1]
    assert second.unit_of_measure == "H87"
    assert second.supplier_part_id == "Koli bandı 45mm"  # noqa: RUF001 - Turkish dotless i
    assert second.buyer_part_id == "BUYER-77"

    strict = RULES.model_copy(update={"default_unit_of_measure": None})
    with pytest.raises(MalformedDocumentError) as caught:
        read_purchase_order(data, tz=UTC, rules=strict)
    assert caught.value.location == "order-lines[1].uom.code"


def test_rules_are_frozen_and_closed() -> None:
    with pytest.raises(ValidationError):
        CoupaRestRules.model_validate({"buyer_identity": "x", "surprise": True})
    with pytest.raises(ValidationError):
        RULES.buyer_identity = "other"  # type: ignore[misc]


def test_every_generated_fake_order_reads() -> None:
    coupa = FakeCoupaRest(clock=FakeClock())
    coupa.generate_orders(30)
    for data in coupa.orders():
        order = read_purchase_order(data, tz=UTC, rules=RULES)
        assert order.order_id == str(data["id"])
        assert len(order.lines) == len(data["order-lines"])


def test_the_key_is_id_and_version_and_marks_a_cancellation() -> None:
    data = sample_order()
    assert purchase_order_key(data) == "6112:1"
    data["version"] = 3
    assert purchase_order_key(data) == "6112:3"
    data["status"] = "cancelled"
    assert purchase_order_key(data) == "6112:3:cancelled"
    assert purchase_order_id(data) == 6112
    assert purchase_order_updated_at(data, tz=UTC) == datetime(
        2024, 1, 10, 9, 20, 11, tzinfo=ISTANBUL
    )


Mutation = Callable[[dict[str, Any]], object]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *steps, last = path.split("/")
        target: Any = data
        for step in steps:
            target = target[int(step)] if step.isdigit() else target[step]
        target[int(last) if isinstance(target, list) else last] = value

    return mutate


def _delete(key: str) -> Mutation:
    return lambda data: data.pop(key)


MALFORMED = [
    ("missing po-number", _delete("po-number"), "po-number"),
    ("blank po-number", _set("po-number", "  "), "po-number"),
    ("po-number with a newline", _set("po-number", "61\n12"), "po-number"),
    ("po-number an object", _set("po-number", {"x": 1}), "po-number"),
    ("missing version", _delete("version"), "version"),
    ("version zero", _set("version", 0), "version"),
    ("version a word", _set("version", "two"), "version"),
    ("version a boolean", _set("version", True), "version"),
    ("bad created-at", _set("created-at", "2024-13-45T99:00:00"), "created-at"),
    ("created-at a number", _set("created-at", 20240110), "created-at"),
    ("missing currency", _delete("currency"), "currency.code"),
    ("currency not ISO", _set("currency", {"code": "TL"}), "currency.code"),
    ("currency a list", _set("currency", ["TRY"]), "currency"),
    ("missing supplier", _delete("supplier"), "supplier"),
    ("supplier name a list", _set("supplier/name", ["x"]), "supplier.name"),
    ("ship-to a string", _set("ship-to-address", "Istanbul"), "ship-to-address"),
    (
        "country not ISO",
        _set("ship-to-address/country", {"code": "TUR"}),
        "ship-to-address.country.code",
    ),
    ("lines not a list", _set("order-lines", {"line": 1}), "order-lines"),
    ("lines missing", _delete("order-lines"), "order-lines"),
    ("lines empty", _set("order-lines", []), "order-lines"),
    ("line not an object", _set("order-lines/0", "line"), "order-lines[0]"),
    ("bad quantity", _set("order-lines/1/quantity", "ten"), "order-lines[1].quantity"),
    ("missing quantity", _set("order-lines/1/quantity", None), "order-lines[1].quantity"),
    ("zero quantity", _set("order-lines/0/quantity", "0"), "order-lines[0].quantity"),
    ("exponent quantity", _set("order-lines/0/quantity", "1e9999"), "order-lines[0].quantity"),
    ("huge quantity", _set("order-lines/0/quantity", 10**5000), "order-lines[0].quantity"),
    ("bad price", _set("order-lines/0/price", "1,50"), "order-lines[0].price"),
    ("bad need-by-date", _set("order-lines/0/need-by-date", "soon"), "order-lines[0].need-by-date"),
    ("bad line-num", _set("order-lines/0/line-num", "1a"), "order-lines[0].line-num"),
    ("repeated line-num", _set("order-lines/1/line-num", "1"), "order-lines[1].line-num"),
    ("uom a number", _set("order-lines/0/uom", 5), "order-lines[0].uom"),
    ("uom too long", _set("order-lines/0/uom", {"code": "X" * 36}), "order-lines[0].uom.code"),
    (
        "line currency differs",
        _set("order-lines/0/currency", {"code": "EUR"}),
        "order-lines[0].currency.code",
    ),
    (
        "part id with a tab",
        _set("order-lines/0/source-part-num", "PW\t50"),
        "order-lines[0].source-part-num",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "location"), [(m, loc) for _, m, loc in MALFORMED], ids=[n for n, _, _ in MALFORMED]
)
def test_malformed_orders_are_refused_with_their_location(mutate: Mutation, location: str) -> None:
    data = sample_order()
    mutate(data)
    with pytest.raises(MalformedDocumentError) as caught:
        read_purchase_order(data, tz=UTC, rules=RULES)
    assert caught.value.location == location
    assert location in str(caught.value)


@pytest.mark.parametrize("data", [None, [], "order", 6112, [sample_order()]])
def test_a_non_object_is_refused_at_the_root(data: Any) -> None:
    for read in (
        lambda: read_purchase_order(data, tz=UTC, rules=RULES),
        lambda: purchase_order_key(data),
        lambda: purchase_order_updated_at(data, tz=UTC),
    ):
        with pytest.raises(MalformedDocumentError) as caught:
            read()
        assert caught.value.location == "$"


def test_the_key_needs_an_id_and_a_version() -> None:
    data = sample_order()
    del data["id"]
    with pytest.raises(MalformedDocumentError) as caught:
        purchase_order_key(data)
    assert caught.value.location == "id"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.decimals(allow_nan=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
ORDER_KEYS = [
    "po-number",
    "version",
    "status",
    "created-at",
    "updated-at",
    "currency",
    "supplier",
    "ship-to-address",
    "order-lines",
    "id",
    "payment-term",
]
LINE_KEYS = [
    "line-num",
    "quantity",
    "price",
    "uom",
    "need-by-date",
    "source-part-num",
    "currency",
    "id",
]


def _only_malformed(read: Callable[[], object]) -> None:
    try:
        read()
    except MalformedDocumentError as error:
        location = error.location
    else:
        return
    assert location


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=JSON)
def test_random_json_raises_nothing_but_malformed_document(data: Any) -> None:
    _only_malformed(lambda: read_purchase_order(data, tz=UTC, rules=RULES))
    _only_malformed(lambda: purchase_order_key(data))
    _only_malformed(lambda: purchase_order_updated_at(data, tz=UTC))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.dictionaries(st.sampled_from(ORDER_KEYS), JSON, max_size=3),
    line=st.dictionaries(st.sampled_from(LINE_KEYS), JSON, max_size=3),
)
def test_a_valid_order_with_random_values_raises_nothing_but_malformed_document(
    header: dict[str, Any], line: dict[str, Any]
) -> None:
    data = sample_order()
    data["order-lines"][0].update(line)
    data.update(header)
    _only_malformed(lambda: read_purchase_order(data, tz=UTC, rules=RULES))
    _only_malformed(lambda: purchase_order_key(data))
