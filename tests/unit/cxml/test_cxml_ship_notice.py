"""ShipNoticeRequest: what we build is DTD-valid and reads back; what partners send is read."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml import (
    DtdValidator,
    OutboundEnvelope,
    build_ship_notice_request,
    parse_cxml,
    read_ship_notice_request,
)
from schemas import (
    FulfillmentType,
    Identifier,
    OrderReference,
    Package,
    Party,
    PostalAddress,
    ShipControl,
    ShipmentType,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
    ShipNoticeOrder,
)
from tests.unit.cxml.cxml_outbound_support import (
    family_versions,
    inbound_document,
    read_or_refuse_all,
    ship_notices,
)

EST = timezone(timedelta(hours=-5))
NOTICE = datetime(2026, 11, 25, 16, 0, tzinfo=EST)
SHIPPED = datetime(2026, 11, 25, 14, 30, tzinfo=EST)
DELIVERY = datetime(2026, 11, 27, 12, 0, tzinfo=EST)
SSCC = "003456789012345670"
PO_1 = OrderReference(
    order_id="PO-1001",
    payload_id="po-1001@buyer.example",
    order_date=datetime(2026, 11, 22, tzinfo=EST),
)
PO_2 = OrderReference(order_id="PO-1002", payload_id="po-1002@buyer.example")
FEDEX = ShipControl(
    carrier=(
        Identifier(scheme="SCAC", value="FDEG"),
        Identifier(scheme="companyName", value="FedEx"),
    ),
    tracking_numbers=("7946 1234 5678", "7946 1234 5679"),
)
UPS = ShipControl(carrier=(Identifier(scheme="SCAC", value="UPSN"),), tracking_numbers=("1Z999",))
WAREHOUSE = Party(
    name="Main warehouse",
    identifiers=(
        Identifier(scheme="addressID", value="WH-1"),
        Identifier(scheme="GLN", value="40"),
    ),
    address=PostalAddress(
        street=("1 Dock Road",), city="Newark", region="NJ", postal_code="07101", country="US"
    ),
    email="dock@supplier.example",
    phone="+1 973 5550100 x7",
)


def _notice(**changes: object) -> ShipNotice:
    values: dict[str, object] = {
        "shipment_id": "SHIP-77",
        "notice_date": NOTICE,
        "shipment_date": SHIPPED,
        "delivery_date": DELIVERY,
        "carriers": (UPS,),
        "orders": (ShipNoticeOrder(order=PO_1),),
    }
    values.update(changes)
    return ShipNotice.model_validate(values)


def _build_valid(
    document: ShipNotice, envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> bytes:
    body = build_ship_notice_request(document, envelope)
    assert dtd_validator.validate(body) == []
    return body


def _read(body: bytes, default_tz: tzinfo = UTC) -> ShipNotice:
    return read_ship_notice_request(parse_cxml(body), default_tz=default_tz)


def _as_read_back(document: ShipNotice) -> ShipNotice:
    """Normalisations: packages come back in document order (the header's first, then by the
    lines that hold them); a party's `addressID` identifier comes back first."""
    order = {package_id: n for n, package_id in enumerate(_package_order(document))}
    packages = tuple(sorted(document.packages, key=lambda p: order[p.package_id]))
    return document.model_copy(
        update={
            "packages": packages,
            "ship_from": _address_id_first(document.ship_from),
            "ship_to": _address_id_first(document.ship_to),
        }
    )


def _package_order(document: ShipNotice) -> list[str]:
    named = [line.package_id for o in document.orders for line in o.lines if line.package_id]
    header = [p.package_id for p in document.packages if p.package_id not in named]
    return list(dict.fromkeys(header + named))


def _address_id_first(party: Party | None) -> Party | None:
    if party is None:
        return None
    identifiers = list(party.identifiers)
    first = next((i for i in identifiers if i.scheme == "addressID"), None)
    if first is not None:
        identifiers.remove(first)
        identifiers.insert(0, first)
    return party.model_copy(update={"identifiers": tuple(identifiers)})


