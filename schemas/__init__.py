"""The canonical model: pydantic values every connector translates to and from. No I/O here."""

from __future__ import annotations

from schemas.documents import DOCUMENT_ADAPTER, Document
from schemas.envelope import Direction, Envelope, MappingReference
from schemas.order import OrderChange, OrderLine, PurchaseOrder
from schemas.party import Party, PostalAddress
from schemas.types import Amount, CountryCode, CurrencyCode, Identifier, Quantity, UnitCode

__all__ = [
    "DOCUMENT_ADAPTER",
    "Amount",
    "CountryCode",
    "CurrencyCode",
    "Direction",
    "Document",
    "Envelope",
    "Identifier",
    "MappingReference",
    "OrderChange",
    "OrderLine",
    "Party",
    "PostalAddress",
    "PurchaseOrder",
    "Quantity",
    "UnitCode",
]
