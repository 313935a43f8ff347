"""Open-loop (constant-rate) latency benchmark of the cXML ingest endpoint, issue 10 ("Speed").

    .venv/bin/python -m bench.open_loop [--rate 500] [--seconds 60] [--warmup-seconds 5]
                                        [--workers 2] [--database-url URL]

`bench.ingest` is a *closed* loop: 32 wrk connections each wait for their answer before sending
the next order, so it measures throughput at saturation, and its latency figures hide every stall
(while the server is stuck, the 32 connections simply stop sending, and the orders that a real
partner would have sent meanwhile are never measured). This module offers a *constant* rate
instead: order i is scheduled at ``t0 + i / rate`` whatever happened to the orders before it.

Coordinated omission. The latency of order i is (its answer complete) - (its *scheduled* time),
not (answer) - (actual send). If the server stalls for 200 ms, the orders scheduled during the
stall are charged the time they would have waited, exactly as a partner sending at that rate
would see it. This is the correction Gil Tene describes in "How NOT to Measure Latency" and that
wrk2 applies (latency measured from the intended start of each request of the constant-rate
schedule). The service time from the actual send and the scheduler's own lag (actual dispatch -
scheduled) are recorded too, so that a slow load generator is visible: the run fails if the
dispatch lag at p99 exceeds ``--max-lag-ms`` or the offered rate falls short of ``--rate``.

The load generator is hand-written in Python because wrk2 and vegeta are not installable here
(wrk, which `bench.ingest` uses, has no constant-rate mode). It runs **in the driver process**
(the driver does nothing else while the load runs): asyncio on uvloop, raw HTTP/1.1 keep-alive
over asyncio Protocols, answers parsed by `httptools.HttpResponseParser`, all request bytes
built before the run, timestamps stored in pre-allocated `array('d')`s. Order i is written on an
idle keep-alive connection, or on a new connection when none is idle (up to
``--max-connections``, 1,000 by default; every connection opened is counted). At the cap, orders
wait for the next free connection in FIFO order; their latency still counts from the schedule,
and the run is marked failed. Its CPU (user + system of this process, `resource.getrusage`
around the measured phase) is reported per order as *generator*: about 0.13 ms per request
against a trivial server at 500/s (one timer wake-up per 1-2 ms, no busy-waiting). Gateway and
PostgreSQL CPU come from `bench.ingest.CpuMeter`, with the live backends of other databases
left out (the cluster is shared).

Phases: fresh schema + `b2connect db upgrade` (`bench.ingest.reset_database`), the gateway
(`b2connect serve --workers 2`) on a free loopback port, a warm-up at the rate with other
distinct orders (not measured), the measured phase, then `bench.ingest.verify` (every 200 is one
order with 10 lines, one event, one processed document, one idempotency key; no dead letters).
Every non-200 answer, socket error or missing answer fails the run (exit 1). A table and a verdict
per target are printed; JSON goes to ``bench/results/open-loop-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import math
import os
import resource
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httptools
import uvloop

from bench.ingest import (
    DEFAULT_DATABASE_URL,
    HOST,
    INGEST_PATH,
    RESULTS_DIR,
    BenchError,
    CpuMeter,
    Options,
    Server,
    env_pairs,
    free_port,
    gateway_command,
    gateway_env,
    libpq_url,
    postgres_info,
    reset_database,
    running,
    verify,
    wal_lsn,
)
from bench.orders import LINES_PER_ORDER, PARTNER, order_id, order_request

TARGET_P99_MS = 50.0
TARGET_P999_MS = 150.0
PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p50", 50.0),
    ("p90", 90.0),
    ("p99", 99.0),
    ("p99.9", 99.9),
)
# the generator must offer at least this share of --rate (dispatches over the schedule's span)
MIN_OFFERED_SHARE = 0.99
MAX_ERROR_SAMPLES = 5


# -- pure parts ---------------------------------------------------------------------------------


def scheduled_time(t0: float, index: int, rate: float) -> float:
    """When request `index` (0-based) is due: ``t0 + index / rate``, independent of answers.

    Computed from the index rather than accumulated, so no rounding drift over 30,000 steps."""
    return t0 + index / rate


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Exact nearest-rank percentile `q` (0 < q <= 100) of an ascending sequence.

    The value at 1-based rank ceil(q/100 * n): with 1,000 samples, p99 is the 990th smallest and
    p99.9 the 999th; nothing is interpolated, so the figure is a latency that really happened."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    rank = math.ceil(round(q / 100 * len(sorted_values), 9))
    return sorted_values[max(rank, 1) - 1]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    """p50, p90, p99, p99.9 and max of `values` (seconds), in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {name: math.nan for name, _ in PERCENTILES} | {"max": math.nan}
    out = {name: round(1000 * percentile(ordered, q), 3) for name, q in PERCENTILES}
    out["max"] = round(1000 * ordered[-1], 3)
    return out


