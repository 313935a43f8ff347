# ruff: noqa: E501 - the step table reads best one step a line
"""In-process ingest profile: `CxmlIngestService.receive` called serially, no HTTP, no threads.

    .venv/bin/python -m bench.profile_ingest [--orders 2000] [--cprofile] [--database-url URL]

Same bodies and database as `bench.ingest` (the schema is dropped and migrated first). One thread
sends one order after the other, so the figures are the floor of what one order costs:

* wall and CPU time per order (the difference is mostly waiting for PostgreSQL, commit included);
* SQL statements and round trips per order, and the wall time spent inside them;
* with --cprofile, the CPU per order of each ingest step (cProfile inflates pure-Python code
  roughly 1.5-2x; compare the total with the run without it).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.ingest import DEFAULT_DATABASE_URL, Options, cpu_seconds, reset_database
from bench.orders import PARTNER, order_request
from connectors.core.inbound import InboundRequest
from connectors.cxml_platform import CXML_INGRESS
from gateway_api.services.ingest import IngestResult

# "label | module:qualname", resolved to code objects and looked up in the cProfile statistics;
# functions that no longer exist show as n/a
_STEP_TABLE = """
receive (everything)                                | gateway_api.services.ingest:IngestPipeline.receive
  open: decode + authenticate + read                | connectors.cxml_platform.connector:CxmlPlatformConnector.open
    decode: cXML bytes -> document                  | connectors.cxml_platform.connector:CxmlPlatformConnector.decode
    authenticate                                    | connectors.cxml_platform.connector:CxmlPlatformConnector.authenticate
    read: document -> PurchaseOrder                 | connectors.cxml_platform.ingress:order_document
  _plan: mapping                                    | gateway_api.services.ingest:IngestPipeline._plan
    map_purchase_order                              | mappings.engine.orders:map_purchase_order
  _commit: one transaction                          | gateway_api.services.ingest:IngestPipeline._commit
    SqlUnitOfWork.__enter__ (checkout, BEGIN)       | gateway_api.store.unit_of_work:SqlUnitOfWork.__enter__
    duplicate check (SELECT)                        | gateway_api.services.ingest:IngestPipeline._lookup
    _decide: decide_order_change (SELECT FOR UPDATE)| gateway_api.services.ingest:IngestPipeline._decide
    connector.acknowledge (cXML Response)           | connectors.cxml_platform.connector:CxmlPlatformConnector.acknowledge
    _raw (document record: redact, sha256)          | gateway_api.services.ingest:IngestPipeline._raw
      SqlDocumentRepository.add                     | gateway_api.store.repositories:SqlDocumentRepository.add
      OrderChange.write                             | gateway_api.services.order_intake:OrderChange.write
        SqlOrderRepository.add                      | gateway_api.store.repositories:SqlOrderRepository.add
        _write_lines                                | gateway_api.store.repositories:SqlOrderRepository._write_lines
        _add_event                                  | gateway_api.store.repositories:SqlOrderRepository._add_event
      SqlIdempotencyRepository.add                  | gateway_api.store.repositories:SqlIdempotencyRepository.add
    SqlUnitOfWork.commit (staged INSERTs + COMMIT)  | gateway_api.store.unit_of_work:SqlUnitOfWork.commit
      BufferedConnection.flush (staged INSERTs)     | gateway_api.store.insert_buffer:BufferedConnection.flush
        _execute_raw (the INSERT round trip)        | gateway_api.store.insert_buffer:_execute_raw
    SqlUnitOfWork.__exit__ (back to the pool)       | gateway_api.store.unit_of_work:SqlUnitOfWork.__exit__
  _log (logging)                                    | gateway_api.services.ingest:_log
