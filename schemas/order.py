"""The purchase order: what a buyer asks us to deliver, one canonical shape for every protocol."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.party import Party
from schemas.types import (
    NO_CONTROL_CHARACTERS,
    Amount,
    CurrencyCode,
    Identifier,
    Quantity,
    UnitCode,
)


class OrderChange(StrEnum):
    """What a purchase order document does to the order it names."""

    NEW = "new"
    UPDATE = "update"
    DELETE = "delete"


class OrderLine(CanonicalModel):
    """One line of a purchase order."""

    line_number: Annotated[int, Field(ge=1)]
    """The buyer's line number; the key of the line across versions and follow-up documents."""
    supplier_part_id: (
        Annotated[str, Field(max_length=255, pattern=NO_CONTROL_CHARACTERS)] | None
    ) = None
    """Our part number as the buyer knows it (cXML SupplierPartID, X12 VN/VP)."""
    supplier_part_auxiliary_id: (
        Annotated[str, Field(max_length=255, pattern=NO_CONTROL_CHARACTERS)] | None
    ) = None
    """Extra supplier key the buyer echoes back (cXML SupplierPartAuxiliaryID)."""
    buyer_part_id: Annotated[str, Field(max_length=255, pattern=NO_CONTROL_CHARACTERS)] | None = (
        None
    )
    """The buyer's own part number (cXML BuyerPartID, X12 BP)."""
    sku: Annotated[str, Field(max_length=100)] | None = None
    """Our SKU, resolved by the partner's cross-reference; `null` until the mapping has run."""
    description: str | None = None
    """Free-text description of the item."""
    quantity: Annotated[Quantity, Field(gt=0)]
    """Ordered quantity in `unit_of_measure`; positive."""
    unit_of_measure: UnitCode
    """UN/ECE Rec 20 unit code (as sent until mapped)."""
    unit_price: Amount | None = None
    """Price per unit, when the buyer states it: in the order currency, unless
    `unit_price_currency` says otherwise."""
    unit_price_currency: CurrencyCode | None = None
    """Set only when the buyer priced this line in another currency than the order's (an Ariba
    blanket order priced in AUD on a USD order): the price is kept as sent, never converted."""
    requested_delivery_date: AwareDatetime | None = None
    """When the buyer wants this line delivered."""
    classifications: tuple[Identifier, ...] = ()
    """Commodity codes (e.g. UNSPSC) as sent."""
    comments: str | None = None
    """Free-text comments on the line."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic) kept verbatim; not interpreted by the core."""


class PurchaseOrder(CanonicalModel):
    """A purchase order, or a change or cancellation of one (see `change` and `version`)."""

    document_type: Literal["purchase_order"] = "purchase_order"
    """Discriminator of the canonical document union."""
    order_id: Annotated[str, Field(min_length=1, max_length=255, pattern=NO_CONTROL_CHARACTERS)]
    """The buyer's order number; unique per buyer."""
    change: OrderChange = OrderChange.NEW
    """`new`, `update` (a full replacement) or `delete` (a cancellation)."""
    version: Annotated[int, Field(ge=1)] | None = None
    """Order version as the buyer numbers it (cXML orderVersion): 1 for a new order, increasing
    with every change. `null` when the buyer does not number versions; the hub then assigns the
    next one when it stores the order."""
    supersedes: str | None = None
    """Partner document id of the version this one replaces (cXML DocumentReference)."""
    order_date: AwareDatetime
    """When the buyer issued the order."""
    order_type: str = "regular"
    """Kind of order: `regular`, `release`, `blanket`..."""
    currency: CurrencyCode
    """ISO 4217 currency of the order: of every amount, unless that amount's `*_currency` field
    names another one."""
    total: Amount | None = None
    """Order total as stated by the buyer (negative amounts are kept as sent)."""
    total_currency: CurrencyCode | None = None
    """Set only when the total is not in the order currency."""
    tax: Amount | None = None
    """Header tax amount, when stated."""
    tax_currency: CurrencyCode | None = None
    """Set only when the tax is not in the order currency (VAT in EUR on a USD order): the
    amount is kept in its own currency, never converted."""
    shipping: Amount | None = None
    """Header shipping amount, when stated."""
    shipping_currency: CurrencyCode | None = None
    """Set only when the shipping amount is not in the order currency."""
    buyer: Party
    """The buying organisation (cXML From)."""
    supplier: Party
    """Us, as the buyer addresses us (cXML To)."""
    ship_to: Party | None = None
    """Where the goods go."""
    bill_to: Party | None = None
    """Where the invoice goes."""
    requested_delivery_date: AwareDatetime | None = None
    """Delivery date requested for the whole order."""
    comments: str | None = None
    """Free-text comments on the order."""
    is_test: bool = False
    """True when the buyer marked the document as a test (cXML deploymentMode="test")."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic) kept verbatim; not interpreted by the core."""
    lines: tuple[OrderLine, ...]
    """Order lines; a new order or an update has at least one, line numbers are unique."""

    @model_validator(mode="after")
    def _lines_are_consistent(self) -> PurchaseOrder:
        if self.change is not OrderChange.DELETE and not self.lines:
            msg = f"a {self.change.value} purchase order needs at least one line"
            raise ValueError(msg)
        counts = Counter(line.line_number for line in self.lines)
        duplicates = sorted(n for n, count in counts.items() if count > 1)
        if duplicates:
            msg = f"line numbers must be unique; repeated: {duplicates}"
            raise ValueError(msg)
        return self

    def line(self, line_number: int) -> OrderLine | None:
        """The line with this number, if the order has it."""
        return next((line for line in self.lines if line.line_number == line_number), None)
