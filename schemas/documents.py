"""The union of canonical documents.

Today the hub knows one document type, so `Document` is `PurchaseOrder`; every later type
(confirmation, ship notice, invoice...) joins it as a member of a union discriminated by
`document_type`, and `DOCUMENT_ADAPTER` keeps validating JSON of any of them.
"""

from __future__ import annotations

from typing import TypeAlias

from pydantic import TypeAdapter

from schemas.order import PurchaseOrder

Document: TypeAlias = PurchaseOrder
DOCUMENT_ADAPTER: TypeAdapter[Document] = TypeAdapter(Document)
