"""ShipNoticeRequest (Fulfill.dtd) to and from the canonical `schemas.ShipNotice`.

Layout, in DTD order:

    ShipNoticeRequest
      ShipNoticeHeader(shipmentID, operation, noticeDate, shipmentDate, deliveryDate,
                       shipmentType, fulfillmentType)
        DocumentReference (update/delete: the notice it replaces), Contact shipFrom/shipTo,
        Comments, Packaging (the one package no line names), Extrinsic*
      ShipControl+            CarrierIdentifier(domain)+ ShipmentIdentifier+ per carrier
      ShipNoticePortion+      per order
        OrderReference(orderID, orderDate) > DocumentReference(payloadID of the order)
        ShipNoticeItem(quantity, lineNumber)*
          ItemID?, ShipNoticeItemDetail(Description)?, UnitOfMeasure, Packaging?

Packages: cXML describes packaging per shipped item (`ShipNoticeItem/Packaging*`) and has room
for one more at header level (`ShipNoticeHeader/Packaging?`). A package is written in the
Packaging of every line that names it; a package no line names goes to the header, so at most
one such package fits. A `Packaging` holds the id as `ShippingContainerSerialCode` (SSCC-18)
or `PackageID/PackageTrackingID` (the supplier's own numbering), the gross weight as
`Dimension type="grossWeight"`, and otherwise the neutral `PackagingCode` "package", because
the DTD requires a PackagingCode or a Dimension.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, tzinfo
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError
from connectors.formats.cxml._emit import (
    amount,
    comments,
    contact,
    date,
    document_reference,
    extrinsics,
    item_id,
    localized,
    order_reference,
    sub,
)
from connectors.formats.cxml._envelope import CxmlDocument
from connectors.formats.cxml._extrinsic import flatten_extrinsics
from connectors.formats.cxml._follow_up import (
    choice,
    comments_text,
    decimal_attribute,
    expect_payload,
    line_number,
    model_error,
    order_reference_values,
    referenced_document,
    required_attribute,
    required_child,
)
from connectors.formats.cxml._outbound import (
    FULFILL_MINIMUM_VERSION,
    OutboundEnvelope,
    new_document,
    require_version,
    serialize,
)
from connectors.formats.cxml._party import party_from_contact
from connectors.formats.cxml._values import datetime_at, decimal_at, optional_datetime_at
from connectors.formats.cxml._xml import (
    Index,
    attribute,
    first,
    full_text,
    index,
    optional,
    own_text,
    texts,
)
from schemas import (
    FulfillmentType,
    Package,
    ShipmentType,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
)

_REQUEST = "ShipNoticeRequest"
_HEADER = "ShipNoticeHeader"
_PORTION = "ShipNoticePortion"
_SHIP_FROM = "shipFrom"
_SHIP_TO = "shipTo"
_GROSS_WEIGHT = "grossWeight"
_SHORT_NAME = frozenset({"ShortName"})
_PACKAGING_CODE = "package"
"""PackagingCode written when a package has no weight: the DTD needs a code or a Dimension."""


# --- reading -----------------------------------------------------------------------------------


def read_ship_notice_request(document: CxmlDocument, *, default_tz: tzinfo = UTC) -> ShipNotice:
    """Map a ShipNoticeRequest to a `ShipNotice`; naive dates are read in `default_tz`.

    Raises `UnsupportedDocumentError` for another kind, `MalformedDocumentError` (with
    `location`) when the document breaks a cXML rule or does not fit the canonical model.
    """
    request = index(expect_payload(document, _REQUEST))
    header = required_child(request, _HEADER, _REQUEST)
    packages = _Packages()
    values = _header_values(header, packages, default_tz)
    values["carriers"] = [
        _carrier(control, f"ShipControl[{position}]")
        for position, control in enumerate(request.get("ShipControl", ()), 1)
    ]
    values["orders"] = [
        _portion(portion, f"{_PORTION}[{position}]", packages, default_tz)
        for position, portion in enumerate(request.get(_PORTION, ()), 1)
    ]
    values["packages"] = list(packages.found.values())
    try:
        return ShipNotice.model_validate(values)
    except ValidationError as error:
        places = {"orders": _PORTION, "carriers": "ShipControl"}
        raise model_error(error, "ship notice", _HEADER, places) from None


def _header_values(header: etree._Element, packages: _Packages, tz: tzinfo) -> dict[str, Any]:
    parts = index(header)
    contacts = {attribute(c, "role").casefold(): c for c in reversed(parts.get("Contact", []))}
    ship_from, ship_to = contacts.get(_SHIP_FROM.casefold()), contacts.get(_SHIP_TO.casefold())
    packages.read(first(parts, "Packaging"))
    return {
        "shipment_id": required_attribute(header, "shipmentID", _HEADER),
        "operation": choice(
            attribute(header, "operation"),
            ShipNoticeOperation,
            f"{_HEADER}/@operation",
            default=ShipNoticeOperation.NEW,
        ),
        "supersedes": referenced_document(parts),
        "notice_date": datetime_at(
            required_attribute(header, "noticeDate", _HEADER), f"{_HEADER}/@noticeDate", tz
        ),
        "shipment_date": optional_datetime_at(
            attribute(header, "shipmentDate"), f"{_HEADER}/@shipmentDate", tz
        ),
        "delivery_date": optional_datetime_at(
            attribute(header, "deliveryDate"), f"{_HEADER}/@deliveryDate", tz
        ),
        "shipment_type": choice(
            attribute(header, "shipmentType"),
            ShipmentType,
            f"{_HEADER}/@shipmentType",
            default=ShipmentType.ACTUAL,
        ),
        "fulfillment": _fulfillment(attribute(header, "fulfillmentType")),
        "ship_from": None if ship_from is None else party_from_contact(ship_from),
        "ship_to": None if ship_to is None else party_from_contact(ship_to),
        "comments": comments_text(parts),
        "extensions": flatten_extrinsics(parts.get("Extrinsic", ())),
    }


def _fulfillment(text: str) -> FulfillmentType | None:
    if not text:
        return None
    return choice(text, FulfillmentType, f"{_HEADER}/@fulfillmentType")


def _carrier(control: etree._Element, where: str) -> dict[str, Any]:
    """A `ShipControl`: carrier ids with a domain and a value, and the tracking numbers."""
    parts = index(control)
    carrier = [
        {"scheme": scheme, "value": value}
        for scheme, value in (
            (attribute(c, "domain"), full_text(c)) for c in parts.get("CarrierIdentifier", ())
        )
        if scheme and value
    ]
    if not carrier:
        msg = f"{where} names no carrier (CarrierIdentifier with a domain and a value)"
        raise MalformedDocumentError(msg, location=f"{where}/CarrierIdentifier")
    tracking = texts(parts.get("ShipmentIdentifier", ()))
    if not tracking:
        msg = f"{where} has no ShipmentIdentifier (tracking number)"
        raise MalformedDocumentError(msg, location=f"{where}/ShipmentIdentifier")
    return {"carrier": carrier, "tracking_numbers": tracking}


def _portion(
    portion: etree._Element, where: str, packages: _Packages, tz: tzinfo
) -> dict[str, Any]:
    parts = index(portion)
    reference = required_child(parts, "OrderReference", where)
    order = order_reference_values(reference, f"{where}/OrderReference", tz)
    if order is None:
        msg = f"{where}/OrderReference names no order: no orderID and no payloadID"
        raise MalformedDocumentError(msg, location=f"{where}/OrderReference")
    return {
        "order": order,
        "lines": [
            _line(item, f"{where}/ShipNoticeItem[{position}]", packages)
            for position, item in enumerate(parts.get("ShipNoticeItem", ()), 1)
        ],
    }


def _line(item: etree._Element, where: str, packages: _Packages) -> dict[str, Any]:
    parts = index(item)
    unit = full_text(first(parts, "UnitOfMeasure"))
    if not unit:
        msg = f"{where}/UnitOfMeasure is required"
        raise MalformedDocumentError(msg, location=f"{where}/UnitOfMeasure")
    item_ids = index(first(parts, "ItemID"))
    detail = index(first(parts, "ShipNoticeItemDetail"))
    package_ids = [packages.read(packaging) for packaging in parts.get("Packaging", ())]
    return {
        "line_number": line_number(item, "lineNumber", where),
        "quantity": decimal_attribute(item, "quantity", where),
        "unit_of_measure": unit,
        "supplier_part_id": optional(full_text(first(item_ids, "SupplierPartID"))),
        "buyer_part_id": optional(full_text(first(item_ids, "BuyerPartID"))),
        "description": optional(own_text(first(detail, "Description"), skip=_SHORT_NAME)),
        "package_id": next((package for package in package_ids if package), None),
    }


class _Packages:
    """The packages met in a notice, by id, in document order; the first description wins."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, Any]] = {}

    def read(self, packaging: etree._Element | None) -> str | None:
        """The id of a `Packaging` (registering the package), `None` when it names none."""
        if packaging is None:
            return None
        parts = index(packaging)
        sscc = full_text(first(parts, "ShippingContainerSerialCode"))
        tracking = full_text(first(index(first(parts, "PackageID")), "PackageTrackingID"))
        package_id = sscc or tracking
        if not package_id:
            return None
        if package_id not in self.found:
            self.found[package_id] = {
                "package_id": package_id,
                "is_sscc": bool(sscc),
                **_gross_weight(parts),
            }
        return package_id