# --- building: the DTD rules -----------------------------------------------------------------


def _rich_notice() -> ShipNotice:
    return _notice(
        fulfillment=FulfillmentType.PARTIAL,
        ship_from=WAREHOUSE,
        ship_to=Party(name="Receiving", identifiers=(Identifier(scheme="addressID", value="R1"),)),
        carriers=(FEDEX, UPS),
        packages=(
            Package(package_id=SSCC, is_sscc=True, gross_weight=Decimal("12.5"), weight_unit="KGM"),
            Package(package_id="BOX-2"),
            Package(package_id="PALLET-1", gross_weight=Decimal("250"), weight_unit="KGM"),
        ),
        orders=(
            ShipNoticeOrder(
                order=PO_1,
                lines=(
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal("6"),
                        unit_of_measure="EA",
                        supplier_part_id="SKU-1",
                        buyer_part_id="B-1",
                        description="Blue widget",
                        package_id=SSCC,
                    ),
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal("4"),
                        unit_of_measure="EA",
                        package_id="BOX-2",
                    ),
                ),
            ),
            ShipNoticeOrder(
                order=PO_2,
                lines=(
                    ShipNoticeLine(line_number=3, quantity=Decimal("1.5"), unit_of_measure="KGM"),
                ),
            ),
        ),
        comments="Two pallets, handle with care",
        extensions={"ServiceLevel": "ground"},
    )


