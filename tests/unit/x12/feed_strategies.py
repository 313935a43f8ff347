"""Hypothesis strategies for the feed documents (`InventorySnapshot`, `PriceCatalog`), shared
by the X12, EDIFACT and cXML round-trip tests.

Values stay inside what every protocol carries losslessly: identifiers from a plain alphabet
(no X12 or EDIFACT delimiters, no surrounding blanks), descriptions as words separated by single
blanks, times to the minute (X12 writes HHMM, EDIFACT format 203), prices and quantities with at
most four decimals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from schemas.catalog import PriceCatalog
from schemas.inventory import InventorySnapshot

ALPHABET = "ABCXYZabcxyz0189-_./#"
"""Characters of generated ids: letters, digits and punctuation no protocol reserves."""

ids = st.text(alphabet=ALPHABET, min_size=1, max_size=20)
words = st.lists(
    st.text(alphabet="ABCDEFGHabcdefgh0123456789-&()", min_size=1, max_size=12),
    min_size=1,
    max_size=8,
).map(" ".join)
units = st.sampled_from(["EA", "KGM", "H87", "MTR", "PCE"])
currencies = st.sampled_from(["EUR", "USD", "TRY"])
zones = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))])
moments = st.builds(
    lambda day, minute, tz: (
        datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(minutes=minute)
    ),
    st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
    zones,
)
days = st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31))


def decimals(low: int, high: int, *, places: int = 4) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with at most `places` decimals."""
    return st.integers(min_value=low * 10**places, max_value=high * 10**places).map(
        lambda n: Decimal(n).scaleb(-places).normalize()
    )


def _names() -> st.SearchStrategy[dict[str, str]]:
    """At least one of sku, supplier_part_id, buyer_part_id."""
    return st.fixed_dictionaries(
        {},
        optional={"sku": ids, "supplier_part_id": ids, "buyer_part_id": ids},
    ).filter(bool)


@st.composite
def snapshots(draw: st.DrawFn) -> InventorySnapshot:
    """An inventory snapshot of up to six stock levels, each item once per location."""
    items: list[dict[str, Any]] = []
    seen: set[tuple[object, ...]] = set()
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        item: dict[str, Any] = {
            **draw(_names()),
            "quantity_on_hand": draw(decimals(-1000, 100000)),
            "unit_of_measure": draw(units),
        }
        if draw(st.booleans()):
            item["quantity_available"] = draw(decimals(0, 100000))
        if draw(st.booleans()):
            item["location"] = draw(ids)
        key = tuple(item.get(k) for k in ("sku", "supplier_part_id", "buyer_part_id", "location"))
        if key not in seen:
            seen.add(key)
            items.append(item)
    return InventorySnapshot.model_validate(
        {"snapshot_id": draw(ids), "as_of": draw(moments), "items": items}
    )


@st.composite
def prices(draw: st.DrawFn) -> dict[str, Any]:
    """One price tier, sometimes with a validity period."""
    tier: dict[str, Any] = {
        "unit_price": draw(decimals(0, 100000)),
        "currency": draw(currencies),
        "min_quantity": draw(decimals(1, 1000, places=2)),
    }
    start = draw(st.none() | days)
    end = draw(st.none() | days)
    if start is not None and end is not None and end < start:
        start, end = end, start
    if start is not None:
        tier["valid_from"] = start
    if end is not None:
        tier["valid_to"] = end
    return tier


gtins = st.sampled_from([8, 12, 13, 14]).flatmap(
    lambda size: st.text(alphabet="0123456789", min_size=size, max_size=size)
)


@st.composite
def catalogs(draw: st.DrawFn) -> PriceCatalog:
    """A price catalogue of up to five items, upserted (one to three tiers) or deleted."""
    items: list[dict[str, Any]] = []
    seen: set[tuple[object, ...]] = set()
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        delete = draw(st.booleans())
        item: dict[str, Any] = {
            **draw(_names()),
            "description": draw(words),
            "unit_of_measure": draw(units),
            "change": "delete" if delete else "upsert",
            "prices": [] if delete else draw(st.lists(prices(), min_size=1, max_size=3)),
        }
        if draw(st.booleans()):
            item["gtin"] = draw(gtins)
        key = tuple(item.get(k) for k in ("sku", "supplier_part_id", "buyer_part_id"))
        if key not in seen:
            seen.add(key)
            items.append(item)
    return PriceCatalog.model_validate(
        {
            "catalog_id": draw(ids),
            "as_of": draw(moments),
            "name": draw(words),
            "full": draw(st.booleans()),
            "items": items,
        }
    )
