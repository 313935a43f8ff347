"""ConfirmationRequest: what we build is DTD-valid and reads back; what partners send is read."""

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
    build_confirmation_request,
    parse_cxml,
    read_confirmation_request,
)
from schemas import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    ConfirmedQuantity,
    LineStatus,
    OrderConfirmation,
    OrderReference,
)
from tests.unit.cxml.cxml_outbound_support import (
    attribute_at,
    confirmations,
    family_versions,
    inbound_document,
    read_or_refuse_all,
)

CET = timezone(timedelta(hours=1))
NOTICE = datetime(2026, 11, 23, 9, 0, tzinfo=CET)
SHIPS = datetime(2026, 11, 25, 8, 0, tzinfo=CET)
ARRIVES = datetime(2026, 11, 27, 12, 0, tzinfo=CET)
LATER = datetime(2026, 12, 15, 12, 0, tzinfo=CET)
ORDER = OrderReference(
    order_id="PO-1001",
    payload_id="1763835000000.42.abc@buyer.example",
    order_date=datetime(2026, 11, 22, 10, 30, tzinfo=timezone(timedelta(hours=-8))),
)
HOSTILE = "Quote \" apostrophe ' <Total> & &amp; ]]> \x00\x07\x1b end \ufffe"


def _line(number: int, *statuses: ConfirmedQuantity, quantity: str = "10") -> ConfirmationLine:
    return ConfirmationLine(
        line_number=number,
        quantity=Decimal(quantity),
        unit_of_measure="EA",
        statuses=statuses,
        supplier_part_id=f"SKU-{number}",
    )


def _accepted(quantity: str = "10") -> ConfirmedQuantity:
    return ConfirmedQuantity(status=LineStatus.ACCEPT, quantity=Decimal(quantity))


def _confirmation(**changes: object) -> OrderConfirmation:
    values: dict[str, object] = {"type": ConfirmationType.ACCEPT, "notice_date": NOTICE}
    values["order"] = ORDER
    values.update(changes)
    return OrderConfirmation.model_validate(values)


