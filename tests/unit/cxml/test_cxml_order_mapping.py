"""OrderRequest to PurchaseOrder, one mapping or tolerance rule per test, on built documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml import UnreadableAmountError, parse_cxml, read_order_request
from schemas import Identifier, OrderChange, Party, PostalAddress, PurchaseOrder

Builder = Callable[..., bytes]
PST = timezone(timedelta(hours=-8))
HEADER = 'orderID="PO-1" orderDate="2026-11-22T10:30:00-08:00"'


def _order(body: bytes, **kwargs: object) -> PurchaseOrder:
    return read_order_request(parse_cxml(body), **kwargs)  # type: ignore[arg-type]


def _refusal(body: bytes) -> MalformedDocumentError:
    with pytest.raises(MalformedDocumentError) as caught:
        _order(body)
    return caught.value


def _item(
    attributes: str = 'quantity="1" lineNumber="1"', detail: str = "", extra: str = ""
) -> str:
    """One ItemOut; `detail` is added inside ItemDetail, `extra` after it."""
    return f"""
      <ItemOut {attributes}>
        <ItemID><SupplierPartID>P</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">1.00</Money></UnitPrice>
          <Description xml:lang="en">Thing</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          {detail}
        </ItemDetail>{extra}
      </ItemOut>"""


# --- header -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_date", "expected"),
    [
        ("2026-11-22T10:30:00-08:00", datetime(2026, 11, 22, 10, 30, tzinfo=PST)),
        ("2026-11-22T10:30:00-0800", datetime(2026, 11, 22, 10, 30, tzinfo=PST)),
        ("2026-11-22T18:30:00Z", datetime(2026, 11, 22, 18, 30, tzinfo=UTC)),
        ("2026-11-22T18:30:00.250Z", datetime(2026, 11, 22, 18, 30, 0, 250000, tzinfo=UTC)),
        ("2026-11-22 18:30:00", datetime(2026, 11, 22, 18, 30, tzinfo=UTC)),
        ("2026-11-22", datetime(2026, 11, 22, tzinfo=UTC)),
    ],
)
def test_order_date_forms(make_order: Builder, order_date: str, expected: datetime) -> None:
    order = _order(make_order(header_attributes=f'orderID="PO-1" orderDate="{order_date}"'))
    assert order.order_date == expected
    assert order.order_date.utcoffset() == expected.utcoffset()


def test_naive_dates_use_the_default_zone(make_order: Builder) -> None:
    tz = ZoneInfo("America/Chicago")
    body = make_order(
        header_attributes='orderID="PO-1" orderDate="2026-07-01T09:00:00"',
        items=_item('quantity="1" requestedDeliveryDate="2026-07-10"'),
    )
    order = _order(body, default_tz=tz)
    assert order.order_date == datetime(2026, 7, 1, 9, tzinfo=tz)
    assert order.lines[0].requested_delivery_date == datetime(2026, 7, 10, tzinfo=tz)


def test_header_attributes(make_order: Builder) -> None:
    order = _order(
        make_order(
            header_attributes=HEADER + ' type="new" orderType="release" orderVersion="1"'
            ' requestedDeliveryDate="2026-12-01"'
        )
    )
    assert (order.order_id, order.change, order.version, order.order_type) == (
        "PO-1",
        OrderChange.NEW,
        1,
        "release",
    )
    assert order.requested_delivery_date == datetime(2026, 12, 1, tzinfo=UTC)
    assert order.supersedes is None


def test_defaults_when_attributes_are_absent(make_order: Builder) -> None:
    order = _order(make_order(header_attributes=HEADER))
    assert (order.change, order.version, order.order_type) == (OrderChange.NEW, None, "regular")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("update", OrderChange.UPDATE),
        ("delete", OrderChange.DELETE),
        ("Update", OrderChange.UPDATE),
    ],
)
def test_update_and_delete_carry_version_and_supersedes(
    make_order: Builder, kind: str, expected: OrderChange
) -> None:
    body = make_order(
        header_attributes=HEADER + f' type="{kind}" orderVersion="3"',
        header_children='<DocumentReference payloadID="1763835000000.42.prev@buyer.example"/>',
    )
    order = _order(body)
    assert (order.change, order.version) == (expected, 3)
    assert order.supersedes == "1763835000000.42.prev@buyer.example"


@pytest.mark.parametrize("version", ["abc", "0", "-1", "2.5", "x", "9" * 5000])
def test_an_order_version_that_is_no_positive_number_is_refused(
    make_order: Builder, version: str
) -> None:
    """The DTD comment numbers versions 1, 2, 3...; a guess would misplace the change."""
    error = _refusal(make_order(header_attributes=HEADER + f' orderVersion="{version}"'))
    assert str(error).startswith("OrderRequestHeader@orderVersion")
    assert "is not a positive whole number" in str(error)
    assert error.location == "OrderRequestHeader/@orderVersion"


def test_an_empty_order_version_is_left_to_the_hub(make_order: Builder) -> None:
    assert _order(make_order(header_attributes=HEADER + ' orderVersion=""')).version is None


def test_type_change_is_refused_with_the_exact_reason(make_order: Builder) -> None:
    error = _refusal(make_order(header_attributes=HEADER + ' type="change"'))
    assert str(error).startswith(
        'OrderRequestHeader@type "change" is not one of new, update, delete'
    )
    assert error.location == "OrderRequestHeader/@type"


@pytest.mark.parametrize(
    ("attributes", "reason", "location"),
    [
        ('orderDate="2026-11-22"', "OrderRequestHeader@orderID is required", "/@orderID"),
        ('orderID=" " orderDate="2026-11-22"', "@orderID is required", "/@orderID"),
        ('orderID="PO-1"', "OrderRequestHeader@orderDate is required", "/@orderDate"),
        ('orderID="PO-1" orderDate="soon"', '"soon" is not a date', "/@orderDate"),
        (HEADER + ' requestedDeliveryDate="x"', '"x" is not a date', "/@requestedDeliveryDate"),
    ],
)
def test_missing_or_bad_header_attributes_are_refused(
    make_order: Builder, attributes: str, reason: str, location: str
) -> None:
    error = _refusal(make_order(header_attributes=attributes))
    assert reason in str(error)
    assert error.location == "OrderRequestHeader" + location


def test_money_tax_and_shipping(make_order: Builder) -> None:
    body = make_order(
        header_children="""
        <Shipping><Money currency="USD">9.95</Money><Description>UPS</Description></Shipping>
        <Tax><Money currency="usd"> 1.5 </Money><Description>VAT</Description></Tax>"""
    )
    order = _order(body)
    assert (order.currency, order.total, order.tax, order.shipping) == (
        "USD",
        Decimal("100.00"),
        Decimal("1.5"),
        Decimal("9.95"),
    )


def test_a_line_priced_in_another_currency_keeps_its_currency(make_order: Builder) -> None:
    order = _order(make_order(items=_item().replace('currency="USD"', 'currency="EUR"')))
    assert order.currency == "USD"
    assert (order.lines[0].unit_price, order.lines[0].unit_price_currency) == (
        Decimal("1.00"),
        "EUR",
    )


def test_a_header_amount_in_another_currency_keeps_its_currency(make_order: Builder) -> None:
    order = _order(make_order(header_children='<Tax><Money currency="GBP">1</Money></Tax>'))
    assert (order.currency, order.tax, order.tax_currency) == ("USD", Decimal("1"), "GBP")
    assert order.total_currency is None


def test_an_order_without_any_currency_is_refused(make_order: Builder) -> None:
    error = _refusal(make_order().replace(b' currency="USD"', b""))
    assert "no currency" in str(error)


def test_money_without_currency_takes_the_order_currency(make_order: Builder) -> None:
    order = _order(make_order(items=_item().replace(' currency="USD"', "")))
    assert (order.currency, order.lines[0].unit_price) == ("USD", Decimal("1.00"))
    assert order.lines[0].unit_price_currency is None


@pytest.mark.parametrize("attribute", ['currency=""', 'currency=" "'])
def test_an_empty_currency_is_refused(make_order: Builder, attribute: str) -> None:
    """The DTD requires an ISO 4217 code; an empty one states none, so nothing is guessed."""
    error = _refusal(make_order(items=_item().replace('currency="USD"', attribute)))
    assert "ItemOut[1]/ItemDetail/UnitPrice/Money@currency is empty" in str(error)
    assert error.location == "ItemOut[1]/ItemDetail/UnitPrice/Money/@currency"


@pytest.mark.parametrize("amount", ["", "  ", "n/a"])
def test_a_money_that_is_no_amount_is_an_unreadable_amount(
    make_order: Builder, amount: str
) -> None:
    """Valid cXML (Money is free text): the connector holds it instead of refusing it."""
    error = _refusal(make_order(items=_item().replace(">1.00<", f">{amount}<")))
    assert isinstance(error, UnreadableAmountError)
    assert error.location == "ItemOut[1]/ItemDetail/UnitPrice/Money"


def test_ship_to_and_bill_to_addresses(make_order: Builder) -> None:
    body = make_order(
        header_children="""
        <BillTo><Address isoCountryCode="de" addressID="B-9">
          <Name xml:lang="de">Zinc GmbH</Name>
          <PostalAddress><Street>An den Eichen 18</Street><City>Solingen</City>
            <PostalCode>42699</PostalCode><Country>Deutschland</Country></PostalAddress>
        </Address></BillTo>
        <ShipTo><Address addressID="S-1">
          <Name xml:lang="en">Dock 4</Name>
          <PostalAddress name="default">
            <DeliverTo>Joe Smith</DeliverTo><DeliverTo>Mailstop M-543</DeliverTo>
            <Street>123 Anystreet</Street><Street>Building 2</Street>
            <City>Sunnyvale</City><State>CA</State><PostalCode>90489</PostalCode>
            <Country isoCountryCode="US">United States</Country>
          </PostalAddress>
          <Email name="default">dock@example.com</Email>
          <Phone name="work"><TelephoneNumber>
            <CountryCode isoCountryCode="US">1</CountryCode><AreaOrCityCode>800</AreaOrCityCode>
            <Number>5551212</Number><Extension>42</Extension>
          </TelephoneNumber></Phone>
        </Address></ShipTo>"""
    )
    order = _order(body)
    assert order.ship_to == Party(
        name="Dock 4",
        identifiers=(Identifier(scheme="addressID", value="S-1"),),
        address=PostalAddress(
            deliver_to=("Joe Smith", "Mailstop M-543"),
            street=("123 Anystreet", "Building 2"),
            city="Sunnyvale",
            region="CA",
            postal_code="90489",
            country="US",
        ),
        email="dock@example.com",
        phone="+1 800 5551212 x42",
    )
    assert order.bill_to is not None
    assert order.bill_to.address is not None
    assert order.bill_to.address.country == "DE"  # from Address@isoCountryCode
    assert order.bill_to.identifiers == (Identifier(scheme="addressID", value="B-9"),)


def test_credentials_become_party_identifiers_with_the_domain_as_sent(
    make_order: Builder, order_secret: str
) -> None:
    order = _order(make_order())
    assert order.buyer.identifiers == (Identifier(scheme="NetworkID", value="AN01000000001"),)
    assert order.supplier.identifiers == (Identifier(scheme="DUNS", value="123456789"),)
    assert order_secret not in order.model_dump_json()


@pytest.mark.parametrize(
    ("mode", "is_test"), [("test", True), ("TEST", True), ("production", False)]
)
def test_deployment_mode(make_order: Builder, mode: str, is_test: bool) -> None:
    assert _order(make_order(mode=mode)).is_test is is_test


def test_header_comments_keep_text_and_drop_attachments(make_order: Builder) -> None:
    body = make_order(
        header_children="""
        <Comments>Ring the bell <Attachment><URL>cid:x@y</URL></Attachment> twice</Comments>
        <Comments xml:lang="de">Zweite Zeile</Comments>"""
    )
    assert _order(body).comments == "Ring the bell  twice\nZweite Zeile"


def test_header_extrinsics_are_flattened_deterministically(make_order: Builder) -> None:
    body = make_order(
        header_children="""
        <Extrinsic name="CostCenter"> 4711 </Extrinsic>
        <Extrinsic name="Empty"/>
        <Extrinsic name="CustomFields">
          <IdReference identifier="42" domain="cost-code"/>
          <IdReference identifier="invoice_image_url" domain="CustomFields">
            <Description xml:lang="en">http://example.com/i.jpg</Description>
          </IdReference>
          <IdReference identifier="7"/>
        </Extrinsic>
        <Extrinsic name="Note">first</Extrinsic>
        <Extrinsic name="Note">second</Extrinsic>
        <Extrinsic name="Nested">
          <Extrinsic name="Inner">v</Extrinsic><Plain>p</Plain>
        </Extrinsic>"""
    )
    assert _order(body).extensions == {
        "CostCenter": "4711",
        "Empty": "",
        "CustomFields.cost-code": "42",
        "CustomFields.invoice_image_url": "http://example.com/i.jpg",
        "CustomFields.IdReference": "7",
        "Note": "first",
        "Note #2": "second",
        "Nested.Inner": "v",
        "Nested.Plain": "p",
    }


def test_element_order_does_not_matter(make_order: Builder) -> None:
    shuffled = """
      <ItemOut lineNumber="1" quantity="2">
        <Comments>late comment</Comments>
        <ItemDetail>
          <Extrinsic name="Color">red</Extrinsic>
          <Classification domain="UNSPSC">44000000</Classification>
          <UnitOfMeasure>BX</UnitOfMeasure>
          <Description xml:lang="en">Box</Description>
          <UnitPrice><Money currency="USD">3</Money></UnitPrice>
        </ItemDetail>
        <ItemID><BuyerPartID>B-1</BuyerPartID><SupplierPartID>S-1</SupplierPartID></ItemID>
      </ItemOut>"""
    body = (
        make_order(
            items=shuffled,
            header_children='<Comments>c</Comments><Shipping><Money currency="USD">2</Money>'
            "</Shipping>",
        )
        .replace(
            b'<Total><Money currency="USD">100.00</Money></Total>',
            b"",
        )
        .replace(
            b"</OrderRequestHeader>",
            b'<Total><Money currency="USD">8</Money></Total></OrderRequestHeader>',
        )
    )
    order = _order(body)
    assert (order.total, order.shipping, order.comments) == (Decimal("8"), Decimal("2"), "c")
    line = order.lines[0]
    assert (line.supplier_part_id, line.buyer_part_id, line.unit_of_measure) == ("S-1", "B-1", "BX")
    assert (line.unit_price, line.description, line.comments) == (
        Decimal("3"),
        "Box",
        "late comment",
    )
    assert line.extensions == {"Color": "red"}


# --- lines --------------------------------------------------------------------------------------


def test_largest_accepted_numbers(make_order: Builder) -> None:
    item = _item(f'quantity="{"9" * 18}.{"9" * 18}" lineNumber="999999999"')
    line = _order(make_order(items=item)).lines[0]
    assert (line.line_number, line.quantity) == (999_999_999, Decimal(f"{'9' * 18}.{'9' * 18}"))


def test_line_fields(make_order: Builder) -> None:
    item = (
        _item(
            'quantity=" 2.500 " lineNumber="10" requestedDeliveryDate="2026-12-24T08:00:00+01:00"',
            detail="""
          <Classification domain="UNSPSC">44121600</Classification>
          <Classification domain="">ignored</Classification>
          <Classification domain="custom"> </Classification>
          <Extrinsic name="LineType">Quantity</Extrinsic>""",
            extra='<Comments>gift wrap</Comments><Extrinsic name="Outer">o</Extrinsic>',
        )
        .replace(
            "<ItemID><SupplierPartID>P</SupplierPartID></ItemID>",
            "<ItemID><SupplierPartID> P-1 </SupplierPartID>"
            "<SupplierPartAuxiliaryID>AUX</SupplierPartAuxiliaryID>"
            "<BuyerPartID>BUY-1</BuyerPartID></ItemID>",
        )
        .replace(
            '<Description xml:lang="en">Thing</Description>',
            '<Description xml:lang="en"><ShortName>Pen</ShortName>Blue pen</Description>',
        )
        .replace("<UnitOfMeasure>EA</UnitOfMeasure>", "<UnitOfMeasure> H87 </UnitOfMeasure>")
    )
    line = _order(make_order(items=item)).lines[0]
    assert line.line_number == 10
    assert line.quantity == Decimal("2.500")
    assert line.requested_delivery_date == datetime(
        2026, 12, 24, 8, tzinfo=timezone(timedelta(hours=1))
    )
    assert (line.supplier_part_id, line.supplier_part_auxiliary_id, line.buyer_part_id) == (
        "P-1",
        "AUX",
        "BUY-1",
    )
    assert line.description == "Blue pen"
    assert line.unit_of_measure == "H87"
    assert line.unit_price == Decimal("1.00")
    assert line.classifications == (Identifier(scheme="UNSPSC", value="44121600"),)
    assert line.comments == "gift wrap"
    assert line.extensions == {"LineType": "Quantity", "Outer": "o"}
    assert line.sku is None


def test_missing_line_numbers_are_the_item_positions(make_order: Builder) -> None:
    items = _item('quantity="1"') + _item('quantity="2"') + _item('quantity="3"')
    assert [line.line_number for line in _order(make_order(items=items)).lines] == [1, 2, 3]


def test_only_direct_item_outs_are_lines(make_order: Builder) -> None:
    nested = "<Extrinsic name='x'>" + _item('quantity="9" lineNumber="9"') + "</Extrinsic>"
    order = _order(make_order(items=_item() + nested))
    assert [line.line_number for line in order.lines] == [1]


def test_blanket_item_detail_is_read(make_order: Builder) -> None:
    item = _item().replace("ItemDetail>", "BlanketItemDetail>")
    line = _order(make_order(items=item)).lines[0]
    assert (line.unit_of_measure, line.unit_price) == ("EA", Decimal("1.00"))


@pytest.mark.parametrize(
    ("items", "reason", "location"),
    [
        (
            _item() + _item('quantity="abc" lineNumber="2"'),
            '"abc" is not a decimal number',
            "ItemOut[2]/@quantity",
        ),
        (_item() + _item('quantity="NaN"'), "is not a decimal number", "ItemOut[2]/@quantity"),
        (_item('quantity="Infinity"'), "is not a decimal number", "ItemOut[1]/@quantity"),
        (_item('quantity="1,5"'), '"1,5" is not a decimal number', "ItemOut[1]/@quantity"),
        (_item('quantity="1E+999999999"'), "is out of range", "ItemOut[1]/@quantity"),
        (_item('quantity="1000000000000000000"'), "is out of range", "ItemOut[1]/@quantity"),
        (_item(f'quantity="0.{"0" * 18}1"'), "is out of range", "ItemOut[1]/@quantity"),
        (
            _item(f'quantity="1" lineNumber="{"9" * 5000}"'),
            "is not a positive integer",
            "ItemOut[1]/@lineNumber",
        ),
        (_item('lineNumber="1"'), "ItemOut[1]@quantity is required", "ItemOut[1]/@quantity"),
        (
            _item().replace(">1.00<", ">1.00 USD<"),
            "is not a decimal number",
            "ItemOut[1]/ItemDetail/UnitPrice/Money",
        ),
        (
            _item('quantity="1" lineNumber="first"'),
            'ItemOut[1]@lineNumber "first" is not a positive integer',
            "ItemOut[1]/@lineNumber",
        ),
        (
            _item('quantity="1" lineNumber="0"'),
            "is not a positive integer",
            "ItemOut[1]/@lineNumber",
        ),
        (
            _item().replace(
                "<UnitOfMeasure>EA</UnitOfMeasure>", "<UnitOfMeasure> </UnitOfMeasure>"
            ),
            "ItemOut[1]/ItemDetail/UnitOfMeasure is required",
            "ItemOut[1]/ItemDetail/UnitOfMeasure",
        ),
        (
            '<ItemOut quantity="1"><ItemID><SupplierPartID>P</SupplierPartID></ItemID></ItemOut>',
            "UnitOfMeasure is required",
            "ItemOut[1]/ItemDetail/UnitOfMeasure",
        ),
    ],
)
def test_bad_line_values_are_refused_with_their_location(
    make_order: Builder, items: str, reason: str, location: str
) -> None:
    error = _refusal(make_order(items=items))
    assert reason in str(error)
    assert error.location == location


def test_no_item_out_is_refused(make_order: Builder) -> None:
    error = _refusal(make_order(items=""))
    assert str(error) == (
        "OrderRequest has no ItemOut; cXML requires at least one (at OrderRequest)"
    )


def test_missing_order_request_header_is_refused(make_order: Builder) -> None:
    body = (
        make_order()
        .replace(b"<OrderRequestHeader ", b"<OrderRequestHeaderX ")
        .replace(b"</OrderRequestHeader>", b"</OrderRequestHeaderX>")
    )
    assert str(_refusal(body)).startswith("OrderRequest has no OrderRequestHeader")


# --- canonical model refusals are readable, never a raw ValidationError ------------------------


def test_duplicate_line_numbers_are_refused_readably(make_order: Builder) -> None:
    error = _refusal(make_order(items=_item() + _item()))
    assert "line numbers must be unique; repeated: [1]" in str(error)
    assert "pydantic" not in str(error)


def test_a_bad_country_code_is_refused_naming_the_field(make_order: Builder) -> None:
    body = make_order(
        header_children='<ShipTo><Address><Name xml:lang="en">X</Name><PostalAddress>'
        '<Street>s</Street><City>c</City><Country isoCountryCode="USA">US</Country>'
        "</PostalAddress></Address></ShipTo>"
    )
    error = _refusal(body)
    assert "ship_to.address.country" in str(error)
    assert '(got "USA")' in str(error)
    assert error.location == "OrderRequestHeader"


def test_an_overlong_unit_is_refused_naming_the_line(make_order: Builder) -> None:
    items = _item() + _item('quantity="1" lineNumber="2"').replace(">EA<", ">" + "X" * 36 + "<")
    error = _refusal(make_order(items=items))
    assert "ItemOut[2].unit_of_measure" in str(error)
    assert error.location == "ItemOut[2]"


def test_other_document_kinds_are_unsupported() -> None:
    body = (
        b'<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z"><Header/>'
        b"<Request><ConfirmationRequest/></Request></cXML>"
    )
    with pytest.raises(UnsupportedDocumentError, match="expected an OrderRequest"):
        read_order_request(parse_cxml(body))


def test_an_order_without_header_has_anonymous_parties(make_order: Builder) -> None:
    body = make_order()
    start, end = body.index(b"<Header>"), body.index(b"</Header>") + len(b"</Header>")
    order = _order(body[:start] + body[end:])
    assert (order.buyer.identifiers, order.supplier.identifiers) == ((), ())
