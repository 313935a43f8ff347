"""One call from a canonical outbound document to a complete interchange for a partner.

`encode_document` picks the transaction set by document type (855 confirmation, 856 ship
notice, 810 invoice, 846 inventory snapshot, 832 price catalogue); `build_document` wraps it
in ISA/GS/ST..SE/GE/IEA with the partner's settings and the passed-in control numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from connectors.formats.x12._810 import encode_810
from connectors.formats.x12._832 import encode_832
from connectors.formats.x12._846 import encode_846
from connectors.formats.x12._855 import encode_855
from connectors.formats.x12._856 import encode_856
from connectors.formats.x12._settings import X12OutboundRules, X12PartnerSettings
from connectors.formats.x12._writer import (
    ControlNumbers,
    OutboundGroup,
    OutboundInterchange,
    OutboundSet,
    build_interchange,
)
from schemas.catalog import PriceCatalog
from schemas.confirmation import OrderConfirmation
from schemas.inventory import InventorySnapshot
from schemas.invoice import Invoice
from schemas.shipment import ShipNotice

OutboundDocument = OrderConfirmation | ShipNotice | Invoice | InventorySnapshot | PriceCatalog
"""Canonical documents this package writes as X12."""

FUNCTIONAL_IDS = {
    "810": "IN",
    "832": "SC",
    "846": "IB",
    "850": "PO",
    "855": "PR",
    "856": "SH",
    "860": "PC",
    "997": "FA",
    "999": "FA",
}
"""GS01 functional identifier code of each transaction set."""


def encode_document(
    document: OutboundDocument,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The transaction set body for a canonical document (855, 856, 810, 846 or 832)."""
    if isinstance(document, OrderConfirmation):
        return encode_855(document, rules, tz=tz)
    if isinstance(document, ShipNotice):
        return encode_856(document, rules, tz=tz)
    if isinstance(document, Invoice):
        return encode_810(document, rules, tz=tz)
    if isinstance(document, PriceCatalog):
        return encode_832(document, rules, tz=tz)
    return encode_846(document, rules, tz=tz)


def build_document(
    document: OutboundDocument,
    settings: X12PartnerSettings,
    *,
    numbers: ControlNumbers,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying `document` to the partner of `settings`."""
    outbound = encode_document(document, settings.outbound, tz=tz)
    group = OutboundGroup(FUNCTIONAL_IDS[outbound.set_id], (outbound,))
    return build_interchange([group], settings, numbers=numbers, now=now)
