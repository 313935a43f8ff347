"""`SqlCatalogRepository`: the ERP's master data, written in bulk, and the change log feeds read.

Every method works on a whole batch with a handful of statements: reads select the batch's
keys in chunks (`IN` lists of at most `KEY_CHUNK` keys), writes are one executemany upsert per
table (`INSERT ... ON CONFLICT DO UPDATE`, which SQLAlchemy sends as multi-row VALUES), and the
change log is staged in the unit of work's insert buffer (one statement on PostgreSQL).

The change log is read by cursor: a feed reads `(after, upto]` with `upto = last_change_seq()`
and then stores `upto`. That is only safe if change rows become visible in `seq` order; a
PostgreSQL sequence hands out numbers at insert time, so a transaction that took seq 7 could
commit before one that took seq 6, and a feed reading up to 7 would skip 6 forever. So appending
to the change log takes a transaction-scoped advisory lock first: writers of the change log
commit one after the other, in seq order (held from the append to the commit, which follows at
once). SQLite needs nothing: its writers are serialised by `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Row, Table, and_, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway_api.store import tables as t
from gateway_api.store.catalog_records import (
    OPEN_START,
    CatalogChange,
    ChangeKind,
    ItemPrices,
    PriceKey,
    StockRecord,
    plain_decimal,
)
from gateway_api.store.insert_buffer import BufferedConnection
from schemas.catalog import Customer, Price, Product

KEY_CHUNK = 5_000
"""Keys per `IN` list (two bind parameters each at most for stock: far under both backends'
limits, SQLite's 32,766 and PostgreSQL's 65,535)."""

UPSERT_CHUNK = 2_000
"""Rows per upsert statement (at most nine columns: 18,000 bind parameters)."""

CHANGE_LOG_LOCK = 0x42_32_43_4C  # "B2CL"
"""The advisory lock key that orders change-log writers on PostgreSQL (see the module doc)."""

_T = TypeVar("_T")

_STOCK_BY_KEYS = text(
    "SELECT s.* FROM stock_levels AS s JOIN unnest(CAST(:skus AS text[]), "
    "CAST(:locations AS text[])) AS k(sku, location) "
    "ON s.sku = k.sku AND s.location = k.location"
).columns(*t.stock_levels.c)


class SqlCatalogRepository:
    """Products, stock levels, prices and customers by natural key, and their change log."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    # --- reads for a batch being applied ---

    def products(self, skus: Collection[str]) -> dict[str, Product]:
        """The stored products among `skus`."""
        found: dict[str, Product] = {}
        for chunk in _chunks(sorted(set(skus))):
            rows = self._c.execute(select(t.products).where(t.products.c.sku.in_(chunk)))
            for row in rows:
                found[row.sku] = _product(row)
        return found

    def stock_levels(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], StockRecord]:
        """The stored stock levels among `keys` ((sku, location) pairs).

        On PostgreSQL the keys travel as two arrays joined with `unnest` (one statement, an
        index or hash join): a row-value `IN` list is evaluated as an OR of comparisons per row,
        which took a second for 10,000 keys over 100,000 levels. SQLite plans the `IN` list of
        row values as a lookup table, in chunks under its parameter limit.
        """
        found: dict[tuple[str, str], StockRecord] = {}
        unique = sorted(set(keys))
        if not unique:
            return found
        if self._c.dialect_name == "postgresql":
            rows: Iterable[Row[Any]] = self._c.execute(
                _STOCK_BY_KEYS,
                {"skus": [k[0] for k in unique], "locations": [k[1] for k in unique]},
            )
            return {record.key: record for record in map(_stock, rows)}
        c = t.stock_levels.c
        for chunk in _chunks(unique):
            rows = self._c.execute(
                select(t.stock_levels).where(tuple_(c.sku, c.location).in_(chunk))
            )
            for row in rows:
                record = _stock(row)
                found[record.key] = record
        return found

    def prices(self, skus: Collection[str]) -> dict[PriceKey, Price]:
        """Every stored price of the items `skus`, by natural key."""
        found: dict[PriceKey, Price] = {}
        for chunk in _chunks(sorted(set(skus))):
            rows = self._c.execute(select(t.prices).where(t.prices.c.sku.in_(chunk)))
            for row in rows:
                price = _price(row)
                found[_stored_price_key(price)] = price
        return found

    def customers(self, codes: Collection[str]) -> dict[str, Customer]:
        """The stored customers among `codes`."""
        found: dict[str, Customer] = {}
        for chunk in _chunks(sorted(set(codes))):
            rows = self._c.execute(select(t.customers).where(t.customers.c.code.in_(chunk)))
            for row in rows:
                found[row.code] = _customer(row)
        return found

    # --- writes ---

    def save_products(self, products: Sequence[Product], *, at: datetime) -> None:
        """Insert or replace these products (by sku)."""
        self._upsert(
            t.products,
            ["sku"],
            [
                {
                    "sku": p.sku,
                    "name": p.name,
                    "unit_of_measure": p.unit_of_measure,
                    "description": p.description,
                    "gtin": p.gtin,
                    "vat_rate": None if p.vat_rate is None else plain_decimal(p.vat_rate),
                    "active": p.active,
                    "updated_at": at,
                }
                for p in products
            ],
        )

    def save_stock(self, levels: Sequence[StockRecord]) -> None:
        """Insert or replace these stock levels (by sku and location)."""
        self._upsert(
            t.stock_levels,
            ["sku", "location"],
            [
                {
                    "sku": s.sku,
                    "location": s.location,
                    "quantity_on_hand": plain_decimal(s.quantity_on_hand),
                    "quantity_available": None
                    if s.quantity_available is None
                    else plain_decimal(s.quantity_available),
                    "unit_of_measure": s.unit_of_measure,
                    "as_of": s.as_of,
                    "updated_at": s.updated_at,
                }
                for s in levels
            ],
        )

    def save_prices(self, prices: Sequence[Price], *, at: datetime) -> None:
        """Insert or replace these prices (by their natural key)."""
        self._upsert(
            t.prices,
            ["sku", "price_list", "currency", "min_quantity", "valid_from"],
            [
                {
                    "sku": p.sku,
                    "price_list": p.price_list,
                    "currency": p.currency,
                    "min_quantity": plain_decimal(p.min_quantity),
                    "valid_from": p.valid_from or OPEN_START,
                    "unit_price": plain_decimal(p.unit_price),
                    "unit_of_measure": p.unit_of_measure,
                    "valid_to": p.valid_to,
                    "updated_at": at,
                }
                for p in prices
            ],
        )

    def save_customers(self, customers: Sequence[Customer], *, at: datetime) -> None:
        """Insert or replace these customers (by code)."""
        self._upsert(
            t.customers,
            ["code"],
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "tax_id": c.tax_id,
                    "tax_office": c.tax_office,
                    "address": None if c.address is None else c.address.model_dump(mode="json"),
                    "email": c.email,
                    "phone": c.phone,
                    "updated_at": at,
                }
                for c in customers
            ],
        )

    def append_changes(
        self, changes: Sequence[CatalogChange], *, source: str, at: datetime
    ) -> None:
        """Append change-log rows (in the order given); on PostgreSQL first take the lock that
        makes change-log writers commit in seq order (module doc)."""
        if not changes:
            return
        if self._c.dialect_name == "postgresql":
            self._c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
        self._c.stage(
            t.catalog_changes,
            [
                {
                    "kind": change.kind.value,
                    "sku": change.sku,
                    "location": change.location,
                    "source": source[:64],
                    "changed_at": at,
                }
                for change in changes
            ],
        )

    # --- the change log, for feeds ---

    def last_change_seq(self) -> int:
        """The newest change-log seq (0 when the log is empty): a feed's `upto`."""
        value = self._c.execute(select(func.max(t.catalog_changes.c.seq))).scalar_one()
        return int(value or 0)

    def changed_stock(self, after: int, upto: int) -> list[StockRecord]:
        """The current stock level of every (sku, location) with a stock change in
        `(after, upto]`, once each, ordered by sku and location: one query."""
        cc, s = t.catalog_changes.c, t.stock_levels.c
        changed = (
            select(cc.sku, cc.location)
            .where(cc.kind == ChangeKind.STOCK.value, cc.seq > after, cc.seq <= upto)
            .distinct()
            .subquery()
        )
        rows = self._c.execute(
            select(t.stock_levels).join(
                changed, and_(s.sku == changed.c.sku, s.location == changed.c.location)
            )
        )
        # Sorted here, not by the database: code-point order, the same on both backends
        # (PostgreSQL's collation may differ from SQLite's binary order).
        return sorted((_stock(row) for row in rows), key=lambda record: record.key)

    def changed_prices(self, after: int, upto: int) -> list[ItemPrices]:
        """Every sku with a price or product change in `(after, upto]`, with its product row and
        all its current prices, ordered by sku (prices by list, currency, quantity, start):
        three set-based queries (the skus, their products, their prices) whatever the count.
        Orders are code-point and numeric, the same on both backends (SQLite keeps decimals as
        text, so the tiers are sorted here)."""
        cc = t.catalog_changes.c
        changed = (
            select(cc.sku)
            .where(
                cc.kind.in_([ChangeKind.PRICE.value, ChangeKind.PRODUCT.value]),
                cc.seq > after,
                cc.seq <= upto,
            )
            .distinct()
            .subquery()
        )
        skus = sorted(self._c.execute(select(changed.c.sku)).scalars())
        if not skus:
            return []
        in_changed = select(changed.c.sku)
        products = {
            row.sku: _product(row)
            for row in self._c.execute(select(t.products).where(t.products.c.sku.in_(in_changed)))
        }
        tiers: dict[str, list[Price]] = {}
        for row in self._c.execute(select(t.prices).where(t.prices.c.sku.in_(in_changed))):
            tiers.setdefault(row.sku, []).append(_price(row))
        for prices in tiers.values():
            prices.sort(key=_tier_order)
        return [ItemPrices(sku, products.get(sku), tiers.get(sku, [])) for sku in skus]

    def _upsert(self, table: Table, key: list[str], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        dialect_insert = pg_insert if self._c.dialect_name == "postgresql" else sqlite_insert
        statement = dialect_insert(table)
        updated = {name: statement.excluded[name] for name in rows[0] if name not in key}
        upsert = statement.on_conflict_do_update(index_elements=key, set_=updated)
        for chunk in _chunks(rows, UPSERT_CHUNK):
            self._c.execute(upsert, chunk)


def _chunks(items: Sequence[_T], size: int = KEY_CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else plain_decimal(Decimal(value))


def _product(row: Row[Any]) -> Product:
    # Rows were validated on the way in: construct without validating again (hot path).
    return Product.model_construct(
        sku=row.sku,
        name=row.name,
        unit_of_measure=row.unit_of_measure,
        description=row.description,
        gtin=row.gtin,
        vat_rate=_decimal(row.vat_rate),
        active=row.active,
    )


def _stock(row: Row[Any]) -> StockRecord:
    return StockRecord(
        sku=row.sku,
        location=row.location,
        quantity_on_hand=plain_decimal(row.quantity_on_hand),
        quantity_available=_decimal(row.quantity_available),
        unit_of_measure=row.unit_of_measure,
        as_of=row.as_of,
        updated_at=row.updated_at,
    )


def _price(row: Row[Any]) -> Price:
    return Price.model_construct(
        sku=row.sku,
        price_list=row.price_list,
        currency=row.currency,
        unit_price=plain_decimal(row.unit_price),
        unit_of_measure=row.unit_of_measure,
        min_quantity=plain_decimal(row.min_quantity),
        valid_from=None if row.valid_from == OPEN_START else row.valid_from,
        valid_to=row.valid_to,
    )


def _tier_order(price: Price) -> tuple[str, str, Decimal, date]:
    return (price.price_list, price.currency, price.min_quantity, price.valid_from or OPEN_START)


def _stored_price_key(price: Price) -> PriceKey:
    return (price.sku, price.price_list, price.currency, price.min_quantity, price.valid_from)


def _customer(row: Row[Any]) -> Customer:
    return Customer.model_validate(
        {
            "code": row.code,
            "name": row.name,
            "tax_id": row.tax_id,
            "tax_office": row.tax_office,
            "address": row.address,
            "email": row.email,
            "phone": row.phone,
        }
    )
