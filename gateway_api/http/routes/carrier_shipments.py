"""Carrier shipments: book one for an order, read its label data and tracking, cancel it.

Booking calls the carrier while the request waits (the connector retries timeouts and 5xx
within bounds). Refusals are problem+json: 404 unknown order, carrier or shipment; 409 the
shipment's state forbids it (a parcel on its way, a reference of another order); 422 the
booking cannot be made as asked (the carrier's words); 503 the carrier could not be reached or
refused our credentials: the shipment is kept in `booking` and booked again by the next attempt
or tracking run, under the same reference, so it is never booked twice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.openapi import UNAUTHORIZED, conflict, not_found, problem
from gateway_api.http.problems import ProblemError
from gateway_api.http.shipment_models import BookShipmentIn, ShipmentOut
from gateway_api.services.shipments import (
    BookingRefusedError,
    CarrierNotFoundError,
    CarrierUnavailableError,
    ShipmentConflictError,
    ShipmentNotFoundError,
)

router = APIRouter(
    tags=["carrier shipments"], dependencies=[Depends(require_operator)], responses=UNAUTHORIZED
)

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: problem(
        "The carrier could not be reached or refused our credentials; the shipment is kept "
        "and booked again later under the same reference"
    )
}


def _refusal(error: Exception) -> ProblemError:
    if isinstance(error, ShipmentNotFoundError):
        return ProblemError(404, "Shipment not found", f"no shipment with id {error}")
    if isinstance(error, CarrierNotFoundError):
        return ProblemError(404, "Carrier not found", str(error))
    if isinstance(error, LookupError):
        return ProblemError(404, "Order not found", f"no order with id {error}")
    if isinstance(error, ShipmentConflictError):
        return ProblemError(409, "Conflict with the shipment's state", str(error))
    if isinstance(error, BookingRefusedError):
        return ProblemError(422, "The booking cannot be made as asked", str(error))
    if isinstance(error, CarrierUnavailableError):
        return ProblemError(503, "The carrier is unavailable", str(error))
    raise error


@router.post(
    "/orders/{order_uuid}/carrier-shipments",
    status_code=201,
    summary="Book a shipment of the order with a cargo carrier",
    responses={
        **not_found("order or carrier"),
        **conflict("The reference belongs to another order's shipment"),
        **UNAVAILABLE,
    },
)
async def book_carrier_shipment(
    order_uuid: UUID, body: BookShipmentIn, runtime: RuntimeDep
) -> ShipmentOut:
    """The carrier books it under our reference and answers with its numbers (tracking
    number, barcodes, label data where it gives them). The ship notice goes to the buyer when
    the carrier reports the pickup (`track_shipments` DAG)."""
    try:
        record = await run_in_threadpool(runtime.shipments.book, order_uuid, body.command())
    except (LookupError, ShipmentConflictError, BookingRefusedError, CarrierUnavailableError) as e:
        raise _refusal(e) from None
    return ShipmentOut.of(record)


@router.get(
    "/orders/{order_uuid}/carrier-shipments",
    summary="The order's carrier shipments",
    responses=not_found("order"),
)
async def list_carrier_shipments(order_uuid: UUID, runtime: RuntimeDep) -> list[ShipmentOut]:
    """Oldest first."""
    try:
        records = await run_in_threadpool(runtime.shipments.for_order, order_uuid)
    except LookupError as error:
        raise _refusal(error) from None
    return [ShipmentOut.of(record) for record in records]


@router.get(
    "/carrier-shipments/{shipment_id}",
    summary="One shipment: label data, tracking status and the carrier's events",
    responses=not_found("shipment"),
)
async def get_carrier_shipment(shipment_id: UUID, runtime: RuntimeDep) -> ShipmentOut:
    """The events are the carrier's, oldest first, with its own codes."""
    try:
        view = await run_in_threadpool(runtime.shipments.view, shipment_id)
    except ShipmentNotFoundError as error:
        raise _refusal(error) from None
    return ShipmentOut.of_view(view)


@router.post(
    "/carrier-shipments/{shipment_id}/cancel",
    summary="Cancel the booking at the carrier",
    responses={
        **not_found("shipment"),
        **conflict("The carrier will not cancel it: the parcel is on its way"),
        **UNAVAILABLE,
    },
)
async def cancel_carrier_shipment(shipment_id: UUID, runtime: RuntimeDep) -> ShipmentOut:
    """Cancelling a cancelled shipment answers it as it is."""
    try:
        record = await run_in_threadpool(runtime.shipments.cancel, shipment_id)
    except (LookupError, ShipmentConflictError, CarrierUnavailableError) as error:
        raise _refusal(error) from None
    return ShipmentOut.of(record)


@router.post(
    "/carrier-shipments/{shipment_id}/track",
    summary="Ask the carrier now, instead of waiting for the next tracking run",
    responses={**not_found("shipment"), **UNAVAILABLE},
)
async def track_carrier_shipment(shipment_id: UUID, runtime: RuntimeDep) -> ShipmentOut:
    """Books it first if it is still `booking`; a pickup sends the ship notice."""
    try:
        view = await run_in_threadpool(runtime.shipments.track_one, shipment_id)
    except (LookupError, BookingRefusedError, CarrierUnavailableError) as error:
        raise _refusal(error) from None
    return ShipmentOut.of_view(view)
