"""Pull-mode catalogue sync: for an ERP that cannot push, the hub reads it instead.

An ERP site whose integration cannot call `/api/v1/integration/*` names in its profile what the
`erp_pull` DAG reads (`catalog_pull: [products, prices, stock]`). Each run, per kind:

    products, prices   cursor (sync_cursors `erp:products` / `erp:prices`) -> fetch a page ->
                       CatalogService.apply_*(page, source=<erp key>) -> save the page's cursor,
                       until the ERP says there is no more (or MAX_PAGES)
    stock              the ERP's whole stock view (LOGO: one `queries` call) -> apply_stock

Applying is the integration API's own service, so a pulled row and a pushed row are one thing:
same natural keys, same per-row outcome, same change log, so the feeds send what the pull
changed and nothing else. A crash between applying a page and saving its cursor reads the page
again, and every row of it comes out `unchanged`: nothing is applied twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from connectors.core import Clock, ConfigError, ConnectorError
from connectors.core.erp import ErpConnector, ErpPage
from gateway_api.services.catalog import ApplyReport, CatalogService
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner
from gateway_api.store.ports import UnitOfWorkFactory

logger = logging.getLogger(__name__)

PullKind = Literal["products", "prices", "stock"]
"""What a pull can read."""
STREAMS: dict[PullKind, str] = {"products": "erp:products", "prices": "erp:prices"}
"""The `sync_cursors` stream of each paged kind (stock is read whole)."""
MAX_PAGES = 1_000
"""A run stops after this many pages of one kind (a connector that never says `more=False`)."""

_Row = TypeVar("_Row")


@dataclass
class CatalogPullReport:
    """What one pull from one ERP did, per kind: rows read, applied, unchanged, rejected."""

    erp: str
    read: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    """`<kind> <key>: <reason>` of every row the catalogue refused (the ERP's data to fix)."""
    problems: list[JobProblem] = field(default_factory=list)

    def add(self, kind: str, read: int, applied: ApplyReport) -> None:
        """Count one applied page."""
        self.read[kind] = self.read.get(kind, 0) + read
        self.applied[kind] = self.applied.get(kind, 0) + applied.applied
        self.unchanged[kind] = self.unchanged.get(kind, 0) + applied.unchanged
        self.rejected.extend(
            f"{kind} {result.key}: {result.reason}"
            for result in applied.results
            if result.reason is not None
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (Airflow XCom, CLI `--json`)."""
        return {
            "pulled": dict(self.read),
            "applied": dict(self.applied),
            "unchanged": dict(self.unchanged),
            "rejected": list(self.rejected),
        }


class ErpCatalogPull:
    """Reads items, prices and stock from ERPs configured to be pulled."""

    def __init__(self, uow: UnitOfWorkFactory, *, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._catalog = CatalogService(uow, clock=clock)

    def run(self, partner: Partner, report: CatalogPullReport | None = None) -> CatalogPullReport:
        """Pull what `partner`'s profile names (`catalog_pull`); nothing when it names none."""
        report = report or CatalogPullReport(partner.key)
        kinds = partner.profile.catalog_pull
        if not kinds:
            return report
        erp = partner.erp
        if erp is None:
            error = ConfigError(f"catalog_pull is set but {partner.key!r}'s connector is no ERP")
            report.problems.append(JobProblem.of(partner.key, error))
            return report
        for kind in kinds:
            try:
                self._pull(partner.key, erp, kind, report)
            except ConnectorError as error:
                report.problems.append(JobProblem.of(partner.key, error))
        return report

    def _pull(self, key: str, erp: ErpConnector, kind: PullKind, report: CatalogPullReport) -> None:
        if kind == "stock":
            levels = erp.fetch_stock()
            report.add(kind, len(levels), self._catalog.apply_stock(levels, source=key))
        elif kind == "products":
            self._pages(key, kind, erp.fetch_products, self._catalog.apply_products, report)
        else:
            self._pages(key, kind, erp.fetch_prices, self._catalog.apply_prices, report)

    def _pages(
        self,
        key: str,
        kind: PullKind,
        fetch: Callable[[str | None], ErpPage[_Row]],
        apply: Callable[..., ApplyReport],
        report: CatalogPullReport,
    ) -> None:
        stream = STREAMS[kind]
        with self._uow() as uow:
            cursor = uow.cursors.get(key, stream)
        for _ in range(MAX_PAGES):
            page = fetch(cursor)
            rows: Sequence[_Row] = page.items
            if rows:
                report.add(kind, len(rows), apply(rows, source=key))
            if page.cursor is not None and page.cursor != cursor:
                with self._uow() as uow:
                    uow.cursors.save(key, stream, page.cursor, at=self._clock())
                    uow.commit()
                cursor = page.cursor
            if not page.more:
                return
        logger.warning("%s pull from %s stopped after %d pages", kind, key, MAX_PAGES)
