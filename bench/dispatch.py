"""Outbox dispatch benchmark: confirmations, ship notices and invoices sent over HTTP to fake
Coupa, Ariba and JAGGAER platforms running in their own processes.

    .venv/bin/python -m bench.dispatch [--orders 2000] [--database-url URL | sqlite]
                                       [--dtd-dir DIR] [--senders 8] [--batch-size 50]
                                       [--repeat 2] [--json out.json] [--profile]
                                       [--sweep SxB,...]

Setup (not timed):

1. a scratch copy of `mappings/`; the benchmark database's `public` schema dropped and migrated
   (`bench.ingest.reset_database`; `sqlite` uses a scratch file instead);
2. `--orders` distinct 10-line OrderRequests, dealt round-robin to `coupa-demo`, `ariba-demo` and
   `jaggaer-demo`, stored through `CxmlIngestService.receive`; then for each order an accept
   confirmation, a ship notice of everything and an invoice of everything through
   `FulfilmentService`, so the outbox holds 3 x orders pending documents;
3. the cross-check: `timeit` of canonical validation, `render` and `DtdValidator.validate` on a
   sample of the same outbox documents, in this process.

Timed runs (one process, interleaved ABBA: off, on, on, off, ... so that drift cancels): the
outbox is re-queued with a small SQL reset (pending, 0 attempts, due at its creation time;
`VACUUM ANALYZE outbox` on PostgreSQL), three fresh fake platform processes start (one per
partner, DTD validation off, every order registered, real HTTP on 127.0.0.1, listen backlog
128) and the profiles' endpoints are pointed at them; then `OutboxDispatcher.run()` delivers
every document, with the dispatcher's DTD validation off or on. Fresh fakes per run: a fake
answers a document it has seen (same payloadID or Idempotency-Key) from its replay cache, which
would make later runs cheaper than the first.

Figures per run: documents/s (delivered / wall time of `run()`), CPU ms per document of the hub
(this process), of the fakes and of PostgreSQL, the machine's busy share, the time of the
dispatcher's three steps (claim + render, send, record), and the kernel's listen-queue drops.
The DTD cost per document is derived from the medians (wall and hub CPU) and measured directly
inside the ON runs. A table is printed and a JSON file written.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import importlib.metadata
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Engine, func, select, text

from bench.ingest import (
    DEFAULT_DATABASE_URL,
    REPO,
    RESULTS_DIR,
    BenchError,
    cpu_seconds,
    libpq_url,
    machine_cpu,
    postgres_info,
    postgres_pids,
    reset_database,
)
from bench.ingest import Options as IngestOptions
from connectors.core import ConnectorContext
from connectors.core.http import build_http_client
from connectors.core.inbound import InboundRequest
from connectors.core.transport import Transports
from connectors.cxml_platform import CXML_INGRESS, CxmlPlatformConnector
from connectors.cxml_platform import connector as cxml_platform_connector
from connectors.formats.cxml import DtdValidator, parse_cxml
from connectors.testing.cxml_documents import LineSpec, TradingPartners, order_request
from gateway_api.demo.platforms import fake_platform_for, point_profile_at
from gateway_api.domain.fulfilment import ConfirmCommand, InvoiceCommand, ShipCommand
from gateway_api.runtime import Runtime, build_runtime, http_settings, utc_now
from gateway_api.services.outbox_dispatch import (
    DispatchReport,
    OutboxDispatcher,
    _Outcome,  # the dispatcher's step types, for the stopwatch subclass below
    _Prepared,
)
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.retry_policy import RetryPolicy
from gateway_api.settings import Settings
from gateway_api.store import tables as t
from gateway_api.store.engine import build_engine
from gateway_api.store.migrate import upgrade
from gateway_api.store.records import OutboxRecord
from gateway_api.store.unit_of_work import SqlUnitOfWork
from mappings.engine import MappingStore
from schemas import DOCUMENT_ADAPTER, Identifier, Package

PARTNERS = ("coupa-demo", "ariba-demo", "jaggaer-demo")
"""The demo partners, one fake platform each; orders are dealt to them round-robin."""
LINES_PER_ORDER = 10
DOCUMENTS_PER_ORDER = 3
TARGET_DOCS_PER_S = 1000.0
HOSTNAME = "bench.b2connect.local"
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO.parent / "shared"))
DEFAULT_DTD_DIR = SHARED_DIR / "cxml" / "dtd"
PACKAGES = ("httpx", "httpcore", "h11", "pydantic", "sqlalchemy", "psycopg", "lxml")
FAKE_LISTEN_BACKLOG = 128
"""Listen backlog of the fakes' HTTP servers. The stdlib default (5) makes the kernel drop
connection attempts when several senders connect at once while the accept thread waits for
the GIL, and each drop costs the sender a SYN retransmission (1 s); real platforms do not."""
_PART_PREFIX = {"coupa-demo": "CP-", "ariba-demo": "AR-PN-", "jaggaer-demo": "JG-"}
_PRICES = ("6.49", "0.89", "14.20", "12.75", "7.35", "3.10", "4.60", "9.95", "8.20", "11.40")

# The outbox back to its freshly queued state: the same rows, due again in creation order.
REQUEUE_SQL = (
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = created_at, "
    "claimed_until = NULL, last_error = NULL, last_document_id = NULL, delivered_at = NULL, "
    "updated_at = created_at"
)


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """Parameters of one invocation."""

    orders: int
    database_url: str
    dtd_dir: Path
    senders: int
    batch_size: int
    repeat: int
    sample: int
    sweep: tuple[tuple[int, int], ...]
    profile: bool
    profile_docs: int
    json_path: Path | None
    label: str

    @property
    def sqlite(self) -> bool:
        """True for the scratch SQLite database."""
        return self.database_url == "sqlite"


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """Command-line options; see `--help`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.dispatch",
        description="Outbox dispatch benchmark: fulfilment documents over HTTP to fake "
        "platforms in other processes, with the dispatcher's DTD validation off and on.",
    )
    parser.add_argument(
        "--orders", type=int, default=2000, help="orders; each gives 3 documents to send"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database whose schema is DROPPED and recreated (its name must contain "
        "'bench'), or `sqlite` for a scratch SQLite file",
    )
    parser.add_argument(
        "--dtd-dir",
        type=Path,
        default=DEFAULT_DTD_DIR,
        help="official cXML DTDs (<version>/<Family>.dtd) for the DTD-on runs",
    )
    parser.add_argument("--senders", type=int, default=8, help="dispatcher send threads")
    parser.add_argument(
        "--batch-size", type=int, default=200, help="documents claimed per transaction"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="pairs of timed runs (DTD off + on), ABBA order"
    )
    parser.add_argument(
        "--sample", type=int, default=300, help="documents in the in-process timeit cross-check"
    )
    parser.add_argument(
        "--sweep",
        default="",
        metavar="SxB[,SxB...]",
        help="after the timed runs, one DTD-off run per senders x batch-size setting, "
        "e.g. --sweep 4x50,16x50,8x200 (single runs, not in the medians)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more DTD-on run under cProfile (every thread, CPU time), not in the figures",
    )
    parser.add_argument(
        "--profile-docs",
        type=int,
        default=1500,
        help="documents the profiled run delivers (cProfile slows the hub about 4x)",
    )
    parser.add_argument(
        "--json",
        dest="json_path",
        type=Path,
        default=None,
        help="result file (default bench/results/dispatch-<UTC time>.json)",
    )
    parser.add_argument("--label", default="", help="free text stored with the result")
    args = parser.parse_args(argv)
    for name in ("orders", "senders", "batch_size", "repeat", "profile_docs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.sample < DOCUMENTS_PER_ORDER:
        parser.error("--sample must be at least 3")
    sweep = []
    for item in filter(None, args.sweep.split(",")):
        senders, _, batch = item.strip().partition("x")
        if not (senders.isdigit() and batch.isdigit() and int(senders) and int(batch)):
            parser.error(f"--sweep wants SENDERSxBATCH items such as 16x50, not {item!r}")
        sweep.append((int(senders), int(batch)))
    return Options(
        orders=args.orders,
        database_url=args.database_url,
        dtd_dir=args.dtd_dir,
        senders=args.senders,
        batch_size=args.batch_size,
        repeat=args.repeat,
        sample=args.sample,
        sweep=tuple(sweep),
        profile=args.profile,
        profile_docs=args.profile_docs,
        json_path=args.json_path,
        label=args.label,
    )


def _ingest_options(database_url: str) -> IngestOptions:
    """bench.ingest's options, for its database helpers (reset, settings)."""
    return IngestOptions(
        orders=1,
        connections=1,
        workers=1,
        database_url=database_url,
        pool_size=None,
        server_env=(),
        setup_sql=(),
        warmup=0,
        repeat=1,
        wrk_threads=1,
        max_seconds=60,
        skip_ceiling=True,
        launcher="in-process",
        uvicorn_options=(),
        label="",
        results_dir=RESULTS_DIR,
        py_spy=False,
    )


# -- setup --------------------------------------------------------------------------------------


def prepare_database(options: Options, scratch: Path) -> str:
    """A freshly migrated database; its SQLAlchemy URL."""
    if options.sqlite:
        url = f"sqlite:///{scratch / 'dispatch.db'}"
        engine = build_engine(url, pool_size=1)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        return url
    reset_database(_ingest_options(options.database_url))
    return options.database_url


def copy_mappings(scratch: Path) -> Path:
    """A private copy of the shipped mappings whose profiles the benchmark may rewrite."""
    target = scratch / "mappings"
    shutil.copytree(REPO / "mappings", target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def order_body(key: str, partners: TradingPartners, run: str, number: int) -> bytes:
    """OrderRequest `number` of `run` from partner `key`: ten lines over its cross-reference."""
    prefix = _PART_PREFIX[key]
    ariba = key == "ariba-demo"
    lines = tuple(
        LineSpec(
            supplier_part_id=f"S-{1000 + i}" if ariba else f"{prefix}{1000 + i}",
            buyer_part_id=f"{prefix}{1000 + i}" if ariba else None,
            quantity=Decimal(1 + (number * 7 + i * 3) % 40),
            unit_of_measure="EA",
            unit_price=Decimal(_PRICES[i - 1]),
            description=f"Bench item {1000 + i}",
        )
        for i in range(1, LINES_PER_ORDER + 1)
    )
    return order_request(
        partners,
        payload_id=f"{run}.{number}@{key}.bench.example",
        order_id=f"{run}-{number:06d}",
        lines=lines,
    )


def cxml_connector(directory: PartnerDirectory, key: str) -> CxmlPlatformConnector:
    """The connector of partner `key`, which must be an enabled cXML platform."""
    partner = directory.get(key)
    if partner is None or not isinstance(partner.connector, CxmlPlatformConnector):
        raise BenchError(f"partner {key} is not an enabled cXML platform")
    return partner.connector


def write_record(out: Any, body: bytes) -> None:
    """Append one `<length>\\n<bytes>` record."""
    out.write(b"%d\n" % len(body))
    out.write(body)


def read_records(path: Path) -> Iterator[bytes]:
    """The records `write_record` wrote."""
    with path.open("rb") as source:
        while header := source.readline():
            yield source.read(int(header))


def place_orders(runtime: Runtime, count: int, run: str, scratch: Path) -> dict[str, Path]:
    """Store `count` orders through the cXML ingest service; returns each partner's
    OrderRequests as a file, for its fake platform to register."""
    files = {key: scratch / f"orders-{key}.bin" for key in PARTNERS}
    with contextlib.ExitStack() as stack:
        outs = {key: stack.enter_context(path.open("wb")) for key, path in files.items()}
        senders = {
            key: TradingPartners.from_config(cxml_connector(runtime.directory, key).config)
            for key in PARTNERS
        }
        for number in range(1, count + 1):
            key = PARTNERS[(number - 1) % len(PARTNERS)]
            body = order_body(key, senders[key], run, number)
            request = InboundRequest(
                body=body, remote_addr="127.0.0.1", content_type="text/xml; charset=utf-8"
            )
            reply = runtime.ingest.receive(key, request, ingress=CXML_INGRESS).reply
            if reply.status != 200:
                raise BenchError(f"{key} order {number} refused: {reply.body[:400]!r}")
            write_record(outs[key], body)
    return files


def fulfil(runtime: Runtime, run: str) -> int:
    """Confirm, ship and invoice every order of `run`; returns the outbox rows queued."""
    with runtime.engine.connect() as conn:
        uuids = list(
            conn.execute(
                select(t.orders.c.id)
                .where(t.orders.c.order_id.like(f"{run}-%"))
                .order_by(t.orders.c.order_id)
            ).scalars()
        )
    delivery = utc_now() + timedelta(days=3)
    carrier = (
        Identifier(scheme="SCAC", value="UPSN"),
        Identifier(scheme="companyName", value="UPS"),
    )
    service = runtime.fulfilment
    for number, order in enumerate(uuids, 1):
        service.confirm(order, ConfirmCommand(type="accept", delivery_date=delivery))
        service.ship(
            order,
            ShipCommand(
                delivery_date=delivery,
                carrier=carrier,
                tracking_numbers=(f"1Z999AA1{number:010d}",),
                packages=(Package(package_id=f"PKG-{run}-{number}"),),
            ),
        )
        service.invoice(order, InvoiceCommand(tax_rate=Decimal("8.25"), payment_terms_days=30))
    return len(uuids) * DOCUMENTS_PER_ORDER


def outbox_counts(engine: Engine) -> dict[str, int]:
    """Outbox rows per status, and open dead letters."""
    with SqlUnitOfWork(engine) as uow:
        counts = uow.outbox.counts()
    with engine.connect() as conn:
        counts["dead_letters"] = int(
            conn.execute(select(func.count()).select_from(t.dead_letters)).scalar_one()
        )
    return counts


def requeue(engine: Engine) -> None:
    """Every outbox row pending again, as freshly queued (and the table vacuumed on PostgreSQL,
    so every run starts without dead row versions)."""
    with engine.begin() as conn:
        conn.execute(text(REQUEUE_SQL))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE outbox"))


# -- the fake platforms, in their own processes -------------------------------------------------


def serve_fake(conn: Connection, mappings_dir: str, partner_key: str, orders_file: str) -> None:
    """Child process: the partner's fake platform (no DTD validation) with the orders registered,
    on 127.0.0.1 until told to stop; then its tally goes back through `conn`."""
    import http.server

    http.server.ThreadingHTTPServer.request_queue_size = FAKE_LISTEN_BACKLOG  # this process only
    directory = PartnerDirectory(
        MappingStore(Path(mappings_dir)),
        context=ConnectorContext(clock=utc_now, hostname=HOSTNAME),
        production=False,
    )
    cxml_connector(directory, partner_key)  # a cXML platform, so the cast below holds
    # (`Partner` is generic over its connector in trees with X12 partners, plain before)
    fake = fake_platform_for(cast(Any, directory.get(partner_key)), dtd_dir=None)
    registered = 0
    for body in read_records(Path(orders_file)):
        fake.register_order_request(body)
        registered += 1
    # Everything built so far lives as long as the process; keep it out of the cyclic GC's
    # scans, as the gateway does after start-up (otherwise the fake's CPU per document grows
    # with the number of modules the partner directory imported).
    gc.freeze()
    with fake.serve() as base_url:
        conn.send({"endpoints": fake.endpoint_urls(base_url), "registered": registered})
        conn.recv()  # stop
        exchanges = fake.exchanges
        conn.send(
            {
                "received": len(fake.received),
                "requests": len(exchanges),
                "http_statuses": dict(Counter(str(e.http_status) for e in exchanges)),
                "replayed": sum(e.replayed for e in exchanges),
                "refusals": [
                    f"{e.http_status} {e.status.message if e.status else ''}"[:300]
                    for e in exchanges
                    if e.http_status != 200
                ][:5],
            }
        )


@dataclass
class FakeProcess:
    """One fake platform process, as the parent sees it."""

    partner_key: str
    process: BaseProcess
    conn: Connection
    endpoints: dict[str, str] = field(default_factory=dict)
    registered: int = 0
    tally: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        """Its process id."""
        assert self.process.pid is not None
        return self.process.pid


def _receive(fake: FakeProcess, timeout: float) -> Any:
    if not fake.conn.poll(timeout):
        raise BenchError(f"fake platform {fake.partner_key} did not answer in {timeout:.0f}s")
    return fake.conn.recv()


@contextlib.contextmanager
def fake_platforms(mappings: Path, order_files: dict[str, Path]) -> Iterator[list[FakeProcess]]:
    """One fresh fake platform process per partner, ready; stopped (and tallied) on exit."""
    context = multiprocessing.get_context("spawn")
    fakes: list[FakeProcess] = []
    try:
        for key in PARTNERS:
            parent, child = context.Pipe()
            process = context.Process(
                target=serve_fake,
                args=(child, str(mappings), key, str(order_files[key])),
                name=f"fake-{key}",
                daemon=True,
            )
            process.start()
            child.close()
            fakes.append(FakeProcess(key, process, parent))
        for fake in fakes:
            ready = _receive(fake, 120.0)
            fake.endpoints, fake.registered = ready["endpoints"], ready["registered"]
        yield fakes
    finally:
        for fake in fakes:
            with contextlib.suppress(OSError):
                fake.conn.send("stop")
        for fake in fakes:
            with contextlib.suppress(OSError, EOFError, BenchError):
                fake.tally = _receive(fake, 30.0)
            fake.process.join(10)
            if fake.process.is_alive():
                fake.process.terminate()
                fake.process.join(5)


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Phases:
    """Seconds spent in the dispatcher's steps during one run: wall (`perf_counter`) and the
    CPU of the thread doing the step (`thread_time`)."""

    batches: int = 0
    claim: float = 0.0
    """Steps 1-2, wall: claim, render, log the sent documents (main thread)."""
    prepare: float = 0.0
    """Inside them: canonical validation, render and DTD check (`_prepare`), wall."""
    dtd: float = 0.0
    """Inside prepare: `DtdValidator.validate` of the rendered bytes, wall."""
    record: float = 0.0
    """Step 4, wall: log the answers and mark delivered, one transaction per batch."""
    send_calls: list[float] = field(default_factory=list)
    """Step 3, per document (sender threads): POST + read the receipt, wall time."""
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CPU_STEPS, 0.0))
    """Thread CPU seconds by step: claim (the claim transaction), render (without the DTD
    check), dtd, log (the sent documents' transaction), send (sender threads), record."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards `cpu["send"]`, added to by every sender thread."""


CPU_STEPS = ("claim", "render", "dtd", "log", "send", "record")
"""The steps whose thread CPU the stopwatch measures, in the dispatcher's order."""


class StopwatchDispatcher(OutboxDispatcher):
    """The product's `OutboxDispatcher`, unchanged, with a stopwatch around its steps
    (a few `perf_counter` and `thread_time` calls per document)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phases = Phases()

    def _claim(
        self, limit: int, *, partner_key: str | None, outbox_id: UUID | None
    ) -> list[_Prepared]:
        started, cpu, inner = time.perf_counter(), time.thread_time(), self._inner_cpu()
        try:
            return super()._claim(limit, partner_key=partner_key, outbox_id=outbox_id)
        finally:
            self.phases.claim += time.perf_counter() - started
            self.phases.batches += 1
            inner = self._inner_cpu() - inner
            self.phases.cpu["claim"] += time.thread_time() - cpu - inner

    def _inner_cpu(self) -> float:
        """CPU of the steps `_claim` calls, measured on their own."""
        return sum(self.phases.cpu[name] for name in ("render", "dtd", "log"))

    def _prepare(self, record: OutboxRecord) -> _Prepared:
        started, cpu, dtd = time.perf_counter(), time.thread_time(), self.phases.cpu["dtd"]
        try:
            return super()._prepare(record)
        finally:
            self.phases.prepare += time.perf_counter() - started
            dtd = self.phases.cpu["dtd"] - dtd
            self.phases.cpu["render"] += time.thread_time() - cpu - dtd

    def _log_sent(self, prepared: list[_Prepared], now: datetime) -> None:
        cpu = time.thread_time()
        try:
            super()._log_sent(prepared, now)
        finally:
            self.phases.cpu["log"] += time.thread_time() - cpu

    def _send(self, item: _Prepared) -> _Outcome:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return super()._send(item)
        finally:
            self.phases.send_calls.append(time.perf_counter() - started)  # atomic under the GIL
            spent = time.thread_time() - cpu
            with self.phases.lock:
                self.phases.cpu["send"] += spent

    def _record(
        self, outcomes: Iterable[_Outcome], report: DispatchReport, *, final_attempt: bool
    ) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            super()._record(outcomes, report, final_attempt=final_attempt)
        finally:
            self.phases.record += time.perf_counter() - started
            self.phases.cpu["record"] += time.thread_time() - cpu


def listen_queue_drops() -> dict[str, int]:
    """The kernel's TcpExt ListenOverflows and ListenDrops (connections a full accept queue
    turned away; each costs the client a SYN retransmission, about a second)."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return {}
    for head, values in zip(lines[::2], lines[1::2], strict=False):
        if head.startswith("TcpExt:"):
            table = dict(zip(head.split()[1:], values.split()[1:], strict=False))
            return {k: int(table.get(k, 0)) for k in ("ListenOverflows", "ListenDrops")}
    return {}


