"""Every real OrderRequest sample in the shared corpus: five are read, one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml import parse_cxml, read_order_request
from schemas import Identifier, OrderChange, PurchaseOrder

COUPA_3309 = "officeluv-cxml-ruby/order_request.xml"
COUPA_6112 = "officeluv-cxml-ruby/purchase_order_request_200.xml"
FOC_HANDLING = "friendsofcxml-php/tests__CXmlTest__Handling__fixtures__order_request.xml"
FOC_METADATA = "friendsofcxml-php/tests__metadata__cxml__samples__OrderRequest.xml"
FOC_BUILDER = "friendsofcxml-php/tests__CXmlTest__Builder__fixtures__order_request.xml"
CHEFWORKS = "chefworks-cxml-tester/p6t__static__cxml__order.xml"
READABLE = (COUPA_3309, COUPA_6112, FOC_HANDLING, FOC_METADATA, FOC_BUILDER)

PST = timezone(timedelta(hours=-8))


def _read(samples_dir: Path, name: str) -> PurchaseOrder:
    return read_order_request(parse_cxml((samples_dir / name).read_bytes()))


def test_the_corpus_holds_exactly_these_order_requests(samples_dir: Path) -> None:
    found = {
        str(path.relative_to(samples_dir))
        for path in samples_dir.rglob("*.xml")
        if b"<OrderRequest" in path.read_bytes()
    }
    assert found == {*READABLE, CHEFWORKS}


@pytest.mark.parametrize("name", READABLE)
def test_every_readable_sample_gives_aware_dates_and_decimals(samples_dir: Path, name: str) -> None:
    order = _read(samples_dir, name)
    assert order.order_date.utcoffset() is not None
    assert order.lines
    for line in order.lines:
        assert isinstance(line.quantity, Decimal)
        assert line.unit_of_measure == "EA"
        if line.requested_delivery_date is not None:
            assert line.requested_delivery_date.utcoffset() is not None


def test_coupa_order_3309(samples_dir: Path) -> None:
    order = _read(samples_dir, COUPA_3309)
    assert order.order_id == "3309"
    assert order.change is OrderChange.NEW
    assert order.version is None
    assert order.order_date == datetime(2020, 3, 31, 20, 39, 22, tzinfo=UTC)
    assert (order.currency, order.total, order.shipping, order.tax) == (
        "USD",
        Decimal("91.71"),
        Decimal("0.0"),
        None,
    )
    assert order.buyer.identifiers == (Identifier(scheme="NetworkID", value="kasdflkjasdf"),)
    assert order.supplier.identifiers == (
        Identifier(scheme="alksjflkasjdfasdf", value="development@officeluv.com"),
    )
    assert order.ship_to is not None
    assert order.ship_to.identifiers == (Identifier(scheme="addressID", value="21444"),)
    assert order.ship_to.email == "asdfklajsdfkjl@optisconsulting.com"
    assert order.ship_to.address is not None
    assert order.ship_to.address.country == "US"
    assert order.bill_to is not None
    assert order.bill_to.address is not None
    assert order.bill_to.address.deliver_to == ("Venkat Gunneri",)
    assert order.extensions == {"legacy_po": ""}
    assert order.is_test is False
    assert [(line.line_number, line.quantity) for line in order.lines] == [
        (1, Decimal("1")),
        (2, Decimal("9")),
    ]
    first = order.lines[0]
    assert first.supplier_part_id == "product:1861"
    assert first.supplier_part_auxiliary_id == "product-requisition:6236"
    assert first.unit_price == Decimal("8.1")
    assert first.description == "Yogurt Whips, Key Lime Pie, 4oz Cup"
    assert first.classifications == (Identifier(scheme="UNSPSC", value="unknown"),)
    assert first.extensions == {"LineType": "Quantity"}


def test_coupa_published_sample_order_6112(samples_dir: Path) -> None:
    order = _read(samples_dir, COUPA_6112)
    assert order.order_id == "6112"
    assert order.order_date == datetime(2008, 1, 7, 9, 14, 50, tzinfo=PST)
    assert (order.currency, order.total) == ("USD", Decimal("1505.0"))
    assert order.buyer.identifiers == (Identifier(scheme="duns", value="dell"),)
    assert order.supplier.identifiers == (Identifier(scheme="Duns", value="128293714"),)
    assert order.comments == "header comment goes here if entered by user"
    assert order.is_test is False
    assert order.ship_to is not None
    assert order.ship_to.name == "jmadden"
    assert order.ship_to.address is not None
    assert order.ship_to.address.region == "ca"
    assert order.bill_to is not None
    assert order.bill_to.identifiers == (Identifier(scheme="addressID", value="142"),)
    assert [line.quantity for line in order.lines] == [Decimal("1"), Decimal("2")]
    line = order.lines[1]
    assert line.supplier_part_auxiliary_id == "1005379527029\\1"
    assert line.comments == "line item comment goes here if entered by user"
    assert line.classifications == (Identifier(scheme="UNSPSC", value="44000000"),)


def test_friendsofcxml_handling_fixture(samples_dir: Path) -> None:
    order = _read(samples_dir, FOC_HANDLING)
    assert order.order_id == "acme-1-1"
    assert order.is_test is True
    assert order.requested_delivery_date == datetime(2025, 1, 28, 23, 0, tzinfo=UTC)
    assert (order.currency, order.total) == ("USD", Decimal("10.00"))
    assert order.buyer.identifiers == (Identifier(scheme="NetworkId", value="AN00000123"),)
    assert order.supplier.identifiers == (Identifier(scheme="NetworkId", value="AN00000456"),)
    assert order.ship_to is not None
    assert order.ship_to.address is not None
    assert order.ship_to.address.deliver_to == ("ACME", "TEST.USA")
    assert order.ship_to.address.postal_code == "43201-3551"
    (line,) = order.lines
    assert (line.line_number, line.quantity, line.unit_price) == (1, Decimal("1"), Decimal("10.00"))
    assert line.buyer_part_id == "QA-ACME-AUTOTEST"
    assert line.classifications == (
        Identifier(scheme="supplier_part_id", value="QA-ACME-AUTOTEST"),
    )


def test_friendsofcxml_metadata_sample_in_euro(samples_dir: Path) -> None:
    order = _read(samples_dir, FOC_METADATA)
    assert order.order_id == "DO1234"
    assert order.order_date == datetime(2000, 10, 12, 18, 41, 29, tzinfo=PST)
    assert (order.currency, order.total) == ("EUR", Decimal("85.00"))
    assert order.is_test is True
    assert order.comments is None  # only an Attachment, no text
    assert order.ship_to is not None
    assert order.ship_to.phone == "+1 800 5551212"
    assert order.ship_to.address is not None
    assert order.ship_to.address.deliver_to == ("Joe Smith", "Mailstop M-543")
    assert order.bill_to is not None
    assert order.bill_to.phone == "+49 761 1234567"
    assert order.bill_to.address is not None
    assert (order.bill_to.address.country, order.bill_to.address.region) == ("DE", None)
    assert [(line.supplier_part_id, line.quantity, line.unit_price) for line in order.lines] == [
        ("1233244", Decimal("10"), Decimal("2.10")),
        ("1233245", Decimal("20"), Decimal("3.20")),
    ]
    assert order.lines[0].requested_delivery_date == datetime(2020, 2, 28, tzinfo=UTC)
    assert order.lines[1].comments == "Test comment"


def test_friendsofcxml_builder_fixture(samples_dir: Path) -> None:
    order = _read(samples_dir, FOC_BUILDER)
    assert order.order_id == "myorder-1"
    assert (order.currency, order.total) == ("USD", Decimal("3420.60"))
    assert order.bill_to is not None
    assert (order.bill_to.name, order.bill_to.address) == ("name", None)
    assert [(line.buyer_part_id, line.quantity) for line in order.lines] == [
        ("KD5555", Decimal("3")),
        ("KD666", Decimal("5")),
    ]


def test_chefworks_order_with_items_inside_a_message_is_refused(samples_dir: Path) -> None:
    document = parse_cxml((samples_dir / CHEFWORKS).read_bytes())
    assert document.kind == "OrderRequest"
    with pytest.raises(MalformedDocumentError) as caught:
        read_order_request(document)
    assert str(caught.value).startswith("OrderRequest has no ItemOut; cXML requires at least one")
    assert caught.value.location == "OrderRequest"
