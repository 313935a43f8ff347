"""One call from a canonical outbound document to a complete interchange for a partner.

`encode_document` picks the message by document type (ORDRSP confirmation, DESADV ship notice,
INVOIC invoice, INVRPT inventory snapshot, PRICAT price catalogue); `build_document` wraps it
in UNA/UNB/UNH..UNT/UNZ with the partner's settings and the passed-in control references.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from connectors.formats.edifact._desadv import encode_desadv
from connectors.formats.edifact._invoic import encode_invoic
from connectors.formats.edifact._invrpt import encode_invrpt
from connectors.formats.edifact._ordrsp import encode_ordrsp
from connectors.formats.edifact._pricat import encode_pricat
from connectors.formats.edifact._settings import EdifactPartnerSettings
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    build_interchange,
)
from schemas.catalog import PriceCatalog
from schemas.confirmation import OrderConfirmation
from schemas.inventory import InventorySnapshot
from schemas.invoice import Invoice
from schemas.shipment import ShipNotice

OutboundDocument = OrderConfirmation | ShipNotice | Invoice | InventorySnapshot | PriceCatalog
"""Canonical documents this package writes as EDIFACT."""


def encode_document(
    document: OutboundDocument,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The message body for a canonical document (ORDRSP, DESADV, INVOIC, INVRPT or PRICAT)."""
    if isinstance(document, OrderConfirmation):
        return encode_ordrsp(document, settings, tz=tz)
    if isinstance(document, ShipNotice):
        return encode_desadv(document, settings, tz=tz)
    if isinstance(document, InventorySnapshot):
        return encode_invrpt(document, settings, tz=tz)
    if isinstance(document, PriceCatalog):
        return encode_pricat(document, settings, tz=tz)
    return encode_invoic(document, settings, tz=tz)


def build_document(
    document: OutboundDocument,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying `document` to the partner of `settings`."""
    message = encode_document(document, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