psycopg Cursor.execute (any)                        | psycopg.cursor:Cursor.execute
psycopg Connection.commit (any)                     | psycopg.connection:Connection.commit
SQLAlchemy Connection.execute (any)                 | sqlalchemy.engine.base:Connection.execute
pydantic BaseModel.model_dump (any)                 | pydantic.main:BaseModel.model_dump
pydantic BaseModel.model_validate (any)             | pydantic.main:BaseModel.model_validate
"""
STEPS: tuple[tuple[str, str], ...] = tuple(
    (label.rstrip(), path.strip())
    for label, _, path in (line.partition("|") for line in _STEP_TABLE.strip("\n").splitlines())
)


def code_key(path: str) -> tuple[str, int, str] | None:
    """(file, first line, name) of the function at `module:qualname`, as cProfile keys it."""
    import importlib
    import inspect

    module_name, _, qualname = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
        code = inspect.unwrap(target).__code__
    except (ImportError, AttributeError):
        return None
    return (code.co_filename, code.co_firstlineno, code.co_name)


@dataclass
class SqlCounter:
    """Statements, executemany batches and wall time inside the DBAPI, from engine events."""

    statements: int = 0
    executemany: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    _started: float = 0.0

    def before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """before_cursor_execute"""
        self.statements += 1
        self.executemany += bool(args[-1]) if args else 0
        head = " ".join(statement.split()[:3])
        self.kinds[head] = self.kinds.get(head, 0) + 1
        self._started = time.perf_counter()

    def after(self, *_args: Any) -> None:
        """after_cursor_execute"""
        self.seconds += time.perf_counter() - self._started


def database_stats(url: str) -> dict[str, int]:
    """Counters of pg_stat_database for the benchmark database."""
    import psycopg

    from bench.ingest import libpq_url

    names = ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_fetched")
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(
            f"SELECT {', '.join(names)} FROM pg_stat_database "  # noqa: S608 - fixed names
            "WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return dict(zip(names, (int(v) for v in row), strict=True))


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Profile `--orders` serial ingests."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_ingest")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cprofile", action="store_true", help="per-step CPU with cProfile")
    parser.add_argument("--top", type=int, default=0, help="also print the top N by cumtime")
    parser.add_argument(
        "--group",
        type=int,
        default=1,
        help="store N bodies per transaction, as the HTTP writer does under load (group commit)",
    )
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from gateway_api.runtime import build_runtime
    from gateway_api.settings import Settings

    options = Options(
        orders=args.orders,
        connections=1,
        workers=1,
        database_url=args.database_url,
        pool_size=2,
        server_env=(),
        setup_sql=(),
        warmup=args.warmup,
        repeat=1,
        wrk_threads=1,
        max_seconds=60,
        skip_ceiling=True,
        launcher="in-process",
        uvicorn_options=(),
        label="",
        results_dir=__import__("pathlib").Path("."),
        py_spy=False,
    )
    reset_database(options)
    runtime = build_runtime(Settings(database_url=args.database_url, database_pool_size=2))
    runtime.sync_partners()
    pipeline = runtime.ingest
    run = f"P{int(time.time())}"
    bodies = [order_request(f"{run}W", i) for i in range(1, args.warmup + 1)]
    measured = [order_request(run, i) for i in range(1, args.orders + 1)]

    def send(group: list[bytes]) -> None:
        opened = []
        for body in group:
            request = InboundRequest(
                body=body, remote_addr="127.0.0.1", content_type="text/xml; charset=utf-8"
            )
            body_opened = pipeline.open(PARTNER, request, ingress=CXML_INGRESS)
            if isinstance(body_opened, IngestResult):
                raise SystemExit(f"refused: {body_opened.reply.body[:300]!r}")
            opened.append(body_opened)
        for result in pipeline.process_together(opened):
            if isinstance(result, Exception):
                raise result
            if result.reply.status != 200:
                raise SystemExit(f"unexpected answer {result.reply.status}")

    size = max(args.group, 1)
    for start in range(0, len(bodies), size):
        send(bodies[start : start + size])

    backends: set[int] = set()
    with runtime.engine.connect() as connection:  # every pooled connection is a backend
        backends.add(connection.connection.driver_connection.info.backend_pid)  # type: ignore[union-attr]
    event.listen(
        runtime.engine,
        "connect",
        lambda dbapi, _record: backends.add(dbapi.info.backend_pid),
    )
    stats_before = database_stats(args.database_url)
    backend_before = cpu_seconds(backends)
    sql = SqlCounter()
    event.listen(runtime.engine, "before_cursor_execute", sql.before)
    event.listen(runtime.engine, "after_cursor_execute", sql.after)
    profiler = cProfile.Profile() if args.cprofile else None
    walls: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for start in range(0, len(measured), size):
        group = measured[start : start + size]
        started = time.perf_counter()
        send(group)
        walls.extend([time.perf_counter() - started] * len(group))
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    backend_after = cpu_seconds(backends)
    backend_cpu = sum(
        sum(after) - sum(backend_before.get(pid, (0.0, 0.0)))
        for pid, after in backend_after.items()
    )
    runtime.close()
    time.sleep(1.5)  # backends report their statistics when idle, about once a second
    stats_after = database_stats(args.database_url)

    n = args.orders
    walls.sort()
    print(
        f"{n} orders, {size} per transaction, one group after the other, in-process "
        f"(cProfile: {bool(profiler)})"
    )
    print(f"  wall per order      {1000 * wall / n:7.3f} ms  ({n / wall:.0f} orders/s serial)")
    print(
        f"    p50 / p99         {1000 * statistics.median(walls):7.3f} / "
        f"{1000 * walls[int(0.99 * n) - 1]:.3f} ms"
    )
    print(f"  CPU per order       {1000 * cpu / n:7.3f} ms  (this process)")
    print(
        f"  PostgreSQL backends {1000 * backend_cpu / n:7.3f} ms CPU per order (this run's "
        "connections; the WAL writer and checkpointer are not counted)"
    )
    print("  PostgreSQL per order (pg_stat_database deltas, whole database):")
    for name, after in stats_after.items():
        print(f"    {(after - stats_before[name]) / n:9.2f}  {name}")
    print(
        f"  statements through SQLAlchemy per order {sql.statements / n:5.2f}, "
        f"{1000 * sql.seconds / n:.3f} ms inside them (raw-driver statements and COMMIT "
        "are not seen here)"
    )
    for kind, count in sorted(sql.kinds.items(), key=lambda kv: -kv[1]):
        print(f"    {count / n:5.2f}  {kind}")
    if profiler:
        stats = pstats.Stats(profiler)
        raw: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
        print("  cProfile cumulative wall time per order (ms), DB waits included:")
        for label, path in STEPS:
            key = code_key(path)
            entry = raw.get(key) if key else None
            value = f"{1000 * entry[3] / n:7.3f}" if entry else "    n/a"
            print(f"    {value}  {label}")
        if args.top:
            stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
