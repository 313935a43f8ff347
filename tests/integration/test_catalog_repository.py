"""The catalogue store on both backends: natural keys, exact decimals, the change log feeds read.

`changed_stock` / `changed_prices` / `last_change_seq` are what the partner feeds build on, so
their contract is pinned here: current rows only, once each, in order, whatever happened in
between; and change rows become visible in seq order (a cursor never skips one).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from gateway_api.store.catalog_records import (
    CatalogChange,
    ChangeKind,
    ItemPrices,
    StockRecord,
    plain_decimal,
    price_key,
)
from gateway_api.store.engine import build_engine
from gateway_api.store.tables import catalog_changes
from gateway_api.store.unit_of_work import SqlUnitOfWork
from schemas.catalog import Customer, Price, Product
from schemas.party import PostalAddress
from tests.support.database import truncate_all

AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = build_engine(database_url, pool_size=4)
    yield built
    built.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """PostgreSQL only: concurrent writers (SQLite serialises them with BEGIN IMMEDIATE, and a
    reader there would queue behind the writer too)."""
    built = build_engine(postgres_url, pool_size=4)
    truncate_all(built)
    yield built
    built.dispose()


def _stock(sku: str, location: str, on_hand: str, available: str | None = None) -> StockRecord:
    return StockRecord(
        sku=sku,
        location=location,
        quantity_on_hand=Decimal(on_hand),
        quantity_available=None if available is None else Decimal(available),
        unit_of_measure="EA",
        as_of=AT,
        updated_at=AT,
    )


def _price(sku: str, unit_price: str, **extra: object) -> Price:
    return Price.model_validate(
        {"sku": sku, "currency": "TRY", "unit_price": unit_price, "unit_of_measure": "EA", **extra}
    )


def _write_stock(engine: Engine, *levels: StockRecord) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.catalog.save_stock(levels)
        uow.catalog.append_changes(
            [CatalogChange(ChangeKind.STOCK, s.sku, s.location) for s in levels],
            source="test",
            at=AT,
        )
        uow.commit()


def _write_prices(engine: Engine, *prices: Price, product: Product | None = None) -> None:
    with SqlUnitOfWork(engine) as uow:
        changes = [CatalogChange(ChangeKind.PRICE, p.sku) for p in prices]
        uow.catalog.save_prices(prices, at=AT)
        if product is not None:
            uow.catalog.save_products([product], at=AT)
            changes.append(CatalogChange(ChangeKind.PRODUCT, product.sku))
        uow.catalog.append_changes(changes, source="test", at=AT)
        uow.commit()


def _last_seq(engine: Engine) -> int:
    with SqlUnitOfWork(engine) as uow:
        return uow.catalog.last_change_seq()


def test_the_change_log_is_empty_at_first(engine: Engine) -> None:
    # TRUNCATE keeps PostgreSQL's sequence going, so "empty" is "no rows", read as 0.
    with SqlUnitOfWork(engine) as uow:
        assert uow.catalog.last_change_seq() == 0
        assert uow.catalog.changed_stock(0, 10**9) == []
        assert uow.catalog.changed_prices(0, 10**9) == []


def test_rows_round_trip_exactly_by_natural_key(engine: Engine) -> None:
    product = Product(
        sku="SKU-1",
        name="Çay süzgeci",
        unit_of_measure="EA",
        gtin="8690000000012",
        vat_rate=Decimal("20.00"),
        description="İnce belli",
    )
    customer = Customer(
        code="C-1",
        name="Acme A.Ş.",
        tax_id="1234567890",
        tax_office="Beşiktaş",
        address=PostalAddress(street=("Moda Cd. 1",), city="İstanbul", country="TR"),
    )
    price = _price("SKU-1", "12.50", min_quantity="10.000", valid_from="2026-01-01")
    with SqlUnitOfWork(engine) as uow:
        uow.catalog.save_products([product], at=AT)
        uow.catalog.save_customers([customer], at=AT)
        uow.catalog.save_prices([price, _price("SKU-1", "13")], at=AT)
        uow.catalog.save_stock([_stock("SKU-1", "WH1", "5.500", "-1")])
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.catalog.products(["SKU-1", "SKU-X"]) == {"SKU-1": product}
        assert uow.catalog.customers(["C-1"]) == {"C-1": customer}
        stored = uow.catalog.prices(["SKU-1"])
        assert set(stored) == {price_key(price), price_key(_price("SKU-1", "13"))}
        tier = stored[price_key(price)]
        assert (tier.min_quantity, tier.unit_price, tier.valid_from) == (
            Decimal(10),
            Decimal("12.5"),
            date(2026, 1, 1),
        )
        # Decimals come back plain: never 5.500000000000000000 nor 1E+1.
        assert str(tier.min_quantity) == "10"
        level = uow.catalog.stock_levels([("SKU-1", "WH1"), ("SKU-1", "WH2")])
        assert list(level) == [("SKU-1", "WH1")]
        assert str(level["SKU-1", "WH1"].quantity_on_hand) == "5.5"
        assert level["SKU-1", "WH1"].quantity_available == Decimal(-1)
        assert level["SKU-1", "WH1"].to_stock_level().location == "WH1"


def test_a_price_key_is_its_quantity_as_a_number_and_an_open_start(engine: Engine) -> None:
    # 1 and 1.000 are one tier; a null valid_from is one tier too (the key cannot hold NULL).
    _write_prices(engine, _price("SKU-1", "10", min_quantity="1.000"))
    _write_prices(engine, _price("SKU-1", "11", min_quantity="1"))
    with SqlUnitOfWork(engine) as uow:
        stored = uow.catalog.prices(["SKU-1"])
    assert len(stored) == 1
    assert next(iter(stored.values())).unit_price == Decimal(11)
    assert next(iter(stored.values())).valid_from is None


def test_changed_stock_gives_current_levels_once_in_key_order(engine: Engine) -> None:
    before = _last_seq(engine)
    _write_stock(engine, _stock("SKU-2", "WH1", "1"), _stock("SKU-1", "WH2", "2"))
    middle = _last_seq(engine)
    _write_stock(engine, _stock("SKU-2", "WH1", "3"), _stock("SKU-1", "WH1", "4"))
    upto = _last_seq(engine)
    assert upto - middle == 2  # (not `before + 4`: TRUNCATE keeps PostgreSQL's sequence)
    with SqlUnitOfWork(engine) as uow:
        everything = uow.catalog.changed_stock(before, upto)
        later = uow.catalog.changed_stock(middle, upto)
        earlier = uow.catalog.changed_stock(before, middle)
    assert [(s.sku, s.location, s.quantity_on_hand) for s in everything] == [
        ("SKU-1", "WH1", Decimal(4)),
        ("SKU-1", "WH2", Decimal(2)),
        ("SKU-2", "WH1", Decimal(3)),  # once, at its current figure
    ]
    assert [s.key for s in later] == [("SKU-1", "WH1"), ("SKU-2", "WH1")]
    # A window sees the rows as they are now, not as they were at its end.
    assert [(s.key, s.quantity_on_hand) for s in earlier] == [
        (("SKU-1", "WH2"), Decimal(2)),
        (("SKU-2", "WH1"), Decimal(3)),
    ]


def test_changed_prices_gives_each_item_with_its_product_and_whole_tier_list(
    engine: Engine,
) -> None:
    product = Product(sku="SKU-B", name="Bolt", unit_of_measure="EA")
    _write_prices(
        engine,
        _price("SKU-B", "1.00", min_quantity="100"),
        _price("SKU-B", "1.50", min_quantity="20"),
        _price("SKU-B", "2.00"),
        product=product,
    )
    before = _last_seq(engine)
    # Later: one tier of SKU-B changes, SKU-A gets a price and has no product row.
    _write_prices(engine, _price("SKU-B", "1.40", min_quantity="20"), _price("SKU-A", "9"))
    with SqlUnitOfWork(engine) as uow:
        uow.catalog.save_products([Product(sku="SKU-C", name="Nut", unit_of_measure="EA")], at=AT)
        uow.catalog.append_changes([CatalogChange(ChangeKind.PRODUCT, "SKU-C")], source="t", at=AT)
        uow.commit()
    upto = _last_seq(engine)
    with SqlUnitOfWork(engine) as uow:
        items = uow.catalog.changed_prices(before, upto)
    assert [item.sku for item in items] == ["SKU-A", "SKU-B", "SKU-C"]
    a, b, c = items
    assert a == ItemPrices("SKU-A", None, [_price("SKU-A", "9")])
    assert b.product == product
    # Every tier, numeric order of quantity (SQLite keeps decimals as text: "100" < "20").
    assert [(p.min_quantity, p.unit_price) for p in b.prices] == [
        (Decimal(1), Decimal(2)),
        (Decimal(20), Decimal("1.4")),
        (Decimal(100), Decimal(1)),
    ]
    assert c.product is not None
    assert c.prices == []


def test_the_change_queries_are_set_based_at_feed_scale(engine: Engine) -> None:
    # 20,000 stock rows, 2,000 of them changed in the window: one query answers in well under
    # a second (a query per row would take seconds on either backend).
    levels = [_stock(f"SKU-{i:05d}", f"WH{i % 2}", str(i)) for i in range(20_000)]
    _write_stock(engine, *levels)
    before = _last_seq(engine)
    _write_stock(engine, *[_stock(s.sku, s.location, "0") for s in levels[::10]])
    upto = _last_seq(engine)
    started = time.perf_counter()
    with SqlUnitOfWork(engine) as uow:
        changed = uow.catalog.changed_stock(before, upto)
    elapsed = time.perf_counter() - started
    assert len(changed) == 2_000
    assert all(s.quantity_on_hand == 0 for s in changed)
    assert elapsed < 1.0


@pytest.mark.postgres
def test_append_changes_takes_seq_in_commit_order(postgres_engine: Engine) -> None:
    """A writer that appended first commits first: a second writer waits for it, so no reader
    can see a higher seq while a lower one is still uncommitted."""
    first_appended = threading.Event()
    release_first = threading.Event()
    seen_by_reader: list[int] = []

    def first() -> None:
        with SqlUnitOfWork(postgres_engine) as uow:
            uow.catalog.append_changes(
                [CatalogChange(ChangeKind.STOCK, "SKU-1", "WH1")], source="first", at=AT
            )
            uow.catalog.last_change_seq()  # flushes the staged insert: the seq is taken
            first_appended.set()
            release_first.wait(10)
            uow.commit()

    def second() -> None:
        first_appended.wait(10)
        with SqlUnitOfWork(postgres_engine) as uow:
            uow.catalog.append_changes(
                [CatalogChange(ChangeKind.STOCK, "SKU-2", "WH1")], source="second", at=AT
            )
            uow.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_appended.wait(10)
    time.sleep(0.3)  # the second writer is now blocked behind the first
    seen_by_reader.append(_last_seq(postgres_engine))
    release_first.set()
    for thread in threads:
        thread.join(10)
    with postgres_engine.connect() as connection:
        rows = connection.execute(
            select(catalog_changes.c.seq, catalog_changes.c.source).order_by(catalog_changes.c.seq)
        ).all()
    assert [source for _, source in rows] == ["first", "second"]
    # Before the first committed, the reader saw neither change (an empty log reads 0).
    assert seen_by_reader == [0]
    assert rows[0][0] < rows[1][0]
    with postgres_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(catalog_changes)).scalar() == 2


def test_plain_decimal_has_no_exponent_and_no_trailing_zeros() -> None:
    assert [str(plain_decimal(Decimal(v))) for v in ("1.500", "1E+2", "-0", "0.000", "7")] == [
        "1.5",
        "100",
        "0",
        "0",
        "7",
    ]
