"""`b2connect partners list|check`: the configured trading partners and whether they work."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from gateway_api.cli_runtime import open_runtime
from gateway_api.cli_tables import print_table, table

partners_app = typer.Typer(
    help="Configured trading partners.", no_args_is_help=True, rich_markup_mode=None
)

console = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")]


@partners_app.command("list")
def partners_list(as_json: JsonFlag = False) -> None:
    """List the partners that serve traffic and their connectors."""
    runtime = open_runtime()
    try:
        partners = runtime.directory.all()
    finally:
        runtime.close()
    if as_json:
        for p in partners:
            row = {
                "key": p.key,
                "connector": p.profile.connector,
                "name": p.profile.display_name,
                "demo": p.profile.demo,
                "timezone": p.profile.timezone,
            }
            sys.stdout.write(json.dumps(row) + "\n")
        return
    listed = table(["key", "connector", "demo", "time zone"], ["name"])
    for p in partners:
        listed.add_row(
            p.key,
            p.profile.connector,
            str(p.profile.demo),
            p.profile.timezone,
            p.profile.display_name,
        )
    print_table(console, listed)


@partners_app.command("check")
def partners_check(as_json: JsonFlag = False) -> None:
    """Build every partner profile on its own; exit 1 if any is broken."""
    from connectors.core import ConnectorContext  # noqa: PLC0415
    from gateway_api.services.partners import PartnerDirectory, PartnerState  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from mappings.engine import MappingStore  # noqa: PLC0415

    settings = get_settings()
    directory = PartnerDirectory(
        MappingStore(settings.mappings_dir),
        context=ConnectorContext(hostname=settings.hostname, schema_dir=settings.cxml_dtd_dir),
        production=settings.is_production,
        demo_partners=settings.serves_demo_partners,
    )
    statuses = directory.statuses()
    if as_json:
        for status in statuses:
            row = {
                "key": status.key,
                "state": status.state.value,
                "connector": status.connector,
                "reason": status.reason,
            }
            sys.stdout.write(json.dumps(row) + "\n")
    else:
        listed = table(["key", "state", "connector"], ["reason"])
        for status in statuses:
            listed.add_row(
                status.key, status.state.value, status.connector or "", status.reason or ""
            )
        print_table(console, listed)
    if any(status.state is PartnerState.BROKEN for status in statuses):
        raise typer.Exit(1)
