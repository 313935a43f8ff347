"""`b2connect api-keys create|list|revoke`: the keys ERP systems call the integration API with.

    b2connect api-keys create --name logo-prod --scope stock --scope prices
    b2connect api-keys list [--json]
    b2connect api-keys revoke 1a2b3c4d

`create` prints the key once, on stdout (nothing else is stored but its SHA-256): hand it to
the calling system. `list` shows prefixes, names, scopes and dates, never a key or a hash.
A scope is `products`, `stock`, `prices` or `customers` (`stock:write` is the same).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from gateway_api.cli_errors import fail
from gateway_api.cli_runtime import open_runtime
from gateway_api.cli_tables import print_table, table

if TYPE_CHECKING:
    from gateway_api.store.api_key_records import ApiKeyRecord

api_keys_app = typer.Typer(
    help="API keys of the systems that push to the integration API (the ERP).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@api_keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The calling system, e.g. logo-prod.")],
    scope: Annotated[
        list[str],
        typer.Option(help="products, stock, prices or customers; repeat for several."),
    ],
) -> None:
    """Make a key; it is printed once, and only its hash is kept."""
    from gateway_api.services.api_keys import ApiKeyError, ApiKeyService  # noqa: PLC0415

    runtime = open_runtime()
    try:
        created = ApiKeyService(runtime.uow, clock=runtime.clock).create(name, scope)
    except ApiKeyError as error:
        raise fail(f"Cannot make the key: {error}.") from None
    finally:
        runtime.close()
    record = created.record
    err_console.print(
        f"API key {record.prefix} for {record.name} ({', '.join(record.scopes)}). "
        "It is shown once; keep it in the calling system's secret store:",
        markup=False,
    )
    sys.stdout.write(created.key + "\n")


@api_keys_app.command("list")
def list_keys(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Every key: prefix, name, scopes, created, last used, revoked (never the key)."""
    from gateway_api.services.api_keys import ApiKeyService  # noqa: PLC0415

    runtime = open_runtime()
    try:
        records = ApiKeyService(runtime.uow, clock=runtime.clock).list()
    finally:
        runtime.close()
    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(_public(record)) + "\n")
        return
    rows = table(["prefix", "name", "scopes", "created", "last used", "revoked"])
    for record in records:
        view = _public(record)
        rows.add_row(
            view["prefix"],
            view["name"],
            ",".join(view["scopes"]),
            view["created_at"],
            view["last_used_at"] or "-",
            view["revoked_at"] or "-",
        )
    print_table(console, rows)


@api_keys_app.command("revoke")
def revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix (from `list`).")]) -> None:
    """Revoke a key at once: its next call is refused (401)."""
    from gateway_api.services.api_keys import ApiKeyService, UnknownApiKeyError  # noqa: PLC0415

    runtime = open_runtime()
    try:
        record = ApiKeyService(runtime.uow, clock=runtime.clock).revoke(prefix)
    except UnknownApiKeyError:
        raise fail(f"No API key {prefix!r}; `b2connect api-keys list` shows them.") from None
    finally:
        runtime.close()
    console.print(f"API key {record.prefix} ({record.name}) revoked", markup=False)


def _public(record: ApiKeyRecord) -> dict[str, Any]:
    """What may be shown of a key: no key, no hash."""

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat(timespec="seconds")

    return {
        "prefix": record.prefix,
        "name": record.name,
        "scopes": list(record.scopes),
        "created_at": moment(record.created_at),
        "last_used_at": moment(record.last_used_at),
        "revoked_at": moment(record.revoked_at),
    }
