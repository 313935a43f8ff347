"""`b2connect dead-letters list|replay`: documents held for a person, and running them again."""

from __future__ import annotations

import sys
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from gateway_api.cli_errors import fail
from gateway_api.cli_runtime import known_partner, open_runtime
from gateway_api.cli_tables import print_table, table
from gateway_api.store.records import DeadLetterStatus

dead_letters_app = typer.Typer(
    help="Documents held for review, and their replay.", no_args_is_help=True, rich_markup_mode=None
)

console = Console()


@dead_letters_app.command("list")
def dead_letters_list(
    status: Annotated[DeadLetterStatus, typer.Option(help="Which dead letters.")] = (
        DeadLetterStatus.OPEN
    ),
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """List dead letters, oldest first, with the ids `dead-letters replay` takes."""
    from gateway_api.http.models import DeadLetterOut  # noqa: PLC0415

    runtime = open_runtime()
    try:
        rows = runtime.dead_letters.list(
            status=status.value, partner_key=known_partner(runtime, partner), limit=1000
        )
    finally:
        runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(DeadLetterOut.of(row).model_dump_json() + "\n")
        return
    listed = table(["id", "partner", "stage", "attempts", "held at"], ["error"])
    for row in rows:
        listed.add_row(
            str(row.id),
            row.partner_key,
            row.stage,
            str(row.attempts),
            row.created_at.isoformat(timespec="seconds"),
            row.error,
        )
    print_table(console, listed)


@dead_letters_app.command("replay")
def dead_letters_replay(dead_letter_id: UUID) -> None:
    """Replay one dead letter (after fixing its mapping); exit 1 if it fails again."""
    from gateway_api.services.dead_letters import (  # noqa: PLC0415
        DeadLetterClosedError,
        DeadLetterNotFoundError,
    )

    runtime = open_runtime()
    try:
        result = runtime.dead_letters.replay(dead_letter_id)
    except DeadLetterNotFoundError:
        raise fail(
            f"No dead letter {dead_letter_id}; `b2connect dead-letters list` shows them."
        ) from None
    except DeadLetterClosedError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.close()
    if not result.succeeded:
        typer.echo(f"replay failed: {result.error}", err=True)
        raise typer.Exit(1)
    if result.order_uuid is None:
        console.print("replayed: the document was delivered")
        return
    console.print(f"replayed: order {result.order_uuid} now at version {result.order_version}")
