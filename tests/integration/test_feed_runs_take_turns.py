"""Two feed runs for one partner at the same moment (the DAG and a `b2connect jobs run`) take
turns on the cursor's row: the changes are queued once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import gateway_api.services.feeds as feeds_module
from gateway_api.runtime import Runtime
from gateway_api.services.catalog import CatalogService
from gateway_api.services.feeds import FeedReport, FeedService
from gateway_api.store.catalog_records import StockRecord
from mappings.engine.profile import Feeds
from schemas import StockLevel
from tests.integration.feed_support import level, sql_runtime, write_partner
from tests.support.clock import FakeClock

HOLD_SECONDS = 0.5
"""How long the first run holds its transaction open after reading the cursor."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def runtime(
    request: pytest.FixtureRequest, mappings_dir: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[Runtime]:
    with sql_runtime(request, mappings_dir, clock, tmp_path) as built:
        yield built


def test_a_second_run_waits_for_the_first_and_sends_nothing_twice(
    runtime: Runtime, mappings_dir: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_partner(mappings_dir, "p1", feeds={"inventory": {}})
    applied = CatalogService(runtime.uow, clock=clock).apply_stock(
        [level("SKU-1", "WH1", "10"), level("SKU-2", "WH1", "7")], source="api:erp"
    )
    assert applied.applied == 2

    first_inside = threading.Event()
    real_stock_items = feeds_module.stock_items

    def slow_first(rows: Iterable[StockRecord], settings: Feeds, namer: object) -> list[StockLevel]:
        """The first run holds its transaction (and the cursor's lock) a while."""
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(HOLD_SECONDS)
        return real_stock_items(rows, settings, namer)  # type: ignore[arg-type]

    monkeypatch.setattr(feeds_module, "stock_items", slow_first)
    service = FeedService(runtime.uow, runtime.directory, clock=clock)
    reports: dict[str, FeedReport] = {}

    def run(name: str) -> None:
        reports[name] = service.run("inventory", "p1")

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    assert (reports["first"].documents, reports["first"].items) == (1, 2)
    assert (reports["second"].documents, reports["second"].items) == (0, 0)
    assert reports["first"].problems == reports["second"].problems == []
    with runtime.uow() as uow:
        queued = uow.outbox.query(partner_key="p1", limit=10)
    assert len(queued) == 1