def build_requests(host: str, port: int, path: str, bodies: Sequence[bytes]) -> list[bytes]:
    """The complete HTTP/1.1 keep-alive POSTs (headers + body), built before the run."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: text/xml; charset=utf-8\r\nContent-Length: "
    ).encode()
    return [b"%s%d\r\n\r\n%s" % (head, len(body), body) for body in bodies]


# -- the load generator -------------------------------------------------------------------------


@dataclass
class LoadResult:
    """Everything one constant-rate phase measured. Times in seconds (perf_counter base)."""

    rate: float
    requests: int
    t0: float
    dispatched: array[float]  # when the scheduler handed request i on (lag = this - scheduled)
    sent: array[float]  # when its bytes were written (after a connect or a wait for a slot)
    done: array[float]  # when its answer was complete; 0.0 when none came
    status: array[int]  # HTTP status; 0 when no answer
    socket_errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    connections_opened: int = 0
    max_connections_live: int = 0
    waited_for_connection: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def scheduled(self, index: int) -> float:
        """The due time of request `index`."""
        return scheduled_time(self.t0, index, self.rate)

    def answered(self) -> list[int]:
        """Indexes of the requests that got an answer."""
        return [i for i in range(self.requests) if self.done[i]]

    def latencies(self) -> list[float]:
        """Answer complete - scheduled time: the coordinated-omission-free latency."""
        return [self.done[i] - self.scheduled(i) for i in self.answered()]

    def service_times(self) -> list[float]:
        """Answer complete - actual send: what a closed-loop tool would report."""
        return [self.done[i] - self.sent[i] for i in self.answered()]

    def lags(self) -> list[float]:
        """Actual dispatch - scheduled time: how late the generator itself was."""
        return [self.dispatched[i] - self.scheduled(i) for i in range(self.requests)]

    def offered_per_s(self) -> float:
        """Dispatches per second over the span from the first to the last dispatch."""
        if self.requests < 2:
            return self.rate
        span = self.dispatched[self.requests - 1] - self.dispatched[0]
        return (self.requests - 1) / span if span > 0 else math.inf

    def statuses(self) -> dict[str, int]:
        """Count per HTTP status ("0" = no answer)."""
        return {str(k): v for k, v in sorted(collections.Counter(self.status).items())}


class _Connection(asyncio.Protocol):
    """One keep-alive connection: at most one request in flight, answers parsed by httptools."""

    def __init__(self, generator: _Generator) -> None:
        self.generator = generator
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.index = -1  # request in flight, -1 when idle
        self.error_body = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCPTransport implements asyncio.Transport without subclassing it
        self.transport = cast("asyncio.Transport", transport)

    def send(self, index: int) -> None:
        """Write request `index` (the connection is idle)."""
        assert self.transport is not None
        self.index = index
        self.generator.sent[index] = time.perf_counter()
        self.transport.write(self.generator.requests[index])

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self.fail(f"unparsable answer: {error}")

    def on_body(self, body: bytes) -> None:
        """Keep the start of a non-200 answer for the report (200 bodies are ignored)."""
        if self.parser.get_status_code() != 200 and len(self.error_body) < 300:
            self.error_body += body

    def on_message_complete(self) -> None:
        index, self.index = self.index, -1
        if index < 0:
            self.fail("answer without a request")
            return
        generator = self.generator
        generator.done[index] = time.perf_counter()
        status = self.parser.get_status_code()
        generator.status[index] = status
        if status != 200 and len(generator.error_samples) < MAX_ERROR_SAMPLES:
            generator.error_samples.append(f"{status}: {self.error_body[:300]!r}")
        self.error_body = b""
        generator.finished(self, keep_alive=self.parser.should_keep_alive())

    def fail(self, reason: str) -> None:
        """Count the request in flight as a socket error and drop the connection."""
        index, self.index = self.index, -1
        self.generator.socket_error(index, reason)
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.index >= 0:
            index, self.index = self.index, -1
            self.generator.socket_error(index, f"connection lost: {exc!r}")
        self.generator.lost(self)


class _Generator:
    """The state of one constant-rate phase; the event loop's callbacks update it."""

    def __init__(
        self, host: str, port: int, requests: Sequence[bytes], max_connections: int
    ) -> None:
        count = len(requests)
        self.host, self.port, self.requests = host, port, requests
        self.max_connections = max_connections
        self.dispatched = array("d", bytes(8 * count))
        self.sent = array("d", bytes(8 * count))
        self.done = array("d", bytes(8 * count))
        self.status = array("H", bytes(2 * count))
        self.idle: list[_Connection] = []
        self.live: set[_Connection] = set()
        self.connecting = 0
        self.waiting: collections.deque[int] = collections.deque()
        self.outstanding = count
        self.all_done: asyncio.Future[None] | None = None
        self.socket_errors = 0
        self.error_samples: list[str] = []
        self.connections_opened = 0
        self.max_live = 0
        self.waited = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.closing = False  # after the drain: connections we abort are not socket errors

    # callbacks from the connections

    def finished(self, connection: _Connection, *, keep_alive: bool) -> None:
        """Request answered: reuse the connection (or drop it when the server closes it)."""
        self._settle()
        if not keep_alive:
            assert connection.transport is not None
            connection.transport.close()  # connection_lost removes it and serves the queue
        elif self.waiting:
            connection.send(self.waiting.popleft())
        else:
            self.idle.append(connection)

    def socket_error(self, index: int, reason: str) -> None:
        """A request that will get no answer (left uncounted once the run is over: a request
        still in flight when the drain time ran out is *unanswered*, not a socket error)."""
        if self.closing:
            return
        self.socket_errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(f"request {index}: {reason}")
        if index >= 0:
            self._settle()

    def lost(self, connection: _Connection) -> None:
        """A connection closed: forget it; open another if requests wait for one."""
        self.live.discard(connection)
        if connection in self.idle:
            self.idle.remove(connection)
        if (
            self.waiting
            and not self.closing
            and len(self.live) + self.connecting < self.max_connections
        ):
            self._open(self.waiting.popleft())

    def _settle(self) -> None:
        self.outstanding -= 1
        if self.outstanding == 0 and self.all_done is not None and not self.all_done.done():
            self.all_done.set_result(None)

    # sending

    def dispatch(self, index: int) -> None:
        """Hand request `index` on: an idle connection, a new one, or the FIFO at the cap."""
        self.dispatched[index] = time.perf_counter()
        if self.idle:
            self.idle.pop().send(index)
        elif len(self.live) + self.connecting < self.max_connections:
            self._open(index)
        else:
            self.waited += 1
            self.waiting.append(index)

    def _open(self, index: int) -> None:
        self.connecting += 1
        self.connections_opened += 1
        task = asyncio.get_running_loop().create_task(self._connect_and_send(index))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect_and_send(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await loop.create_connection(
                lambda: _Connection(self), self.host, self.port
            )
        except Exception as error:  # any failure is this request's socket error
            self.connecting -= 1
            self.socket_error(index, f"connect: {error!r}")
            return
        self.connecting -= 1
        self.live.add(protocol)
        self.max_live = max(self.max_live, len(self.live))
        protocol.send(index)

    async def run(self, rate: float, drain_seconds: float) -> LoadResult:
        """Dispatch request i at t0 + i/rate, then wait up to `drain_seconds` for the answers."""
        loop = asyncio.get_running_loop()
        self.all_done = loop.create_future()
        count = len(self.requests)
        if count == 0:
            self.all_done.set_result(None)
        perf = time.perf_counter
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        t0 = perf() + 0.02
        index = 0
        while index < count:
            now = perf()
            due = t0 + index / rate
            if due > now:
                # uvloop's timers count whole milliseconds from the loop's cached clock: sleep
                # the delay rounded *up* (never send early; spinning on 0 ms timers until the
                # due time would cost the generator ~0.4 ms of CPU per request), then send
                # everything that is due; the price is up to ~1 ms of lag, which is measured
                await asyncio.sleep(math.ceil((due - now) * 1000) / 1000)
                continue
            while index < count and t0 + index / rate <= now:
                self.dispatch(index)
                index += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.all_done), drain_seconds)
        wall = perf() - t0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu_before
        self.closing = True
        for task in list(self.tasks):
            task.cancel()
        for connection in list(self.live):
            if connection.transport is not None:
                connection.transport.abort()
        await asyncio.sleep(0)
        return LoadResult(
            rate=rate,
            requests=count,
            t0=t0,
            dispatched=self.dispatched,
            sent=self.sent,
            done=self.done,
            status=self.status,
            socket_errors=self.socket_errors,
            error_samples=self.error_samples,
            connections_opened=self.connections_opened,
            max_connections_live=self.max_live,
            waited_for_connection=self.waited,
            cpu_s=cpu,
            wall_s=wall,
        )


