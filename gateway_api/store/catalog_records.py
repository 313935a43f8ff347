"""What the store keeps of the ERP's master data, and what the change log hands feeds.

Products, prices and customers travel as their canonical models (`schemas.catalog`); a stock
level needs more than `schemas.inventory.StockLevel` says (the row is keyed by location, and it
carries the moment the ERP said the figures held), so it has its own record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from schemas.catalog import Price, Product
from schemas.inventory import StockLevel

OPEN_START = date(1, 1, 1)
"""How the `prices` table stores an open start (`valid_from` null): key columns cannot be null,
and a nullable column in a unique key would let twins in (NULLs are distinct on both backends)."""

PriceKey = tuple[str, str, str, Decimal, date | None]
"""A price's natural key: sku, price list, currency, minimum quantity (normalised), start."""


class ChangeKind(StrEnum):
    """What a change-log row is about."""

    PRODUCT = "product"
    STOCK = "stock"
    PRICE = "price"


def plain_decimal(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form (`1.500` -> `1.5`,
    `1E+2` -> `100`, `-0` -> `0`): how key decimals are stored, so that SQLite, which keeps
    decimals as text, compares them as numbers, and how decimals read back are handed out
    (PostgreSQL returns `1.500000000000000000` for a NUMERIC(36, 18))."""
    if value == 0:
        return Decimal(0)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1))
    return normal


def price_key(price: Price) -> PriceKey:
    """The natural key of `price`."""
    return (
        price.sku,
        price.price_list,
        price.currency,
        plain_decimal(price.min_quantity),
        price.valid_from,
    )


@dataclass(frozen=True)
class StockRecord:
    """The stock of one item at one location, as the ERP last reported it."""

    sku: str
    location: str
    quantity_on_hand: Decimal
    quantity_available: Decimal | None
    unit_of_measure: str
    as_of: datetime
    """When the ERP said the figures held."""
    updated_at: datetime
    """When the hub last changed the row."""

    @property
    def key(self) -> tuple[str, str]:
        """(sku, location): the row's natural key."""
        return (self.sku, self.location)

    def figures(self) -> tuple[Decimal, Decimal | None, str]:
        """What a change is: on hand, available, unit (not the moments)."""
        return (self.quantity_on_hand, self.quantity_available, self.unit_of_measure)

    def to_stock_level(self) -> StockLevel:
        """The canonical stock level (what an inventory feed sends)."""
        return StockLevel.model_construct(
            sku=self.sku,
            supplier_part_id=None,
            buyer_part_id=None,
            quantity_on_hand=self.quantity_on_hand,
            quantity_available=self.quantity_available,
            unit_of_measure=self.unit_of_measure,
            location=self.location,
        )


@dataclass(frozen=True)
class CatalogChange:
    """One change-log entry to append: a product, a stock level or a price of `sku` changed."""

    kind: ChangeKind
    sku: str
    location: str | None = None
    """The stock level's location; None for products and prices."""


@dataclass(frozen=True)
class ItemPrices:
    """An item whose product row or prices changed: its current product row (None when the ERP
    never sent one) and ALL its current prices, because a feed re-sends an item's whole tier
    list, not the one tier that changed."""

    sku: str
    product: Product | None
    prices: list[Price]
