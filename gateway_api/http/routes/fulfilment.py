"""The supplier's actions on an order: confirm, ship, invoice, and cancel what was issued.

Each action commits its state change with an outbox row and answers 201 with the document; the
outbox dispatcher delivers it to the partner (`b2connect jobs run dispatch-outbox`, or the
Airflow DAGs). Refusals are problem+json: 404 unknown order, 409 the order's state forbids it
(rejected, cancelled, more than ordered, nothing shipped), 422 the request does not fit the order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from gateway_api.domain.fulfilment import FulfilmentConflictError, FulfilmentInputError
from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.fields import FilterText, SingleLine
from gateway_api.http.fulfilment_models import (
    ConfirmIn,
    CreditIn,
    FulfilmentOut,
    InvoiceIn,
    IssuedOut,
    OutboxOut,
    ShipIn,
)
from gateway_api.http.openapi import UNAUTHORIZED, conflict, not_found
from gateway_api.http.problems import ProblemError
from gateway_api.services.fulfilment import IssuedResult, OrderNotFoundError

router = APIRouter(
    tags=["fulfilment"], dependencies=[Depends(require_operator)], responses=UNAUTHORIZED
)

ACTION_REFUSALS = {
    **not_found("order"),
    **conflict(
        "The order's state forbids it (rejected, cancelled, more than ordered, nothing shipped, "
        "a document number already used)"
    ),
}
"""What every action on an order may answer besides 201 and 422."""

BusinessIdPath = Annotated[SingleLine, Path(min_length=1, max_length=255)]


async def _act(order_uuid: UUID, action: Callable[[], IssuedResult]) -> IssuedOut:
    try:
        return IssuedOut.of(await run_in_threadpool(action))
    except OrderNotFoundError:
        raise ProblemError(404, "Order not found", f"no order with id {order_uuid}") from None
    except FulfilmentConflictError as error:
        raise ProblemError(409, "Conflict with the order's state", str(error)) from None
    except FulfilmentInputError as error:
        raise ProblemError(422, "The request does not fit the order", str(error)) from None
    except ValidationError as error:
        detail = "; ".join(e["msg"] for e in error.errors())
        raise ProblemError(422, "The resulting document would be invalid", detail) from None


@router.post(
    "/orders/{order_uuid}/confirmations",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Confirm an order: accept, reject, or detail per line",
)
async def confirm_order(order_uuid: UUID, body: ConfirmIn, runtime: RuntimeDep) -> IssuedOut:
    """A second confirmation is sent as an update of the first (same confirmation id)."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.confirm(order_uuid, body.command()))


@router.post(
    "/orders/{order_uuid}/shipments",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Record a shipment (ship notice)",
)
async def ship_order(order_uuid: UUID, body: ShipIn, runtime: RuntimeDep) -> IssuedOut:
    """Ship some or all remaining quantities; never more than ordered less rejected."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.ship(order_uuid, body.command()))


@router.post(
    "/orders/{order_uuid}/shipments/{shipment_id}/cancel",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Withdraw a ship notice (sent as a delete)",
)
async def cancel_shipment(
    order_uuid: UUID, shipment_id: BusinessIdPath, runtime: RuntimeDep
) -> IssuedOut:
    """Refused while the shipment's quantities are invoiced."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.cancel_shipment(order_uuid, shipment_id))


@router.post(
    "/orders/{order_uuid}/invoices",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Invoice shipped lines",
)
async def invoice_order(order_uuid: UUID, body: InvoiceIn, runtime: RuntimeDep) -> IssuedOut:
    """Bills shipped, not yet invoiced quantities at the order's prices."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.invoice(order_uuid, body.command()))


@router.post(
    "/orders/{order_uuid}/credit-memos",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Issue a credit memo",
)
async def credit_order(order_uuid: UUID, body: CreditIn, runtime: RuntimeDep) -> IssuedOut:
    """A header-level credit, at most what is invoiced on the order."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.credit(order_uuid, body.command()))


@router.post(
    "/orders/{order_uuid}/invoices/{invoice_id}/cancel",
    status_code=201,
    responses=ACTION_REFUSALS,
    summary="Cancel an invoice (sent as a delete)",
)
async def cancel_invoice(
    order_uuid: UUID, invoice_id: BusinessIdPath, runtime: RuntimeDep
) -> IssuedOut:
    """Its quantities may be invoiced again."""
    service = runtime.fulfilment
    return await _act(order_uuid, lambda: service.cancel_invoice(order_uuid, invoice_id))


@router.get(
    "/orders/{order_uuid}/fulfilment",
    summary="Per-line progress and issued documents",
    responses=not_found("order"),
)
async def order_fulfilment(order_uuid: UUID, runtime: RuntimeDep) -> FulfilmentOut:
    """Ordered, rejected, shipped and invoiced per line, and each document's delivery state."""
    try:
        view = await run_in_threadpool(runtime.fulfilment.view, order_uuid)
    except OrderNotFoundError:
        raise ProblemError(404, "Order not found", f"no order with id {order_uuid}") from None
    return FulfilmentOut.of(view)


@router.get("/outbox", summary="Outbound documents and their delivery state")
async def list_outbox(
    runtime: RuntimeDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead)$")] = None,
    partner: FilterText | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[OutboxOut]:
    """Oldest first."""
    rows = await run_in_threadpool(
        runtime.queries.outbox, status=status, partner_key=partner, limit=limit
    )
    return [OutboxOut.of(row) for row in rows]
