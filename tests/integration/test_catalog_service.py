"""`CatalogService` on both backends: per-row outcomes, one transaction per call, a change-log
row only for rows that changed, and the refusals that keep a bad row from failing the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gateway_api.runtime import Runtime
from gateway_api.services.api_keys import ApiKeyService
from gateway_api.services.catalog import ApplyReport, CatalogService, Outcome, StockUpdate
from gateway_api.store.ports import UnitOfWork
from gateway_api.store.tables import catalog_changes
from schemas.catalog import Customer, Price, Product
from schemas.inventory import StockLevel

EARLY = datetime(2026, 11, 1, tzinfo=UTC)  # before the test clock (2026-11-22)


def _service(runtime: Runtime) -> CatalogService:
    return CatalogService(runtime.uow, clock=runtime.clock)


def _level(sku: str | None, location: str | None, on_hand: str, **extra: Any) -> StockLevel:
    return StockLevel.model_validate(
        {
            "sku": sku,
            "location": location,
            "quantity_on_hand": on_hand,
            "unit_of_measure": "EA",
            **extra,
        }
    )


def _changes(runtime: Runtime) -> list[tuple[str, str, str | None, str]]:
    c = catalog_changes.c
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(c.kind, c.sku, c.location, c.source).order_by(c.seq))
        return [(row.kind, row.sku, row.location, row.source) for row in rows]


def _outcomes(report: ApplyReport) -> list[tuple[str, str]]:
    return [(r.key, r.outcome.value) for r in report.results]


def test_stock_outcomes_and_change_rows_only_for_real_changes(runtime: Runtime) -> None:
    service = _service(runtime)
    first = service.apply_stock(
        [_level("SKU-1", "WH1", "5"), StockUpdate(_level("SKU-2", "WH1", "1"), EARLY)],
        source="api:logo",
    )
    assert _outcomes(first) == [("SKU-1@WH1", "applied"), ("SKU-2@WH1", "applied")]
    # 5.000 is 5: unchanged; SKU-2's available figure is new: applied; a level is keyed by
    # location, so WH2 is another row.
    second = service.apply_stock(
        [
            _level("SKU-1", "WH1", "5.000"),
            _level("SKU-2", "WH1", "1", quantity_available="0"),
            _level("SKU-1", "WH2", "5"),
        ],
        source="pull:logo",
    )
    assert _outcomes(second) == [
        ("SKU-1@WH1", "unchanged"),
        ("SKU-2@WH1", "applied"),
        ("SKU-1@WH2", "applied"),
    ]
    assert (second.applied, second.unchanged, second.rejected) == (2, 1, 0)
    assert _changes(runtime) == [
        ("stock", "SKU-1", "WH1", "api:logo"),
        ("stock", "SKU-2", "WH1", "api:logo"),
        ("stock", "SKU-2", "WH1", "pull:logo"),
        ("stock", "SKU-1", "WH2", "pull:logo"),
    ]


def test_bad_stock_rows_are_rejected_alone(runtime: Runtime) -> None:
    service = _service(runtime)
    service.apply_stock([_level("SKU-1", "WH1", "5")], source="t")
    late = StockUpdate(_level("SKU-1", "WH1", "1"), EARLY)  # older than the stored level
    report = service.apply_stock(
        [
            late,
            _level(None, "WH1", "1", buyer_part_id="BP-1"),  # no sku
            _level("SKU-3", None, "1"),  # no location (a total is not kept here)
            _level("SKU-4", "WH1", "1" + "0" * 18),  # 19 digits: the store cannot hold it
            _level("SKU-5", "WH1", "2"),
            _level("SKU-5", "WH1", "3"),  # repeated key: the first one wins
        ],
        source="t",
    )
    outcomes = [(r.outcome.value, r.reason or "") for r in report.results]
    assert [o for o, _ in outcomes] == ["rejected"] * 4 + ["applied", "rejected"]
    assert "older" in outcomes[0][1]
    assert "sku and location" in outcomes[1][1]
    assert "sku and location" in outcomes[2][1]
    assert "18 digits" in outcomes[3][1]
    assert "repeated" in outcomes[5][1]
    with runtime.uow() as uow:
        stored = uow.catalog.stock_levels([("SKU-1", "WH1"), ("SKU-5", "WH1")])
    assert stored["SKU-1", "WH1"].quantity_on_hand == 5
    assert stored["SKU-5", "WH1"].quantity_on_hand == 2


def test_products_and_prices_append_changes_customers_do_not(runtime: Runtime) -> None:
    service = _service(runtime)
    product = Product(sku="SKU-1", name="Bolt", unit_of_measure="EA")
    price = Price(sku="SKU-1", currency="TRY", unit_price=Decimal("1.50"), unit_of_measure="EA")
    customer = Customer(code="C-1", name="Acme")
    assert service.apply_products([product], source="t").applied == 1
    assert service.apply_prices([price], source="t").applied == 1
    assert service.apply_customers([customer], source="t").applied == 1
    again = [
        service.apply_products([product], source="t"),
        service.apply_prices([price.model_copy(update={"unit_price": Decimal("1.5")})], source="t"),
        service.apply_customers([customer], source="t"),
    ]
    assert [r.unchanged for r in again] == [1, 1, 1]
    renamed = service.apply_products([product.model_copy(update={"name": "Bolt M8"})], source="t")
    moved = service.apply_customers([customer.model_copy(update={"phone": "+90 212"})], source="t")
    assert (renamed.applied, moved.applied) == (1, 1)
    assert [(kind, sku) for kind, sku, _, _ in _changes(runtime)] == [
        ("product", "SKU-1"),
        ("price", "SKU-1"),
        ("product", "SKU-1"),
    ]


def test_text_with_a_nul_character_is_rejected_not_a_store_error(runtime: Runtime) -> None:
    report = _service(runtime).apply_products(
        [Product(sku="SKU-1", name="Bolt", unit_of_measure="EA", description="a\x00b")], source="t"
    )
    assert report.results[0].outcome is Outcome.REJECTED
    assert "NUL" in (report.results[0].reason or "")


def test_the_rows_and_what_within_writes_commit_together(runtime: Runtime) -> None:
    key = ApiKeyService(runtime.uow, clock=runtime.clock).create("logo", ["stock"]).record

    def fail(uow: UnitOfWork, report: ApplyReport) -> None:
        uow.api_keys.touch(key.id, at=datetime.now(UTC) + timedelta(days=1))
        raise RuntimeError("the answer could not be logged")

    with pytest.raises(RuntimeError):
        _service(runtime).apply_stock([_level("SKU-1", "WH1", "5")], source="t", within=fail)
    with runtime.uow() as uow:
        assert uow.catalog.stock_levels([("SKU-1", "WH1")]) == {}
        assert uow.catalog.last_change_seq() == 0
        stored_key = uow.api_keys.by_prefix(key.prefix)
    assert stored_key is not None
    assert stored_key.last_used_at is None