@dataclass
class CpuSnapshot:
    """CPU seconds of the hub (this process), the fakes, PostgreSQL and the whole machine."""

    hub: tuple[float, float]
    fakes: dict[int, tuple[float, float]]
    postgres: dict[int, tuple[float, float]]
    machine: tuple[float, float]
    drops: dict[str, int]

    @classmethod
    def take(cls, fake_pids: set[int], with_postgres: bool) -> CpuSnapshot:
        """Now."""
        times = os.times()
        return cls(
            hub=(times.user, times.system),
            fakes=cpu_seconds(fake_pids),
            postgres=cpu_seconds(postgres_pids()) if with_postgres else {},
            machine=machine_cpu(),
            drops=listen_queue_drops(),
        )


def _group_delta(
    before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]]
) -> float:
    return sum(u + s - sum(before.get(pid, (0.0, 0.0))) for pid, (u, s) in after.items())


def cpu_figures(before: CpuSnapshot, after: CpuSnapshot, wall: float, docs: int) -> dict[str, Any]:
    """CPU seconds, ms per document and share of one core, per component."""
    hub = sum(after.hub) - sum(before.hub)
    fakes = _group_delta(before.fakes, after.fakes)
    pg = _group_delta(before.postgres, after.postgres)
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    per_fake = {
        pid: round(sum(now) - sum(before.fakes.get(pid, (0.0, 0.0))), 2)
        for pid, now in after.fakes.items()
    }
    n = max(docs, 1)
    return {
        "cpu_s": {
            "hub": round(hub, 2),
            "hub_system": round(after.hub[1] - before.hub[1], 2),
            "fakes": round(fakes, 2),
            "fakes_by_pid": per_fake,
            "postgres": round(pg, 2),
            "machine_busy": round(busy, 2),
            "machine_total": round(total, 2),
            "other_processes": round(max(0.0, busy - hub - fakes - pg), 2),
        },
        "cpu_ms_per_doc": {
            "hub": round(1000 * hub / n, 3),
            "fakes": round(1000 * fakes / n, 3),
            "postgres": round(1000 * pg / n, 3),
        },
        "core_share_pct": {
            "hub": round(100 * hub / wall, 1),
            "fakes": round(100 * fakes / wall, 1),
            "busiest_fake": round(100 * max(per_fake.values(), default=0.0) / wall, 1),
            "postgres": round(100 * pg / wall, 1),
        },
        "machine_busy_pct": round(100 * busy / total, 1) if total else None,
        "others_pct_of_machine": round(100 * max(0.0, busy - hub - fakes - pg) / total, 1)
        if total
        else None,
        "fakes_share_of_busy_pct": round(100 * fakes / busy, 1) if busy else None,
        "listen_queue_drops": {k: v - before.drops.get(k, 0) for k, v in after.drops.items()},
    }


