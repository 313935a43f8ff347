"""`FeedService` on the in-memory store, SQLite and PostgreSQL: deltas by a cursor per partner,
what each partner sees (locations, price list, currency, cross-reference), how items are named
and chunked, withdrawn items, and configuration problems reported instead of raised.

The catalogue is written through `CatalogService`, as the ERP's calls write it, and the queued
outbox rows are read back through the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.core import ConnectorContext
from gateway_api.services.catalog import CatalogService
from gateway_api.services.feeds import Feed, FeedReport, FeedService
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.records import OutboxRecord
from mappings.engine import MappingStore
from schemas.catalog import Price, Product
from tests.integration.feed_support import level, sql_runtime, write_partner
from tests.support.clock import FakeClock
from tests.support.fake_catalog import FakeCatalog, fake_catalog_unit_of_work_factory
from tests.support.fake_store import FakeStore

INVENTORY: dict[str, Any] = {"inventory": {}}
PRICES: dict[str, Any] = {"prices": {"price_list": "default", "currency": "USD"}}


@dataclass
class Hub:
    """A store, the partner directory over a mappings copy, and the two services."""

    uow: UnitOfWorkFactory
    directory: PartnerDirectory
    mappings: Path
    clock: FakeClock

    @property
    def feeds(self) -> FeedService:
        return FeedService(self.uow, self.directory, clock=self.clock)

    @property
    def catalog(self) -> CatalogService:
        return CatalogService(self.uow, clock=self.clock)

    def partner(self, key: str, feeds: dict[str, Any] | None, **options: Any) -> str:
        write_partner(self.mappings, key, feeds=feeds, **options)
        return key

    def run(self, feed: Feed, key: str) -> FeedReport:
        report = self.feeds.run(feed, key)
        self.clock.advance(seconds=1)
        return report

    def queued(self, key: str) -> list[dict[str, Any]]:
        """The documents queued for `key`, in the order the run numbered them."""
        with self.uow() as uow:
            rows: list[OutboxRecord] = uow.outbox.query(partner_key=key, limit=1000)
        rows.sort(key=lambda r: (r.created_at, int(str(r.correlation_id).rsplit("-", 1)[1])))
        return [r.document for r in rows]

    def last_seq(self) -> str:
        """The change log's newest seq, as a cursor holds it (PostgreSQL's identity is not
        reset between tests, so tests compare with this, not with a number)."""
        with self.uow() as uow:
            return str(uow.catalog.last_change_seq())

    def cursor(self, key: str, feed: str) -> str | None:
        with self.uow() as uow:
            return uow.cursors.get(key, f"feed:{feed}")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(
    request: pytest.FixtureRequest, mappings_dir: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[Hub]:
    """The in-memory store (with `FakeCatalog`), or a runtime on SQLite or PostgreSQL."""
    if request.param == "memory":
        factory = fake_catalog_unit_of_work_factory(FakeStore(), FakeCatalog())
        context = ConnectorContext(clock=clock, hostname="test.b2connect.local")
        directory = PartnerDirectory(
            MappingStore(mappings_dir), context=context, production=False, recheck_seconds=0
        )
        yield Hub(factory, directory, mappings_dir, clock)
        return
    with sql_runtime(request, mappings_dir, clock, tmp_path) as runtime:
        yield Hub(runtime.uow, runtime.directory, mappings_dir, clock)


def _stock_items(documents: list[dict[str, Any]]) -> list[tuple[str | None, ...]]:
    return [
        (i["sku"], i["buyer_part_id"], i["supplier_part_id"], i["location"], i["quantity_on_hand"])
        for d in documents
        for i in d["items"]
    ]


def _seed_stock(hub: Hub) -> None:
    report = hub.catalog.apply_stock(
        [
            level("SKU-1", "WH1", "10", "8"),
            level("SKU-1", "WH2", "4"),
            level("SKU-2", "WH1", "7"),
            level("SKU-3", "WH1", "1"),  # not in the cross-reference
        ],
        source="api:erp",
    )
    assert report.applied == 4


# -- deltas and cursors ------------------------------------------------------------------------


def test_an_empty_change_log_sends_nothing_and_keeps_no_cursor(hub: Hub) -> None:
    key = hub.partner("p1", INVENTORY)
    report = hub.run("inventory", key)
    assert (report.documents, report.items, report.problems) == (0, 0, [])
    assert hub.queued(key) == []
    assert hub.cursor(key, "inventory") is None


def test_only_what_changed_since_the_last_run_is_sent(hub: Hub) -> None:
    key = hub.partner("p1", INVENTORY)
    _seed_stock(hub)

    first = hub.run("inventory", key)
    assert (first.documents, first.items, first.not_seen, first.problems) == (1, 3, 1, [])
    (document,) = hub.queued(key)
    assert document["document_type"] == "inventory_snapshot"
    assert _stock_items([document]) == [
        ("SKU-1", "BP-1", None, "WH1", "10"),
        ("SKU-1", "BP-1", None, "WH2", "4"),
        ("SKU-2", "BP-2", None, "WH1", "7"),
    ]
    assert document["items"][0]["quantity_available"] == "8"
    assert hub.cursor(key, "inventory") == hub.last_seq()

    second = hub.run("inventory", key)
    assert (second.documents, second.items) == (0, 0)
    assert len(hub.queued(key)) == 1

    # One real change and one row the ERP repeats unchanged (no change-log row for it).
    hub.catalog.apply_stock(
        [level("SKU-2", "WH1", "6"), level("SKU-1", "WH1", "10", "8")], source="t"
    )
    third = hub.run("inventory", key)
    assert (third.documents, third.items, third.not_seen) == (1, 1, 0)
    assert _stock_items(hub.queued(key)[1:]) == [("SKU-2", "BP-2", None, "WH1", "6")]
    assert hub.cursor(key, "inventory") == hub.last_seq()


def test_an_item_changed_twice_is_sent_once_with_its_current_figures(hub: Hub) -> None:
    key = hub.partner("p1", INVENTORY)
    hub.catalog.apply_stock([level("SKU-1", "WH1", "1")], source="t")
    hub.catalog.apply_stock([level("SKU-1", "WH1", "2")], source="t")
    hub.catalog.apply_stock([level("SKU-1", "WH1", "3")], source="t")
    assert hub.run("inventory", key).items == 1
    assert _stock_items(hub.queued(key)) == [("SKU-1", "BP-1", None, "WH1", "3")]


def test_each_partner_has_its_own_cursor(hub: Hub) -> None:
    early = hub.partner("early", INVENTORY)
    late = hub.partner("late", INVENTORY)
    _seed_stock(hub)
    assert hub.run("inventory", early).items == 3
    hub.catalog.apply_stock([level("SKU-1", "WH2", "0")], source="t")

    # The late partner never ran: it gets every item, with the current figures.
    assert hub.run("inventory", late).items == 3
    assert _stock_items(hub.queued(late)) == [
        ("SKU-1", "BP-1", None, "WH1", "10"),
        ("SKU-1", "BP-1", None, "WH2", "0"),
        ("SKU-2", "BP-2", None, "WH1", "7"),
    ]
    # The early one gets the one change since its run.
    assert hub.run("inventory", early).items == 1
    assert _stock_items(hub.queued(early)[1:]) == [("SKU-1", "BP-1", None, "WH2", "0")]
    assert hub.cursor(early, "inventory") == hub.cursor(late, "inventory") == hub.last_seq()


def test_the_stock_and_price_feeds_keep_separate_cursors(hub: Hub) -> None:
    key = hub.partner("p1", {**INVENTORY, **PRICES})
    _seed_stock(hub)
    assert hub.run("inventory", key).items == 3
    hub.catalog.apply_prices([_price("SKU-1", "2.50")], source="t")
    assert hub.cursor(key, "prices") is None
    report = hub.run("prices", key)
    assert (report.documents, report.items) == (1, 1)  # the stock changes are not prices
    assert hub.run("inventory", key).items == 0  # a price change is not stock
    assert hub.cursor(key, "inventory") == hub.cursor(key, "prices") == hub.last_seq()


def test_a_partner_that_sees_none_of_the_changes_gets_nothing_and_moves_on(hub: Hub) -> None:
    key = hub.partner("p1", {"inventory": {"locations": ["WH9"]}})
    _seed_stock(hub)
    report = hub.run("inventory", key)
    assert (report.documents, report.items, report.not_seen) == (0, 0, 4)
    assert hub.queued(key) == []
    assert hub.cursor(key, "inventory") == hub.last_seq()


# -- what a partner sees, and how items are named -----------------------------------------------


def test_only_the_partners_locations_are_sent(hub: Hub) -> None:
    key = hub.partner("p1", {"inventory": {"locations": ["WH2"]}})
    _seed_stock(hub)
    report = hub.run("inventory", key)
    assert (report.items, report.not_seen) == (1, 3)
    assert _stock_items(hub.queued(key)) == [("SKU-1", "BP-1", None, "WH2", "4")]


def test_part_numbers_on_the_buyer_or_supplier_side(hub: Hub) -> None:
    buyer = hub.partner("buyer-side", {**INVENTORY, "part_number": "buyer"})
    supplier = hub.partner("supplier-side", {**INVENTORY, "part_number": "supplier"})
    hub.catalog.apply_stock([level("SKU-2", "WH1", "7")], source="t")
    hub.run("inventory", buyer)
    hub.run("inventory", supplier)
    assert _stock_items(hub.queued(buyer)) == [("SKU-2", "BP-2", None, "WH1", "7")]
    assert _stock_items(hub.queued(supplier)) == [("SKU-2", None, "BP-2", "WH1", "7")]


def test_items_all_keeps_unknown_skus_named_by_sku_only(hub: Hub) -> None:
    key = hub.partner("p1", {**INVENTORY, "items": "all"})
    _seed_stock(hub)
    report = hub.run("inventory", key)
    assert (report.items, report.not_seen) == (4, 0)
    assert ("SKU-3", None, None, "WH1", "1") in _stock_items(hub.queued(key))


def test_items_all_without_a_crossref_names_everything_by_sku(hub: Hub) -> None:
    key = hub.partner("p1", {**INVENTORY, "items": "all"}, crossref=None)
    _seed_stock(hub)
    assert hub.run("inventory", key).items == 4
    assert {i[1:3] for i in _stock_items(hub.queued(key))} == {(None, None)}


def test_the_first_part_number_the_crossref_names_is_used(hub: Hub) -> None:
    crossref = [("OLD-1", "SKU-1"), ("NEW-1", "SKU-1")]
    key = hub.partner("p1", INVENTORY, crossref=crossref)
    hub.catalog.apply_stock([level("SKU-1", "WH1", "1")], source="t")
    hub.run("inventory", key)
    assert _stock_items(hub.queued(key)) == [("SKU-1", "OLD-1", None, "WH1", "1")]


def test_a_large_delta_is_split_by_max_items_per_document(hub: Hub) -> None:
    key = hub.partner("p1", {**INVENTORY, "items": "all", "max_items_per_document": 2})
    hub.catalog.apply_stock([level(f"SKU-{n}", "WH1", str(n)) for n in range(1, 6)], source="t")
    report = hub.run("inventory", key)
    assert (report.documents, report.items) == (3, 5)
    documents = hub.queued(key)
    assert [len(d["items"]) for d in documents] == [2, 2, 1]
    assert [d["snapshot_id"] for d in documents] == [f"INV-{hub.last_seq()}-{n}" for n in (1, 2, 3)]
    assert [i[0] for i in _stock_items(documents)] == [f"SKU-{n}" for n in range(1, 6)]


# -- prices ------------------------------------------------------------------------------------


def _price(sku: str, amount: str, **extra: Any) -> Price:
    values: dict[str, Any] = {
        "sku": sku,
        "currency": "USD",
        "unit_price": amount,
        "unit_of_measure": "EA",
        **extra,
    }
    return Price.model_validate(values)


def _catalog_items(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for d in documents for i in d["items"]]


def test_only_the_partners_price_list_and_currency_are_sent(hub: Hub) -> None:
    key = hub.partner("p1", PRICES)
    hub.catalog.apply_products(
        [Product(sku="SKU-1", name="Bolt", unit_of_measure="EA", gtin="012345678905")], source="t"
    )
    hub.catalog.apply_prices(
        [
            _price("SKU-1", "2.00"),
            _price("SKU-1", "1.80", min_quantity="10"),
            _price("SKU-1", "1.90", currency="EUR"),
            _price("SKU-1", "1.50", price_list="wholesale"),
            _price("SKU-2", "3.00", price_list="wholesale"),  # not on the partner's list
            _price("SKU-4", "4.00", currency="EUR"),  # on its list, not in its currency
        ],
        source="t",
    )
    report = hub.run("prices", key)
    assert (report.documents, report.items, report.not_seen) == (1, 1, 2)
    (document,) = hub.queued(key)
    assert document["document_type"] == "price_catalog"
    (item,) = document["items"]
    assert (item["sku"], item["buyer_part_id"], item["change"]) == ("SKU-1", "BP-1", "upsert")
    assert (item["description"], item["gtin"], item["unit_of_measure"]) == (
        "Bolt",
        "012345678905",
        "EA",
    )
    assert [(p["unit_price"], p["currency"], p["min_quantity"]) for p in item["prices"]] == [
        ("2", "USD", "1"),
        ("1.8", "USD", "10"),
    ]


def test_a_price_change_resends_the_items_whole_tier_list(hub: Hub) -> None:
    key = hub.partner("p1", PRICES)
    hub.catalog.apply_prices(
        [_price("SKU-1", "2.00"), _price("SKU-1", "1.80", min_quantity="10")], source="t"
    )
    hub.run("prices", key)
    hub.catalog.apply_prices([_price("SKU-1", "1.70", min_quantity="10")], source="t")
    report = hub.run("prices", key)
    assert (report.documents, report.items) == (1, 1)
    (item,) = hub.queued(key)[1]["items"]
    # No product row: described by its SKU, in the unit of its prices.
    assert (item["description"], item["unit_of_measure"]) == ("SKU-1", "EA")
    assert [(p["unit_price"], p["min_quantity"]) for p in item["prices"]] == [
        ("2", "1"),
        ("1.7", "10"),
    ]


def test_every_currency_of_the_list_when_the_profile_names_none(hub: Hub) -> None:
    key = hub.partner("p1", {"prices": {}})
    hub.catalog.apply_prices(
        [_price("SKU-1", "2.00"), _price("SKU-1", "1.90", currency="EUR")], source="t"
    )
    hub.run("prices", key)
    (item,) = _catalog_items(hub.queued(key))
    assert [p["currency"] for p in item["prices"]] == ["EUR", "USD"]


def test_a_withdrawn_product_is_sent_as_a_delete(hub: Hub) -> None:
    key = hub.partner("p1", PRICES)
    bolt = Product(sku="SKU-1", name="Bolt", unit_of_measure="EA")
    hub.catalog.apply_products([bolt], source="t")
    hub.catalog.apply_prices([_price("SKU-1", "2.00")], source="t")
    hub.run("prices", key)
    hub.catalog.apply_products([bolt.model_copy(update={"active": False})], source="t")
    report = hub.run("prices", key)
    assert (report.documents, report.items) == (1, 1)
    (item,) = hub.queued(key)[1]["items"]
    assert (item["sku"], item["buyer_part_id"], item["change"], item["prices"]) == (
        "SKU-1",
        "BP-1",
        "delete",
        [],
    )


def test_a_product_change_off_the_partners_list_is_not_sent_as_a_delete(hub: Hub) -> None:
    """An active item with no price on the partner's list was never in its catalogue: telling
    the partner to delete it would be wrong (and noise on every product change)."""
    key = hub.partner("p1", PRICES)
    hub.catalog.apply_products([Product(sku="SKU-2", name="Nut", unit_of_measure="EA")], source="t")
    hub.catalog.apply_prices([_price("SKU-2", "3.00", currency="EUR")], source="t")
    report = hub.run("prices", key)
    assert (report.documents, report.items, report.not_seen) == (0, 0, 1)
    assert hub.queued(key) == []


def test_a_withdrawn_product_never_on_the_partners_list_is_not_sent(hub: Hub) -> None:
    key = hub.partner("p1", PRICES)
    hub.catalog.apply_products(
        [Product(sku="SKU-1", name="Bolt", unit_of_measure="EA", active=False)], source="t"
    )
    hub.catalog.apply_prices([_price("SKU-1", "1.50", price_list="wholesale")], source="t")
    report = hub.run("prices", key)
    assert (report.documents, report.items, report.not_seen) == (0, 0, 1)


def test_price_items_outside_the_crossref_are_dropped_or_kept_by_sku(hub: Hub) -> None:
    only = hub.partner("only-crossref", PRICES)
    every = hub.partner("every-item", {**PRICES, "items": "all", "part_number": "supplier"})
    hub.catalog.apply_prices([_price("SKU-1", "2"), _price("SKU-3", "5")], source="t")
    hub.run("prices", only)
    hub.run("prices", every)
    assert [(i["sku"], i["buyer_part_id"]) for i in _catalog_items(hub.queued(only))] == [
        ("SKU-1", "BP-1")
    ]
    assert [
        (i["sku"], i["supplier_part_id"], i["buyer_part_id"])
        for i in _catalog_items(hub.queued(every))
    ] == [("SKU-1", "BP-1", None), ("SKU-3", None, None)]


def test_price_documents_are_chunked_too(hub: Hub) -> None:
    key = hub.partner("p1", {**PRICES, "items": "all", "max_items_per_document": 1})
    hub.catalog.apply_prices([_price(f"SKU-{n}", "1") for n in range(1, 4)], source="t")
    report = hub.run("prices", key)
    assert (report.documents, report.items) == (3, 3)
    assert [d["catalog_id"] for d in hub.queued(key)] == [
        f"PRC-{hub.last_seq()}-{n}" for n in (1, 2, 3)
    ]


# -- problems, not crashes ---------------------------------------------------------------------


def _problem(hub: Hub, feed: Feed, key: str) -> str:
    report = hub.run(feed, key)
    assert (report.documents, report.failed) == (0, 1)
    assert report.problems[0].partner_key == key
    assert hub.queued(key) == []
    assert hub.cursor(key, feed) is None
    assert report.problems[0].kind == "config"
    return report.problems[0].message


@pytest.mark.parametrize(
    ("options", "feed", "expected"),
    [
        ({"feeds": None}, "inventory", "takes no inventory feed"),
        ({"feeds": INVENTORY}, "prices", "takes no prices feed"),
        ({"feeds": INVENTORY, "outbound": ["832"]}, "inventory", "846"),
        ({"feeds": INVENTORY, "endpoint": None}, "inventory", "no endpoint configured for 846"),
        ({"feeds": INVENTORY, "crossref": None}, "inventory", "parts.crossref"),
        ({"feeds": PRICES, "connector": "edifact", "outbound": []}, "prices", "PRICAT"),
    ],
    ids=[
        "no-feeds",
        "not-this-feed",
        "kind-not-enabled",
        "no-endpoint",
        "crossref-items-without-crossref",
        "edifact-kind-not-enabled",
    ],
)
def test_a_partner_that_cannot_take_the_feed_is_a_problem(
    hub: Hub, options: dict[str, Any], feed: Feed, expected: str
) -> None:
    key = hub.partner("p1", **options)
    _seed_stock(hub)
    hub.catalog.apply_prices([_price("SKU-1", "1")], source="t")
    assert expected in _problem(hub, feed, key)


def test_an_unknown_partner_is_a_problem(hub: Hub) -> None:
    assert "not configured" in _problem(hub, "inventory", "nobody")


def test_a_problem_partner_does_not_hold_up_the_others(hub: Hub) -> None:
    broken = hub.partner("broken", INVENTORY, endpoint=None)
    fine = hub.partner("fine", INVENTORY)
    _seed_stock(hub)
    assert hub.run("inventory", broken).failed == 1
    assert hub.run("inventory", fine).items == 3


def test_quantities_keep_their_decimals(hub: Hub) -> None:
    key = hub.partner("p1", INVENTORY)
    hub.catalog.apply_stock([level("SKU-1", "WH1", "2.500", "0.125")], source="t")
    hub.run("inventory", key)
    (item,) = hub.queued(key)[0]["items"]
    assert Decimal(item["quantity_on_hand"]) == Decimal("2.5")
    assert Decimal(item["quantity_available"]) == Decimal("0.125")