def _gross_weight(parts: Index) -> dict[str, Any]:
    for dimension in parts.get("Dimension", ()):
        if attribute(dimension, "type") == _GROSS_WEIGHT:
            where = "Packaging/Dimension/@quantity"
            return {
                "gross_weight": decimal_at(required_attribute(dimension, "quantity", where), where),
                "weight_unit": optional(full_text(first(index(dimension), "UnitOfMeasure"))),
            }
    return {}


# --- building ----------------------------------------------------------------------------------


def build_ship_notice_request(document: ShipNotice, envelope: OutboundEnvelope) -> bytes:
    """The cXML ShipNoticeRequest of `document`, DOCTYPE Fulfill.dtd of `envelope.version`.

    Valid against every Fulfill.dtd from 1.2.050 to 1.2.069; versions below 1.2.050 are refused
    (no older Fulfill.dtd to check against). Raises `ValueError` for a notice cXML cannot
    carry: a new or update notice without a carrier or an order (the DTD requires ShipControl
    and ShipNoticePortion except for delete), one order twice, an order reference without the
    order's payloadID, two or more packages no line names, a gross weight without its unit.
    """
    require_version(envelope, FULFILL_MINIMUM_VERSION, _REQUEST)
    unplaced = _check(document)
    lang = envelope.lang
    root, request = new_document(envelope, _REQUEST)
    header = sub(
        request,
        _HEADER,
        shipmentID=document.shipment_id,
        operation=document.operation.value,
        noticeDate=date(document.notice_date),
        shipmentDate=date(document.shipment_date),
        deliveryDate=date(document.delivery_date),
        shipmentType=document.shipment_type.value,
        fulfillmentType=None if document.fulfillment is None else document.fulfillment.value,
    )
    if document.supersedes is not None:
        document_reference(header, document.supersedes)
    if document.ship_from is not None:
        contact(header, document.ship_from, _SHIP_FROM, lang)
    if document.ship_to is not None:
        contact(header, document.ship_to, _SHIP_TO, lang)
    comments(header, document.comments, lang)
    packages = {package.package_id: package for package in document.packages}
    for package in unplaced:
        _packaging(header, package, lang)
    extrinsics(header, document.extensions)
    for control in document.carriers:
        element = etree.SubElement(request, "ShipControl")
        for carrier in control.carrier:
            sub(element, "CarrierIdentifier", carrier.value, domain=carrier.scheme)
        for tracking_number in control.tracking_numbers:
            sub(element, "ShipmentIdentifier", tracking_number)
    for portion in document.orders:
        element = etree.SubElement(request, _PORTION)
        order_reference(element, portion.order, _REQUEST)
        for line in portion.lines:
            _item(element, line, packages, lang)
    return serialize(root, envelope, "Fulfill")


