"""`b2connect worker`: the long-running delivery worker beside the API (see
`services/delivery_worker.py` for why it is not a DAG), and its health check."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from gateway_api.cli_errors import fail
from gateway_api.cli_runtime import open_runtime

DEFAULT_HEARTBEAT = Path("var/worker.heartbeat")


def worker(
    idle_seconds: Annotated[
        float, typer.Option(min=0.05, max=60, help="Wait between polls when nothing is due.")
    ] = 1.0,
    heartbeat: Annotated[
        Path,
        typer.Option(
            envvar="B2CONNECT_WORKER_HEARTBEAT", help="File touched after every poll (health)."
        ),
    ] = DEFAULT_HEARTBEAT,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 0 if a worker touched the heartbeat within 30 s, else 1."
        ),
    ] = False,
) -> None:
    """Deliver queued confirmations, ship notices and invoices as soon as they are committed,
    until stopped (Ctrl-C or SIGTERM finish the current batch first)."""
    from gateway_api.services.delivery_worker import (  # noqa: PLC0415
        DeliveryWorker,
        heartbeat_is_fresh,
    )

    if check:
        if heartbeat_is_fresh(heartbeat, max_age_seconds=30.0):
            return
        raise fail(f"No delivery worker has polled in the last 30 s ({heartbeat} is stale).")
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    runtime = open_runtime()
    typer.echo(f"delivery worker: polling the outbox every {idle_seconds:g} s when idle", err=True)
    try:
        delivered = DeliveryWorker(
            runtime.dispatcher, stop=stop, idle_seconds=idle_seconds, heartbeat=heartbeat
        ).run()
    finally:
        runtime.close()
    typer.echo(f"delivery worker: stopped after delivering {delivered} documents", err=True)
