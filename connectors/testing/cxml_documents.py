"""cXML OrderRequests as a procurement platform sends them, for the suite and the fake platform.

Built as an lxml tree in exact DTD order (cXML.dtd 1.2.069: `Header(From, To, Sender)`,
`OrderRequestHeader(Total, ShipTo?, BillTo, Comments*, DocumentReference?, Extrinsic*)`,
`ItemDetail(UnitPrice, Description+, UnitOfMeasure, Classification+)`), so the hard cases can
bend one thing at a time and the untouched document stays DTD-valid. No pytest, no network.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lxml import etree

from connectors.cxml_platform import CxmlPlatformConfig

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DEFAULT_TIMESTAMP = "2025-01-14T09:15:27-08:00"
"""cXML@timestamp of a built document unless told otherwise."""
DEFAULT_ORDER_DATE = "2025-01-14T09:15:12-08:00"
"""OrderRequestHeader@orderDate of a built document unless told otherwise."""
DEFAULT_CXML_VERSION = "1.2.069"

_sequence = itertools.count(1)


@dataclass(frozen=True)
class CxmlParty:
    """One cXML credential: a domain and an identity within it."""

    domain: str
    identity: str


@dataclass(frozen=True)
class TradingPartners:
    """Who an OrderRequest is From (the buyer), To (the supplier) and sent by (Sender + secret)."""

    buyer: CxmlParty
    supplier: CxmlParty
    sender: CxmlParty
    shared_secret: str
    user_agent: str = "B2Connect conformance suite"

    def __repr__(self) -> str:
        # A fixture's repr ends up in test reports; keep the secret out of it, as the hub does.
        return (
            f"TradingPartners(buyer={self.buyer}, supplier={self.supplier}, "
            f"sender={self.sender}, shared_secret='***', user_agent={self.user_agent!r})"
        )

    @classmethod
    def from_config(cls, config: CxmlPlatformConfig) -> TradingPartners:
        """The partners a connector configured with `config` expects to hear from."""
        return cls(
            buyer=CxmlParty(config.buyer.domain, config.buyer.identity),
            supplier=CxmlParty(config.supplier.domain, config.supplier.identity),
            sender=CxmlParty(config.sender.domain, config.sender.identity),
            shared_secret=config.shared_secret.get_secret_value(),
            user_agent=config.user_agent or "B2Connect conformance suite",
        )


@dataclass(frozen=True)
class LineSpec:
    """One ItemOut."""

    supplier_part_id: str
    quantity: Decimal
    unit_of_measure: str
    unit_price: Decimal
    description: str
    buyer_part_id: str | None = None
    classification: str = "44121600"
    """UNSPSC code; cXML.dtd 1.2.069 requires at least one Classification."""


DEFAULT_LINES: tuple[LineSpec, ...] = (
    LineSpec("SP-1001", Decimal("3"), "EA", Decimal("12.50"), "Copy paper A4, ream"),
    LineSpec("SP-1002", Decimal("1.5"), "KGM", Decimal("4.00"), "Packing peanuts"),
)
"""Two lines, total 43.50."""


def new_test_payload_id(host: str = "platform.example") -> str:
    """A unique payloadID in the recommended `datetime.process.random@host` spirit."""
    return f"{next(_sequence)}.{os.getpid()}.{os.urandom(6).hex()}@{host}"


def order_request_element(
    partners: TradingPartners,
    *,
    payload_id: str | None = None,
    order_id: str = "PO-1001",
    change: str = "new",
    version: int | None = None,
    supersedes: str | None = None,
    lines: tuple[LineSpec, ...] = DEFAULT_LINES,
    currency: str = "USD",
    timestamp: datetime | str = DEFAULT_TIMESTAMP,
    order_date: datetime | str = DEFAULT_ORDER_DATE,
    deployment_mode: str = "production",
    cxml_version: str = DEFAULT_CXML_VERSION,
) -> etree._Element:
    """The `cXML` root of an OrderRequest from `partners`, in exact DTD order."""
    root = etree.Element(
        "cXML",
        {
            "payloadID": payload_id or new_test_payload_id(),
            "timestamp": _datetime_text(timestamp),
            "version": cxml_version,
            XML_LANG: "en-US",
        },
    )
    root.append(header_element(partners))
    request = etree.SubElement(root, "Request", deploymentMode=deployment_mode)
    order = etree.SubElement(request, "OrderRequest")
    attributes = {"orderID": order_id, "orderDate": _datetime_text(order_date), "type": change}
    if version is not None:
        attributes["orderVersion"] = str(version)
    head = etree.SubElement(order, "OrderRequestHeader", attributes)
    total = sum((line.quantity * line.unit_price for line in lines), Decimal(0))
    _money(etree.SubElement(head, "Total"), total, currency)
    _address(etree.SubElement(head, "ShipTo"), "DOCK-1", "Receiving dock 1")
    _address(etree.SubElement(head, "BillTo"), "AP-HQ", "Accounts payable")
    _text(head, "Comments", "Deliver to the back door.", lang=True)
    if supersedes:
        etree.SubElement(head, "DocumentReference", payloadID=supersedes)
    for number, line in enumerate(lines, 1):
        _item_out(order, number, line, currency)
    return root


def header_element(partners: TradingPartners) -> etree._Element:
    """`Header(From, To, Sender)`; only the Sender credential carries the shared secret."""
    header = etree.Element("Header")
    _credential(etree.SubElement(header, "From"), partners.buyer)
    _credential(etree.SubElement(header, "To"), partners.supplier)
    sender = etree.SubElement(header, "Sender")
    _credential(sender, partners.sender, secret=partners.shared_secret)
    _text(sender, "UserAgent", partners.user_agent)
    return header


def serialize(root: etree._Element, *, doctype_version: str | None = DEFAULT_CXML_VERSION) -> bytes:
    """UTF-8 bytes with an XML declaration and, unless `doctype_version` is None, a DOCTYPE."""
    if not doctype_version:
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    system_id = f"http://xml.cxml.org/schemas/cXML/{doctype_version}/cXML.dtd"
    return etree.tostring(
        root,
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        doctype=f'<!DOCTYPE cXML SYSTEM "{system_id}">',
    )


def order_request(
    partners: TradingPartners,
    *,
    payload_id: str | None = None,
    order_id: str = "PO-1001",
    change: str = "new",
    version: int | None = None,
    supersedes: str | None = None,
    lines: tuple[LineSpec, ...] = DEFAULT_LINES,
    currency: str = "USD",
    timestamp: datetime | str = DEFAULT_TIMESTAMP,
    order_date: datetime | str = DEFAULT_ORDER_DATE,
    deployment_mode: str = "production",
    cxml_version: str = DEFAULT_CXML_VERSION,
) -> bytes:
    """The bytes of an OrderRequest from `partners` (see `order_request_element`)."""
    root = order_request_element(
        partners,
        payload_id=payload_id,
        order_id=order_id,
        change=change,
        version=version,
        supersedes=supersedes,
        lines=lines,
        currency=currency,
        timestamp=timestamp,
        order_date=order_date,
        deployment_mode=deployment_mode,
        cxml_version=cxml_version,
    )
    return serialize(root, doctype_version=cxml_version)


def profile_request(partners: TradingPartners, *, payload_id: str | None = None) -> bytes:
    """A ProfileRequest from `partners`: authentic, but not a purchase order."""
    root = etree.Element(
        "cXML",
        {
            "payloadID": payload_id or new_test_payload_id(),
            "timestamp": DEFAULT_TIMESTAMP,
            "version": DEFAULT_CXML_VERSION,
            XML_LANG: "en-US",
        },
    )
    root.append(header_element(partners))
    request = etree.SubElement(root, "Request", deploymentMode="production")
    etree.SubElement(request, "ProfileRequest")
    return serialize(root)


def _datetime_text(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat(timespec="seconds")


def _credential(holder: etree._Element, party: CxmlParty, *, secret: str | None = None) -> None:
    credential = etree.SubElement(holder, "Credential", domain=party.domain)
    _text(credential, "Identity", party.identity)
    if secret is not None:
        _text(credential, "SharedSecret", secret)


def _item_out(order: etree._Element, number: int, line: LineSpec, currency: str) -> None:
    item = etree.SubElement(order, "ItemOut", quantity=str(line.quantity), lineNumber=str(number))
    item_id = etree.SubElement(item, "ItemID")
    _text(item_id, "SupplierPartID", line.supplier_part_id)
    if line.buyer_part_id:
        _text(item_id, "BuyerPartID", line.buyer_part_id)
    detail = etree.SubElement(item, "ItemDetail")
    _money(etree.SubElement(detail, "UnitPrice"), line.unit_price, currency)
    _text(detail, "Description", line.description, lang=True)
    _text(detail, "UnitOfMeasure", line.unit_of_measure)
    classification = _text(detail, "Classification", line.classification)
    classification.set("domain", "UNSPSC")


def _money(holder: etree._Element, amount: Decimal, currency: str) -> None:
    _text(holder, "Money", f"{amount:.2f}").set("currency", currency)


def _address(holder: etree._Element, address_id: str, name: str) -> None:
    address = etree.SubElement(holder, "Address", addressID=address_id, isoCountryCode="US")
    _text(address, "Name", name, lang=True)
    postal = etree.SubElement(address, "PostalAddress")
    _text(postal, "Street", "1 Main St")
    _text(postal, "City", "Springfield")
    _text(postal, "State", "IL")
    _text(postal, "PostalCode", "62701")
    _text(postal, "Country", "United States").set("isoCountryCode", "US")


def _text(parent: etree._Element, tag: str, text: str, *, lang: bool = False) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    if lang:
        element.set(XML_LANG, "en-US")
    return element
