"""The `erp-pull` job: what the hub reads from each ERP on a schedule.

Per ERP partner (a partner whose connector has the ERP capability):

1. its delivery notes since the cursor, each one the buyer's ship notice (`erp_dispatches`);
2. for an ERP that cannot push, the items, prices and stock its profile names
   (`catalog_pull`, `erp_catalog_pull`).

Sales orders go the other way through the outbox (`sales_orders`, then the dispatcher); the
`erp_pull` DAG runs the three steps in that order for each ERP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from connectors.core import Clock, ConfigError
from gateway_api.services.erp_catalog_pull import CatalogPullReport, ErpCatalogPull
from gateway_api.services.erp_dispatches import DispatchReadReport, ErpDispatchReader
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.sales_orders import erp_partners
from gateway_api.store.ports import UnitOfWorkFactory


@dataclass
class ErpPullReport:
    """The delivery notes read and the catalogue pulled, over the ERPs of one run."""

    dispatches: list[DispatchReadReport] = field(default_factory=list)
    catalog: list[CatalogPullReport] = field(default_factory=list)

    @property
    def problems(self) -> list[JobProblem]:
        """Why reading an ERP failed (credentials, configuration, the ERP down)."""
        read = [p for part in self.dispatches for p in part.problems]
        return read + [p for part in self.catalog for p in part.problems]

    @property
    def failed(self) -> int:
        """Problems, delivery notes that could not become a ship notice, refused rows."""
        refused = sum(len(d.refused) for d in self.dispatches)
        rejected = sum(len(c.rejected) for c in self.catalog)
        return len(self.problems) + refused + rejected

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (Airflow XCom, CLI `--json`): the counts summed over the ERPs."""
        total: dict[str, object] = {"erp_partners": [d.erp for d in self.dispatches]}
        for name in ("dispatches", "ship_notices", "already_sent", "not_ours"):
            total[name] = sum(getattr(d, name) for d in self.dispatches)
        total["refused"] = [note for d in self.dispatches for note in d.refused]
        total["pulled"] = _summed(part.read for part in self.catalog)
        total["applied"] = _summed(part.applied for part in self.catalog)
        total["rejected"] = [row for part in self.catalog for row in part.rejected]
        return total


def _summed(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    """Counts per kind added up (a kind counted 0 stays: "read, nothing applied")."""
    total: dict[str, int] = {}
    for part in counts:
        for kind, count in part.items():
            total[kind] = total.get(kind, 0) + count
    return total


class ErpPull:
    """Reads every ERP partner (or one): delivery notes, then the catalogue when pulled."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        fulfilment: FulfilmentService,
        *,
        clock: Clock,
    ) -> None:
        self._directory = directory
        self._dispatches = ErpDispatchReader(uow, fulfilment, clock=clock)
        self._catalog = ErpCatalogPull(uow, clock=clock)

    def run(self, *, partner_key: str | None = None) -> ErpPullReport:
        """Read each ERP partner in turn (only `partner_key` when given)."""
        report = ErpPullReport()
        partners = [p for p in erp_partners(self._directory) if partner_key in (None, p.key)]
        if partner_key is not None and not partners:
            error = ConfigError(f"partner {partner_key!r} is not an enabled ERP partner")
            report.catalog.append(
                CatalogPullReport(partner_key, problems=[JobProblem.of(partner_key, error)])
            )
        for partner in partners:
            report.dispatches.append(self._dispatches.run(partner))
            report.catalog.append(self._catalog.run(partner))
        return report
