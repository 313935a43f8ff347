"""`ProductActivityMessage` both ways: a canonical `InventorySnapshot` as cXML stock levels.

cXML.dtd (1.2.036 on): `cXML > Header > Message > ProductActivityMessage(ProductActivityHeader,
ProductActivityDetails+)`. The header carries `messageID` (the snapshot id) and `creationDate`
(as of); one `ProductActivityDetails` per stock level: `ItemID` (SupplierPartID, written empty
when the level has only a SKU or the buyer's number, as cXML requires it; BuyerPartID; our SKU as
`IdReference domain="SKU"`), the location as `Contact role="locationFrom"` with its name and
`IdReference domain="supplierLocationID"` (the DTD's comment names both), and
`Inventory(UnrestrictedUseQuantity?, StockOnHandQuantity)`: available is unrestricted use, on
hand is stock on hand, each with its `UnitOfMeasure`. cXML's ProductActivityDetails keep no
order of their own: the snapshot's order is the document order.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.core.errors import MalformedDocumentError, UnsupportedDocumentError
from connectors.formats.cxml._emit import amount, date, localized, sub
from connectors.formats.cxml._envelope import CxmlDocument, payload_element
from connectors.formats.cxml._outbound import (
    FEED_MINIMUM_VERSION,
    OutboundEnvelope,
    new_document,
    require_version,
    serialize,
)
from connectors.formats.cxml._values import datetime_at, decimal_at
from connectors.formats.cxml._xml import attribute, child, elements, full_text
from schemas.inventory import InventorySnapshot, StockLevel

SKU_DOMAIN = "SKU"
"""`IdReference@domain` of our SKU inside an `ItemID`."""
LOCATION_ROLE = "locationFrom"
"""`Contact@role` of the stock location (the supplier's side)."""
LOCATION_DOMAIN = "supplierLocationID"
"""`IdReference@domain` of the location id, as the DTD comment on ProductActivityDetails says."""


def build_product_activity_message(
    snapshot: InventorySnapshot, envelope: OutboundEnvelope
) -> bytes:
    """The ProductActivityMessage for `snapshot` (cXML.dtd, versions 1.2.036 and later).

    A snapshot without stock levels cannot be written (`ProductActivityDetails+`): `ValueError`.
    """
    require_version(envelope, FEED_MINIMUM_VERSION, "ProductActivityMessage")
    if not snapshot.items:
        msg = "a ProductActivityMessage needs at least one stock level (ProductActivityDetails+)"
        raise ValueError(msg)
    root, message = new_document(envelope, "ProductActivityMessage", container="Message")
    sub(
        message,
        "ProductActivityHeader",
        messageID=snapshot.snapshot_id,
        creationDate=date(snapshot.as_of),
    )
    for level in snapshot.items:
        _details(message, level, envelope.lang)
    return serialize(root, envelope, "cXML")


def item_id(
    parent: etree._Element, supplier: str | None, buyer: str | None, sku: str | None
) -> etree._Element:
    """`ItemID(SupplierPartID, BuyerPartID?, IdReference domain="SKU"?)`."""
    element = etree.SubElement(parent, "ItemID")
    sub(element, "SupplierPartID", supplier)
    if buyer:
        sub(element, "BuyerPartID", buyer)
    if sku:
        sub(element, "IdReference", identifier=sku, domain=SKU_DOMAIN)
    return element


def _details(parent: etree._Element, level: StockLevel, lang: str) -> None:
    details = etree.SubElement(parent, "ProductActivityDetails")
    item_id(details, level.supplier_part_id, level.buyer_part_id, level.sku)
    if level.location is not None:
        contact = sub(details, "Contact", role=LOCATION_ROLE)
        localized(contact, "Name", level.location, lang)
        sub(contact, "IdReference", identifier=level.location, domain=LOCATION_DOMAIN)
    inventory = etree.SubElement(details, "Inventory")
    if level.quantity_available is not None:
        _quantity(inventory, "UnrestrictedUseQuantity", level.quantity_available, level)
    _quantity(inventory, "StockOnHandQuantity", level.quantity_on_hand, level)


def _quantity(parent: etree._Element, tag: str, value: Any, level: StockLevel) -> None:
    holder = sub(parent, tag, quantity=amount(value))
    sub(holder, "UnitOfMeasure", level.unit_of_measure)


def item_ids(item: etree._Element | None) -> dict[str, str]:
    """Canonical id fields (`sku`, `supplier_part_id`, `buyer_part_id`) of an `ItemID`."""
    found: dict[str, str] = {}
    supplier = full_text(child(item, "SupplierPartID"))
    buyer = full_text(child(item, "BuyerPartID"))
    if supplier:
        found["supplier_part_id"] = supplier
    if buyer:
        found["buyer_part_id"] = buyer
    for reference in elements(item) if item is not None else ():
        if reference.tag == "IdReference" and attribute(reference, "domain") == SKU_DOMAIN:
            found.setdefault("sku", attribute(reference, "identifier"))
    return found


def read_product_activity_message(
    document: CxmlDocument, *, default_tz: tzinfo = UTC
) -> InventorySnapshot:
    """A ProductActivityMessage's stock levels as an `InventorySnapshot`.

    `creationDate` is the as-of time (the envelope timestamp when it is missing); a level
    without `StockOnHandQuantity` or a unit is refused (`MalformedDocumentError` naming the
    `ProductActivityDetails[n]`), as is anything the canonical model refuses.
    """
    if document.kind != "ProductActivityMessage":
        msg = f"{document.kind} is not a ProductActivityMessage"
        raise UnsupportedDocumentError(msg)
    message = payload_element(document)
    header = child(message, "ProductActivityHeader")
    where = "ProductActivityMessage/ProductActivityHeader"
    created = attribute(header, "creationDate")
    as_of = (
        datetime_at(created, f"{where}@creationDate", default_tz) if created else document.timestamp
    )
    items = [
        _level(details, f"ProductActivityDetails[{number}]")
        for number, details in enumerate(
            (e for e in elements(message) if e.tag == "ProductActivityDetails"), start=1
        )
    ]
    values = {"snapshot_id": attribute(header, "messageID"), "as_of": as_of, "items": items}
    try:
        return InventorySnapshot.model_validate(values)
    except ValidationError as error:
        problem = error.errors()[0]
        location = problem["loc"]
        place = (
            f"ProductActivityDetails[{int(location[1]) + 1}]"
            if len(location) > 1 and location[0] == "items"
            else where
        )
        field = ".".join(str(part) for part in location)
        raise MalformedDocumentError(f"{field}: {problem['msg']}", location=place) from None


def _level(details: etree._Element, where: str) -> dict[str, Any]:
    level: dict[str, Any] = item_ids(child(details, "ItemID"))
    for contact in (e for e in elements(details) if e.tag == "Contact"):
        if attribute(contact, "role") == LOCATION_ROLE:
            location = next(
                (
                    attribute(r, "identifier")
                    for r in elements(contact)
                    if r.tag == "IdReference" and attribute(r, "domain") == LOCATION_DOMAIN
                ),
                full_text(child(contact, "Name")),
            )
            level["location"] = location or None
    inventory = child(details, "Inventory")
    on_hand = child(inventory, "StockOnHandQuantity")
    if on_hand is None:
        msg = "a stock level needs Inventory/StockOnHandQuantity"
        raise MalformedDocumentError(msg, location=where)
    level["quantity_on_hand"] = decimal_at(
        attribute(on_hand, "quantity"), f"{where}/Inventory/StockOnHandQuantity@quantity"
    )
    available = child(inventory, "UnrestrictedUseQuantity")
    if available is not None:
        level["quantity_available"] = decimal_at(
            attribute(available, "quantity"),
            f"{where}/Inventory/UnrestrictedUseQuantity@quantity",
        )
    unit = full_text(child(on_hand, "UnitOfMeasure")) or full_text(child(details, "UnitOfMeasure"))
    if not unit:
        msg = "a stock level needs a UnitOfMeasure"
        raise MalformedDocumentError(msg, location=where)
    level["unit_of_measure"] = unit
    return level