def hub_cpu_by_step(phases: Phases, hub_cpu_s: float, docs: int) -> dict[str, float]:
    """The hub's CPU ms per document by step (thread CPU inside each step); `other` is the
    rest of the process's CPU (the run loop, thread hand-offs, the garbage collector)."""
    steps = {name: round(1000 * phases.cpu[name] / docs, 3) for name in CPU_STEPS}
    steps["other"] = round(1000 * (hub_cpu_s - sum(phases.cpu.values())) / docs, 3)
    return steps


# -- cProfile of every thread -------------------------------------------------------------------


class AllThreadsProfile:
    """cProfile of this thread and of every thread started meanwhile (the dispatcher's send
    pool), timed in CPU time (`time.thread_time`) so waiting on sockets and the GIL is not
    counted. Threads started before `__enter__` are not profiled."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _start_in_thread(self, frame: FrameType, event: str, arg: Any) -> None:
        # First profiling event of a new thread: replace this hook by a profiler of its own.
        del frame, event, arg
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        profile.enable()

    def __enter__(self) -> AllThreadsProfile:
        main = cProfile.Profile(time.thread_time)
        self.profiles.append(main)
        threading.setprofile(self._start_in_thread)
        main.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self.profiles[0].disable()
        threading.setprofile(None)

    def stats(self) -> pstats.Stats:
        """All threads' statistics merged."""
        merged = pstats.Stats(self.profiles[0])
        for profile in self.profiles[1:]:
            merged.add(profile)
        return merged


