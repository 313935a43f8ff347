"""The union of canonical documents, discriminated by `document_type`.

`DOCUMENT_ADAPTER` validates JSON of any member; every new document type joins the union here.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

from pydantic import Field, TypeAdapter

from schemas.catalog import PriceCatalog
from schemas.confirmation import OrderConfirmation
from schemas.inventory import InventorySnapshot
from schemas.invoice import Invoice
from schemas.order import PurchaseOrder
from schemas.shipment import ShipNotice

Document: TypeAlias = Annotated[
    PurchaseOrder | OrderConfirmation | ShipNotice | Invoice | InventorySnapshot | PriceCatalog,
    Field(discriminator="document_type"),
]
DOCUMENT_ADAPTER: TypeAdapter[Document] = TypeAdapter(Document)