def _item(
    portion: etree._Element, line: ShipNoticeLine, packages: dict[str, Package], lang: str
) -> None:
    item = sub(
        portion, "ShipNoticeItem", quantity=amount(line.quantity), lineNumber=str(line.line_number)
    )
    item_id(item, line.supplier_part_id, line.buyer_part_id)
    if line.description is not None:
        localized(
            etree.SubElement(item, "ShipNoticeItemDetail"), "Description", line.description, lang
        )
    sub(item, "UnitOfMeasure", line.unit_of_measure)
    if line.package_id is not None:
        package = packages.get(line.package_id) or Package(package_id=line.package_id)
        _packaging(item, package, lang)


def _packaging(parent: etree._Element, package: Package, lang: str) -> None:
    packaging = etree.SubElement(parent, "Packaging")
    if package.gross_weight is None:
        localized(packaging, "PackagingCode", _PACKAGING_CODE, lang)
    else:
        dimension = sub(
            packaging, "Dimension", quantity=amount(package.gross_weight), type=_GROSS_WEIGHT
        )
        sub(dimension, "UnitOfMeasure", package.weight_unit)
    if package.is_sscc:
        sub(packaging, "ShippingContainerSerialCode", package.package_id)
    else:
        sub(etree.SubElement(packaging, "PackageID"), "PackageTrackingID", package.package_id)


def _check(document: ShipNotice) -> list[Package]:
    """The cXML rules the canonical model leaves to the builder (`ValueError`); returns the
    packages no line names (written in the header)."""
    if document.operation is not ShipNoticeOperation.DELETE and not (
        document.carriers and document.orders
    ):
        msg = (
            f"a {document.operation.value} ship notice names at least one carrier (ShipControl) "
            "and one order (ShipNoticePortion)"
        )
        raise ValueError(msg)
    counts = Counter(p.order.payload_id for p in document.orders if p.order.payload_id)
    repeated = sorted(payload_id for payload_id, count in counts.items() if count > 1)
    if repeated:
        msg = f"an order may appear in only one ShipNoticePortion; repeated: {repeated}"
        raise ValueError(msg)
    for package in document.packages:
        if package.gross_weight is not None and package.weight_unit is None:
            msg = f"package {package.package_id!r} has a gross weight without a weight unit"
            raise ValueError(msg)
    named = {line.package_id for portion in document.orders for line in portion.lines}
    unplaced = [package for package in document.packages if package.package_id not in named]
    if len(unplaced) > 1:
        msg = (
            "cXML has room for one package that no line names (ShipNoticeHeader/Packaging); "
            f"name the packages on the lines they hold: {[p.package_id for p in unplaced]}"
        )
        raise ValueError(msg)
    return unplaced