_D = "gateway_api.services.outbox_dispatch:OutboxDispatcher."
_R = "gateway_api.store.outbox_repository:SqlOutboxRepository."
_C = "connectors.cxml_platform.connector:CxmlPlatformConnector."
_STEPS: tuple[tuple[str, str], ...] = (
    ("run (main thread)", _D + "run"),
    ("1 _claim (claim + render + log)", _D + "_claim"),
    ("  claim_due (one UPDATE ... RETURNING)", _R + "claim_due"),
    ("  _prepare", _D + "_prepare"),
    ("    DOCUMENT_ADAPTER.validate_python", "pydantic.type_adapter:TypeAdapter.validate_python"),
    ("    connector.render", _C + "render"),
    ("  _log_sent (log transaction)", _D + "_log_sent"),
    ("  _sent_record (mask, sha256)", _D + "_sent_record"),
    ("  record_sent_documents (one executemany)", _R + "record_sent_documents"),
    ("  SqlUnitOfWork.commit", "gateway_api.store.unit_of_work:SqlUnitOfWork.commit"),
    ("2 _send (sender threads)", _D + "_send"),
    ("  Transports.deliver", "connectors.core.transport:Transports.deliver"),
    ("  httpx Client.send", "httpx._client:Client.send"),
    ("  read_receipt", _C + "read_receipt"),
    ("3 _record (log answers, mark delivered)", _D + "_record"),
    ("  _answer_record", _D + "_answer_record"),
    ("  mark_delivered (one UPDATE per batch)", _R + "mark_delivered"),
    ("SQLAlchemy Connection.execute (any)", "sqlalchemy.engine.base:Connection.execute"),
)
"""(label, module:qualname): where the hub's CPU goes, inclusive, per document."""


