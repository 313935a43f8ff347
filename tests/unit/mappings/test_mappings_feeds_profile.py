"""The `feeds` part of a partner profile: defaults, and every invalid setting refused when the
profile is loaded (a `MappingConfigError` naming the file and the setting), not when a feed runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from mappings.engine import MappingConfigError, parse_profile
from mappings.engine.profile import Feeds, InventoryFeed, PriceFeed

FILE = "partners/acme/profile.yaml"


def _profile(mappings_root: Path, feeds: Any) -> bytes:
    document = yaml.safe_load((mappings_root / FILE).read_text(encoding="utf-8"))
    document["feeds"] = feeds
    return yaml.safe_dump(document).encode()


def test_defaults(mappings_root: Path) -> None:
    profile = parse_profile(_profile(mappings_root, {"inventory": {}}), FILE, "acme")
    assert profile.feeds == Feeds(inventory=InventoryFeed())
    feeds = profile.feeds
    assert feeds is not None
    assert (feeds.items, feeds.part_number, feeds.max_items_per_document) == (
        "crossref",
        "buyer",
        5_000,
    )
    assert feeds.inventory is not None
    assert feeds.inventory.locations == ()
    assert feeds.prices is None
    assert PriceFeed() == PriceFeed(price_list="default", currency=None)


def test_a_profile_without_feeds_takes_none(mappings_root: Path) -> None:
    document = yaml.safe_load((mappings_root / FILE).read_text(encoding="utf-8"))
    document.pop("feeds", None)
    assert parse_profile(yaml.safe_dump(document).encode(), FILE, "acme").feeds is None


def test_every_setting_is_read(mappings_root: Path) -> None:
    feeds = {
        "items": "all",
        "part_number": "supplier",
        "max_items_per_document": 250,
        "inventory": {"locations": ["WH1", "WH2"]},
        "prices": {"price_list": "retail", "currency": "EUR"},
    }
    parsed = parse_profile(_profile(mappings_root, feeds), FILE, "acme").feeds
    assert parsed == Feeds(
        items="all",
        part_number="supplier",
        max_items_per_document=250,
        inventory=InventoryFeed(locations=("WH1", "WH2")),
        prices=PriceFeed(price_list="retail", currency="EUR"),
    )


@pytest.mark.parametrize(
    ("feeds", "expected"),
    [
        ({}, "must name inventory, prices or both"),
        ({"inventory": None, "prices": None}, "must name inventory, prices or both"),
        ({"inventory": {}, "items": "some"}, "feeds.items"),
        ({"inventory": {}, "part_number": "gtin"}, "feeds.part_number"),
        ({"inventory": {}, "max_items_per_document": 0}, "feeds.max_items_per_document"),
        ({"inventory": {}, "max_items_per_document": 100_001}, "feeds.max_items_per_document"),
        ({"inventory": {"locations": [""]}}, "feeds.inventory.locations.0"),
        ({"inventory": {"locations": ["WH1", "WH1"]}}, "repeated: ['WH1']"),
        ({"inventory": {"location": ["WH1"]}}, "feeds.inventory.location"),
        ({"prices": {"price_list": ""}}, "feeds.prices.price_list"),
        ({"prices": {"currency": "usd"}}, "feeds.prices.currency"),
        ({"prices": {"currency": "USDT"}}, "feeds.prices.currency"),
        ({"inventory": {}, "stock": {}}, "feeds.stock"),
        (["inventory"], "feeds"),
    ],
    ids=[
        "empty",
        "both-null",
        "items",
        "part-number",
        "zero-per-document",
        "too-many-per-document",
        "empty-location",
        "repeated-location",
        "misspelt-key",
        "empty-price-list",
        "lower-case-currency",
        "four-letter-currency",
        "unknown-feed",
        "not-a-mapping",
    ],
)
def test_invalid_feeds_are_refused_when_the_profile_loads(
    mappings_root: Path, feeds: Any, expected: str
) -> None:
    with pytest.raises(MappingConfigError) as caught:
        parse_profile(_profile(mappings_root, feeds), FILE, "acme")
    assert caught.value.file == FILE
    assert expected in str(caught.value)


def test_the_models_are_frozen() -> None:
    feeds = Feeds(prices=PriceFeed())
    with pytest.raises(ValidationError):
        feeds.items = "all"  # type: ignore[misc]
