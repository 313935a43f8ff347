"""Applying the ERP's master data: products, stock levels, prices and customers, in bulk.

The integration API and the ERP pull job call the same functions with validated canonical rows
and a `source` label, so a pulled row is applied exactly like a pushed one. Each call is one
transaction and set-based: the stored rows for the batch's keys are loaded in one query (a few
for very large batches), rows that change something are upserted with one executemany per
table, and each row that actually changed appends one change-log row (`catalog_changes`) for
the feeds. A row that changes nothing writes nothing and appends nothing.

A row is refused alone (`rejected` with its reason), never the batch: a key repeated in the
batch (the first occurrence wins), a value the store cannot hold (more than 18 digits before or
after the decimal point; a NUL character), a stock level older than the stored one (`as_of`):
re-sent old figures must not overwrite newer ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from connectors.core import Clock
from gateway_api.store.catalog_records import (
    CatalogChange,
    ChangeKind,
    StockRecord,
    plain_decimal,
    price_key,
)
from gateway_api.store.ports import UnitOfWork, UnitOfWorkFactory
from schemas.catalog import Customer, Price, Product
from schemas.inventory import StockLevel

logger = logging.getLogger(__name__)

MAX_DIGITS = 18
"""Digits the store keeps on each side of the decimal point (NUMERIC(36, 18))."""

_Row = TypeVar("_Row")


class Outcome(StrEnum):
    """What happened to one row."""

    APPLIED = "applied"
    """Inserted or changed; a change-log row was appended (products, stock, prices)."""
    UNCHANGED = "unchanged"
    """Identical to the stored row: nothing written."""
    REJECTED = "rejected"
    """Refused, with the reason; the other rows were applied."""


@dataclass(frozen=True)
class RowResult:
    """The fate of the row at `index` of the batch."""

    index: int
    key: str
    """The natural key, readable: `SKU-1`, `SKU-1@WH1`, `SKU-1/default/TRY/1/open`, `C-1`."""
    outcome: Outcome
    reason: str | None = None


@dataclass
class ApplyReport:
    """Per-row results (in batch order) and the counts."""

    results: list[RowResult] = field(default_factory=list)

    @property
    def applied(self) -> int:
        """Rows inserted or changed."""
        return sum(1 for r in self.results if r.outcome is Outcome.APPLIED)

    @property
    def unchanged(self) -> int:
        """Rows identical to the stored ones."""
        return sum(1 for r in self.results if r.outcome is Outcome.UNCHANGED)

    @property
    def rejected(self) -> int:
        """Rows refused."""
        return sum(1 for r in self.results if r.outcome is Outcome.REJECTED)


@dataclass(frozen=True)
class StockUpdate:
    """A stock level and when the ERP said it held (`as_of`; None: when it is applied)."""

    level: StockLevel
    as_of: datetime | None = None


WithinTransaction = Callable[[UnitOfWork, ApplyReport], None]
"""Called inside the transaction, after the rows were written and before the commit: the
integration API logs the call and keeps its answer there, so data, log and answer commit
together."""


class CatalogService:
    """`apply_products`, `apply_stock`, `apply_prices`, `apply_customers`: one transaction each."""

    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def apply_products(
        self, rows: Sequence[Product], *, source: str, within: WithinTransaction | None = None
    ) -> ApplyReport:
        """Insert or update items by sku."""
        at = self._clock()
        report, fresh = _screen(rows, lambda p: p.sku, lambda p: p.sku)
        with self._uow() as uow:
            stored = uow.catalog.products([p.sku for _, p in fresh])
            changed = _decide(report, fresh, lambda p: p.sku, lambda p: stored.get(p.sku) != p)
            uow.catalog.save_products(changed, at=at)
            uow.catalog.append_changes(
                [CatalogChange(ChangeKind.PRODUCT, p.sku) for p in changed], source=source, at=at
            )
            return _finish(uow, report, within, source, "products")

    def apply_stock(
        self,
        rows: Sequence[StockLevel | StockUpdate],
        *,
        source: str,
        within: WithinTransaction | None = None,
    ) -> ApplyReport:
        """Insert or update stock levels by (sku, location); the integration API requires both
        (a level without them is rejected). Only the figures (on hand, available, unit) count as
        a change; an older `as_of` than the stored one is rejected."""
        at = self._clock()
        records: list[StockRecord | str] = [_stock_record(row, at) for row in rows]
        report, fresh = _screen(records, _stock_key, _stock_key)
        with self._uow() as uow:
            stored = uow.catalog.stock_levels([s.key for _, s in fresh])
            changed: list[StockRecord] = []
            for index, level in fresh:
                before = stored.get(level.key)
                if before is not None and level.as_of < before.as_of:
                    report.results[index] = RowResult(
                        index,
                        _stock_key(level),
                        Outcome.REJECTED,
                        f"as_of {level.as_of.isoformat()} is older than the stored level's "
                        f"{before.as_of.isoformat()}",
                    )
                elif before is not None and before.figures() == level.figures():
                    report.results[index] = RowResult(index, _stock_key(level), Outcome.UNCHANGED)
                else:
                    report.results[index] = RowResult(index, _stock_key(level), Outcome.APPLIED)
                    changed.append(level)
            uow.catalog.save_stock(changed)
            uow.catalog.append_changes(
                [CatalogChange(ChangeKind.STOCK, s.sku, s.location) for s in changed],
                source=source,
                at=at,
            )
            return _finish(uow, report, within, source, "stock levels")

    def apply_prices(
        self, rows: Sequence[Price], *, source: str, within: WithinTransaction | None = None
    ) -> ApplyReport:
        """Insert or update price tiers by (sku, price list, currency, minimum quantity,
        start); a tier the ERP no longer sends is kept (send it with a `valid_to` to end it)."""
        at = self._clock()
        report, fresh = _screen(rows, price_key, _price_label)
        with self._uow() as uow:
            stored = uow.catalog.prices({p.sku for _, p in fresh})

            def differs(price: Price) -> bool:
                before = stored.get(price_key(price))
                return before is None or (
                    before.unit_price,
                    before.unit_of_measure,
                    before.valid_to,
                ) != (
                    price.unit_price,
                    price.unit_of_measure,
                    price.valid_to,
                )

            changed = _decide(report, fresh, _price_label, differs)
            uow.catalog.save_prices(changed, at=at)
            uow.catalog.append_changes(
                [CatalogChange(ChangeKind.PRICE, p.sku) for p in changed], source=source, at=at
            )
            return _finish(uow, report, within, source, "prices")

    def apply_customers(
        self, rows: Sequence[Customer], *, source: str, within: WithinTransaction | None = None
    ) -> ApplyReport:
        """Insert or update customer cards by code (no change-log row: no feed sends them)."""
        at = self._clock()
        report, fresh = _screen(rows, lambda c: c.code, lambda c: c.code)
        with self._uow() as uow:
            stored = uow.catalog.customers([c.code for _, c in fresh])
            changed = _decide(report, fresh, lambda c: c.code, lambda c: stored.get(c.code) != c)
            uow.catalog.save_customers(changed, at=at)
            return _finish(uow, report, within, source, "customers")


def _stock_record(row: StockLevel | StockUpdate, at: datetime) -> StockRecord | str:
    """The record to store, or why the row cannot be one."""
    update = row if isinstance(row, StockUpdate) else StockUpdate(row)
    level = update.level
    if level.sku is None or level.location is None:
        return "a stock level needs its sku and location"
    return StockRecord(
        sku=level.sku,
        location=level.location,
        quantity_on_hand=level.quantity_on_hand,
        quantity_available=level.quantity_available,
        unit_of_measure=level.unit_of_measure,
        as_of=update.as_of or at,
        updated_at=at,
    )


def _stock_key(level: StockRecord) -> str:
    return f"{level.sku}@{level.location}"


def _price_label(price: Price) -> str:
    start = price.valid_from.isoformat() if price.valid_from else "open"
    quantity = plain_decimal(price.min_quantity)
    return f"{price.sku}/{price.price_list}/{price.currency}/{quantity}/{start}"


def _screen(
    rows: Sequence[_Row | str],
    key: Callable[[_Row], object],
    label: Callable[[_Row], str],
) -> tuple[ApplyReport, list[tuple[int, _Row]]]:
    """Results with the rows refused before the store is asked (a reason string instead of a
    row, a repeated key, a value the store cannot hold) filled in; the rest, with their index."""
    report = ApplyReport(
        [RowResult(i, "", Outcome.REJECTED, "not decided") for i in range(len(rows))]
    )
    fresh: list[tuple[int, _Row]] = []
    first: dict[object, int] = {}
    for index, row in enumerate(rows):
        if isinstance(row, str):
            report.results[index] = RowResult(index, "", Outcome.REJECTED, row)
            continue
        name = label(row)
        problem = _unstorable(row)
        if problem is None and key(row) in first:
            problem = f"the key {name} is repeated in this batch (first at row {first[key(row)]})"
        if problem is not None:
            report.results[index] = RowResult(index, name, Outcome.REJECTED, problem)
            continue
        first[key(row)] = index
        fresh.append((index, row))
    return report, fresh


def _decide(
    report: ApplyReport,
    fresh: list[tuple[int, _Row]],
    label: Callable[[_Row], str],
    differs: Callable[[_Row], bool],
) -> list[_Row]:
    """Mark each row applied or unchanged; the rows to write."""
    changed: list[_Row] = []
    for index, row in fresh:
        if differs(row):
            report.results[index] = RowResult(index, label(row), Outcome.APPLIED)
            changed.append(row)
        else:
            report.results[index] = RowResult(index, label(row), Outcome.UNCHANGED)
    return changed


def _finish(
    uow: UnitOfWork,
    report: ApplyReport,
    within: WithinTransaction | None,
    source: str,
    what: str,
) -> ApplyReport:
    if within is not None:
        within(uow, report)
    uow.commit()
    logger.info(
        "%s from %s: %d applied, %d unchanged, %d rejected",
        what,
        source,
        report.applied,
        report.unchanged,
        report.rejected,
    )
    return report


def _unstorable(row: object) -> str | None:
    """Why the store could not hold the row, or None."""
    values = (
        vars(row).values()
        if isinstance(row, StockRecord)
        else (dict(row).values() if isinstance(row, BaseModel) else ())
    )
    for value in values:
        if isinstance(value, Decimal) and not _fits(value):
            return f"{value} has more than {MAX_DIGITS} digits before or after the decimal point"
        if isinstance(value, str) and "\x00" in value:
            return "text with a NUL character cannot be stored"
        if isinstance(value, BaseModel) and "\\u0000" in value.model_dump_json():
            return "text with a NUL character cannot be stored"
    return None


def _fits(value: Decimal) -> bool:
    _sign, digits, exponent = plain_decimal(value).as_tuple()
    assert isinstance(exponent, int)
    fraction = max(-exponent, 0)
    return fraction <= MAX_DIGITS and len(digits) - fraction <= MAX_DIGITS
