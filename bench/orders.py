# ruff: noqa: E501 - XML templates read best unwrapped
"""Distinct 10-line cXML OrderRequests from the demo Coupa tenant, as Coupa sends them.

Written for the benchmark (the tests' builder is not imported): the same shape as the golden case
`mappings/partners/coupa-demo/cases/order_new.xml`, with ten lines over the ten parts of the demo
cross-reference (CP-1001..CP-1010, unit EA). Every body has its own payloadID and orderID.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

PARTNER = "coupa-demo"
LINES_PER_ORDER = 10


@dataclass(frozen=True)
class Identity:
    """The documented demo identities of the Coupa demo tenant (mappings/README.md)."""

    domain: str = "NetworkID"
    buyer: str = "COUPA-DEMO-BUYER"
    supplier: str = "B2CONNECT-DEMO-SUPPLIER"
    sender: str = "COUPA-DEMO-BUYER"
    secret: str = "coupa-demo-secret"  # noqa: S105 - the public demo value


COUPA_DEMO = Identity()

# (supplier part id, description, unit price, UNSPSC) - the demo cross-reference.
PARTS: tuple[tuple[str, str, str, str], ...] = (
    ("CP-1001", "Copy paper A4 80 g/m2, ream of 500 sheets", "6.49", "14111507"),
    ("CP-1002", "Ballpoint pen, blue, medium point", "0.89", "44121704"),
    ("CP-1003", "Stapler, full strip, 25-sheet capacity", "14.20", "44121615"),
    ("CP-1004", "Nitrile gloves, powder-free, size L, box of 100", "12.75", "46181504"),
    ("CP-1005", "Safety glasses, clear anti-fog lens", "7.35", "46181802"),
    ("CP-1006", "Shop towels, blue, roll of 55", "3.10", "47131502"),
    ("CP-1007", "Cable ties, nylon, 200 mm, pack of 100", "4.60", "39121702"),
    ("CP-1008", "Hex bolt M8 x 40 mm, zinc plated, box of 50", "9.95", "31161605"),
    ("CP-1009", "Duct tape, 48 mm x 50 m, silver", "8.20", "31201500"),
    ("CP-1010", "High-visibility vest, EN ISO 20471 class 2, size L", "11.40", "46181527"),
)


def payload_id(run: str, number: int) -> str:
    """The payloadID of order `number` of run `run`."""
    return f"{run}.{number}@coupa-demo.bench.example"


def order_id(run: str, number: int) -> str:
    """The orderID of order `number` of run `run`."""
    return f"{run}-{number:06d}"


def order_request(run: str, number: int, identity: Identity = COUPA_DEMO) -> bytes:
    """OrderRequest `number` of run `run`: ten lines, quantities varying with `number`."""
    lines: list[str] = []
    total = Decimal(0)
    for index, (part, description, price, unspsc) in enumerate(PARTS, 1):
        quantity = 1 + (number * 7 + index * 3) % 40
        charge = Decimal(price) * quantity
        total += charge
        lines.append(_item(index, part, description, price, unspsc, quantity, charge))
    pid = quoteattr(payload_id(run, number))
    oid = quoteattr(order_id(run, number))
    ident = identity
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID={pid} timestamp="2026-11-20T09:15:27-08:00" version="1.2.069" xml:lang="en-US">
  <Header>
    <From>
      <Credential domain="{ident.domain}">
        <Identity>{escape(ident.buyer)}</Identity>
      </Credential>
    </From>
    <To>
      <Credential domain="{ident.domain}">
        <Identity>{escape(ident.supplier)}</Identity>
      </Credential>
    </To>
    <Sender>
      <Credential domain="{ident.domain}">
        <Identity>{escape(ident.sender)}</Identity>
        <SharedSecret>{escape(ident.secret)}</SharedSecret>
      </Credential>
      <UserAgent>Coupa Procurement 1.0</UserAgent>
    </Sender>
  </Header>
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID={oid} orderDate="2026-11-20T09:15:12-08:00" orderType="regular" type="new" orderVersion="1">
        <Total>
          <Money currency="USD">{total}</Money>
        </Total>
        <ShipTo>
          <Address addressID="SEA-DC1" isoCountryCode="US">
            <Name xml:lang="en-US">Cascade Outfitters - Seattle DC</Name>
            <PostalAddress name="Seattle DC">
              <DeliverTo>Dana Whitfield</DeliverTo>
              <DeliverTo>Receiving, Dock 4</DeliverTo>
              <Street>2200 Airport Way S</Street>
              <City>Seattle</City>
              <State>WA</State>
              <PostalCode>98134</PostalCode>
              <Country isoCountryCode="US">United States</Country>
            </PostalAddress>
          </Address>
        </ShipTo>
        <BillTo>
          <Address addressID="AP-HQ" isoCountryCode="US">
            <Name xml:lang="en-US">Cascade Outfitters Inc. - Accounts Payable</Name>
            <PostalAddress name="Headquarters">
              <Street>500 Pine St, Suite 1200</Street>
              <City>Seattle</City>
              <State>WA</State>
              <PostalCode>98101</PostalCode>
              <Country isoCountryCode="US">United States</Country>
            </PostalAddress>
          </Address>
        </BillTo>
        <Contact role="endUser">
          <Name xml:lang="en-US">Dana Whitfield</Name>
          <Email name="work">dana.whitfield@example.com</Email>
        </Contact>
        <Comments xml:lang="en-US">Deliver between 8:00 and 15:00. Call receiving before arrival.</Comments>
        <Extrinsic name="CustomFields">
          <IdReference domain="cost-center" identifier="CC-4410"/>
          <IdReference domain="project-code" identifier="FAC-2026-017"/>
        </Extrinsic>
        <Extrinsic name="Requester">dana.whitfield@example.com</Extrinsic>
      </OrderRequestHeader>
{"".join(lines)}    </OrderRequest>
  </Request>
</cXML>
""".encode()


def _item(  # noqa: PLR0917 - one line's fields
    number: int,
    part: str,
    description: str,
    price: str,
    unspsc: str,
    quantity: int,
    charge: Decimal,
) -> str:
    return f"""      <ItemOut quantity="{quantity}" lineNumber="{number}" requestedDeliveryDate="2026-11-30T00:00:00-08:00">
        <ItemID>
          <SupplierPartID>{part}</SupplierPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice>
            <Money currency="USD">{price}</Money>
          </UnitPrice>
          <Description xml:lang="en-US">{escape(description)}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">{unspsc}</Classification>
        </ItemDetail>
        <Distribution>
          <Accounting name="Cost Center">
            <AccountingSegment id="CC-4410">
              <Name xml:lang="en-US">Cost Center</Name>
              <Description xml:lang="en-US">Facilities Seattle</Description>
            </AccountingSegment>
          </Accounting>
          <Charge>
            <Money currency="USD">{charge}</Money>
          </Charge>
        </Distribution>
      </ItemOut>
"""
