"""`b2connect orders ...`, `b2connect outbox ...` and `b2connect jobs run ...`.

The order actions take the same JSON bodies as the API (`POST /orders/{id}/confirmations` and
friends, see /docs), validated by the same models, so the CLI and the API cannot drift:

    b2connect orders confirm coupa-demo PO-1001 '{"type": "accept"}'
    b2connect orders ship coupa-demo PO-1001 '{"delivery_date": "2026-12-01T12:00:00Z"}'
    b2connect orders invoice coupa-demo PO-1001 '{"tax_rate": "8.25"}'
    b2connect jobs run dispatch-outbox
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime
    from gateway_api.services.fulfilment import IssuedResult

_M = TypeVar("_M", bound=BaseModel)

orders_app = typer.Typer(help="Confirm, ship and invoice orders.", no_args_is_help=True)
outbox_app = typer.Typer(help="Outbound documents and their delivery.", no_args_is_help=True)
jobs_app = typer.Typer(help="Run a job once (what the Airflow DAGs schedule).")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

Partner = Annotated[str, typer.Argument(help="Partner key (coupa-demo).")]
OrderId = Annotated[str, typer.Argument(help="The buyer's order number.")]
Body = Annotated[str, typer.Argument(help="JSON body, as for the API; '-' reads stdin.")]


def _runtime() -> Runtime:
    from gateway_api.runtime import build_runtime  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415

    runtime = build_runtime(get_settings())
    runtime.sync_partners()
    return runtime


def _parse(model: type[_M], body: str) -> _M:
    text = sys.stdin.read() if body == "-" else body
    try:
        return model.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as error:
        err_console.print(f"invalid body: {error}")
        raise typer.Exit(2) from None


def _act(partner: str, order_id: str, action: Callable[[Runtime, UUID], IssuedResult]) -> None:
    from gateway_api.domain.fulfilment import FulfilmentError  # noqa: PLC0415
    from gateway_api.http.fulfilment_models import IssuedOut  # noqa: PLC0415

    runtime = _runtime()
    try:
        found = runtime.queries.orders(partner_key=partner, order_id=order_id, limit=1)
        if not found:
            err_console.print(f"no order {order_id!r} of partner {partner!r}")
            raise typer.Exit(2)
        try:
            result = action(runtime, found[0].id)
        except (FulfilmentError, ValidationError) as error:
            err_console.print(f"refused: {error}")
            raise typer.Exit(1) from None
    finally:
        runtime.close()
    sys.stdout.write(IssuedOut.of(result).model_dump_json(indent=2) + "\n")


@orders_app.command("confirm")
def confirm(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Accept, reject or detail an order: '{"type": "accept"}'."""
    from gateway_api.http.fulfilment_models import ConfirmIn  # noqa: PLC0415

    command = _parse(ConfirmIn, body).command()
    _act(partner, order_id, lambda r, u: r.fulfilment.confirm(u, command))


@orders_app.command("ship")
def ship(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Record a shipment: '{"delivery_date": "...", "lines": [...], "carrier": {...}}'."""
    from gateway_api.http.fulfilment_models import ShipIn  # noqa: PLC0415

    command = _parse(ShipIn, body).command()
    _act(partner, order_id, lambda r, u: r.fulfilment.ship(u, command))


@orders_app.command("cancel-shipment")
def cancel_shipment(partner: Partner, order_id: OrderId, shipment_id: str) -> None:
    """Withdraw a ship notice."""
    _act(partner, order_id, lambda r, u: r.fulfilment.cancel_shipment(u, shipment_id))


@orders_app.command("invoice")
def invoice(partner: Partner, order_id: OrderId, body: Body = "{}") -> None:
    """Invoice shipped lines: '{"tax_rate": "8.25", "shipping": "12.50"}'."""
    from gateway_api.http.fulfilment_models import InvoiceIn  # noqa: PLC0415

    command = _parse(InvoiceIn, body).command()
    _act(partner, order_id, lambda r, u: r.fulfilment.invoice(u, command))


@orders_app.command("credit")
def credit(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Issue a credit memo: '{"amount": "10.00", "reason": "damaged in transit"}'."""
    from gateway_api.http.fulfilment_models import CreditIn  # noqa: PLC0415

    command = _parse(CreditIn, body).command()
    _act(partner, order_id, lambda r, u: r.fulfilment.credit(u, command))


@orders_app.command("cancel-invoice")
def cancel_invoice(partner: Partner, order_id: OrderId, invoice_id: str) -> None:
    """Cancel an invoice or memo."""
    _act(partner, order_id, lambda r, u: r.fulfilment.cancel_invoice(u, invoice_id))


@outbox_app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead.")] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Outbound documents, oldest first."""
    from gateway_api.http.fulfilment_models import OutboxOut  # noqa: PLC0415

    runtime = _runtime()
    rows = runtime.queries.outbox(status=status, partner_key=partner, limit=1000)
    runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(OutboxOut.of(row).model_dump_json() + "\n")
        return
    table = Table("id", "partner", "kind", "order", "status", "attempts", "last error")
    for row in rows:
        table.add_row(
            str(row.id),
            row.partner_key,
            row.kind,
            row.correlation_id or "",
            row.status.value,
            str(row.attempts),
            row.last_error or "",
        )
    console.print(table)


@jobs_app.command("run")
def run_job(
    name: Annotated[
        str, typer.Argument(help="Job name: dispatch-outbox, poll-file-drops, pull-orders.")
    ],
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    max_documents: Annotated[int | None, typer.Option(help="Stop after this many.")] = None,
) -> None:
    """Run one job now and print its report as JSON; exit 1 when something needs a person."""
    from gateway_api.services.jobs import JOBS  # noqa: PLC0415

    job = JOBS.get(name)
    if job is None:
        err_console.print(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}")
        raise typer.Exit(2)
    runtime = _runtime()
    try:
        report = job(runtime, partner_key=partner, max_documents=max_documents)
    finally:
        runtime.close()
    result: dict[str, Any] = report.as_dict()
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if report.failed:
        raise typer.Exit(1)
