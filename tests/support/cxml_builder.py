"""Builds cXML OrderRequests as a procurement platform would send them, for the demo partners."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from lxml import etree


@dataclass(frozen=True)
class DemoIdentity:
    """The documented demo identities of one demo partner (see mappings/README.md)."""

    domain: str
    buyer: str
    supplier: str
    sender: str
    secret: str
    part_prefix: str
    """Partner part ids in the demo cross-reference: prefix + 1001..1009 -> B2C-1001..."""
    part_field: str = "SupplierPartID"


DEMO = {
    "coupa-demo": DemoIdentity(
        "NetworkID",
        "COUPA-DEMO-BUYER",
        "B2CONNECT-DEMO-SUPPLIER",
        "COUPA-DEMO-BUYER",
        "coupa-demo-secret",
        "CP-",
    ),
    "ariba-demo": DemoIdentity(
        "NetworkID",
        "AN01000000001-T",
        "AN01000000002-T",
        "AN01000000001-T",
        "ariba-demo-secret",
        "AR-PN-",
        "BuyerPartID",
    ),
    "jaggaer-demo": DemoIdentity(
        "DUNS",
        "123456789",
        "987654321",
        "123456789",
        "jaggaer-demo-secret",
        "JG-",
    ),
}

_counter = itertools.count(1)


@dataclass(frozen=True)
class Line:
    """One ItemOut."""

    part: str = "1001"
    quantity: Decimal = Decimal("2")
    unit: str = "EA"
    price: Decimal = Decimal("10.50")
    description: str = "Demo item"


@dataclass
class OrderSpec:
    """Everything that varies between test orders."""

    partner: str = "coupa-demo"
    order_id: str = "PO-1"
    change: str = "new"
    version: int | None = None
    supersedes: str | None = None
    payload_id: str | None = None
    lines: list[Line] = field(default_factory=lambda: [Line()])
    secret: str | None = None
    to_identity: str | None = None
    sender_identity: str | None = None
    currency: str = "USD"


def order_request(spec: OrderSpec | None = None, **changes: object) -> bytes:
    """A well-formed OrderRequest from a demo partner; keyword arguments override `spec`."""
    spec = spec or OrderSpec()
    for name, value in changes.items():
        setattr(spec, name, value)
    ident = DEMO[spec.partner]
    payload_id = spec.payload_id or f"{next(_counter)}.test@{spec.partner}.example"
    secret = ident.secret if spec.secret is None else spec.secret
    version = f' orderVersion="{spec.version}"' if spec.version is not None else ""
    reference = (
        f"<DocumentReference payloadID={quoteattr(spec.supersedes)}/>" if spec.supersedes else ""
    )
    total = sum((ln.quantity * ln.price for ln in spec.lines), Decimal(0))
    items = "".join(_item(i, ln, ident, spec.currency) for i, ln in enumerate(spec.lines, 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID={quoteattr(payload_id)} timestamp="2026-11-20T10:00:00-08:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="{ident.domain}"><Identity>{ident.buyer}</Identity></Credential></From>
    <To><Credential domain="{ident.domain}"><Identity>{escape(spec.to_identity or ident.supplier)}</Identity></Credential></To>
    <Sender><Credential domain="{ident.domain}"><Identity>{escape(spec.sender_identity or ident.sender)}</Identity><SharedSecret>{escape(secret)}</SharedSecret></Credential><UserAgent>b2connect tests</UserAgent></Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID={quoteattr(spec.order_id)} orderDate="2026-11-20T09:59:00-08:00" type="{spec.change}"{version}>
        {reference}
        <Total><Money currency="{spec.currency}">{total}</Money></Total>
        <ShipTo><Address addressID="DOCK-1"><Name xml:lang="en">Receiving dock</Name><PostalAddress><Street>1 Main St</Street><City>Springfield</City><State>IL</State><PostalCode>62701</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress></Address></ShipTo>
        <BillTo><Address><Name xml:lang="en">Accounts payable</Name></Address></BillTo>
      </OrderRequestHeader>
{items}
    </OrderRequest>
  </Request>
</cXML>
""".encode()


def _item(number: int, line: Line, ident: DemoIdentity, currency: str) -> str:
    part = f"{ident.part_prefix}{line.part}"
    ids = (
        f"<SupplierPartID>{part}</SupplierPartID>"
        if ident.part_field == "SupplierPartID"
        else f"<SupplierPartID>S-{line.part}</SupplierPartID><BuyerPartID>{part}</BuyerPartID>"
    )
    return f"""      <ItemOut quantity="{line.quantity}" lineNumber="{number}">
        <ItemID>{ids}</ItemID>
        <ItemDetail><UnitPrice><Money currency="{currency}">{line.price}</Money></UnitPrice><Description xml:lang="en">{escape(line.description)}</Description><UnitOfMeasure>{line.unit}</UnitOfMeasure><Classification domain="UNSPSC">44120000</Classification></ItemDetail>
      </ItemOut>"""


def rehead(sample: bytes, partner: str) -> bytes:
    """A third-party sample with its Header replaced by the demo partner's credentials.

    Lets a real platform's document body travel through our ingress as if that demo partner had
    sent it; nothing but the Header changes.
    """
    ident = DEMO[partner]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(sample, parser)
    header = root.find("Header")
    assert header is not None, "sample has no Header"
    new_header = etree.fromstring(
        f"""<Header>
    <From><Credential domain="{ident.domain}"><Identity>{ident.buyer}</Identity></Credential></From>
    <To><Credential domain="{ident.domain}"><Identity>{ident.supplier}</Identity></Credential></To>
    <Sender><Credential domain="{ident.domain}"><Identity>{ident.sender}</Identity><SharedSecret>{ident.secret}</SharedSecret></Credential><UserAgent>sample replay</UserAgent></Sender>
  </Header>"""
    )
    root.replace(header, new_header)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
