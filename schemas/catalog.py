"""The ERP's master data and the price catalogue we send partners.

What the ERP pushes through the integration API (or the hub pulls from it): `Product` (the item
master), `Price` (one price of one item on one price list, in one currency, from a quantity,
for a period), `Customer` (a customer card). What the hub sends partners from them:
`PriceCatalog`, the price and catalogue feed (X12 832, EDIFACT PRICAT, cXML
CatalogUploadRequest), which names items by our SKU and/or the buyer's part numbers like the
inventory snapshot does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.inventory import PartId
from schemas.party import PostalAddress
from schemas.references import DocumentId
from schemas.types import NO_CONTROL_CHARACTERS, Amount, CurrencyCode, Quantity, UnitCode

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]
"""A short key: a price list, a customer code, a location."""

Text = Annotated[str, Field(min_length=1, max_length=500, pattern=NO_CONTROL_CHARACTERS)]
"""A single-line description or name."""


class Product(CanonicalModel):
    """One item of the ERP's item master."""

    sku: PartId
    """Our SKU (LOGO item `CODE`)."""
    name: Text
    """The item's name."""
    unit_of_measure: UnitCode
    """UN/ECE Rec 20 base unit the item is stocked and priced in."""
    description: Annotated[str, Field(max_length=2000)] | None = None
    """Longer description, when there is one."""
    gtin: Annotated[str, Field(pattern=r"^\d{8}$|^\d{12,14}$")] | None = None
    """GS1 GTIN (8, 12, 13 or 14 digits), when the item has one."""
    vat_rate: Annotated[Amount, Field(ge=0, le=100)] | None = None
    """VAT percentage charged on the item."""
    active: bool = True
    """False once the item is discontinued; feeds send it as deleted."""


class Price(CanonicalModel):
    """One price: an item on a price list, in a currency, from a quantity, for a period."""

    sku: PartId
    """Our SKU."""
    price_list: Code = "default"
    """The ERP's price list (LOGO price card group); partners are assigned one."""
    currency: CurrencyCode
    """ISO 4217 currency of `unit_price`."""
    unit_price: Annotated[Amount, Field(ge=0)]
    """Net price of one `unit_of_measure`."""
    unit_of_measure: UnitCode
    """UN/ECE Rec 20 unit the price is for."""
    min_quantity: Annotated[Quantity, Field(gt=0)] = Decimal(1)
    """The quantity tier: the price applies from this quantity on."""
    valid_from: date | None = None
    """First day the price applies; open when null."""
    valid_to: date | None = None
    """Last day the price applies; open when null."""

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Price:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            msg = "valid_to is before valid_from"
            raise ValueError(msg)
        return self


class Customer(CanonicalModel):
    """A customer card (LOGO `Arps`)."""

    code: Code
    """The ERP's customer code (LOGO `CODE`)."""
    name: Text
    """Legal or trading name (LOGO `TITLE`)."""
    tax_id: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    """Tax number (VKN) or national id (TCKN)."""
    tax_office: Annotated[str, Field(max_length=80)] | None = None
    """Tax office, for Turkish customers."""
    address: PostalAddress | None = None
    """Billing address."""
    email: Annotated[str, Field(max_length=254)] | None = None
    """Contact e-mail."""
    phone: Annotated[str, Field(max_length=40)] | None = None
    """Contact phone."""


class CatalogPrice(CanonicalModel):
    """One price tier of a catalogue item."""

    unit_price: Annotated[Amount, Field(ge=0)]
    """Net price of one unit of the item's `unit_of_measure`."""
    currency: CurrencyCode
    """ISO 4217 currency."""
    min_quantity: Annotated[Quantity, Field(gt=0)] = Decimal(1)
    """The price applies from this quantity on."""
    valid_from: date | None = None
    """First day the price applies."""
    valid_to: date | None = None
    """Last day the price applies."""


class CatalogItem(CanonicalModel):
    """One item of a price catalogue, as the partner will know it."""

    sku: PartId | None = None
    """Our SKU."""
    supplier_part_id: PartId | None = None
    """Our part number as the buyer knows it (X12 VN, cXML SupplierPartID)."""
    buyer_part_id: PartId | None = None
    """The buyer's part number (X12 BP, cXML BuyerPartID)."""
    description: Text
    """The item's name or description."""
    unit_of_measure: UnitCode
    """UN/ECE Rec 20 unit the prices are for."""
    gtin: Annotated[str, Field(pattern=r"^\d{8}$|^\d{12,14}$")] | None = None
    """GS1 GTIN, when known."""
    change: Literal["upsert", "delete"] = "upsert"
    """`upsert`: add or replace the item; `delete`: the item is withdrawn."""
    prices: tuple[CatalogPrice, ...] = ()
    """Price tiers, lowest `min_quantity` first; empty for a deleted item."""

    @model_validator(mode="after")
    def _names_the_item(self) -> CatalogItem:
        if self.sku is None and self.supplier_part_id is None and self.buyer_part_id is None:
            msg = "a catalogue item names its item: sku, supplier_part_id or buyer_part_id"
            raise ValueError(msg)
        if self.change == "upsert" and not self.prices:
            msg = "an upserted catalogue item carries at least one price"
            raise ValueError(msg)
        return self


class PriceCatalog(CanonicalModel):
    """Prices and catalogue data of many items, as of one moment (X12 832, EDIFACT PRICAT,
    cXML CatalogUploadRequest). A feed sends only what changed since the partner's last one."""

    document_type: Literal["price_catalog"] = "price_catalog"
    """Discriminator of the canonical document union."""
    catalog_id: DocumentId
    """Our id of this catalogue (X12 BCT02, PRICAT BGM document number)."""
    as_of: AwareDatetime
    """When the prices were read."""
    name: Text = "Price catalogue"
    """Human name of the catalogue (cXML Catalog name)."""
    full: bool = False
    """True: the complete catalogue (replaces the partner's copy); False: changes only."""
    items: tuple[CatalogItem, ...]
    """The items; each appears once."""

    @model_validator(mode="after")
    def _one_entry_per_item(self) -> PriceCatalog:
        seen: set[tuple[str | None, str | None, str | None]] = set()
        for item in self.items:
            key = (item.sku, item.supplier_part_id, item.buyer_part_id)
            if key in seen:
                msg = f"an item may appear once; repeated: {item.sku or item.supplier_part_id}"
                raise ValueError(msg)
            seen.add(key)
        return self