def _build_valid(
    document: OrderConfirmation, envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> bytes:
    body = build_confirmation_request(document, envelope)
    assert dtd_validator.validate(body) == []
    return body


def _round_trip(body: bytes) -> OrderConfirmation:
    return read_confirmation_request(parse_cxml(body))


# --- building: the DTD rules -----------------------------------------------------------------


def test_accept_without_lines(envelope: OutboundEnvelope, dtd_validator: DtdValidator) -> None:
    document = _confirmation(confirmation_id="OC-1", comments="Thanks for your order")
    body = _build_valid(document, envelope, dtd_validator)
    root = parse_cxml(body).root
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML SYSTEM ')
    assert b'"http://xml.cxml.org/schemas/cXML/1.2.069/Fulfill.dtd"' in body.split(b"\n")[1]
    header = root.find("Request/ConfirmationRequest/ConfirmationHeader")
    assert header is not None
    assert dict(header.items()) == {
        "confirmID": "OC-1",
        "operation": "new",
        "type": "accept",
        "noticeDate": "2026-11-23T09:00:00+01:00",
    }
    reference = root.find("Request/ConfirmationRequest/OrderReference")
    assert reference is not None
    assert reference.get("orderID") == "PO-1001"
    assert reference.get("orderDate") == "2026-11-22T10:30:00-08:00"
    assert [(child.tag, child.get("payloadID")) for child in reference] == [
        ("DocumentReference", ORDER.payload_id)
    ]
    assert root.findall(".//ConfirmationItem") == []
    assert _round_trip(body) == document


def test_accept_with_lines(envelope: OutboundEnvelope, dtd_validator: DtdValidator) -> None:
    document = _confirmation(
        lines=(_line(1, _accepted()), _line(2, _accepted("3"), quantity="3")),
    )
    body = _build_valid(document, envelope, dtd_validator)
    items = parse_cxml(body).root.findall(".//ConfirmationItem")
    assert [(i.get("lineNumber"), i.get("quantity")) for i in items] == [("1", "10"), ("2", "3")]
    assert [i.findtext("ConfirmationStatus/UnitOfMeasure") for i in items] == ["EA", "EA"]
    assert [i.findtext("ConfirmationStatus/Extrinsic[@name='SupplierPartID']") for i in items] == [
        "SKU-1",
        "SKU-2",
    ]
    assert _round_trip(body) == document


def test_reject_has_comments_and_no_items(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _confirmation(
        type=ConfirmationType.REJECT, comments="Discontinued item\nSee catalogue 2027"
    )
    body = _build_valid(document, envelope, dtd_validator)
    root = parse_cxml(body).root
    assert attribute_at(root, ".//ConfirmationHeader", "type") == "reject"
    assert (
        root.findtext(".//ConfirmationHeader/Comments") == "Discontinued item\nSee catalogue 2027"
    )
    assert root.findall(".//ConfirmationItem") == []
    assert _round_trip(body) == document


def _detail() -> OrderConfirmation:
    return _confirmation(
        type=ConfirmationType.DETAIL,
        currency="EUR",
        total=Decimal("1234.50"),
        tax=Decimal("-0.00"),
        shipping=Decimal("12"),
        lines=(
            _line(
                1,
                ConfirmedQuantity(
                    status=LineStatus.ACCEPT,
                    quantity=Decimal("6"),
                    shipment_date=SHIPS,
                    delivery_date=ARRIVES,
                ),
                ConfirmedQuantity(
                    status=LineStatus.BACKORDERED,
                    quantity=Decimal("4"),
                    delivery_date=LATER,
                    comments="Back in stock mid-December",
                ),
            ),
            _line(
                2,
                ConfirmedQuantity(
                    status=LineStatus.DETAIL,
                    quantity=Decimal("2"),
                    unit_of_measure="BX",
                    unit_price=Decimal("19.990"),
                    extensions={"PriceReason": "2027 list price"},
                ),
                quantity="2",
            ),
            _line(
                3, ConfirmedQuantity(status=LineStatus.REJECT, quantity=Decimal("5")), quantity="5"
            ),
        ),
    )


def test_detail_splits_a_line_with_dates_and_prices(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _detail()
    body = _build_valid(document, envelope, dtd_validator)
    root = parse_cxml(body).root
    header = root.find(".//ConfirmationHeader")
    assert header is not None
    assert [child.tag for child in header] == ["Total", "Shipping", "Tax"]
    assert header.findtext("Total/Money") == "1234.50"
    assert attribute_at(header, "Total/Money", "currency") == "EUR"
    statuses = root.findall(".//ConfirmationStatus")
    assert [(s.get("type"), s.get("quantity")) for s in statuses] == [
        ("accept", "6"),
        ("backordered", "4"),
        ("detail", "2"),
        ("reject", "5"),
    ]
    assert statuses[0].get("shipmentDate") == "2026-11-25T08:00:00+01:00"
    assert statuses[0].get("deliveryDate") == "2026-11-27T12:00:00+01:00"
    assert statuses[1].get("shipmentDate") is None
    assert statuses[1].findtext("Comments") == "Back in stock mid-December"
    assert [child.tag for child in statuses[2]] == [
        "UnitOfMeasure",
        "UnitPrice",
        "Extrinsic",
        "Extrinsic",
    ]
    assert statuses[2].findtext("UnitOfMeasure") == "BX"
    assert statuses[2].findtext("UnitPrice/Money") == "19.990"
    assert _round_trip(body) == document


def test_update_repeats_the_confirm_id_and_points_at_the_previous_one(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _confirmation(
        confirmation_id="OC-1",
        operation=ConfirmationOperation.UPDATE,
        supersedes="1763900000000.7.feed@hub.example",
        lines=(_line(1, _accepted()),),
    )
    body = _build_valid(document, envelope, dtd_validator)
    header = parse_cxml(body).root.find(".//ConfirmationHeader")
    assert header is not None
    assert (header.get("confirmID"), header.get("operation")) == ("OC-1", "update")
    assert header[0].tag == "DocumentReference"
    assert header[0].get("payloadID") == "1763900000000.7.feed@hub.example"
    assert _round_trip(body) == document


@pytest.mark.parametrize("version", family_versions("Fulfill"))
def test_every_vendored_fulfill_version_accepts_our_detail_confirmation(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, version: str
) -> None:
    document = _confirmation(
        type=ConfirmationType.DETAIL,
        currency="USD",
        lines=(
            _line(
                1,
                ConfirmedQuantity(
                    status=LineStatus.DETAIL, quantity=Decimal("1"), unit_price=Decimal("2")
                ),
                ConfirmedQuantity(status=LineStatus.UNKNOWN, quantity=Decimal("9")),
            ),
        ),
        extensions={"Note": "n"},
    )
    body = build_confirmation_request(document, dataclasses.replace(envelope, version=version))
    assert parse_cxml(body).version == version
    assert f"/cXML/{version}/Fulfill.dtd".encode() in body
    assert dtd_validator.validate(body) == []


def test_the_vendored_fulfill_versions_are_the_checked_ones() -> None:
    assert family_versions("Fulfill") == ["1.2.050", "1.2.053", "1.2.063", "1.2.069"]


def test_hostile_text_stays_well_formed_and_valid(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator
) -> None:
    document = _confirmation(
        type=ConfirmationType.REJECT, comments=HOSTILE, extensions={'k"<&>': HOSTILE}
    )
    hostile_envelope = dataclasses.replace(envelope, user_agent=HOSTILE, shared_secret=HOSTILE)
    body = _build_valid(document, hostile_envelope, dtd_validator)
    back = _round_trip(body)
    expected = "Quote \" apostrophe ' <Total> & &amp; ]]> \ufffd\ufffd\ufffd end \ufffd"
    assert back.comments == expected
    assert back.extensions == {'k"<&>': expected}


# --- building: what cXML cannot carry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"operation": ConfirmationOperation.UPDATE, "supersedes": "p0"},
            "repeats the confirmID",
        ),
        (
            {
                "type": ConfirmationType.BACKORDERED,
                "lines": (
                    _line(1, ConfirmedQuantity(status=LineStatus.REJECT, quantity=Decimal(1))),
                ),
            },
            "may not list a reject status",
        ),
        (
            {
                "type": ConfirmationType.DETAIL,
                "lines": (
                    _line(1, ConfirmedQuantity(status=LineStatus.ALL_DETAIL, quantity=Decimal(1))),
                ),
            },
            "may not list a allDetail status",
        ),
        (
            {
                "type": ConfirmationType.DETAIL,
                "lines": (
                    _line(1, ConfirmedQuantity(status=LineStatus.DETAIL, quantity=Decimal(1))),
                ),
            },
            "states what changes",
        ),
        ({"total": Decimal("10")}, "no currency"),
        ({"order": OrderReference(order_id="PO-1")}, "needs the order document's payloadID"),
        (
            {
                "lines": (
                    _line(
                        1,
                        ConfirmedQuantity(
                            status=LineStatus.ACCEPT,
                            quantity=Decimal(1),
                            extensions={"SupplierPartID": "other"},
                        ),
                    ),
                )
            },
            "also name",
        ),
    ],
)
def test_documents_cxml_cannot_carry_are_refused(
    envelope: OutboundEnvelope, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_confirmation_request(_confirmation(**changes), envelope)


def test_versions_older_than_the_oldest_fulfill_dtd_are_refused(
    envelope: OutboundEnvelope,
) -> None:
    with pytest.raises(ValueError, match=r"needs cXML 1\.2\.050 or later"):
        build_confirmation_request(
            _confirmation(), dataclasses.replace(envelope, version="1.2.036")
        )


# --- the property ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=confirmations())
def test_any_confirmation_builds_valid_and_reads_back_equal(
    envelope: OutboundEnvelope, dtd_validator: DtdValidator, document: OrderConfirmation
) -> None:
    body = build_confirmation_request(document, envelope)
    assert dtd_validator.validate(body) == []
    assert _round_trip(body) == _as_read_back(document)


def _as_read_back(document: OrderConfirmation) -> OrderConfirmation:
    """The one normalisation: cXML states a currency only on Money, so a confirmation without
    amounts comes back without a currency."""
    amounts = [document.total, document.tax, document.shipping]
    amounts += [s.unit_price for line in document.lines for s in line.statuses]
    if all(amount is None for amount in amounts):
        return document.model_copy(update={"currency": None})
    return document


def test_every_single_mutation_of_a_built_document_is_read_or_refused(
    envelope: OutboundEnvelope,
) -> None:
    body = build_confirmation_request(_detail(), envelope)
    outcomes = read_or_refuse_all(read_confirmation_request, parse_cxml(body))
    assert outcomes["read"] > 0
    assert outcomes["refused"] > 0


# --- reading what partners send ----------------------------------------------------------------

_DOCUMENT = inbound_document(
    "p-1@supplier",
    "2026-11-23T09:00:00+01:00",
    """\
    <ConfirmationRequest>
      <ConfirmationHeader {header}>{header_children}</ConfirmationHeader>
      {reference}
      {items}
    </ConfirmationRequest>""",
)
_REFERENCE = (
    '<OrderReference orderID="PO-9"><DocumentReference payloadID="po-9@buyer"/></OrderReference>'
)
_ITEM = """<ConfirmationItem quantity="4" lineNumber="1">
        <UnitOfMeasure>EA</UnitOfMeasure>
        <ConfirmationStatus quantity="4" type="accept"><UnitOfMeasure>EA</UnitOfMeasure>
          {status_children}</ConfirmationStatus>
      </ConfirmationItem>"""


def _inbound(
    *,
    header: str = 'type="detail" noticeDate="2026-11-23T09:00:00"',
    header_children: str = "",
    reference: str = _REFERENCE,
    items: str | None = None,
    status_children: str = "",
) -> bytes:
    if items is None:
        items = _ITEM.format(status_children=status_children)
    text = _DOCUMENT.format(
        header=header, header_children=header_children, reference=reference, items=items
    )
    return text.encode()


def _read(body: bytes, default_tz: tzinfo = UTC) -> OrderConfirmation:
    return read_confirmation_request(parse_cxml(body), default_tz=default_tz)


def test_reading_is_tolerant_of_legitimate_oddities() -> None:
    body = _inbound(
        header='confirmID="" type="Detail" noticeDate="2026-11-23T09:00:00"',
        header_children='<Total><Money currency="usd"/></Total>',
        reference=_REFERENCE.replace('orderID="PO-9"', 'orderID=""'),
        status_children='<UnitPrice><Money currency="USD">2.5</Money></UnitPrice><Comments/>',
    )
    confirmation = _read(body, default_tz=CET)
    assert confirmation.confirmation_id is None
    assert confirmation.type is ConfirmationType.DETAIL
    assert confirmation.notice_date == NOTICE
    assert confirmation.total is None
    assert confirmation.currency == "USD"
    assert confirmation.order == OrderReference(payload_id="po-9@buyer")
    (line,) = confirmation.lines
    assert (line.line_number, line.quantity, line.unit_of_measure) == (1, Decimal(4), "EA")
    (status,) = line.statuses
    assert (status.status, status.unit_of_measure, status.unit_price, status.comments) == (
        LineStatus.ACCEPT,
        None,
        Decimal("2.5"),
        None,
    )


def test_item_without_unit_takes_the_status_unit() -> None:
    items = """<ConfirmationItem quantity="4" lineNumber="7">
        <ConfirmationStatus quantity="4" type="backordered"><UnitOfMeasure>CS</UnitOfMeasure>
        </ConfirmationStatus></ConfirmationItem>"""
    (line,) = _read(_inbound(items=items)).lines
    assert (line.line_number, line.unit_of_measure, line.statuses[0].unit_of_measure) == (
        7,
        "CS",
        None,
    )


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (_inbound(reference=""), "ConfirmationRequest/OrderReference"),
        (
            _inbound(
                reference='<OrderReference><DocumentReference payloadID=""/></OrderReference>'
            ),
            "ConfirmationRequest/OrderReference",
        ),
        (_inbound(header='type="maybe" noticeDate="2026-11-23"'), "ConfirmationHeader/@type"),
        (_inbound(header='type="detail"'), "ConfirmationHeader/@noticeDate"),
        (
            _inbound(header='type="detail" operation="delete" noticeDate="2026-11-23"'),
            "ConfirmationHeader/@operation",
        ),
        (
            _inbound(
                items=_ITEM.replace('lineNumber="1"', 'lineNumber="x"').format(status_children="")
            ),
            "ConfirmationItem[1]/@lineNumber",
        ),
        (
            _inbound(items=_ITEM.replace(' lineNumber="1"', "").format(status_children="")),
            "ConfirmationItem[1]/@lineNumber",
        ),
        (
            _inbound(
                header_children='<Total><Money currency="EUR">1</Money></Total>',
                status_children='<UnitPrice><Money currency="USD">1</Money></UnitPrice>',
            ),
            "ConfirmationItem[1]/ConfirmationStatus[1]/UnitPrice/Money/@currency",
        ),
        (
            _inbound(header='type="reject" noticeDate="2026-11-23"'),
            "ConfirmationHeader",
        ),
        (
            _inbound(items=_ITEM.format(status_children="") * 2),
            "ConfirmationHeader",
        ),
    ],
)
def test_unusable_documents_are_refused_with_a_location(body: bytes, location: str) -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        _read(body)
    assert caught.value.location == location


def test_types_the_model_lacks_are_unsupported() -> None:
    with pytest.raises(UnsupportedDocumentError, match="requestToPay"):
        _read(_inbound(header='type="requestToPay" noticeDate="2026-11-23"'))


def test_other_documents_are_unsupported() -> None:
    order_body = _inbound().replace(b"ConfirmationRequest", b"OrderRequest")
    with pytest.raises(UnsupportedDocumentError, match="expected a ConfirmationRequest"):
        _read(order_body)


def test_reading_keeps_time_zones_and_default_zone() -> None:
    confirmation = _read(_inbound(), default_tz=UTC)
    assert confirmation.notice_date == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
