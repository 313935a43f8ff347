"""Orders as the hub holds them: canonical JSON, status and history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.fields import MAX_OFFSET, FilterText
from gateway_api.http.models import OrderOut, OrderSummaryOut
from gateway_api.http.openapi import UNAUTHORIZED, not_found
from gateway_api.http.problems import ProblemError

router = APIRouter(
    prefix="/orders",
    tags=["orders"],
    dependencies=[Depends(require_operator)],
    responses=UNAUTHORIZED,
)


@router.get("", summary="List orders, most recently changed first")
async def list_orders(
    runtime: RuntimeDep,
    partner: FilterText | None = None,
    status: Annotated[str | None, Query(pattern="^(open|cancelled)$")] = None,
    order_id: FilterText | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OrderSummaryOut]:
    """Orders filtered by partner, status or the buyer's order number."""
    rows = await run_in_threadpool(
        runtime.queries.orders,
        partner_key=partner,
        status=status,
        order_id=order_id,
        limit=limit,
        offset=offset,
    )
    return [OrderSummaryOut.of(row) for row in rows]


@router.get(
    "/{order_uuid}",
    summary="One order with its canonical document and history",
    responses=not_found("order"),
)
async def get_order(order_uuid: UUID, runtime: RuntimeDep) -> OrderOut:
    """The current canonical order, its status, mapping provenance and every version."""
    detail = await run_in_threadpool(runtime.queries.order, order_uuid)
    if detail is None:
        raise ProblemError(404, "Order not found", f"no order with id {order_uuid}")
    return OrderOut.of(detail)