def test_new_notice_with_two_carriers_packages_and_two_orders(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _rich_notice()
    body = _build_valid(document, envelope, dtd_validator)
    root = parse_cxml(body).root
    request = root.find("Request/ShipNoticeRequest")
    assert request is not None
    assert [child.tag for child in request] == [
        "ShipNoticeHeader",
        "ShipControl",
        "ShipControl",
        "ShipNoticePortion",
        "ShipNoticePortion",
    ]
    header = request[0]
    assert dict(header.items()) == {
        "shipmentID": "SHIP-77",
        "operation": "new",
        "noticeDate": "2026-11-25T16:00:00-05:00",
        "shipmentDate": "2026-11-25T14:30:00-05:00",
        "deliveryDate": "2026-11-27T12:00:00-05:00",
        "shipmentType": "actual",
        "fulfillmentType": "partial",
    }
    assert [(c.tag, c.get("role") or c.get("name")) for c in header] == [
        ("Contact", "shipFrom"),
        ("Contact", "shipTo"),
        ("Comments", None),
        ("Packaging", None),
        ("Extrinsic", "ServiceLevel"),
    ]
    assert header.findtext("Packaging/PackageID/PackageTrackingID") == "PALLET-1"
    fedex = request[1]
    assert [(c.tag, c.get("domain"), c.text) for c in fedex] == [
        ("CarrierIdentifier", "SCAC", "FDEG"),
        ("CarrierIdentifier", "companyName", "FedEx"),
        ("ShipmentIdentifier", None, "7946 1234 5678"),
        ("ShipmentIdentifier", None, "7946 1234 5679"),
    ]
    first_portion = request[3]
    assert first_portion[0].get("orderID") == "PO-1001"
    assert first_portion[0][0].get("payloadID") == "po-1001@buyer.example"
    items = first_portion.findall("ShipNoticeItem")
    assert [child.tag for child in items[0]] == [
        "ItemID",
        "ShipNoticeItemDetail",
        "UnitOfMeasure",
        "Packaging",
    ]
    assert items[0].findtext("Packaging/ShippingContainerSerialCode") == SSCC
    dimension = items[0].find("Packaging/Dimension")
    assert dimension is not None
    assert (dimension.get("type"), dimension.get("quantity")) == ("grossWeight", "12.5")
    assert items[1].findtext("Packaging/PackagingCode") == "package"
    assert _read(body) == _as_read_back(document)


def test_complete_planned_notice(envelope: OutboundEnvelope, dtd_validator: DtdValidator) -> None:
    document = _notice(shipment_type=ShipmentType.PLANNED, fulfillment=FulfillmentType.COMPLETE)
    body = _build_valid(document, envelope, dtd_validator)
    header = parse_cxml(body).root.find(".//ShipNoticeHeader")
    assert header is not None
    assert (header.get("shipmentType"), header.get("fulfillmentType")) == ("planned", "complete")
    assert _read(body) == document


def test_update_points_at_the_earlier_notice(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _notice(operation=ShipNoticeOperation.UPDATE, supersedes="notice-1@hub.example")
    body = _build_valid(document, envelope, dtd_validator)
    header = parse_cxml(body).root.find(".//ShipNoticeHeader")
    assert header is not None
    assert header.get("operation") == "update"
    assert (header[0].tag, header[0].get("payloadID")) == (
        "DocumentReference",
        "notice-1@hub.example",
    )
    assert _read(body) == document


def test_delete_without_dates_carriers_or_orders(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _notice(
        operation=ShipNoticeOperation.DELETE,
        supersedes="notice-2@hub.example",
        shipment_date=None,
        delivery_date=None,
        carriers=(),
        orders=(),
    )
    body = _build_valid(document, envelope, dtd_validator)
    request = parse_cxml(body).root.find(".//ShipNoticeRequest")
    assert request is not None
    assert [child.tag for child in request] == ["ShipNoticeHeader"]
    assert "shipmentDate" not in request[0].attrib
    assert "deliveryDate" not in request[0].attrib
    assert request[0].get("operation") == "delete"
    assert _read(body) == document


@pytest.mark.parametrize("version", family_versions("Fulfill"))
def test_every_vendored_fulfill_version_accepts_our_notice(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, version: str
) -> None:
    document = _notice(
        ship_from=WAREHOUSE,
        carriers=(FEDEX,),
        packages=(Package(package_id=SSCC, is_sscc=True),),
        orders=(
            ShipNoticeOrder(
                order=PO_1,
                lines=(
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal("1"),
                        unit_of_measure="EA",
                        buyer_part_id="B-1",
                        description="d",
                        package_id=SSCC,
                    ),
                ),
            ),
        ),
    )
    body = build_ship_notice_request(document, dataclasses.replace(envelope, version=version))
    assert parse_cxml(body).version == version
    assert f"/cXML/{version}/Fulfill.dtd".encode() in body
    assert dtd_validator.validate(body) == []


def test_hostile_text_stays_well_formed_and_valid(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    hostile = "<b>\"Fragile\" & 'heavy'</b>\x0b\x1f"
    document = _notice(
        comments=hostile,
        ship_to=Party(name=hostile, phone=hostile),
        orders=(
            ShipNoticeOrder(
                order=PO_1.model_copy(update={"order_id": 'PO "<&>"'}),
                lines=(
                    ShipNoticeLine(
                        line_number=1,
                        quantity=Decimal(1),
                        unit_of_measure="EA",
                        description=hostile,
                    ),
                ),
            ),
        ),
    )
    notice = _read(_build_valid(document, envelope, dtd_validator))
    shown = "<b>\"Fragile\" & 'heavy'</b>\ufffd\ufffd"
    assert notice.comments == shown
    assert notice.ship_to == Party(name=shown, phone=shown)
    assert notice.orders[0].order.order_id == 'PO "<&>"'
    assert notice.orders[0].lines[0].description == shown


# --- building: what cXML cannot carry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"carriers": ()}, "at least one carrier"),
        ({"orders": ()}, "at least one carrier"),
        (
            {"orders": (ShipNoticeOrder(order=PO_1), ShipNoticeOrder(order=PO_1))},
            "only one ShipNoticePortion",
        ),
        (
            {"orders": (ShipNoticeOrder(order=OrderReference(order_id="PO-1")),)},
            "needs the order document's payloadID",
        ),
        (
            {"packages": (Package(package_id="A"), Package(package_id="B"))},
            "room for one package that no line names",
        ),
        (
            {"packages": (Package(package_id="A", gross_weight=Decimal(1)),)},
            "without a weight unit",
        ),
    ],
)
def test_documents_cxml_cannot_carry_are_refused(
    envelope: OutboundEnvelope, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_ship_notice_request(_notice(**changes), envelope)


def test_versions_older_than_the_oldest_fulfill_dtd_are_refused(
    envelope: OutboundEnvelope,
) -> None:
    with pytest.raises(ValueError, match=r"needs cXML 1\.2\.050 or later"):
        build_ship_notice_request(_notice(), dataclasses.replace(envelope, version="1.2.020"))


# --- the property ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=ship_notices())
def test_any_ship_notice_builds_valid_and_reads_back_equal(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, document: ShipNotice
) -> None:
    body = build_ship_notice_request(document, envelope)
    assert dtd_validator.validate(body) == []
    assert _read(body) == _as_read_back(document)


def test_every_single_mutation_of_a_built_document_is_read_or_refused(
    envelope: OutboundEnvelope,
) -> None:
    body = build_ship_notice_request(_rich_notice(), envelope)
    outcomes = read_or_refuse_all(read_ship_notice_request, parse_cxml(body))
    assert outcomes["read"] > 0
    assert outcomes["refused"] > 0


# --- reading what partners send ----------------------------------------------------------------

_DOCUMENT = inbound_document(
    "asn-1@supplier",
    "2026-11-25T16:00:00-05:00",
    """\
    <ShipNoticeRequest>
      <ShipNoticeHeader {header}>{header_children}</ShipNoticeHeader>
      {controls}
      {portions}
    </ShipNoticeRequest>""",
)
_HEADER = (
    'shipmentID="S-1" noticeDate="2026-11-25T16:00:00" shipmentDate="2026-11-25" '
    'deliveryDate="2026-11-27"'
)
_CONTROL = (
    '<ShipControl><CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier>'
    "<ShipmentIdentifier>1Z1</ShipmentIdentifier></ShipControl>"
)
_PORTION = """<ShipNoticePortion>
        <OrderReference orderID="PO-9"><DocumentReference payloadID="po-9@buyer"/></OrderReference>
        {items}
      </ShipNoticePortion>"""
_ITEM = (
    '<ShipNoticeItem quantity="2" lineNumber="1"><UnitOfMeasure>EA</UnitOfMeasure>{more}'
    "</ShipNoticeItem>"
)


def _inbound(
    *,
    header: str = _HEADER,
    header_children: str = "",
    controls: str = _CONTROL,
    portions: str | None = None,
    items: str = "",
) -> bytes:
    if portions is None:
        portions = _PORTION.format(items=items)
    text = _DOCUMENT.format(
        header=header, header_children=header_children, controls=controls, portions=portions
    )
    return text.encode()


def test_reading_is_tolerant_of_legitimate_oddities() -> None:
    body = _inbound(
        header=_HEADER + ' operation="New" shipmentType="Planned" fulfillmentType="COMPLETE"',
        header_children=(
            '<Contact role="ShipFrom"><Name xml:lang="en">Plant 2</Name></Contact>'
            '<Contact role="technicalSupport"><Name xml:lang="en">Help desk</Name></Contact>'
        ),
        controls=(
            '<ShipControl><CarrierIdentifier domain="">UPSN</CarrierIdentifier>'
            '<CarrierIdentifier domain="companyName">United Parcel Service</CarrierIdentifier>'
            "<ShipmentIdentifier>1Z123</ShipmentIdentifier><ShipmentIdentifier/></ShipControl>"
        ),
        items=_ITEM.format(
            more="<Packaging><PackagingCode xml:lang='en'>1Z123</PackagingCode>"
            "<Dimension quantity='1' type='weight'><UnitOfMeasure>EA</UnitOfMeasure></Dimension>"
            "</Packaging>"
        ),
    )
    notice = _read(body, default_tz=EST)
    assert notice.operation is ShipNoticeOperation.NEW
    assert notice.notice_date == NOTICE
    assert notice.shipment_date == datetime(2026, 11, 25, tzinfo=EST)
    assert (notice.shipment_type, notice.fulfillment) == (
        ShipmentType.PLANNED,
        FulfillmentType.COMPLETE,
    )
    assert notice.ship_from == Party(name="Plant 2")
    assert notice.ship_to is None
    assert notice.carriers == (
        ShipControl(
            carrier=(Identifier(scheme="companyName", value="United Parcel Service"),),
            tracking_numbers=("1Z123",),
        ),
    )
    assert notice.packages == ()  # a PackagingCode is a kind of package, not an id
    (portion,) = notice.orders
    assert portion.order == OrderReference(order_id="PO-9", payload_id="po-9@buyer")
    assert [(line.line_number, line.quantity, line.package_id) for line in portion.lines] == [
        (1, Decimal(2), None)
    ]


def test_a_package_named_by_several_lines_is_listed_once() -> None:
    packaging = (
        "<Packaging><Dimension quantity='3.5' type='grossWeight'><UnitOfMeasure>KGM"
        "</UnitOfMeasure></Dimension><ShippingContainerSerialCode>{id}"
        "</ShippingContainerSerialCode></Packaging>"
    )
    items = _ITEM.format(more=packaging.format(id=SSCC)) + _ITEM.replace(
        'lineNumber="1"', 'lineNumber="2"'
    ).format(more=packaging.format(id=SSCC))
    notice = _read(_inbound(items=items))
    assert notice.packages == (
        Package(package_id=SSCC, is_sscc=True, gross_weight=Decimal("3.5"), weight_unit="KGM"),
    )
    assert [line.package_id for line in notice.orders[0].lines] == [SSCC, SSCC]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (_inbound(header='noticeDate="2026-11-25"'), "ShipNoticeHeader/@shipmentID"),
        (_inbound(header='shipmentID="S-1"'), "ShipNoticeHeader/@noticeDate"),
        (
            _inbound(header='shipmentID="S-1" noticeDate="2026-11-25"'),
            "ShipNoticeHeader",  # shipment and delivery dates are required except for delete
        ),
        (_inbound(header=_HEADER + ' operation="cancel"'), "ShipNoticeHeader/@operation"),
        (_inbound(header=_HEADER + ' shipmentType="late"'), "ShipNoticeHeader/@shipmentType"),
        (
            _inbound(
                controls='<ShipControl><CarrierIdentifier domain="">X</CarrierIdentifier>'
                "<ShipmentIdentifier>1</ShipmentIdentifier></ShipControl>"
            ),
            "ShipControl[1]/CarrierIdentifier",
        ),
        (
            _inbound(
                controls='<ShipControl><CarrierIdentifier domain="SCAC">X</CarrierIdentifier>'
                "</ShipControl>"
            ),
            "ShipControl[1]/ShipmentIdentifier",
        ),
        (
            _inbound(portions="<ShipNoticePortion/>"),
            "ShipNoticePortion[1]/OrderReference",
        ),
        (
            _inbound(items=_ITEM.replace('quantity="2"', 'quantity="0"').format(more="")),
            "ShipNoticePortion[1]",
        ),
        (
            _inbound(items=_ITEM.replace("<UnitOfMeasure>EA</UnitOfMeasure>", "").format(more="")),
            "ShipNoticePortion[1]/ShipNoticeItem[1]/UnitOfMeasure",
        ),
    ],
)
def test_unusable_documents_are_refused_with_a_location(body: bytes, location: str) -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        _read(body)
    assert caught.value.location == location


def test_other_documents_are_unsupported() -> None:
    with pytest.raises(UnsupportedDocumentError, match="expected a ShipNoticeRequest"):
        _read(_inbound().replace(b"ShipNoticeRequest", b"ReceiptRequest"))
