"""`b2connect jobs run NAME`: run one job now, what the Airflow DAGs schedule.

Progress goes to stderr, a line per partner as it finishes; the report, as JSON, to stdout (so
`jobs run ... > report.json` still works).
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from gateway_api.cli_errors import fail
from gateway_api.cli_runtime import known_partner, open_runtime

if TYPE_CHECKING:
    from gateway_api.services.jobs import JobReport

jobs_app = typer.Typer(
    help="Run a job once (what the Airflow DAGs schedule).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@jobs_app.command("run")
def run_job(
    name: Annotated[
        str,
        typer.Argument(
            help="Job name: dispatch-outbox, poll-file-drops, pull-orders, "
            "replay-dead-letters, purge-raw-documents, reconcile."
        ),
    ],
    partner: Annotated[str | None, typer.Option(help="Only this partner.")] = None,
    max_documents: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many (dispatch-outbox).")
    ] = None,
) -> None:
    """Run one job now, partner by partner; print its report as JSON; exit 1 when something
    needs a person."""
    from gateway_api.services.jobs import JOBS, run_by_partner  # noqa: PLC0415

    if name not in JOBS:
        raise fail(f"Unknown job {name!r}; the jobs are: {', '.join(sorted(JOBS))}.")
    started = time.monotonic()

    def progress(key: str, report: JobReport) -> None:
        typer.echo(f"{name}: {key}: {_summary(report)}", err=True)

    runtime = open_runtime()
    try:
        key = known_partner(runtime, partner)
        typer.echo(f"{name}: running for {key or 'every partner'}", err=True)
        report = run_by_partner(
            name, runtime, partner_key=key, max_documents=max_documents, progress=progress
        )
    finally:
        runtime.close()
    typer.echo(f"{name}: done in {time.monotonic() - started:.1f} s: {_summary(report)}", err=True)
    sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    if report.failed:
        raise typer.Exit(1)


def _summary(report: JobReport) -> str:
    """`3 claimed, 3 delivered, 0 retried, 0 dead lettered, 1 error`."""
    parts = []
    for field, value in report.as_dict().items():
        label = field.replace("_", " ")
        if isinstance(value, int):
            parts.append(f"{value} {label}")
        elif isinstance(value, list) and field == "errors" and value:
            parts.append(f"{len(value)} errors ({value[0]}{'...' if len(value) > 1 else ''})")
    return ", ".join(parts) or "nothing to do"
