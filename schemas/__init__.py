"""The canonical model: pydantic values every connector translates to and from. No I/O here."""

from __future__ import annotations

from schemas.carrier import (
    Booking,
    BookingRequest,
    Cancellation,
    CarrierReference,
    CashOnDelivery,
    Parcel,
    ShipmentContact,
    TrackingEvent,
    TrackingReport,
    TrackingStatus,
)
from schemas.catalog import CatalogItem, CatalogPrice, Customer, Price, PriceCatalog, Product
from schemas.confirmation import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    ConfirmedQuantity,
    LineStatus,
    OrderConfirmation,
)
from schemas.documents import DOCUMENT_ADAPTER, Document
from schemas.envelope import Direction, Envelope, MappingReference
from schemas.inventory import InventorySnapshot, StockLevel
from schemas.invoice import (
    Invoice,
    InvoiceLine,
    InvoiceOperation,
    InvoiceOrder,
    InvoicePurpose,
    TaxDetail,
)
from schemas.order import OrderChange, OrderLine, PurchaseOrder
from schemas.party import Party, PostalAddress
from schemas.references import DocumentId, OrderReference
from schemas.shipment import (
    FulfillmentType,
    Package,
    ShipControl,
    ShipmentType,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
    ShipNoticeOrder,
)
from schemas.types import Amount, CountryCode, CurrencyCode, Identifier, Quantity, UnitCode

__all__ = [
    "DOCUMENT_ADAPTER",
    "Amount",
    "Booking",
    "BookingRequest",
    "Cancellation",
    "CarrierReference",
    "CashOnDelivery",
    "CatalogItem",
    "CatalogPrice",
    "ConfirmationLine",
    "ConfirmationOperation",
    "ConfirmationType",
    "ConfirmedQuantity",
    "CountryCode",
    "CurrencyCode",
    "Customer",
    "Direction",
    "Document",
    "DocumentId",
    "Envelope",
    "FulfillmentType",
    "Identifier",
    "InventorySnapshot",
    "Invoice",
    "InvoiceLine",
    "InvoiceOperation",
    "InvoiceOrder",
    "InvoicePurpose",
    "LineStatus",
    "MappingReference",
    "OrderChange",
    "OrderConfirmation",
    "OrderLine",
    "OrderReference",
    "Package",
    "Parcel",
    "Party",
    "PostalAddress",
    "Price",
    "PriceCatalog",
    "Product",
    "PurchaseOrder",
    "Quantity",
    "ShipControl",
    "ShipNotice",
    "ShipNoticeLine",
    "ShipNoticeOperation",
    "ShipNoticeOrder",
    "ShipmentContact",
    "ShipmentType",
    "StockLevel",
    "TaxDetail",
    "TrackingEvent",
    "TrackingReport",
    "TrackingStatus",
    "UnitCode",
]
