"""OrderRequests from the demo partners, built with the connector testing kit.

`connectors.testing.cxml_documents` builds documents in exact DTD order for any identities; this
module adds the demo partners' documented identities and their cross-referenced part numbers so
that API tests can say `order_request(order_id="PO-1", lines=[Line("1002")])`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from lxml import etree

from connectors.testing.cxml_documents import (
    CxmlParty,
    LineSpec,
    TradingPartners,
    header_element,
)
from connectors.testing.cxml_documents import order_request as build_order_request


@dataclass(frozen=True)
class DemoIdentity:
    """A demo partner's identities (see mappings/README.md) and its part-number convention."""

    partners: TradingPartners
    part_prefix: str
    """Partner part ids in the demo cross-reference: prefix + 1001.. -> B2C-1001.."""
    buyer_part_ids: bool = False
    """True when the partner's cross-reference keys are buyer part ids (Ariba demo)."""


def _demo(domain: str, buyer: str, supplier: str, secret: str) -> TradingPartners:
    return TradingPartners(
        buyer=CxmlParty(domain, buyer),
        supplier=CxmlParty(domain, supplier),
        sender=CxmlParty(domain, buyer),
        shared_secret=secret,
        user_agent="b2connect tests",
    )


DEMO = {
    "coupa-demo": DemoIdentity(
        _demo("NetworkID", "COUPA-DEMO-BUYER", "B2CONNECT-DEMO-SUPPLIER", "coupa-demo-secret"),
        "CP-",
    ),
    "ariba-demo": DemoIdentity(
        _demo("NetworkID", "AN01000000001-T", "AN01000000002-T", "ariba-demo-secret"),
        "AR-PN-",
        buyer_part_ids=True,
    ),
    "jaggaer-demo": DemoIdentity(
        _demo("DUNS", "123456789", "987654321", "jaggaer-demo-secret"), "JG-"
    ),
}


@dataclass(frozen=True)
class Line:
    """One ItemOut, by demo part number ("1001" is CP-1001 for Coupa, AR-PN-1001 for Ariba...)."""

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
    """A DTD-valid OrderRequest from a demo partner; keyword arguments override `spec`."""
    spec = spec or OrderSpec()
    for name, value in changes.items():
        setattr(spec, name, value)
    demo = DEMO[spec.partner]
    partners = demo.partners
    if spec.secret is not None:
        partners = replace(partners, shared_secret=spec.secret)
    if spec.to_identity is not None:
        partners = replace(partners, supplier=replace(partners.supplier, identity=spec.to_identity))
    if spec.sender_identity is not None:
        partners = replace(partners, sender=replace(partners.sender, identity=spec.sender_identity))
    return build_order_request(
        partners,
        payload_id=spec.payload_id,
        order_id=spec.order_id,
        change=spec.change,
        version=spec.version,
        supersedes=spec.supersedes,
        currency=spec.currency,
        lines=tuple(_line_spec(demo, line) for line in spec.lines),
    )


def _line_spec(demo: DemoIdentity, line: Line) -> LineSpec:
    part = f"{demo.part_prefix}{line.part}"
    return LineSpec(
        supplier_part_id=f"S-{line.part}" if demo.buyer_part_ids else part,
        buyer_part_id=part if demo.buyer_part_ids else None,
        quantity=line.quantity,
        unit_of_measure=line.unit,
        unit_price=line.price,
        description=line.description,
    )


def rehead(sample: bytes, partner: str) -> bytes:
    """A third-party sample with its Header replaced by the demo partner's credentials.

    Lets a real platform's document body travel through our ingress as if that demo partner had
    sent it; nothing but the Header changes.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(sample, parser)
    header = root.find("Header")
    assert header is not None, "sample has no Header"
    root.replace(header, header_element(DEMO[partner].partners))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
