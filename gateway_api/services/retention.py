"""Retention of raw documents: bodies older than the policy are emptied, in batches.

The document log keeps every byte a partner sent so it can be replayed and audited; it would
grow without bound. Past `retention_days` the body is emptied and `body_purged_at` set, while
the row (partner, kind, outcome, payload id, size, sha256, time) stays: the log still proves
what arrived, and orders, events and dead letters keep their references. A body an open or
parked dead letter needs is kept until the dead letter is replayed. Batches keep each
transaction short, so ingest is never blocked behind a long purge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from connectors.core import Clock
from gateway_api.services.job_problems import JobProblem
from gateway_api.store.ports import UnitOfWorkFactory

BATCH = 5000
"""Bodies emptied per transaction."""


@dataclass
class RetentionReport:
    """What one retention run emptied."""

    purged: int = 0
    cutoff: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {"purged": self.purged, "cutoff": self.cutoff}

    @property
    def failed(self) -> int:
        """Nothing in a purge needs a person."""
        return 0

    @property
    def problems(self) -> list[JobProblem]:
        """None: a failing purge raises (the store is down) and the scheduler retries it."""
        return []


def purge_raw_documents(
    uow: UnitOfWorkFactory, *, clock: Clock, retention_days: int, max_documents: int | None = None
) -> RetentionReport:
    """Empty the bodies logged more than `retention_days` ago, `BATCH` per transaction, until
    none is left (or `max_documents` were emptied)."""
    now = clock()
    cutoff = now - timedelta(days=retention_days)
    report = RetentionReport(cutoff=cutoff.isoformat())
    while max_documents is None or report.purged < max_documents:
        limit = BATCH if max_documents is None else min(BATCH, max_documents - report.purged)
        with uow() as unit:
            purged = unit.documents.purge_bodies(created_before=cutoff, at=now, limit=limit)
            unit.commit()
        report.purged += purged
        if purged < limit:
            break
    return report
