"""`b2connect`: serve the API, migrate, translate files, act on orders, run jobs, replay."""

from __future__ import annotations

import gc
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from gateway_api.cli_fulfilment import jobs_app, orders_app, outbox_app

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime
    from mappings.engine import MappingStore

app = typer.Typer(
    help="B2Connect procurement gateway.", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
dead_letters_app = typer.Typer(help="Documents held for review, and their replay.")
partners_app = typer.Typer(help="Configured trading partners.")
app.add_typer(db_app, name="db")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(partners_app, name="partners")
app.add_typer(orders_app, name="orders")
app.add_typer(outbox_app, name="outbox")
app.add_typer(jobs_app, name="jobs")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the gateway API (cXML ingress, orders, documents, dead letters, /docs)."""
    import uvicorn  # noqa: PLC0415 - the CLI stays fast for the other commands

    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.engine import build_engine  # noqa: PLC0415
    from gateway_api.store.migrate import current_revision, head_revision  # noqa: PLC0415

    settings = get_settings()
    engine = build_engine(settings.database_url, pool_size=1)
    current, head = current_revision(engine), head_revision()
    engine.dispose()
    if current != head:
        err_console.print(
            f"[red]The database is at revision {current or 'none'}, the code expects {head}.[/]"
            " Run `b2connect db upgrade` first."
        )
        raise typer.Exit(2)
    _print_welcome(host, port)
    uvicorn.run(
        "gateway_api.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )


def _print_welcome(host: str, port: int) -> None:
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from mappings.engine import MappingStore  # noqa: PLC0415

    base = f"http://{host}:{port}"
    console.print(f"[bold]B2Connect[/] gateway on {base}  (OpenAPI docs: {base}/docs)")
    settings = get_settings()
    if settings.is_production:
        return
    example = _demo_example(MappingStore(settings.mappings_dir), base)
    if example is not None:
        console.print("Send a demo order:")
        console.print(f"  {example}", soft_wrap=True)
    console.print(
        f"Then look at it:  curl -s {base}/orders   and   curl -s {base}/documents", soft_wrap=True
    )


def _demo_example(store: MappingStore, base: str) -> str | None:
    """A `curl` posting the first demo partner's golden order to its ingress, if there is one."""
    from connectors.core import ConnectorError, load_connector  # noqa: PLC0415
    from mappings.engine import MappingConfigError  # noqa: PLC0415

    for key in store.partner_keys():
        try:
            profile = store.profile(key)
            ingress = load_connector(profile.connector).spec.ingress
        except (MappingConfigError, ConnectorError):
            continue
        cases = sorted((store.root / "partners" / key / "cases").glob("order_new.*"))
        cases = [case for case in cases if not case.name.endswith(".json")]
        if not profile.demo or ingress is None or ingress.path is None or not cases:
            continue
        url = base + ingress.path.format(partner_key=key)
        return (
            f"curl -s -X POST -H 'Content-Type: {ingress.media_type}' "
            f"--data-binary @{cases[0]} {url}"
        )
    return None


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the configured database to `revision` (default: the newest)."""
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.engine import build_engine  # noqa: PLC0415
    from gateway_api.store.migrate import current_revision, upgrade  # noqa: PLC0415

    settings = get_settings()
    engine = build_engine(settings.database_url, pool_size=1)
    upgrade(engine, revision)
    console.print(
        f"database {engine.url.render_as_string()} at revision {current_revision(engine)}"
    )
    engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.engine import build_engine  # noqa: PLC0415
    from gateway_api.store.migrate import current_revision  # noqa: PLC0415

    engine = build_engine(get_settings().database_url, pool_size=1)
    console.print(current_revision(engine) or "none")
    engine.dispose()


@app.command()
def translate(
    files: Annotated[list[Path], typer.Argument(help="cXML or X12 files to translate.")],
    partner: Annotated[
        str | None, typer.Option(help="Also apply this partner's mapping (units, SKUs).")
    ] = None,
) -> None:
    """Print one JSON object per file (JSON Lines); exit 0 only if every file translated."""
    from gateway_api.services.translate import Translator  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from mappings.engine import MappingConfigError, MappingStore  # noqa: PLC0415

    store = MappingStore(get_settings().mappings_dir) if partner else None
    try:
        translator = Translator(store, partner)
    except MappingConfigError as error:
        err_console.print(f"cannot use the mapping of partner {partner!r}: {error}")
        raise typer.Exit(2) from None
    failures = 0
    for path in files:
        result = translator.translate_file(path)
        failures += not result.ok
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    raise typer.Exit(1 if failures else 0)


@dead_letters_app.command("list")
def dead_letters_list(
    status: Annotated[str, typer.Option(help="open or replayed.")] = "open",
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """List dead letters, oldest first."""
    from gateway_api.http.models import DeadLetterOut  # noqa: PLC0415

    runtime = _runtime()
    rows = runtime.dead_letters.list(status=status, partner_key=partner)
    runtime.close()
    if as_json:
        for row in rows:
            sys.stdout.write(DeadLetterOut.of(row).model_dump_json() + "\n")
        return
    table = Table("id", "partner", "stage", "attempts", "held at", "error")
    for row in rows:
        table.add_row(
            str(row.id),
            row.partner_key,
            row.stage,
            str(row.attempts),
            row.created_at.isoformat(timespec="seconds"),
            row.error,
        )
    console.print(table)


@dead_letters_app.command("replay")
def dead_letters_replay(dead_letter_id: UUID) -> None:
    """Replay one dead letter (after fixing its mapping); exit 1 if it fails again."""
    from gateway_api.services.dead_letters import (  # noqa: PLC0415
        DeadLetterClosedError,
        DeadLetterNotFoundError,
    )

    runtime = _runtime()
    try:
        result = runtime.dead_letters.replay(dead_letter_id)
    except DeadLetterNotFoundError:
        err_console.print(f"no dead letter {dead_letter_id}")
        raise typer.Exit(2) from None
    except DeadLetterClosedError as error:
        err_console.print(str(error))
        raise typer.Exit(1) from None
    finally:
        runtime.close()
    if not result.succeeded:
        err_console.print(f"replay failed: {result.error}")
        raise typer.Exit(1)
    if result.order_uuid is None:
        console.print("replayed: the document was delivered")
        return
    console.print(f"replayed: order {result.order_uuid} now at version {result.order_version}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Directory for the documents and summary.")],
    dtd_dir: Annotated[
        Path | None,
        typer.Option(help="Official cXML DTDs; the fake platforms then validate every document."),
    ] = None,
) -> None:
    """Scripted end-to-end run against fake Coupa, Ariba and JAGGAER on 127.0.0.1."""
    from gateway_api.demo.script import run_demo  # noqa: PLC0415

    settings_dtd = dtd_dir
    if settings_dtd is None:
        from gateway_api.settings import get_settings  # noqa: PLC0415

        settings_dtd = get_settings().cxml_dtd_dir
    summary = run_demo(out, say=console.print, dtd_dir=settings_dtd)
    table = Table("partner", "order", "documents the platform accepted, in order")
    for key, order_id in summary.orders.items():
        kinds = [entry.split()[0] for entry in summary.received_by_platform.get(key, [])]
        table.add_row(key, order_id, ", ".join(kinds))
    console.print(table)
    console.print(
        f"{summary.documents_written} documents written to {out / 'documents'}; "
        f"{summary.failed_attempts} failed attempts retried during the outage; "
        f"{summary.dead_letters} dead letters; DTD validation at the platforms: "
        f"{'on' if settings_dtd else 'off (pass --dtd-dir)'}"
    )
    if summary.dead_letters:
        raise typer.Exit(1)


@partners_app.command("list")
def partners_list() -> None:
    """List enabled partners and their connectors."""
    runtime = _runtime()
    table = Table("key", "connector", "name", "demo", "time zone")
    for p in runtime.directory.all():
        table.add_row(
            p.key,
            p.profile.connector,
            p.profile.display_name,
            str(p.profile.demo),
            p.profile.timezone,
        )
    runtime.close()
    console.print(table)


@partners_app.command("check")
def partners_check(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Build every partner profile on its own; exit 1 if any is disabled by an error."""
    from connectors.core import ConnectorContext  # noqa: PLC0415
    from gateway_api.services.partners import PartnerDirectory, PartnerState  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from mappings.engine import MappingStore  # noqa: PLC0415

    settings = get_settings()

    directory = PartnerDirectory(
        MappingStore(settings.mappings_dir),
        context=ConnectorContext(hostname=settings.hostname, schema_dir=settings.cxml_dtd_dir),
        production=settings.is_production,
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
        table = Table("key", "state", "connector", "reason")
        for status in statuses:
            table.add_row(
                status.key, status.state.value, status.connector or "", status.reason or ""
            )
        console.print(table)
    if any(status.state is PartnerState.BROKEN for status in statuses):
        raise typer.Exit(1)


def _runtime() -> Runtime:
    from gateway_api.runtime import build_runtime  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415

    runtime = build_runtime(get_settings())
    runtime.sync_partners()  # replays write rows that reference the partners table
    # What start-up built lives as long as the command: keep it out of the cyclic garbage
    # collector's scans (jobs allocate a lot per document; measured in docs/benchmarks.md).
    gc.freeze()
    return runtime


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
