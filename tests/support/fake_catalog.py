"""An in-memory catalogue repository for the fake store (`tests/support/fake_store.py` has none).

`fake_catalog_unit_of_work_factory(store, catalog)` makes units of work that are the fake store's
with a `catalog` repository added. Catalogue writes are staged in the unit and published when it
commits (a unit left without committing keeps nothing), like the SQL store; the change log
numbers rows from 1 as the SQL identity column does. Reads follow `SqlCatalogRepository`'s
contract: the current rows of what changed in `(after, upto]`, once each, in code-point order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from gateway_api.store.catalog_records import (
    CatalogChange,
    ChangeKind,
    ItemPrices,
    PriceKey,
    StockRecord,
    plain_decimal,
    price_key,
)
from schemas.catalog import Customer, Price, Product
from tests.support.fake_store import FakeStore, FakeUnitOfWork


@dataclass
class FakeCatalog:
    """The committed catalogue: master data by natural key and the change log."""

    products: dict[str, Product] = field(default_factory=dict)
    stock: dict[tuple[str, str], StockRecord] = field(default_factory=dict)
    prices: dict[PriceKey, Price] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    changes: list[tuple[int, CatalogChange]] = field(default_factory=list)
    """(seq, change), seq from 1 in append order."""


class FakeCatalogRepository:
    """`CatalogRepository` over a `FakeCatalog`; writes wait in `staged` until commit."""

    def __init__(self, catalog: FakeCatalog) -> None:
        self._catalog = catalog
        self.staged: list[Callable[[], None]] = []

    def products(self, skus: Collection[str]) -> dict[str, Product]:
        return {s: self._catalog.products[s] for s in skus if s in self._catalog.products}

    def stock_levels(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], StockRecord]:
        return {k: self._catalog.stock[k] for k in keys if k in self._catalog.stock}

    def prices(self, skus: Collection[str]) -> dict[PriceKey, Price]:
        wanted = set(skus)
        return {k: p for k, p in self._catalog.prices.items() if p.sku in wanted}

    def customers(self, codes: Collection[str]) -> dict[str, Customer]:
        return {c: self._catalog.customers[c] for c in codes if c in self._catalog.customers}

    def save_products(self, products: Sequence[Product], *, at: datetime) -> None:
        del at
        rows = {p.sku: p for p in products}
        self.staged.append(lambda: self._catalog.products.update(rows))

    def save_stock(self, levels: Sequence[StockRecord]) -> None:
        # Decimals as the SQL store hands them back (`plain_decimal`).
        rows = {
            s.key: replace(
                s,
                quantity_on_hand=plain_decimal(s.quantity_on_hand),
                quantity_available=None
                if s.quantity_available is None
                else plain_decimal(s.quantity_available),
            )
            for s in levels
        }
        self.staged.append(lambda: self._catalog.stock.update(rows))

    def save_prices(self, prices: Sequence[Price], *, at: datetime) -> None:
        del at
        rows = {
            price_key(p): p.model_copy(
                update={
                    "unit_price": plain_decimal(p.unit_price),
                    "min_quantity": plain_decimal(p.min_quantity),
                }
            )
            for p in prices
        }
        self.staged.append(lambda: self._catalog.prices.update(rows))

    def save_customers(self, customers: Sequence[Customer], *, at: datetime) -> None:
        del at
        rows = {c.code: c for c in customers}
        self.staged.append(lambda: self._catalog.customers.update(rows))

    def append_changes(
        self, changes: Sequence[CatalogChange], *, source: str, at: datetime
    ) -> None:
        del source, at
        log = self._catalog.changes

        def publish() -> None:
            for change in changes:
                log.append((len(log) + 1, change))

        self.staged.append(publish)

    def last_change_seq(self) -> int:
        return self._catalog.changes[-1][0] if self._catalog.changes else 0

    def _changed(self, kinds: set[ChangeKind], after: int, upto: int) -> list[CatalogChange]:
        return [c for seq, c in self._catalog.changes if after < seq <= upto and c.kind in kinds]

    def changed_stock(self, after: int, upto: int) -> list[StockRecord]:
        keys = {(c.sku, c.location or "") for c in self._changed({ChangeKind.STOCK}, after, upto)}
        return sorted(
            (self._catalog.stock[k] for k in keys if k in self._catalog.stock),
            key=lambda record: record.key,
        )

    def changed_prices(self, after: int, upto: int) -> list[ItemPrices]:
        kinds = {ChangeKind.PRICE, ChangeKind.PRODUCT}
        skus = sorted({c.sku for c in self._changed(kinds, after, upto)})
        items = []
        for sku in skus:
            tiers = sorted(
                (p for p in self._catalog.prices.values() if p.sku == sku),
                key=lambda p: (p.price_list, p.currency, p.min_quantity, str(p.valid_from or "")),
            )
            items.append(ItemPrices(sku, self._catalog.products.get(sku), tiers))
        return items


class FakeCatalogUnitOfWork(FakeUnitOfWork):
    """The fake store's unit of work with the catalogue repository."""

    def __init__(self, store: FakeStore, catalog: FakeCatalog) -> None:
        super().__init__(store)
        self._catalog_repository = FakeCatalogRepository(catalog)

    @property
    def catalog(self) -> FakeCatalogRepository:
        return self._catalog_repository

    def commit(self) -> None:
        """Commit the fake store's tables, then publish the staged catalogue writes."""
        super().commit()
        staged, self._catalog_repository.staged = self._catalog_repository.staged, []
        for publish in staged:
            publish()

    def __exit__(self, *args: object) -> None:
        self._catalog_repository.staged = []
        super().__exit__(*args)  # type: ignore[arg-type]


def fake_catalog_unit_of_work_factory(
    store: FakeStore, catalog: FakeCatalog
) -> Callable[[], FakeCatalogUnitOfWork]:
    """The `UnitOfWorkFactory` of `store` with `catalog`."""

    def factory() -> FakeCatalogUnitOfWork:
        return FakeCatalogUnitOfWork(store, catalog)

    return factory
