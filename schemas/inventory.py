"""The inventory snapshot: how much of which item is on hand and available, where, as of when.

Modelled on X12 846 (Inventory Inquiry/Advice) and what the ERP reports: one stock level per
item and location. Items are named by our SKU and/or the part numbers the buyer knows, so a
feed can go to a partner before or after the cross-reference has run.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.references import DocumentId
from schemas.types import NO_CONTROL_CHARACTERS, Quantity, UnitCode

PartId = Annotated[str, Field(min_length=1, max_length=255, pattern=NO_CONTROL_CHARACTERS)]
"""A part number or SKU: single-line text."""


class StockLevel(CanonicalModel):
    """The stock of one item at one location (or overall, without a location)."""

    sku: PartId | None = None
    """Our SKU."""
    supplier_part_id: PartId | None = None
    """Our part number as the buyer knows it (X12 VN/VP)."""
    buyer_part_id: PartId | None = None
    """The buyer's part number (X12 BP)."""
    quantity_on_hand: Quantity
    """Physically in stock, in `unit_of_measure`. ERPs may report a negative figure after
    overselling; it is kept as reported."""
    quantity_available: Quantity | None = None
    """Available to promise (on hand minus reservations), when known."""
    unit_of_measure: UnitCode
    """UN/ECE Rec 20 unit of both quantities."""
    location: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    """Warehouse or stock location code; `null` for a total over all locations."""

    @model_validator(mode="after")
    def _names_the_item(self) -> StockLevel:
        if self.sku is None and self.supplier_part_id is None and self.buyer_part_id is None:
            msg = "a stock level names its item: sku, supplier_part_id or buyer_part_id"
            raise ValueError(msg)
        return self


class InventorySnapshot(CanonicalModel):
    """Stock levels of many items as of one moment (an inventory advice, X12 846)."""

    document_type: Literal["inventory_snapshot"] = "inventory_snapshot"
    """Discriminator of the canonical document union."""
    snapshot_id: DocumentId
    """Our id of this snapshot (X12 BIA03)."""
    as_of: AwareDatetime
    """When the quantities were true."""
    items: tuple[StockLevel, ...]
    """Stock levels; an item appears at most once per location."""

    @model_validator(mode="after")
    def _one_level_per_item_and_location(self) -> InventorySnapshot:
        keys = Counter(
            (item.sku, item.supplier_part_id, item.buyer_part_id, item.location)
            for item in self.items
        )
        repeated = sorted(
            f"{sku or supplier or buyer}@{location or '*'}"
            for (sku, supplier, buyer, location), count in keys.items()
            if count > 1
        )
        if repeated:
            msg = f"an item may appear once per location; repeated: {repeated}"
            raise ValueError(msg)
        return self
