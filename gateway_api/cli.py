"""`b2connect`: serve the API, migrate, translate files, act on orders, run jobs, replay.

The commands live in one module per concept (`cli_records`, `cli_dead_letters`,
`cli_partners`, `cli_fulfilment`, `cli_jobs`); this module wires them and holds the ones about
the process itself (serve, db, translate, demo). A failure the operator can fix (settings, the
database, a path) is one sentence on stderr with exit status 2 (`cli_errors`).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway_api.cli_api_keys import api_keys_app
from gateway_api.cli_dead_letters import dead_letters_app
from gateway_api.cli_errors import CliError, SentenceGroup, fail
from gateway_api.cli_fulfilment import orders_app, outbox_app
from gateway_api.cli_jobs import jobs_app
from gateway_api.cli_partners import partners_app
from gateway_api.cli_records import documents_app, orders_list, orders_show
from gateway_api.cli_shipments import shipments_app
from gateway_api.cli_worker import worker

if TYPE_CHECKING:
    from gateway_api.settings import Settings
    from mappings.engine import MappingStore

app = typer.Typer(
    cls=SentenceGroup,
    help="B2Connect procurement gateway.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(
    help="Database schema migrations.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(db_app, name="db")
app.add_typer(dead_letters_app, name="dead-letters")
app.add_typer(partners_app, name="partners")
orders_app.command("list")(orders_list)
orders_app.command("show")(orders_show)
app.add_typer(orders_app, name="orders")
app.add_typer(documents_app, name="documents")
app.add_typer(outbox_app, name="outbox")
app.add_typer(jobs_app, name="jobs")
app.add_typer(shipments_app, name="shipments")
app.add_typer(api_keys_app, name="api-keys")
app.command()(worker)

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(help="Interface to bind; any but loopback needs B2CONNECT_ADMIN_TOKEN."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the gateway API (cXML ingress, orders, documents, dead letters, /docs)."""
    import uvicorn  # noqa: PLC0415 - the CLI stays fast for the other commands

    from gateway_api.server_logging import server_log_config  # noqa: PLC0415
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.engine import build_engine  # noqa: PLC0415
    from gateway_api.store.migrate import require_head  # noqa: PLC0415

    settings = get_settings()
    settings.check_bind(host)
    engine = build_engine(settings.database_url, pool_size=1)
    try:
        require_head(engine)
    finally:
        engine.dispose()
    from gateway_api.http.observability import multiprocess_metrics  # noqa: PLC0415

    _print_welcome(settings, host, port)
    with multiprocess_metrics(workers):  # /metrics adds up every worker's counts
        uvicorn.run(
            "gateway_api.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            log_config=server_log_config(log_level),
            access_log=False,  # ours (gateway_api.access) replaces uvicorn's
        )


def _print_welcome(settings: Settings, host: str, port: int) -> None:
    from mappings.engine import MappingStore  # noqa: PLC0415

    base = f"http://{host}:{port}"
    console.print(f"[bold]B2Connect[/] gateway on {base}  (OpenAPI docs: {base}/docs)")
    if settings.serves_demo_partners:
        example = _demo_example(MappingStore(settings.mappings_dir), base)
        if example is not None:
            console.print("Send a demo order:")
            console.print(f"  {example}", soft_wrap=True, markup=False)
    auth = (
        "" if settings.admin_token is None else "-H 'Authorization: Bearer $B2CONNECT_ADMIN_TOKEN' "
    )
    console.print(
        f"Look at the orders:  curl -s {auth}{base}/orders   and   curl -s {auth}{base}/documents",
        soft_wrap=True,
        markup=False,
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
    try:
        upgrade(engine, revision)
        console.print(
            f"database {settings.database_display} at revision {current_revision(engine)}",
            markup=False,
        )
    finally:
        engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from gateway_api.settings import get_settings  # noqa: PLC0415
    from gateway_api.store.engine import build_engine  # noqa: PLC0415
    from gateway_api.store.migrate import current_revision  # noqa: PLC0415

    engine = build_engine(get_settings().database_url, pool_size=1)
    try:
        console.print(current_revision(engine) or "none")
    finally:
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
        raise fail(f"Cannot use the mapping of partner {partner!r}: {error}") from None
    failures = 0
    for path in files:
        result = translator.translate_file(path)
        failures += not result.ok
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    raise typer.Exit(1 if failures else 0)


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
    from gateway_api.settings import get_settings  # noqa: PLC0415

    settings = get_settings()
    if settings.is_production:
        msg = (
            "`b2connect demo` runs the demo partners, which production refuses: run it with "
            "B2CONNECT_ENVIRONMENT=development (it uses its own scratch database)."
        )
        raise CliError(msg)
    _require_writable(out)
    settings_dtd = dtd_dir if dtd_dir is not None else settings.cxml_dtd_dir
    summary = run_demo(out, say=console.print, dtd_dir=settings_dtd)
    table = Table("partner", "order", "documents the platform accepted, in order")
    for key, order_id in summary.orders.items():
        kinds = [entry.split()[0] for entry in summary.received_by_platform.get(key, [])]
        table.add_row(key, order_id, ", ".join(kinds))
    console.print(table)
    for reference, shipment in summary.shipments.items():
        console.print(
            f"{shipment['carrier']} shipment {reference} of {shipment['order']}: "
            f"tracking number {shipment['tracking_number']}, {shipment['status']}; "
            f"ship notice {shipment['ship_notice']} sent at pickup"
        )
    if summary.erp:
        erp = summary.erp
        console.print(
            f"LOGO: {len(erp['sales_orders'])} sales orders created (one per order of every "
            f"channel); its delivery note {erp['delivery_note']} of {erp['order']} sent "
            f"{erp['ship_notices']} ship notice to coupa-demo; feeds to the retailer: "
            f"{erp['feeds']['edi-demo']['846_items']} stock and "
            f"{erp['feeds']['edi-demo']['832_items']} price items"
        )
    console.print(
        f"{summary.documents_written} documents written to {out / 'documents'}; "
        f"{summary.failed_attempts} failed attempts retried during the outage; "
        f"{summary.dead_letters} dead letters; DTD validation at the platforms: "
        f"{'on' if settings_dtd else 'off (pass --dtd-dir)'}"
    )
    if summary.dead_letters:
        raise typer.Exit(1)


def _require_writable(directory: Path) -> None:
    """`CliError` unless `directory` exists or can be made, and files can be written in it."""
    probe = directory / ".b2connect-write-test"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        msg = (
            f"Cannot write to {directory}: {error.strerror or error}. "
            "Pass --out a directory you can write to."
        )
        raise CliError(msg) from None


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
