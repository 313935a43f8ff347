"""`b2connect orders confirm|ship|invoice|credit|cancel-...` and `b2connect outbox list`.

The order actions take the same JSON bodies as the API (`POST /orders/{id}/confirmations` and
friends, see /docs), validated by the same models, so the CLI and the API cannot drift:

    b2connect orders confirm coupa-demo PO-1001 '{"type": "accept"}'
    b2connect orders ship coupa-demo PO-1001 '{"delivery_date": "2026-12-01T12:00:00Z"}'
    b2connect orders invoice coupa-demo PO-1001 '{"tax_rate": "8.25"}'
    b2connect jobs run dispatch-outbox

Bodies that do not validate are explained field by field, without pydantic's inputs or links.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar
from uuid import UUID

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from gateway_api.cli_errors import describe_input, fail
from gateway_api.cli_runtime import known_partner, open_runtime
from gateway_api.cli_tables import print_table, table
from gateway_api.store.records import OutboxStatus

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime
    from gateway_api.services.fulfilment import IssuedResult

_M = TypeVar("_M", bound=BaseModel)
_C = TypeVar("_C")

orders_app = typer.Typer(
    help="Orders: list and show them; confirm, ship and invoice them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
outbox_app = typer.Typer(
    help="Outbound documents and their delivery.", no_args_is_help=True, rich_markup_mode=None
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

Partner = Annotated[str, typer.Argument(help="Partner key (coupa-demo).")]
OrderId = Annotated[str, typer.Argument(help="The buyer's order number.")]
Body = Annotated[str, typer.Argument(help="JSON body, as for the API; '-' reads stdin.")]


def body_command(model: type[_M], body: str, build: Callable[[_M], _C]) -> _C:
    """The domain command of a JSON body, or one sentence and exit 2 when it cannot be one.

    Both steps can refuse the body: the request model checks its fields, and building the
    command checks the canonical parts it makes (a package marked `is_sscc` must be an SSCC-18).
    """
    text = sys.stdin.read() if body == "-" else body
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"invalid body: not JSON ({error.msg} at line {error.lineno} column {error.colno})"
        raise fail(msg) from None
    try:
        return build(model.model_validate(data))
    except ValidationError as error:
        raise fail(f"invalid body: {describe_input(error)}") from None


def _act(partner: str, order_id: str, action: Callable[[Runtime, UUID], IssuedResult]) -> None:
    from gateway_api.domain.fulfilment import FulfilmentError  # noqa: PLC0415
    from gateway_api.http.fulfilment_models import IssuedOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        found = runtime.queries.orders(
            partner_key=known_partner(runtime, partner), order_id=order_id, limit=1
        )
        if not found:
            raise fail(
                f"No order {order_id!r} of partner {partner!r}; `b2connect orders list` shows them."
            )
        try:
            result = action(runtime, found[0].id)
        except FulfilmentError as error:
            err_console.print(f"refused: {error}", markup=False)
            raise typer.Exit(1) from None
        except ValidationError as error:
            err_console.print(f"refused: {describe_input(error)}", markup=False)
            raise typer.Exit(1) from None
    finally:
        runtime.close()
    sys.stdout.write(IssuedOut.of(result).model_dump_json(indent=2) + "\n")


@orders_app.command("confirm")
def confirm(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Accept, reject or detail an order: '{"type": "accept"}'."""
    from gateway_api.http.fulfilment_models import ConfirmIn  # noqa: PLC0415

    command = body_command(ConfirmIn, body, ConfirmIn.command)
    _act(partner, order_id, lambda r, u: r.fulfilment.confirm(u, command))


@orders_app.command("ship")
def ship(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Record a shipment: '{"delivery_date": "...", "lines": [...], "carrier": {...}}'."""
    from gateway_api.http.fulfilment_models import ShipIn  # noqa: PLC0415

    command = body_command(ShipIn, body, ShipIn.command)
    _act(partner, order_id, lambda r, u: r.fulfilment.ship(u, command))


@orders_app.command("cancel-shipment")
def cancel_shipment(partner: Partner, order_id: OrderId, shipment_id: str) -> None:
    """Withdraw a ship notice."""
    _act(partner, order_id, lambda r, u: r.fulfilment.cancel_shipment(u, shipment_id))


@orders_app.command("invoice")
def invoice(partner: Partner, order_id: OrderId, body: Body = "{}") -> None:
    """Invoice shipped lines: '{"tax_rate": "8.25", "shipping": "12.50"}'."""
    from gateway_api.http.fulfilment_models import InvoiceIn  # noqa: PLC0415

    command = body_command(InvoiceIn, body, InvoiceIn.command)
    _act(partner, order_id, lambda r, u: r.fulfilment.invoice(u, command))


@orders_app.command("credit")
def credit(partner: Partner, order_id: OrderId, body: Body) -> None:
    """Issue a credit memo: '{"amount": "10.00", "reason": "damaged in transit"}'."""
    from gateway_api.http.fulfilment_models import CreditIn  # noqa: PLC0415

    command = body_command(CreditIn, body, CreditIn.command)
    _act(partner, order_id, lambda r, u: r.fulfilment.credit(u, command))


@orders_app.command("cancel-invoice")
def cancel_invoice(partner: Partner, order_id: OrderId, invoice_id: str) -> None:
    """Cancel an invoice or memo."""
    _act(partner, order_id, lambda r, u: r.fulfilment.cancel_invoice(u, invoice_id))


@outbox_app.command("list")
def outbox_list(
    status: Annotated[OutboxStatus | None, typer.Option(help="Only rows in this state.")] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Outbound documents, oldest first, with when each is tried next."""
    from gateway_api.http.fulfilment_models import OutboxOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        rows = runtime.queries.outbox(
            status=None if status is None else status.value,
            partner_key=known_partner(runtime, partner),
            limit=1000,
        )
    finally:
        runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(OutboxOut.of(row).model_dump_json() + "\n")
        return
    listed = table(
        ["id", "partner", "kind", "order", "status", "attempts", "next attempt"], ["last error"]
    )
    for row in rows:
        listed.add_row(
            str(row.id),
            row.partner_key,
            row.kind,
            row.correlation_id or "",
            row.status.value,
            str(row.attempts),
            "" if row.status is not OutboxStatus.PENDING else _at(row.next_attempt_at),
            row.last_error or "",
        )
    print_table(console, listed)


def _at(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")
