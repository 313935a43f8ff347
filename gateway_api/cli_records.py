"""`b2connect orders list|show` and `b2connect documents list|show`: the read side of the
operator API (`GET /orders`, `/documents`, `/documents/{id}/raw`) on the command line, through
the same query service and JSON shapes."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from gateway_api.cli_errors import fail
from gateway_api.cli_runtime import known_partner, open_runtime
from gateway_api.cli_tables import print_table, table
from gateway_api.domain.order import OrderStatus
from gateway_api.store.records import DocumentOutcome

documents_app = typer.Typer(
    help="The document log: every document received and sent, with its raw bytes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

console = Console()

PartnerFilter = Annotated[str | None, typer.Option("--partner", help="Only this partner.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")]
Limit = Annotated[int, typer.Option(min=1, max=1000, help="At most this many rows.")]


class Direction(StrEnum):
    """Which way a document went."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


def orders_list(
    *,
    partner: PartnerFilter = None,
    status: Annotated[OrderStatus | None, typer.Option(help="Only orders in this state.")] = None,
    limit: Limit = 100,
    as_json: JsonFlag = False,
) -> None:
    """Orders, most recently changed first (`orders show PARTNER ORDER_ID` for one)."""
    from gateway_api.http.models import OrderSummaryOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        rows = runtime.queries.orders(
            partner_key=known_partner(runtime, partner),
            status=None if status is None else status.value,
            limit=limit,
        )
    finally:
        runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(OrderSummaryOut.of(row).model_dump_json() + "\n")
        return
    listed = table(["order", "partner", "status", "version", "total", "updated", "id"])
    for row in rows:
        out = OrderSummaryOut.of(row)
        listed.add_row(
            out.order_id,
            out.partner,
            out.status,
            str(out.version),
            "" if out.total is None else f"{out.total} {out.currency}",
            out.updated_at.isoformat(timespec="seconds"),
            str(out.id),
        )
    print_table(console, listed)


def orders_show(
    partner: Annotated[str, typer.Argument(help="Partner key (coupa-demo).")],
    order_id: Annotated[str, typer.Argument(help="The buyer's order number.")],
) -> None:
    """One order as JSON: canonical document, mapping provenance and history."""
    from gateway_api.http.models import OrderOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        found = runtime.queries.orders(
            partner_key=known_partner(runtime, partner), order_id=order_id, limit=1
        )
        detail = runtime.queries.order(found[0].id) if found else None
    finally:
        runtime.close()
    if detail is None:
        raise fail(
            f"No order {order_id!r} of partner {partner!r}; `b2connect orders list` shows them."
        )
    sys.stdout.write(OrderOut.of(detail).model_dump_json(indent=2) + "\n")


@documents_app.command("list")
def documents_list(
    *,
    partner: PartnerFilter = None,
    direction: Annotated[Direction | None, typer.Option(help="inbound or outbound.")] = None,
    kind: Annotated[str | None, typer.Option(help="Document kind (OrderRequest, 850).")] = None,
    outcome: Annotated[
        DocumentOutcome | None, typer.Option(help="What the hub did with it.")
    ] = None,
    order: Annotated[str | None, typer.Option(help="Only documents of this order number.")] = None,
    limit: Limit = 100,
    as_json: JsonFlag = False,
) -> None:
    """The document log, newest first (`documents show ID [--raw]` for one)."""
    from gateway_api.http.models import DocumentOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        rows = runtime.queries.documents(
            partner_key=known_partner(runtime, partner),
            direction=None if direction is None else direction.value,
            kind=kind,
            outcome=None if outcome is None else outcome.value,
            correlation_id=order,
            limit=limit,
        )
    finally:
        runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(DocumentOut.of(row).model_dump_json() + "\n")
        return
    listed = table(
        ["id", "at", "partner", "direction", "kind", "outcome", "order", "size"], ["detail"]
    )
    for row in rows:
        listed.add_row(
            str(row.id),
            row.created_at.isoformat(timespec="seconds"),
            row.partner_key or "",
            row.direction,
            row.kind,
            row.outcome.value,
            row.correlation_id or "",
            str(row.size),
            row.detail or "",
        )
    print_table(console, listed)


@documents_app.command("show")
def documents_show(
    document_id: Annotated[UUID, typer.Argument(help="The document's id (documents list).")],
    raw: Annotated[
        bool, typer.Option("--raw", help="Write the bytes as received or sent, nothing else.")
    ] = False,
) -> None:
    """One document as JSON with the answers we sent to it, or its raw bytes (`--raw`)."""
    from gateway_api.http.models import DocumentDetailOut, DocumentOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        found = runtime.queries.document(document_id)
    finally:
        runtime.close()
    if found is None:
        raise fail(f"No document {document_id}; `b2connect documents list` shows them.")
    record, replies = found
    if raw:
        if record.body_truncated:
            typer.echo(
                f"only the first {len(record.body)} of {record.size} bytes were kept", err=True
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(record.body)
        sys.stdout.buffer.flush()
        return
    detail = DocumentDetailOut(
        **DocumentOut.of(record).model_dump(), replies=[DocumentOut.of(r) for r in replies]
    )
    sys.stdout.write(detail.model_dump_json(indent=2) + "\n")
