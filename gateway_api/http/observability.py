"""What operators watch: one access-log line per request, and Prometheus metrics.

The middleware is plain ASGI (no per-request objects beyond a closure) and only increments
counters: nothing here queries the database on the ingest path. Gauges that need the database
(outbox backlog, open dead letters) are read when `/metrics` is scraped.

Each app has its own registry (`GatewayMetrics`), so several apps in one process (tests, the
demo) never share or double-register metrics. With `serve --workers N` the workers are separate
processes and a scrape reaches only one of them, so `serve` runs prometheus_client's
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, see `multiprocess_metrics`): every worker writes
its values to files in one directory and `/metrics` adds them up, whichever worker answers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.core.inbound import Disposition
from gateway_api.services.ingest import IngestResult

access_logger = logging.getLogger("gateway_api.access")

UNMATCHED = "unmatched"
"""The route label of a request no API route took (404s, the docs' static files): raw paths
would make the labels unbounded."""
UNAUTHENTICATED = "unauthenticated"
"""The partner and kind labels of a body refused before its sender was authenticated: a partner
key or an element name an attacker chose must not become a label (nor tell which keys exist)."""


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus_client's variable: when set before it is imported, metric values live in files
there (one per process), and an exposition can add up every process's."""


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[str | None]:
    """For `serve`: with more than one worker, a fresh metrics directory in the environment the
    workers inherit, removed afterwards; the directory, or None (one worker needs none, and one
    the operator set is used as it is)."""
    if workers <= 1 or os.environ.get(MULTIPROCESS_DIR):
        yield os.environ.get(MULTIPROCESS_DIR)
        return
    directory = tempfile.mkdtemp(prefix="b2connect-metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    try:
        yield directory
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(directory, ignore_errors=True)


class GatewayMetrics:
    """The app's Prometheus metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "b2connect_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "b2connect_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["route", "method"],
            registry=self.registry,
        )
        self.documents = Counter(
            "b2connect_documents_received",
            "Inbound documents by partner, kind and outcome (stored, duplicate, held, refused)",
            ["partner", "kind", "outcome"],
            registry=self.registry,
        )
        self.ingest_groups = Histogram(
            "b2connect_ingest_group_bodies",
            "Bodies stored per ingest transaction (group commit: 1 when the endpoint is idle)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.outbox = Gauge(
            "b2connect_outbox_documents",
            "Outbound documents by delivery status (pending is the backlog)",
            ["status"],
            registry=self.registry,
            multiprocess_mode="mostrecent",  # read from the database: the latest read is right
        )
        self.dead_letters_open = Gauge(
            "b2connect_dead_letters_open",
            "Dead letters waiting for a fix and a replay",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def count_received(self, partner_key: str, result: IngestResult) -> None:
        """Count what became of one inbound body (a whole-body refusal counts as one)."""
        refusal = result.refusal
        if refusal is not None:
            if refusal.authenticated:
                labels = (partner_key, refusal.kind)
            else:  # the sender chose both the key and the document's root element
                labels = (UNAUTHENTICATED, UNAUTHENTICATED)
            self.documents.labels(*labels, Disposition.REFUSED.value).inc()
            return
        for item in result.results:
            self.documents.labels(partner_key, item.document.kind, item.disposition.value).inc()

    def exposition(self) -> bytes:
        """The text exposition: this app's registry, or in multiprocess mode the sum over every
        worker's files (counters and histograms added up, gauges the most recent value)."""
        directory = os.environ.get(MULTIPROCESS_DIR)
        if not directory:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        # prometheus_client's multiprocess module has no annotations
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def set_backlog(self, outbox_counts: dict[str, int], open_dead_letters: int) -> None:
        """The gauges read at scrape time."""
        for status in ("pending", "delivered", "dead"):
            self.outbox.labels(status).set(outbox_counts.get(status, 0))
        self.dead_letters_open.set(open_dead_letters)


def printable(text: str) -> str:
    """`text` safe for one log line: control characters and quotes escaped."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


class AccessLogMiddleware:
    """Logs `method path status duration client` per HTTP request and counts it.

    The route label is the matched route's template (`/orders/{order_uuid}`), never the raw
    path; the log line has the path (without its query string, which may carry filters an
    operator typed) with control characters escaped.
    """

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            self._record(scope, status, elapsed)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        method: str = scope.get("method", "")
        route = _route_label(scope)
        self.metrics.requests.labels(route, method, str(status)).inc()
        self.metrics.latency.labels(route, method).observe(elapsed)
        client = scope.get("client")
        access_logger.info(
            '%s "%s %s" %d %.1fms',
            client[0] if client else "-",
            method,
            printable(scope.get("path", "")),
            status,
            elapsed * 1000,
            extra={"route": route, "status": status},
        )


def _route_label(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


__all__ = [
    "MULTIPROCESS_DIR",
    "UNAUTHENTICATED",
    "UNMATCHED",
    "AccessLogMiddleware",
    "GatewayMetrics",
    "access_logger",
    "multiprocess_metrics",
    "printable",
]
