"""Reconciliation findings: what the scheduled checks found fell through, one row each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.fields import MAX_OFFSET, FilterText
from gateway_api.http.openapi import UNAUTHORIZED
from gateway_api.http.reconciliation_models import FindingOut
from gateway_api.services.reconciliation import list_findings
from gateway_api.store.reconciliation_records import Rule

RULE_PATTERN = "^(" + "|".join(rule.value for rule in Rule) + ")$"

router = APIRouter(
    prefix="/reconciliation",
    tags=["reconciliation"],
    dependencies=[Depends(require_operator)],
    responses=UNAUTHORIZED,
)


@router.get("", summary="Reconciliation findings, most recently seen first")
async def list_reconciliation_findings(
    runtime: RuntimeDep,
    status: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
    rule: Annotated[str | None, Query(pattern=RULE_PATTERN)] = None,
    partner: FilterText | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[FindingOut]:
    """Open findings by default; `status=closed` for those the data fixed, `all` for both.

    The reconciliation job (`b2connect jobs run reconcile`, the Airflow DAG `reconciliation`)
    writes them; see docs/reconciliation.md for the rules and the partners' deadlines."""
    rows = await run_in_threadpool(
        list_findings,
        runtime.uow,
        status=None if status == "all" else status,
        rule=rule,
        partner_key=partner,
        limit=limit,
        offset=offset,
    )
    return [FindingOut.of(row) for row in rows]
