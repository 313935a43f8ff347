"""`b2connect shipments book|list|show|cancel|track`: carrier shipments from the command line.

`book` takes the same JSON body as `POST /orders/{id}/carrier-shipments` (see /docs), validated
by the same model, so the CLI and the API cannot drift:

    b2connect shipments book coupa-demo PO-1001 \\
        '{"carrier": "yurtici-demo", "parcels": [{"weight_kg": "8.5", "desi": "3"}]}'
    b2connect shipments show <shipment id>
    b2connect shipments track yurtici-demo        # what the track_shipments DAG runs

Refusals print one sentence and exit 1 (the carrier refused, too late to cancel, carrier
unreachable: the shipment is kept and booked again later under the same reference).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar
from uuid import UUID

import typer
from rich.console import Console

from gateway_api.cli_errors import fail
from gateway_api.cli_fulfilment import Body, OrderId, Partner, body_command
from gateway_api.cli_runtime import known_partner, open_runtime
from gateway_api.cli_tables import print_table, table

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime

_T = TypeVar("_T")

shipments_app = typer.Typer(
    help="Carrier shipments: book, follow and cancel them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

ShipmentId = Annotated[UUID, typer.Argument(help="The shipment's id (from `book` or `list`).")]


def _run(action: Callable[[Runtime], _T]) -> _T:
    """`action` on a runtime; a refusal is one sentence on stderr and exit 1."""
    from gateway_api.services.shipments import (  # noqa: PLC0415
        BookingRefusedError,
        CarrierUnavailableError,
        ShipmentConflictError,
    )

    runtime = open_runtime()
    try:
        return action(runtime)
    except LookupError as error:
        raise fail(f"not found: {error}") from None
    except (BookingRefusedError, ShipmentConflictError, CarrierUnavailableError) as error:
        err_console.print(f"refused: {error}", markup=False)
        raise typer.Exit(1) from None
    finally:
        runtime.close()


def _order_uuid(runtime: Runtime, partner: str, order_id: str) -> UUID:
    found = runtime.queries.orders(
        partner_key=known_partner(runtime, partner), order_id=order_id, limit=1
    )
    if not found:
        msg = f"No order {order_id!r} of partner {partner!r}; `b2connect orders list` shows them."
        raise fail(msg)
    return found[0].id


@shipments_app.command("book")
def book(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Book a shipment of an order: '{"carrier": "yurtici-demo", "parcels": [...]}'."""
    from gateway_api.http.shipment_models import BookShipmentIn, ShipmentOut  # noqa: PLC0415

    command = body_command(BookShipmentIn, body, BookShipmentIn.command)
    record = _run(lambda r: r.shipments.book(_order_uuid(r, partner, order_id), command))
    sys.stdout.write(ShipmentOut.of(record).model_dump_json(indent=2) + "\n")


@shipments_app.command("list")
def list_shipments(partner: Partner, order_id: OrderId) -> None:
    """The order's carrier shipments."""
    records = _run(lambda r: r.shipments.for_order(_order_uuid(r, partner, order_id)))
    listed = table(
        ["id", "carrier", "reference", "state", "status", "tracking number", "ship notice"],
        ["error"],
    )
    for record in records:
        listed.add_row(
            str(record.id),
            record.carrier_key,
            record.reference,
            record.state.value,
            record.tracking_status,
            record.tracking_number or "",
            record.ship_notice_id or "",
            record.error or "",
        )
    print_table(console, listed)


@shipments_app.command("show")
def show(shipment_id: ShipmentId) -> None:
    """One shipment as JSON: label data, status and the carrier's events."""
    from gateway_api.http.shipment_models import ShipmentOut  # noqa: PLC0415

    view = _run(lambda r: r.shipments.view(shipment_id))
    sys.stdout.write(ShipmentOut.of_view(view).model_dump_json(indent=2) + "\n")


@shipments_app.command("cancel")
def cancel(shipment_id: ShipmentId) -> None:
    """Cancel the booking at the carrier (refused once the parcel is on its way)."""
    from gateway_api.http.shipment_models import ShipmentOut  # noqa: PLC0415

    record = _run(lambda r: r.shipments.cancel(shipment_id))
    sys.stdout.write(ShipmentOut.of(record).model_dump_json(indent=2) + "\n")


@shipments_app.command("track")
def track(
    carrier: Annotated[str, typer.Argument(help="The carrier's partner key (yurtici-demo).")],
) -> None:
    """Poll the carrier's open shipments now (what the track_shipments DAG does)."""
    report = _run(lambda r: r.shipments.track(carrier))
    sys.stdout.write(report.summary() + "\n")
    for error in report.errors:
        err_console.print(f"  {error}", markup=False)
    if report.problems:
        raise typer.Exit(1)
