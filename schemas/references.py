"""References from follow-up documents back to the documents they answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.types import NO_CONTROL_CHARACTERS

DocumentId = Annotated[str, Field(min_length=1, max_length=255, pattern=NO_CONTROL_CHARACTERS)]
"""An id a document carries or points at (order number, payloadID, shipment id, invoice id)."""


class OrderReference(CanonicalModel):
    """The purchase order a confirmation, ship notice or invoice is about.

    cXML carries it as `OrderReference(orderID, orderDate) > DocumentReference(payloadID)`; X12 as
    the PO number (BAK03, PRF01, BIG04) and date. Real invoices sometimes name only the payloadID,
    so either id may be missing, but not both.
    """

    order_id: DocumentId | None = None
    """The buyer's order number."""
    payload_id: DocumentId | None = None
    """Partner document id of the order document (cXML payloadID of the OrderRequest)."""
    order_date: AwareDatetime | None = None
    """When the buyer issued the order."""

    @model_validator(mode="after")
    def _names_the_order(self) -> OrderReference:
        if self.order_id is None and self.payload_id is None:
            msg = "an order reference needs the order id, the order document's id, or both"
            raise ValueError(msg)
        return self