async def offer_load(
    host: str,
    port: int,
    requests: Sequence[bytes],
    rate: float,
    *,
    max_connections: int = 1000,
    drain_seconds: float = 30.0,
) -> LoadResult:
    """Offer `requests` (complete HTTP/1.1 requests) at `rate` per second to host:port."""
    generator = _Generator(host, port, requests, max_connections)
    return await generator.run(rate, drain_seconds)


def generate(
    host: str,
    port: int,
    requests: Sequence[bytes],
    rate: float,
    *,
    max_connections: int = 1000,
    drain_seconds: float = 30.0,
) -> LoadResult:
    """`offer_load` on a fresh uvloop event loop in this thread."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(
            offer_load(
                host,
                port,
                requests,
                rate,
                max_connections=max_connections,
                drain_seconds=drain_seconds,
            )
        )


# -- figures ------------------------------------------------------------------------------------


def phase_figures(load: LoadResult, *, max_lag_ms: float, max_connections: int) -> dict[str, Any]:
    """Latency / service time / lag summaries, statuses, errors and generator checks."""
    statuses = load.statuses()
    ok = statuses.get("200", 0)
    answered = len(load.answered())
    lag = summary_ms(load.lags())
    offered = load.offered_per_s()
    non_200 = answered - ok
    generator_checks = {
        "lag_p99_within_limit": lag["p99"] <= max_lag_ms,
        "offered_rate_reached": offered >= MIN_OFFERED_SHARE * load.rate,
        "connection_cap_not_reached": load.waited_for_connection == 0,
    }
    return {
        "requests": load.requests,
        "answered": answered,
        "http_200": ok,
        "statuses": statuses,
        "non_200": non_200,
        "socket_errors": load.socket_errors,
        "unanswered": max(load.requests - answered - load.socket_errors, 0),
        "errors": load.requests - ok,
        "error_samples": load.error_samples,
        "latency_ms": summary_ms(load.latencies()),
        "service_time_ms": summary_ms(load.service_times()),
        "generator_lag_ms": lag,
        "offered_per_s": round(offered, 1),
        "answered_per_s": round(ok / load.wall_s, 1) if load.wall_s > 0 else 0.0,
        "connections_opened": load.connections_opened,
        "max_connections_live": load.max_connections_live,
        "max_connections": max_connections,
        "waited_for_connection": load.waited_for_connection,
        "generator_cpu_s": round(load.cpu_s, 3),
        "generator_cpu_ms_per_request": round(1000 * load.cpu_s / max(load.requests, 1), 3),
        "wall_s": round(load.wall_s, 3),
        "generator_checks": generator_checks,
    }


def target_verdicts(measured: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    """Each target of issue 10 with whether it is met and a one-line text."""
    lat = measured["latency_ms"]
    durable = bool(measured["durability"]["passed"])
    errors = measured["errors"]
    generator_ok = all(measured["generator_checks"].values())
    return {
        "p99": (lat["p99"] < TARGET_P99_MS, f"p99 {lat['p99']:.1f} ms < {TARGET_P99_MS:.0f} ms"),
        "p99.9": (
            lat["p99.9"] < TARGET_P999_MS,
            f"p99.9 {lat['p99.9']:.1f} ms < {TARGET_P999_MS:.0f} ms",
        ),
        "no_errors": (errors == 0, f"every order answered 200 ({errors} failed)"),
        "durable": (durable, "durable"),
        "generator": (
            generator_ok,
            f"generator kept the schedule (offered {measured['offered_per_s']:.1f}/s of "
            f"{measured['rate']:.0f}/s, lag p99 {measured['generator_lag_ms']['p99']:.2f} ms)",
        ),
    }


# -- CPU accounting -----------------------------------------------------------------------------


def backend_database(pid: int) -> str | None:
    """The database of a PostgreSQL backend, from its process title ("postgres: 15/main: user
    database host(port) state"); None for the postmaster and the background processes."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return None
    parts = title.split(": ", 2)
    if len(parts) < 3:
        return None
    words = parts[2].split()
    if len(words) >= 3 and (words[2].endswith(")") or words[2] == "[local]"):
        return words[1]
    return None


@dataclass
class OwnDatabaseCpuMeter(CpuMeter):
    """`bench.ingest.CpuMeter`, with the live backends of *other* databases left out of the
    PostgreSQL figure: the cluster is shared with other benchmarks and test suites. The
    cluster-wide processes (WAL writer, checkpointer, ...) and the backends the postmaster has
    reaped meanwhile are still counted whoever caused them."""

    database: str = ""

    def groups(self) -> dict[str, set[int]]:
        """The server tree, and every postgres process except other databases' backends."""
        groups = super().groups()
        groups["postgres"] = {
            pid for pid in groups["postgres"] if backend_database(pid) in (None, self.database)
        }
        return groups


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenLoopOptions:
    """Parameters of one invocation."""

    rate: float
    seconds: float
    warmup_seconds: float
    workers: int
    database_url: str
    server_env: tuple[tuple[str, str], ...]
    max_connections: int
    max_lag_ms: float
    drain_seconds: float
    label: str
    results_dir: Path

    @property
    def orders(self) -> int:
        """Measured orders: rate x seconds."""
        return round(self.rate * self.seconds)

    @property
    def warmup_orders(self) -> int:
        """Warm-up orders: rate x warm-up seconds."""
        return round(self.rate * self.warmup_seconds)

    def ingest_options(self) -> Options:
        """The `bench.ingest.Options` its helpers (reset, gateway, verify) read."""
        return Options(
            orders=self.orders,
            connections=self.max_connections,
            workers=self.workers,
            database_url=self.database_url,
            pool_size=None,
            server_env=self.server_env,
            setup_sql=(),
            warmup=self.warmup_orders,
            repeat=1,
            wrk_threads=1,
            max_seconds=int(self.seconds + self.drain_seconds) + 1,
            skip_ceiling=True,
            launcher="b2connect serve",
            uvicorn_options=(),
            label=self.label,
            results_dir=self.results_dir,
            py_spy=False,
        )


def parse_args(argv: Sequence[str] | None = None) -> OpenLoopOptions:
    """Command-line options; see `--help`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.open_loop",
        description="Open-loop (constant-rate) latency benchmark of cXML ingest, latency "
        "measured from each order's scheduled time (coordinated omission accounted for).",
    )
    parser.add_argument("--rate", type=float, default=500.0, help="orders offered per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured phase length")
    parser.add_argument(
        "--warmup-seconds", type=float, default=5.0, help="unmeasured phase at the same rate"
    )
    parser.add_argument("--workers", type=int, default=2, help="gateway worker processes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database for the gateway; its schema is DROPPED and recreated "
        "(the database name must contain 'bench')",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the gateway, e.g. --env B2CONNECT_INGEST_THREADS=4",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        help="connections the generator may have open; beyond, orders queue (and the run fails)",
    )
    parser.add_argument(
        "--max-lag-ms",
        type=float,
        default=5.0,
        help="fail when the generator's own dispatch lag at p99 exceeds this",
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        help="after the last dispatch, wait this long for the answers still due",
    )
    parser.add_argument("--label", default="", help="free text stored with the result")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.warmup_seconds < 0:
        parser.error("--rate and --seconds must be positive, --warmup-seconds not negative")
    if args.workers < 1 or args.max_connections < 1:
        parser.error("--workers and --max-connections must be at least 1")
    if round(args.rate * args.seconds) < 1:
        parser.error("--rate x --seconds must be at least one order")
    server_env = env_pairs(parser, args.env)
    return OpenLoopOptions(
        rate=args.rate,
        seconds=args.seconds,
        warmup_seconds=args.warmup_seconds,
        workers=args.workers,
        database_url=args.database_url,
        server_env=tuple(server_env),
        max_connections=args.max_connections,
        max_lag_ms=args.max_lag_ms,
        drain_seconds=args.drain_seconds,
        label=args.label,
        results_dir=args.results_dir,
    )


# -- the run ------------------------------------------------------------------------------------


def database_name(url: str) -> str:
    """The database part of a SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


def run_benchmark(options: OpenLoopOptions, run: str, workdir: Path) -> dict[str, Any]:
    """Fresh schema, gateway, warm-up, measured phase with CPU accounting, durability check."""
    ingest = options.ingest_options()
    print(f"building {options.warmup_orders} warm-up + {options.orders} measured OrderRequests ...")
    port = free_port()
    warm = build_requests(
        HOST,
        port,
        INGEST_PATH,
        [order_request(f"{run}W", n) for n in range(1, options.warmup_orders + 1)],
    )
    measured_requests = build_requests(
        HOST, port, INGEST_PATH, [order_request(run, n) for n in range(1, options.orders + 1)]
    )
    print("fresh schema + b2connect db upgrade ...")
    reset_database(ingest)
    server = Server(
        "gateway", gateway_command(port, ingest), gateway_env(ingest), port, workdir / "gw.log"
    )
    out: dict[str, Any] = {}
    with running(server):
        if warm:
            print(f"warm-up: {options.warmup_seconds:g} s at {options.rate:g}/s ...")
            warm_load = generate(
                HOST,
                port,
                warm,
                options.rate,
                max_connections=options.max_connections,
                drain_seconds=options.drain_seconds,
            )
            out["warmup"] = phase_figures(
                warm_load, max_lag_ms=options.max_lag_ms, max_connections=options.max_connections
            )
            del warm_load
        print(f"measured: {options.seconds:g} s at {options.rate:g}/s ...")
        lsn_before = wal_lsn(ingest)
        meter = OwnDatabaseCpuMeter(server, database=database_name(options.database_url))
        meter.start()
        load = generate(
            HOST,
            port,
            measured_requests,
            options.rate,
            max_connections=options.max_connections,
            drain_seconds=options.drain_seconds,
        )
        cpu = meter.stop(load.cpu_s)
        lsn_after = wal_lsn(ingest)
        server_alive = server.process is not None and server.process.poll() is None
    measured = phase_figures(
        load, max_lag_ms=options.max_lag_ms, max_connections=options.max_connections
    )
    ok = max(measured["http_200"], 1)
    measured["rate"] = options.rate
    measured["cpu_s"] = cpu
    measured["cpu_ms_per_order"] = {
        "gateway": round(1000 * cpu["server"] / ok, 3),
        "postgres": round(1000 * cpu["postgres"] / ok, 3),
        "generator": round(1000 * load.cpu_s / ok, 3),
    }
    measured["machine_busy_pct"] = (
        round(100 * cpu["machine_busy"] / cpu["machine_total"], 1) if cpu["machine_total"] else None
    )
    measured["wal_lsn"] = [lsn_before, lsn_after]
    measured["server_alive_at_end"] = server_alive
    measured["durability"] = verify(ingest, run, measured["http_200"])
    if measured["errors"] or not server_alive:
        measured["server_log_tail"] = server.log(2000)
    out["measured"] = measured
    return out


def machine_summary(options: OpenLoopOptions) -> dict[str, Any]:
    """The machine, versions and PostgreSQL settings the figures depend on."""
    import importlib.metadata
    import platform
    import subprocess

    versions = {}
    for name in ("uvicorn", "uvloop", "httptools", "fastapi", "sqlalchemy", "psycopg"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "postgres": postgres_info(options.ingest_options()),
        "git_commit": git,
        "loadavg_at_start": list(os.getloadavg()),
        "load_generator": "in the driver process (asyncio + uvloop + httptools)",
    }


def print_report(result: dict[str, Any]) -> None:
    """The latency table, the CPU split per order and a verdict line per target."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    params = result["parameters"]
    measured = result["measured"]
    table = Table(
        title=f"Open-loop ingest: {params['rate']:g} orders/s offered for {params['seconds']:g} s "
        f"({params['orders']} orders x {LINES_PER_ORDER} lines), {params['workers']} worker(s)"
        + "".join(f", {k}={v}" for k, v in params["server_env"]),
    )
    table.add_column("phase / figure (ms)")
    for name in ("p50", "p90", "p99", "p99.9", "max"):
        table.add_column(name, justify="right")
    rows = [("measured: latency from schedule", measured["latency_ms"])]
    rows.append(("measured: service time from send", measured["service_time_ms"]))
    rows.append(("measured: generator lag", measured["generator_lag_ms"]))
    if "warmup" in result:
        rows.append(("warm-up: latency from schedule", result["warmup"]["latency_ms"]))
    for label, figs in rows:
        table.add_row(label, *(f"{figs[k]:.2f}" for k in ("p50", "p90", "p99", "p99.9", "max")))
    console.print(table)
    console.print(
        f"offered {measured['offered_per_s']:.1f}/s, answered 200 {measured['http_200']} of "
        f"{measured['requests']} (statuses {measured['statuses']}, socket errors "
        f"{measured['socket_errors']}, unanswered {measured['unanswered']}); connections opened "
        f"{measured['connections_opened']} (at most {measured['max_connections_live']} open, "
        f"{measured['waited_for_connection']} orders waited for one)"
    )
    for sample in measured["error_samples"][:3]:
        console.print(f"  [red]{sample[:300]}[/]")
    per, cpu = measured["cpu_ms_per_order"], measured["cpu_s"]
    console.print(
        f"CPU per order: gateway {per['gateway']:.2f} ms + PostgreSQL {per['postgres']:.2f} ms + "
        f"generator {per['generator']:.2f} ms; machine busy {measured['machine_busy_pct']}% "
        f"(other processes {cpu['other_processes']:.1f} CPU-s of {cpu['machine_total']:.1f})"
    )
    if not measured["durability"]["passed"]:
        console.print(f"[red]durability check failed[/]: {measured['durability']}")
    for met, text in result["verdicts"].values():
        colour = "green" if met else "red"
        console.print(f"{text}: [{colour}]{'met' if met else 'MISSED'}[/]")
    console.print(f"result: {result['result_file']}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 on errors, a failed durability check or a generator that could
    not keep the schedule; 2 when it could not run; 0 otherwise (latency targets are reported,
    not enforced)."""
    try:
        options = parse_args(argv)
        started = datetime.now(UTC)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        options.results_dir.mkdir(parents=True, exist_ok=True)
        result_file = options.results_dir / f"open-loop-{stamp}.json"
        info = machine_summary(options)
        run = f"L{stamp}"
        with tempfile.TemporaryDirectory(prefix="b2c-open-loop-") as tmp:
            phases = run_benchmark(options, run, Path(tmp))
        measured = phases["measured"]
        verdicts = target_verdicts(measured)
        result: dict[str, Any] = {
            "benchmark": "open-loop-ingest",
            "started_at": started.isoformat(timespec="seconds"),
            "label": options.label,
            "parameters": {
                "rate": options.rate,
                "seconds": options.seconds,
                "warmup_seconds": options.warmup_seconds,
                "orders": options.orders,
                "warmup_orders": options.warmup_orders,
                "workers": options.workers,
                "server_env": [list(pair) for pair in options.server_env],
                "max_connections": options.max_connections,
                "max_lag_ms": options.max_lag_ms,
                "drain_seconds": options.drain_seconds,
                "database_url": libpq_url(options.database_url).split("@")[-1],
                "lines_per_order": LINES_PER_ORDER,
                "partner": PARTNER,
                "path": INGEST_PATH,
                "first_order_id": order_id(run, 1),
                "targets": {"p99_ms": TARGET_P99_MS, "p99.9_ms": TARGET_P999_MS},
            },
            "machine": info,
            **phases,
            "verdicts": {k: {"met": met, "text": text} for k, (met, text) in verdicts.items()},
            "result_file": str(result_file),
        }
        result_file.write_text(json.dumps(result, indent=2, default=str) + "\n")
        result["verdicts"] = verdicts
        print_report(result)
    except BenchError as error:
        print(f"bench.open_loop: {error}", file=sys.stderr)
        return 2
    warm_errors = phases.get("warmup", {}).get("errors", 0)
    failed = (
        measured["errors"]
        or warm_errors
        or not measured["durability"]["passed"]
        or not all(measured["generator_checks"].values())
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