def profile_summary(stats: pstats.Stats, docs: int, top: int = 25) -> dict[str, Any]:
    """CPU ms per document of the dispatcher's steps (inclusive) and the top functions by
    their own CPU time."""
    from bench.profile_ingest import code_key

    raw: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    steps = {}
    for label, path in _STEPS:
        key = code_key(path)
        entry = raw.get(key) if key else None
        steps[label] = round(1000 * entry[3] / docs, 3) if entry else None
    total = sum(entry[2] for entry in raw.values())
    own = sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]
    return {
        "profiled_cpu_ms_per_doc": round(1000 * total / docs, 3),
        "steps_cpu_ms_per_doc_inclusive": steps,
        "top_own_cpu": [
            {
                "function": f"{Path(file).name}:{line}({name})",
                "path": file,
                "ms_per_doc": round(1000 * entry[2] / docs, 3),
                "share_pct": round(100 * entry[2] / total, 1) if total else 0.0,
                "calls_per_doc": round(entry[1] / docs, 2),
            }
            for (file, line, name), entry in own
        ],
    }


# -- the in-process cross-check -----------------------------------------------------------------


def per_document_costs(
    engine: Engine, directory: PartnerDirectory, validator: DtdValidator, sample: int
) -> dict[str, Any]:
    """timeit (best of 5) of the dispatcher's per-document CPU steps on `sample` outbox documents
    (all three documents of evenly spread orders), and a check that every rendering is valid."""
    with SqlUnitOfWork(engine) as uow:
        records = uow.outbox.query(limit=10_000_000)
    orders = sorted({r.order_uuid for r in records if r.order_uuid is not None}, key=str)
    wanted = max(1, sample // DOCUMENTS_PER_ORDER)
    step = max(1, len(orders) // wanted)
    chosen = set(orders[::step][:wanted])
    picked = [r for r in records if r.order_uuid in chosen]
    connectors = {key: cxml_connector(directory, key) for key in PARTNERS}

    def canonical(batch: list[OutboxRecord]) -> list[Any]:
        return [DOCUMENT_ADAPTER.validate_python(r.document) for r in batch]

    def render(batch: list[OutboxRecord], documents: list[Any]) -> list[bytes]:
        return [
            connectors[r.partner_key]
            .render(d, payload_id=r.payload_id, timestamp=r.created_at)
            .body
            for r, d in zip(batch, documents, strict=True)
        ]

    def best_ms(count: int, action: Callable[..., object], *args: object) -> float:
        runs = timeit.repeat(lambda: action(*args), number=1, repeat=5)
        return round(1000 * min(runs) / count, 4)

    def validate_all(items: Sequence[bytes | Any]) -> None:
        for item in items:
            validator.validate(item)

    def parse_all(bodies: Sequence[bytes]) -> None:
        for body in bodies:
            parse_cxml(body)

    out: dict[str, Any] = {"documents": len(picked), "by_kind": {}}
    invalid: list[str] = []
    groups = {"all": picked} | {
        kind: [r for r in picked if r.kind == kind] for kind in sorted({r.kind for r in picked})
    }
    for name, batch in groups.items():
        documents = canonical(batch)
        bodies = render(batch, documents)
        roots = [parse_cxml(body).root for body in bodies]
        if name == "all":
            for record, body in zip(batch, bodies, strict=True):
                problems = validator.validate(body)
                if problems:
                    invalid.append(f"{record.kind} {record.id}: {problems[0]}")
        n = len(batch)
        figures = {
            "documents": n,
            "body_bytes_mean": round(statistics.fmean(len(b) for b in bodies)),
            "canonical_validate_ms": best_ms(n, canonical, batch),
            "render_ms": best_ms(n, render, batch, documents),
            "dtd_validate_bytes_ms": best_ms(n, validate_all, bodies),
            "parse_cxml_ms": best_ms(n, parse_all, bodies),
            "dtd_validate_tree_ms": best_ms(n, validate_all, roots),
        }
        if name == "all":
            out.update(figures)
        else:
            out["by_kind"][name] = figures
    out["invalid"] = invalid
    return out


# -- one timed run ------------------------------------------------------------------------------


@dataclass
class Bench:
    """What the timed runs share."""

    options: Options
    runtime: Runtime
    mappings: Path
    order_files: dict[str, Path]
    validator: DtdValidator
    expected: int


@contextlib.contextmanager
def _timing_dtd_checks(schema_dir: Path, phases: Phases) -> Iterator[None]:
    """Time every DTD check the connectors make through their shared validator."""
    validator = cxml_platform_connector._dtd_validator(schema_dir)
    plain = validator.validate

    def timed(document: Any, *, version: str | None = None) -> list[str]:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return plain(document, version=version)
        finally:
            phases.dtd += time.perf_counter() - started
            phases.cpu["dtd"] += time.thread_time() - cpu

    validator.validate = timed  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        del validator.validate


def dispatch_run(
    bench: Bench, dtd: bool, *, role: str = "timed", senders: int = 0, batch_size: int = 0
) -> dict[str, Any]:
    """Re-queue the outbox, start fresh fakes, deliver everything once; the figures.

    `role`: "timed" (in the medians), "sweep" (another senders x batch-size setting) or
    "profile" (under cProfile). `senders` and `batch_size` default to the options'.
    """
    runtime, options = bench.runtime, bench.options
    senders = senders or options.senders
    batch_size = batch_size or options.batch_size
    profile = role == "profile"
    expected = min(options.profile_docs, bench.expected) if profile else bench.expected
    begun = time.perf_counter()
    requeue(runtime.engine)
    with contextlib.ExitStack() as stack:
        http = runtime.http
        if senders != options.senders:  # the client's pool is sized by the sender count
            sized = runtime.settings.model_copy(update={"outbox_senders": senders})
            http = stack.enter_context(build_http_client(http_settings(sized)))
        fakes = stack.enter_context(fake_platforms(bench.mappings, bench.order_files))
        for fake in fakes:
            point_profile_at(bench.mappings, fake.partner_key, fake.endpoints)
        # The connectors validate what they render against the DTDs of their context's
        # schema directory (DTD on) or not at all (DTD off).
        schema_dir = options.dtd_dir if dtd else None
        directory = PartnerDirectory(
            MappingStore(bench.mappings),
            context=ConnectorContext(clock=utc_now, hostname=HOSTNAME, schema_dir=schema_dir),
            production=False,
        )
        dispatcher = StopwatchDispatcher(
            runtime.uow,
            directory,
            clock=utc_now,
            transports=Transports(http),
            policy=RetryPolicy(batch_size=batch_size),
            senders=senders,
        )
        if schema_dir is not None:
            stack.enter_context(_timing_dtd_checks(schema_dir, dispatcher.phases))
        profiler = AllThreadsProfile() if profile else None
        pids = {fake.pid for fake in fakes}
        before = CpuSnapshot.take(pids, not options.sqlite)
        started = time.perf_counter()
        with profiler if profiler else contextlib.nullcontext():
            report = dispatcher.run(max_documents=expected)
        wall = time.perf_counter() - started
        after = CpuSnapshot.take(pids, not options.sqlite)
    counts = outbox_counts(runtime.engine)
    phases = dispatcher.phases
    cpu = cpu_figures(before, after, wall, report.delivered)
    docs = report.delivered
    n = max(docs, 1)
    sends = sorted(phases.send_calls)
    tallies = {fake.partner_key: fake.tally for fake in fakes}
    received = sum(int(tally.get("received", 0)) for tally in tallies.values())
    checks = {
        "all_delivered": report.delivered == expected and report.claimed == expected,
        "no_failed_attempts": not report.errors,
        "outbox_delivered": counts.get("delivered", 0) == expected,
        "no_dead_letters": counts.get("dead_letters", 0) == 0,
        "fakes_received_each_once": received == expected
        and all(tally.get("replayed", 1) == 0 for tally in tallies.values()),
    }
    result: dict[str, Any] = {
        "role": role,
        "dtd": dtd,
        "senders": senders,
        "batch_size": batch_size,
        "report": {k: v for k, v in report.as_dict().items() if k != "errors"},
        "errors_sample": report.errors[:5],
        "wall_s": round(wall, 3),
        "elapsed_with_requeue_and_fakes_s": round(time.perf_counter() - begun, 1),
        "docs_per_s": round(docs / wall, 1),
        "ms_per_doc": round(1000 * wall / n, 3),
        **cpu,
        "steps_ms_per_doc": {
            "claim_render_log": round(1000 * phases.claim / n, 3),
            "of_which_prepare": round(1000 * phases.prepare / n, 3),
            "of_which_dtd": round(1000 * phases.dtd / n, 3),
            "send_wall": round(1000 * (wall - phases.claim - phases.record) / n, 3),
            "record": round(1000 * phases.record / n, 3),
        },
        "hub_cpu_ms_per_doc_by_step": hub_cpu_by_step(phases, cpu["cpu_s"]["hub"], n),
        "batches": phases.batches,
        "send_ms": {
            "p50": round(1000 * sends[len(sends) // 2], 2) if sends else None,
            "p99": round(1000 * sends[int(0.99 * (len(sends) - 1))], 2) if sends else None,
            "max": round(1000 * sends[-1], 2) if sends else None,
        },
        "fakes": {
            fake.partner_key: {"pid": fake.pid, "registered_orders": fake.registered, **fake.tally}
            for fake in fakes
        },
        "outbox_after": counts,
        "checks": checks,
        "passed": all(checks.values()),
    }
    if profiler is not None:
        result["profile"] = profile_summary(profiler.stats(), n)
        folder = options.json_path.parent if options.json_path else RESULTS_DIR
        out = folder / f"dispatch-profile-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.prof"
        out.parent.mkdir(parents=True, exist_ok=True)
        profiler.stats().dump_stats(out)
        result["profile"]["file"] = str(out)
    return result


def run_order(repeat: int) -> list[bool]:
    """DTD off/on for each timed run, ABBA: off on, on off, off on, ..."""
    order: list[bool] = []
    for pair in range(repeat):
        order += [False, True] if pair % 2 == 0 else [True, False]
    return order


def summarise(runs: list[dict[str, Any]], cross: dict[str, Any]) -> dict[str, Any]:
    """Medians per DTD setting and the DTD validation cost per document, four ways."""
    timed = [r for r in runs if r["role"] == "timed"]

    def med(dtd: bool, pick: Callable[[dict[str, Any]], float]) -> float:
        return float(statistics.median(pick(r) for r in timed if r["dtd"] is dtd))

    off = med(False, lambda r: r["docs_per_s"])
    on = med(True, lambda r: r["docs_per_s"])
    pairs = []
    offs = [r for r in timed if not r["dtd"]]
    ons = [r for r in timed if r["dtd"]]
    for a, b in zip(offs, ons, strict=False):
        pairs.append(round(b["ms_per_doc"] - a["ms_per_doc"], 3))
    return {
        "median_docs_per_s": {"dtd_off": off, "dtd_on": on},
        "dtd_cost_ms_per_doc": {
            "from_median_throughput": round(1000 / on - 1000 / off, 3),
            "paired_wall_differences": pairs,
            "from_median_hub_cpu": round(
                med(True, lambda r: r["cpu_ms_per_doc"]["hub"])
                - med(False, lambda r: r["cpu_ms_per_doc"]["hub"]),
                3,
            ),
            "measured_inside_dispatcher": med(
                True, lambda r: r["steps_ms_per_doc"]["of_which_dtd"]
            ),
            "timeit_validate_bytes": cross.get("dtd_validate_bytes_ms"),
        },
        "ceilings_docs_per_s": {
            # what the medians' CPU costs allow: the hub on one core of its own (GIL), and the
            # hub, the fakes and PostgreSQL together on every core of this machine
            "hub_alone_on_one_core": {
                name: round(1000 / med(dtd, lambda r: r["cpu_ms_per_doc"]["hub"]))
                for name, dtd in (("dtd_off", False), ("dtd_on", True))
            },
            "all_cpu_of_this_machine": {
                name: round(
                    1000
                    * (os.cpu_count() or 1)
                    / med(dtd, lambda r: sum(r["cpu_ms_per_doc"].values()))
                )
                for name, dtd in (("dtd_off", False), ("dtd_on", True))
            },
        },
        "target_docs_per_s": TARGET_DOCS_PER_S,
        "target_met": {"dtd_off": off >= TARGET_DOCS_PER_S, "dtd_on": on >= TARGET_DOCS_PER_S},
    }


# -- report -------------------------------------------------------------------------------------


def machine_info(options: Options) -> dict[str, Any]:
    """What the figures depend on."""
    versions = {}
    for name in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "gateway_api", "connectors", "mappings", "schemas")
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_uncommitted_files_in_app": len(dirty.splitlines()),
        "loadavg_at_start": list(os.getloadavg()),
        "postgres": {} if options.sqlite else postgres_info(_ingest_options(options.database_url)),
    }


def print_report(result: dict[str, Any]) -> None:
    """The runs as a table, then the derived figures."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(180, shutil.get_terminal_size().columns))
    p = result["parameters"]
    table = Table(
        title=f"Outbox dispatch: {p['documents']} documents ({p['orders']} orders x 3, "
        f"{LINES_PER_ORDER} lines), {p['database']}; steps and DTD in ms per document",
    )
    columns = (
        "run",
        "SxB",
        "DTD",
        "docs/s",
        "ms/doc",
        "claim / send / record",
        "DTD ms",
        "CPU ms/doc hub+fake+pg",
        "hub core",
        "fakes core (max)",
        "busy (others)",
        "send p50/p99",
        "ok",
    )
    for column in columns:
        left = column in ("run", "SxB", "DTD", "ok")
        table.add_column(column, justify="left" if left else "right", no_wrap=True)
    for i, run in enumerate(result["runs"], 1):
        steps, cpu, share = run["steps_ms_per_doc"], run["cpu_ms_per_doc"], run["core_share_pct"]
        table.add_row(
            f"{i} {run['role']}",
            f"{run['senders']}x{run['batch_size']}",
            "on" if run["dtd"] else "off",
            f"{run['docs_per_s']:.0f}",
            f"{run['ms_per_doc']:.2f}",
            f"{steps['claim_render_log']:.2f} / {steps['send_wall']:.2f} / {steps['record']:.2f}",
            f"{steps['of_which_dtd']:.3f}",
            f"{cpu['hub']:.2f}+{cpu['fakes']:.2f}+{cpu['postgres']:.2f}",
            f"{share['hub']:.0f}%",
            f"{share['fakes']:.0f}% ({share['busiest_fake']:.0f}%)",
            f"{run['machine_busy_pct']:.0f}% ({run['others_pct_of_machine']:.0f}%)",
            f"{run['send_ms']['p50']:.1f}/{run['send_ms']['p99']:.1f}",
            "yes" if run["passed"] else "[red]NO[/]",
        )
    console.print(table)
    for i, run in enumerate(result["runs"], 1):
        if not run["passed"]:
            console.print(f"[red]run {i} failed its checks[/]: {run['checks']}")
            console.print(f"  errors: {run['errors_sample']}")
            console.print(f"  fakes: {run['fakes']}")
        drops = run["listen_queue_drops"]
        if any(drops.values()):
            console.print(f"[yellow]run {i}: listen queue drops {drops}[/]")
    cross = result["cross_check"]
    console.print(
        f"in-process, per document (timeit, best of 5, {cross['documents']} documents): "
        f"canonical validate {cross['canonical_validate_ms']:.3f} ms, render "
        f"{cross['render_ms']:.3f} ms, DTD validate (bytes) "
        f"{cross['dtd_validate_bytes_ms']:.3f} ms "
        f"= parse {cross['parse_cxml_ms']:.3f} + tree {cross['dtd_validate_tree_ms']:.3f}; "
        f"invalid renderings: {len(cross['invalid'])}"
    )
    for kind, f in cross["by_kind"].items():
        console.print(
            f"  {kind:22} {f['body_bytes_mean']:6d} B  render {f['render_ms']:.3f} ms  "
            f"DTD {f['dtd_validate_bytes_ms']:.3f} ms"
        )
    s = result["summary"]
    cost = s["dtd_cost_ms_per_doc"]
    met = all(s["target_met"].values())
    console.print(
        f"median docs/s: DTD off {s['median_docs_per_s']['dtd_off']:.0f}, "
        f"on {s['median_docs_per_s']['dtd_on']:.0f}; DTD validation per document: "
        f"{cost['from_median_throughput']:.3f} ms wall (paired {cost['paired_wall_differences']}), "
        f"{cost['from_median_hub_cpu']:.3f} ms hub CPU, {cost['measured_inside_dispatcher']:.3f} "
        f"ms inside the dispatcher, {cost['timeit_validate_bytes']:.3f} ms timeit"
    )
    ceilings = s["ceilings_docs_per_s"]
    console.print(
        f"ceilings from the CPU costs (off / on): hub alone on one core "
        f"{ceilings['hub_alone_on_one_core']['dtd_off']} / "
        f"{ceilings['hub_alone_on_one_core']['dtd_on']} docs/s; hub + fakes + PostgreSQL on "
        f"all CPUs {ceilings['all_cpu_of_this_machine']['dtd_off']} / "
        f"{ceilings['all_cpu_of_this_machine']['dtd_on']} docs/s"
    )
    for dtd in (False, True):
        console.print(target_line(result["runs"], dtd))
    console.print(
        f"target >= {TARGET_DOCS_PER_S:,.0f} docs/s (medians): "
        f"[{'green' if met else 'red'}]{'met' if met else 'MISSED'}[/] {s['target_met']}"
    )
    for run in result["runs"]:
        if "profile" in run:
            prof = run["profile"]
            console.print(
                f"cProfile (CPU time, all threads, DTD {'on' if run['dtd'] else 'off'}): "
                f"{prof['profiled_cpu_ms_per_doc']:.2f} ms/doc profiled; steps (inclusive):"
            )
            for label, value in prof["steps_cpu_ms_per_doc_inclusive"].items():
                console.print(f"  {value if value is not None else 'n/a':>8} ms  {label}")
            console.print("  top functions by own CPU:")
            for entry in prof["top_own_cpu"][:15]:
                console.print(
                    f"  {entry['ms_per_doc']:8.3f} ms {entry['share_pct']:5.1f}%  "
                    f"{entry['function']}"
                )
    console.print(f"elapsed {result['elapsed_s']:.0f} s; result: {result['result_file']}")


def target_line(runs: list[dict[str, Any]], dtd: bool) -> str:
    """`DTD on: 1,050 docs/s (hub CPU 0.85 ms/doc: claim 0.10, ...) target >= 1,000: met`,
    from the median run of that DTD setting (by docs/s)."""
    timed = sorted(
        (r for r in runs if r["role"] == "timed" and r["dtd"] is dtd),
        key=lambda r: r["docs_per_s"],
    )
    if not timed:
        return f"DTD {'on' if dtd else 'off'}: no timed run"
    run = timed[len(timed) // 2]
    steps = ", ".join(f"{k} {v:.2f}" for k, v in run["hub_cpu_ms_per_doc_by_step"].items())
    met = run["docs_per_s"] >= TARGET_DOCS_PER_S
    return (
        f"DTD {'on' if dtd else 'off'}: {run['docs_per_s']:,.0f} docs/s (hub CPU "
        f"{run['cpu_ms_per_doc']['hub']:.2f} ms/doc: {steps}) target >= "
        f"{TARGET_DOCS_PER_S:,.0f}: {'met' if met else 'missed'}"
    )


# -- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Set up, run the timed dispatches, report; exit 1 when a run failed its checks."""
    try:
        options = parse_args(argv)
        if not (options.dtd_dir / "1.2.069").is_dir():
            raise BenchError(f"no cXML DTDs under {options.dtd_dir} (--dtd-dir)")
        started = datetime.now(UTC)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        result_file = options.json_path or RESULTS_DIR / f"dispatch-{stamp}.json"
        info = machine_info(options)
        setup: dict[str, float] = {}
        with tempfile.TemporaryDirectory(prefix="b2c-dispatch-") as tmp:
            scratch = Path(tmp)
            clock = time.perf_counter()
            mappings = copy_mappings(scratch)
            url = prepare_database(options, scratch)
            settings = Settings(
                database_url=url,
                mappings_dir=mappings,
                hostname=HOSTNAME,
                database_pool_size=4,
                outbox_senders=options.senders,
            )
            runtime = build_runtime(settings)
            try:
                runtime.sync_partners()
                gc.freeze()  # as the gateway and the CLI jobs do after start-up
                setup["database_s"] = round(time.perf_counter() - clock, 2)
                run = f"D{stamp}"
                print(f"storing {options.orders} orders through the cXML ingest service ...")
                clock = time.perf_counter()
                order_files = place_orders(runtime, options.orders, run, scratch)
                setup["orders_s"] = round(time.perf_counter() - clock, 2)
                print(f"confirming, shipping and invoicing {options.orders} orders ...")
                clock = time.perf_counter()
                expected = fulfil(runtime, run)
                setup["fulfilment_s"] = round(time.perf_counter() - clock, 2)
                queued = outbox_counts(runtime.engine)
                if queued.get("pending") != expected:
                    raise BenchError(f"expected {expected} pending documents, found {queued}")
                validator = DtdValidator(options.dtd_dir)
                print(f"cross-check: timeit on {options.sample} documents ...")
                clock = time.perf_counter()
                cross = per_document_costs(
                    runtime.engine, runtime.directory, validator, options.sample
                )
                setup["cross_check_s"] = round(time.perf_counter() - clock, 2)
                bench = Bench(options, runtime, mappings, order_files, validator, expected)
                runs: list[dict[str, Any]] = []
                plan = run_order(options.repeat)
                for i, dtd in enumerate(plan, 1):
                    setting = "on" if dtd else "off"
                    print(f"[{i}/{len(plan)}] dispatching {expected} documents, DTD {setting} ...")
                    runs.append(
                        {"loadavg_before": list(os.getloadavg()), **dispatch_run(bench, dtd)}
                    )
                for senders, batch in options.sweep:
                    print(f"sweep: {senders} senders, batch {batch}, DTD off ...")
                    runs.append(
                        dispatch_run(bench, False, role="sweep", senders=senders, batch_size=batch)
                    )
                if options.profile:
                    print("profiled run (cProfile, DTD on; not in the figures) ...")
                    runs.append(dispatch_run(bench, True, role="profile"))
            finally:
                runtime.close()
        result = {
            "benchmark": "dispatch",
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "elapsed_s": round((datetime.now(UTC) - started).total_seconds(), 1),
            "label": options.label,
            "command": " ".join([Path(sys.executable).name, "-m", "bench.dispatch", *sys.argv[1:]]),
            "parameters": {
                **{
                    k: str(v) if isinstance(v, Path) else v
                    for k, v in asdict(options).items()
                    if k != "database_url"
                },
                "database": "sqlite (scratch file)"
                if options.sqlite
                else "PostgreSQL " + libpq_url(options.database_url).split("@")[-1],
                "documents": expected,
                "lines_per_order": LINES_PER_ORDER,
                "partners": list(PARTNERS),
                "run_order": ["on" if dtd else "off" for dtd in plan],
            },
            "machine": info,
            "setup": setup,
            "cross_check": cross,
            "runs": runs,
            "summary": summarise(runs, cross),
            "result_file": str(result_file),
        }
        result_file.parent.mkdir(parents=True, exist_ok=True)
        result_file.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print_report(result)
    except BenchError as error:
        print(f"bench.dispatch: {error}", file=sys.stderr)
        return 2
    return 0 if all(r["passed"] for r in runs) and not cross["invalid"] else 1


if __name__ == "__main__":
    sys.exit(main())
