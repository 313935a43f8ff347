"""Ingest benchmark: distinct 10-line cXML OrderRequests over HTTP into the gateway on PostgreSQL.

    .venv/bin/python -m bench.ingest [--orders 10000] [--connections 32] [--workers 1]
                                     [--database-url URL] [--repeat 1]

One run, for each repetition:

1. the *ceiling*: `bench/ceiling_app.py` (bare FastAPI, fixed cXML answer) under uvicorn with the
   gateway's worker count and options, hit by wrk with the same bodies;
2. the *gateway*: the benchmark database's schema is dropped and migrated (`b2connect db
   upgrade`), `b2connect serve` starts on a free loopback port, wrk POSTs every body exactly once
   over `--connections` keep-alive connections; afterwards the rows in PostgreSQL are counted and
   must match the orders answered HTTP 200 (10 lines each).

Both get `--warmup` extra distinct orders first (not measured). wrk's per-request latency
histogram gives p50/p99/max; orders/s is HTTP-200 answers over the time from the first request
sent to the last answer received. CPU seconds of the server processes, of PostgreSQL and of wrk
are sampled from /proc around the measured phase. A table is printed and a JSON file written to
`bench/results/`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.orders import LINES_PER_ORDER, PARTNER, order_id, order_request

REPO = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "ingest.lua"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE_URL = "postgresql+psycopg://b2connect:b2connect@127.0.0.1:5432/b2connect_bench"
HOST = "127.0.0.1"
INGEST_PATH = f"/cxml/{PARTNER}"
TARGET_GATEWAY_CPU_MS = 0.6
"""Issue 10: gateway CPU per durable order (all worker processes)."""
TARGET_POSTGRES_CPU_MS = 0.4
"""Issue 10: PostgreSQL CPU per durable order (every postgres process)."""
TARGET_ORDERS_PER_S = 1200.0
"""Issue 10: what the two CPU targets put within reach of two shared cores."""
PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "sqlalchemy",
    "psycopg",
    "psycopg-binary",
    "lxml",
)


class BenchError(RuntimeError):
    """The benchmark could not run (missing tool, server did not start, ...)."""


# -- options ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """Parameters of one invocation."""

    orders: int
    connections: int
    workers: int
    database_url: str
    pool_size: int | None
    server_env: tuple[tuple[str, str], ...]
    setup_sql: tuple[str, ...]
    warmup: int
    repeat: int
    wrk_threads: int
    max_seconds: int
    skip_ceiling: bool
    launcher: str
    uvicorn_options: tuple[str, ...]
    label: str
    results_dir: Path
    py_spy: bool


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """Command-line options; see `--help`."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description="Ingest benchmark: cXML OrderRequests into the gateway on PostgreSQL, "
        "with a bare FastAPI endpoint as the ceiling.",
    )
    parser.add_argument("--orders", type=int, default=10_000, help="measured orders (distinct)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database for the gateway; its schema is DROPPED and recreated "
        "(the database name must contain 'bench')",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="B2CONNECT_DATABASE_POOL_SIZE per worker (default: the gateway's own default)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the gateway, e.g. --env B2CONNECT_INGEST_THREADS=4",
    )
    parser.add_argument(
        "--setup-sql",
        action="append",
        default=[],
        metavar="SQL",
        help="statement run on the benchmark database after migration (experiments only, e.g. "
        "'ALTER TABLE documents ALTER COLUMN body SET COMPRESSION lz4')",
    )
    parser.add_argument(
        "--warmup", type=int, default=640, help="unmeasured distinct orders sent first"
    )
    parser.add_argument("--repeat", type=int, default=1, help="ceiling + gateway runs in a row")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (-t)")
    parser.add_argument(
        "--max-seconds", type=int, default=300, help="hard time limit of each wrk phase"
    )
    parser.add_argument("--skip-ceiling", action="store_true", help="gateway only")
    parser.add_argument(
        "--uvicorn-option",
        action="append",
        default=[],
        metavar="OPT",
        help="extra uvicorn CLI option for both servers, e.g. --uvicorn-option=--http=h11 "
        "(the gateway is then started with `uvicorn --factory` instead of `b2connect serve`)",
    )
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="profile the gateway's measured phase with py-spy (all workers, samples of the "
        "thread holding the GIL, collapsed stacks in bench/results/; slows the server a little)",
    )
    parser.add_argument("--label", default="", help="free text stored with the result")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    for name in ("orders", "connections", "workers", "repeat", "wrk_threads", "max_seconds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.connections % args.wrk_threads:
        parser.error("--connections must be a multiple of --wrk-threads")
    if args.orders < args.connections:
        parser.error("--orders must be at least --connections")
    server_env = env_pairs(parser, args.env)
    return Options(
        orders=args.orders,
        connections=args.connections,
        workers=args.workers,
        database_url=args.database_url,
        pool_size=args.pool_size,
        server_env=tuple(server_env),
        setup_sql=tuple(args.setup_sql),
        warmup=args.warmup,
        repeat=args.repeat,
        wrk_threads=args.wrk_threads,
        max_seconds=args.max_seconds,
        skip_ceiling=args.skip_ceiling,
        launcher="uvicorn" if args.uvicorn_option else "b2connect serve",
        uvicorn_options=tuple(args.uvicorn_option),
        label=args.label,
        results_dir=args.results_dir,
        py_spy=args.py_spy,
    )


# -- bodies -------------------------------------------------------------------------------------


def env_pairs(parser: argparse.ArgumentParser, items: Sequence[str]) -> list[tuple[str, str]]:
    """`--env NAME=VALUE` options as pairs (the parser's error for anything else)."""
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"--env wants NAME=VALUE, not {item!r}")
        pairs.append((name, value))
    return pairs


def write_bodies(directory: Path, name: str, run: str, count: int, threads: int) -> str:
    """Write `count` distinct OrderRequests of `run`, dealt round-robin to one file per wrk
    thread (`<prefix><thread>.bin`, records `<length>\\n<bytes>`); return the prefix."""
    prefix = directory / f"{name}-"
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(Path(f"{prefix}{i}.bin").open("wb")) for i in range(threads)]
        for number in range(1, count + 1):
            body = order_request(run, number)
            out = files[number % threads]
            out.write(b"%d\n" % len(body))
            out.write(body)
    return str(prefix)


# -- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"`{name}` not found next to {sys.executable} nor on PATH")
    return found


@dataclass
class Server:
    """A server subprocess on a loopback port, in its own process group."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://{HOST}:{self.port}"

    def start(self, *, timeout: float = 60.0) -> None:
        """Start and wait until GET /health answers 200."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"{self.name} not healthy after {timeout:.0f}s:\n{self.log()}")

    def stop(self, *, timeout: float = 20.0) -> None:
        """SIGINT (graceful), then SIGTERM, then SIGKILL to its process group."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                if sig is signal.SIGINT:
                    process.send_signal(sig)
                else:
                    os.killpg(process.pid, sig)
            try:
                process.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            break
        # workers left behind by a supervisor that died first
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def pids(self) -> set[int]:
        """The server process and all its descendants."""
        if self.process is None:
            return set()
        return descendants(self.process.pid)

    def log(self, tail: int = 4000) -> str:
        """The end of the server's output."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """Start `server`, stop it on the way out whatever happens."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


def uvicorn_command(app: str, port: int, options: Options, *, factory: bool) -> list[str]:
    """uvicorn with the options `b2connect serve` uses (no access log), plus the user's."""
    command = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    command += ["--workers", str(options.workers), "--log-level", "warning", "--no-access-log"]
    if factory:
        command.append("--factory")
    return command + list(options.uvicorn_options)


def gateway_command(port: int, options: Options) -> list[str]:
    """`b2connect serve`, or uvicorn directly when uvicorn options were asked for."""
    if options.uvicorn_options:
        return uvicorn_command("gateway_api.http.app:create_app", port, options, factory=True)
    return [
        _bin("b2connect"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(options.workers),
        "--log-level",
        "warning",
    ]


def gateway_env(options: Options) -> dict[str, str]:
    """The environment of the gateway and of `b2connect db upgrade`."""
    env = dict(os.environ)
    env.update(
        B2CONNECT_DATABASE_URL=options.database_url,
        B2CONNECT_ENVIRONMENT="development",  # the demo partner is refused in production
        PYTHONUNBUFFERED="1",
    )
    if options.pool_size is not None:
        env["B2CONNECT_DATABASE_POOL_SIZE"] = str(options.pool_size)
    env.update(options.server_env)
    return env


# -- CPU accounting -----------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name may contain spaces and parentheses; fields resume after the last ')'
    return raw[raw.rindex(")") + 2 :].split()


def descendants(root: int) -> set[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def postgres_pids() -> set[int]:
    """Every process named `postgres` (server, backends, WAL writer, checkpointer, ...)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_seconds(pids: set[int]) -> dict[int, tuple[float, float]]:
    """(user, system) CPU seconds of each live process, its reaped children included (the
    postmaster reaps backends, so connections opened and closed meanwhile are counted)."""
    out = {}
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            user, system, child_user, child_system = (int(v) for v in fields[11:15])
            out[pid] = ((user + child_user) / CLOCK_TICKS, (system + child_system) / CLOCK_TICKS)
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU seconds used by the server tree, PostgreSQL, wrk and the whole machine meanwhile."""

    server: Server
    before: dict[str, dict[int, tuple[float, float]]] = field(default_factory=dict)
    machine_before: tuple[float, float] = (0.0, 0.0)

    def groups(self) -> dict[str, set[int]]:
        """The processes counted per component (wrk is measured by its own rusage)."""
        return {"server": self.server.pids(), "postgres": postgres_pids()}

    def start(self) -> None:
        """Snapshot before the measured phase."""
        self.before = {k: cpu_seconds(v) for k, v in self.groups().items()}
        self.machine_before = machine_cpu()

    def stop(self, wrk_cpu: float) -> dict[str, float]:
        """CPU seconds per component since `start`."""
        used: dict[str, float] = {}
        for name, pids in self.groups().items():
            now = cpu_seconds(pids)
            base = self.before.get(name, {})
            user = sum(u - base.get(p, (0.0, 0.0))[0] for p, (u, _) in now.items())
            system = sum(s - base.get(p, (0.0, 0.0))[1] for p, (_, s) in now.items())
            used[name] = round(user + system, 2)
            used[f"{name}_system"] = round(system, 2)
        used["wrk"] = round(wrk_cpu, 2)
        busy, total = machine_cpu()
        used["machine_busy"] = round(busy - self.machine_before[0], 2)
        used["machine_total"] = round(total - self.machine_before[1], 2)
        ours = used["server"] + used["postgres"] + used["wrk"]
        used["other_processes"] = round(max(0.0, used["machine_busy"] - ours), 2)
        return used


# -- wrk ----------------------------------------------------------------------------------------


def check_wrk() -> str:
    """Path of wrk, or a clear instruction to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise BenchError(
            "wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y wrk`, "
            "macOS: `brew install wrk`) and run the benchmark again."
        )
    return found


def wrk_version(wrk: str) -> str:
    """First line of `wrk -v`."""
    result = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0].strip()


@dataclass(frozen=True)
class WrkRun:
    """The Lua script's result plus CPU figures."""

    result: dict[str, Any]
    cpu: dict[str, float] | None
    wall_s: float


def run_wrk(
    wrk: str,
    server: Server,
    bodies_prefix: str,
    options: Options,
    workdir: Path,
    *,
    tag: str,
    meter: CpuMeter | None = None,
) -> WrkRun:
    """POST every body of `bodies_prefix` once to `server`; bounded by --max-seconds."""
    done_dir = workdir / f"done-{tag}"
    done_dir.mkdir()
    result_path = workdir / f"wrk-{tag}.json"
    env = dict(os.environ)
    env.update(
        BENCH_BODIES=bodies_prefix,
        BENCH_THREADS=str(options.wrk_threads),
        BENCH_DONE=str(done_dir),
        BENCH_RESULT=str(result_path),
        BENCH_PATH=INGEST_PATH,
    )
    command = [
        wrk,
        "-t",
        str(options.wrk_threads),
        "-c",
        str(options.connections),
        "-d",
        f"{options.max_seconds}s",
        "--timeout",
        f"{options.max_seconds}s",
        "-s",
        str(LUA_SCRIPT),
        server.base_url + INGEST_PATH,
    ]
    if meter is not None:
        meter.start()
    started = time.monotonic()
    server_exited = False
    with (workdir / f"wrk-{tag}.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if not server_exited and server.process and server.process.poll() is not None:
                    server_exited = True  # no point hammering a dead port for --max-seconds
                    process.send_signal(signal.SIGINT)  # wrk still writes its result
                time.sleep(0.05)
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    cpu = meter.stop(rusage.ru_utime + rusage.ru_stime) if meter else None
    if process.returncode != 0 or not result_path.exists():
        output = (workdir / f"wrk-{tag}.log").read_text(errors="replace")
        raise BenchError(f"wrk failed (exit {process.returncode}):\n{output[-3000:]}")
    result = json.loads(result_path.read_text())
    result["timed_out"] = wall >= options.max_seconds - 1
    result["server_exited"] = server_exited
    return WrkRun(result, cpu, round(wall, 2))


# -- database -----------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BenchError(f"the benchmark needs PostgreSQL, not {parsed.get_backend_name()}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def connect(options: Options, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the benchmark database, or a BenchError that says what to do."""
    import psycopg

    try:
        return psycopg.connect(libpq_url(options.database_url), autocommit=autocommit)
    except psycopg.OperationalError as error:
        raise BenchError(
            f"cannot connect to {libpq_url(options.database_url).split('@')[-1]}: {error}\n"
            "Is PostgreSQL running, and does the database exist? "
            "(su postgres -c 'createdb -O b2connect b2connect_bench')"
        ) from None


def reset_database(options: Options) -> None:
    """Drop and recreate the public schema, then `b2connect db upgrade`."""
    from sqlalchemy.engine import make_url

    database = make_url(options.database_url).database or ""
    if "bench" not in database:
        raise BenchError(
            f"refusing to drop the schema of database {database!r}: its name must contain "
            "'bench' (create one: su postgres -c 'createdb -O b2connect b2connect_bench')"
        )
    with connect(options, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    result = subprocess.run(
        [_bin("b2connect"), "db", "upgrade"],
        cwd=REPO,
        env=gateway_env(options),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"b2connect db upgrade failed:\n{result.stdout}\n{result.stderr}")
    if options.setup_sql:
        with connect(options, autocommit=True) as conn:
            for statement in options.setup_sql:
                conn.execute(statement.encode())
    # Mirror the partner profiles once, before the workers start: on an empty `partners` table
    # two workers starting together both INSERT them and one dies with a unique violation
    # (PartnerRepository.sync reads, then writes).
    from gateway_api.runtime import build_runtime
    from gateway_api.settings import Settings

    runtime = build_runtime(Settings(database_url=options.database_url, database_pool_size=1))
    try:
        runtime.sync_partners()
    finally:
        runtime.close()


def postgres_info(options: Options) -> dict[str, str]:
    """Server version and the settings that decide commit cost."""

    names = (
        "server_version",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "full_page_writes",
        "commit_delay",
        "shared_buffers",
        "max_wal_size",
        "max_connections",
    )
    with connect(options) as conn:
        return {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}


def wal_lsn(options: Options) -> str:
    """The cluster's current WAL write position (every database's writes count)."""

    with connect(options) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    return str(row[0])


def storage(options: Options, since_lsn: str, until_lsn: str) -> dict[str, int]:
    """WAL written between two positions, and the size of each table (with indexes, TOAST)."""

    with connect(options) as conn:
        row = conn.execute(
            "SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn)", (until_lsn, since_lsn)
        ).fetchone()
        assert row is not None
        out = {"wal_bytes": int(row[0])}
        for table in ("documents", "orders", "order_lines", "order_events", "idempotency_keys"):
            size = conn.execute("SELECT pg_total_relation_size(%s::regclass)", (table,)).fetchone()
            assert size is not None
            out[f"{table}_bytes"] = int(size[0])
    return out


def verify(options: Options, run: str, answered_200: int) -> dict[str, Any]:
    """Count what the measured run left in PostgreSQL, read back over a fresh connection."""

    like = f"{run}-%"
    with connect(options) as conn:

        def one(sql: str, *params: object) -> int:
            row = conn.execute(sql, params).fetchone()
            assert row is not None
            return int(row[0])

        orders = one("SELECT count(*) FROM orders WHERE order_id LIKE %s", like)
        lines = one(
            "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_uuid "
            "WHERE o.order_id LIKE %s",
            like,
        )
        short = one(
            "SELECT count(*) FROM (SELECT o.id FROM orders o LEFT JOIN order_lines l "
            "ON l.order_uuid = o.id WHERE o.order_id LIKE %s GROUP BY o.id "
            "HAVING count(l.line_number) <> %s) AS t",
            like,
            LINES_PER_ORDER,
        )
        events = one(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_uuid "
            "WHERE o.order_id LIKE %s",
            like,
        )
        processed = one(
            "SELECT count(*) FROM documents WHERE direction = 'inbound' AND outcome = 'processed' "
            "AND correlation_id LIKE %s",
            like,
        )
        keys = one(
            "SELECT count(*) FROM idempotency_keys WHERE key LIKE %s",
            f"{run}.%",
        )
        dead_letters = one("SELECT count(*) FROM dead_letters")
    checks = {
        "orders_rows_equal_http_200": orders == answered_200,
        "ten_lines_per_order": lines == orders * LINES_PER_ORDER and short == 0,
        "one_event_per_order": events == orders,
        "processed_documents_equal_orders": processed == orders,
        "idempotency_keys_equal_orders": keys == orders,
        "no_dead_letters": dead_letters == 0,
        "every_order_answered_200": answered_200 == options.orders,
    }
    return {
        "orders": orders,
        "order_lines": lines,
        "orders_without_10_lines": short,
        "order_events": events,
        "processed_documents": processed,
        "idempotency_keys": keys,
        "dead_letters": dead_letters,
        "http_200": answered_200,
        "checks": checks,
        "passed": all(checks.values()),
    }


# -- one repetition -----------------------------------------------------------------------------


def figures(run: WrkRun, expected: int) -> dict[str, Any]:
    """orders/s, latency in ms, status counts and errors of one measured wrk phase."""
    r = run.result
    ok = int(r["statuses"].get("200", 0))
    window = r["window_us"] / 1e6
    latency = {k: round(v / 1000, 2) for k, v in r["latency_us"].items()}
    unanswered = max(0, expected - r["received"])
    errors = sum(r["socket_errors"].values()) + (r["received"] - ok) + unanswered + r["overrun"]
    out: dict[str, Any] = {
        "requests": expected,
        "sent": r["sent"],
        "answered": r["received"],
        "http_200": ok,
        "statuses": r["statuses"],
        "non_200": r["received"] - ok,
        "unanswered": unanswered,
        "overrun_requests": r["overrun"],
        "socket_errors": r["socket_errors"],
        "errors": errors,
        "error_samples": r["error_samples"],
        "timed_out": r["timed_out"],
        "server_exited": r["server_exited"],
        "window_s": round(window, 3),
        "per_s": round(ok / window, 1) if window > 0 else 0.0,
        "latency_ms": latency,
        "wall_s": run.wall_s,
    }
    if run.cpu is not None:
        cpu = dict(run.cpu)
        out["cpu_s"] = cpu
        out["cpu_ms_per_request"] = {
            k: round(1000 * cpu[k] / max(ok, 1), 3) for k in ("server", "postgres", "wrk")
        }
        out["machine_busy_pct"] = (
            round(100 * cpu["machine_busy"] / cpu["machine_total"], 1)
            if cpu["machine_total"]
            else None
        )
    return out


def run_ceiling(wrk: str, options: Options, workdir: Path, tag: str) -> dict[str, Any]:
    """Warm-up + measured phase against the bare FastAPI app."""
    port = free_port()
    server = Server(
        "ceiling",
        uvicorn_command("bench.ceiling_app:app", port, options, factory=False),
        dict(os.environ),
        port,
        workdir / f"ceiling-{tag}.log",
    )
    with running(server):
        if options.warmup:
            run_wrk(
                wrk, server, str(workdir / "warm-"), options, workdir, tag=f"ceiling-warm-{tag}"
            )
        measured = run_wrk(
            wrk,
            server,
            str(workdir / "bodies-"),
            options,
            workdir,
            tag=f"ceiling-{tag}",
            meter=CpuMeter(server),
        )
    return figures(measured, options.orders)


def run_gateway(wrk: str, options: Options, workdir: Path, tag: str, run: str) -> dict[str, Any]:
    """Fresh schema, warm-up + measured phase against the gateway, then row counts."""
    reset_database(options)
    port = free_port()
    server = Server(
        "gateway",
        gateway_command(port, options),
        gateway_env(options),
        port,
        workdir / f"gateway-{tag}.log",
    )
    with running(server):
        if options.warmup:
            run_wrk(
                wrk, server, str(workdir / "warm-"), options, workdir, tag=f"gateway-warm-{tag}"
            )
        lsn_before = wal_lsn(options)
        groups_before = ingest_groups(server)
        profile = options.results_dir / f"py-spy-{run}-w{options.workers}-{tag}.txt"
        with py_spy(server, profile) if options.py_spy else contextlib.nullcontext():
            measured = run_wrk(
                wrk,
                server,
                str(workdir / "bodies-"),
                options,
                workdir,
                tag=f"gateway-{tag}",
                meter=CpuMeter(server),
            )
        lsn_after = wal_lsn(options)
        groups_after = ingest_groups(server)
    log_tail = server.log(2000)
    out = figures(measured, options.orders)
    if groups_before is not None and groups_after is not None:
        bodies = groups_after[0] - groups_before[0]
        transactions = groups_after[1] - groups_before[1]
        out["ingest_transactions"] = int(transactions)
        out["bodies_per_transaction"] = round(bodies / transactions, 2) if transactions else None
    stored = storage(options, lsn_before, lsn_after)
    ok = max(out["http_200"], 1)
    out["storage"] = stored
    out["wal_kib_per_order"] = round(stored["wal_bytes"] / ok / 1024, 1)
    if options.py_spy:
        out["py_spy_profile"] = str(profile)
    out["durability"] = verify(options, run, out["http_200"])
    if out["errors"]:
        out["server_log_tail"] = log_tail
    return out


def ingest_groups(server: Server) -> tuple[float, float] | None:
    """(bodies, transactions) stored so far by the gateway's group commit, summed over its
    workers (`b2connect_ingest_group_bodies` on /metrics); None when it has no such metric."""
    try:
        with urllib.request.urlopen(f"{server.base_url}/metrics", timeout=10) as answer:  # noqa: S310
            text = answer.read().decode()
    except (urllib.error.URLError, OSError):
        return None
    values: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("b2connect_ingest_group_bodies_sum", "b2connect_ingest_group_bodies_count"):
            values[name] = float(value)
    if len(values) != 2:
        return None
    return (
        values["b2connect_ingest_group_bodies_sum"],
        values["b2connect_ingest_group_bodies_count"],
    )


@contextlib.contextmanager
def py_spy(server: Server, output: Path) -> Iterator[None]:
    """Sample every process of `server` with py-spy while the block runs (collapsed stacks)."""
    tool = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(tool).exists():
        raise BenchError("--py-spy needs py-spy: .venv/bin/pip install py-spy")
    assert server.process is not None
    command = [tool, "record", "--pid", str(server.process.pid), "--subprocesses"]
    command += [
        "--gil",
        "--nonblocking",
        "--rate",
        "100",
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    with output.with_suffix(".log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    time.sleep(1.0)  # let it attach before the load starts
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- report -------------------------------------------------------------------------------------


def machine_info(wrk: str, options: Options) -> dict[str, Any]:
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
    mem_kb = 0
    with contextlib.suppress(OSError, ValueError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "gateway_api", "connectors", "mappings", "schemas"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "wrk": wrk_version(wrk),
        "postgres": postgres_info(options),
        "git_commit": git,
        "git_uncommitted_files_in_app": len(dirty),
        "loadavg_at_start": list(os.getloadavg()),
    }


def target_verdict(gateway: dict[str, Any]) -> dict[str, bool]:
    """The issue's targets (issue 10), for one measured gateway phase.

    The closed loop saturates the machine, so its latency is no target here (Little's law:
    32 connections / throughput); latency at a rate is `bench.open_loop`'s.
    """
    per = gateway.get("cpu_ms_per_request", {})
    return {
        "gateway_cpu_at_most_0.6ms": per.get("server", float("inf")) <= TARGET_GATEWAY_CPU_MS,
        "postgres_cpu_at_most_0.4ms": per.get("postgres", float("inf")) <= TARGET_POSTGRES_CPU_MS,
        "orders_per_s_at_least_1200": gateway["per_s"] >= TARGET_ORDERS_PER_S,
        "no_errors": gateway["errors"] == 0,
        "durable": bool(gateway["durability"]["passed"]),
    }


def verdict_lines(gateway: dict[str, Any]) -> list[str]:
    """One line per target: the figure, the target and met or MISSED."""
    per = gateway.get("cpu_ms_per_request", {})
    verdict = target_verdict(gateway)

    def word(ok: bool) -> str:
        return "[green]met[/]" if ok else "[red]MISSED[/]"

    return [
        f"gateway CPU {per.get('server', float('nan')):.2f} ms/order <= "
        f"{TARGET_GATEWAY_CPU_MS} ms: {word(verdict['gateway_cpu_at_most_0.6ms'])}",
        f"PostgreSQL CPU {per.get('postgres', float('nan')):.2f} ms/order <= "
        f"{TARGET_POSTGRES_CPU_MS} ms: {word(verdict['postgres_cpu_at_most_0.4ms'])}",
        f"{gateway['per_s']:.0f} durable orders/s >= {TARGET_ORDERS_PER_S:.0f}: "
        f"{word(verdict['orders_per_s_at_least_1200'])}",
        f"every 200 is one order, once: {word(verdict['durable'] and verdict['no_errors'])}",
    ]


def print_report(result: dict[str, Any]) -> None:
    """A table per repetition: gateway vs ceiling."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(140, shutil.get_terminal_size().columns))
    params = result["parameters"]
    table = Table(
        title=f"Ingest: {params['orders']} orders x {LINES_PER_ORDER} lines, "
        f"{params['connections']} connections, {params['workers']} worker(s), "
        f"pool size {params['pool_size'] or 'default'}"
        + "".join(f", {k}={v}" for k, v in params["server_env"])
        + (", with setup SQL" if params["setup_sql"] else ""),
    )
    for column in ("run", "server", "req/s", "p50 ms", "p99 ms", "max ms", "200", "errors"):
        table.add_column(column, justify="right" if column not in ("run", "server") else "left")
    table.add_column("CPU ms/req srv+pg+wrk", justify="right")
    table.add_column("vs ceiling", justify="right")
    table.add_column("durable", justify="left")
    for i, rep in enumerate(result["runs"], 1):
        for name in ("ceiling", "gateway"):
            f = rep.get(name)
            if f is None:
                continue
            lat = f["latency_ms"]
            cpu = f.get("cpu_ms_per_request", {})
            cpu_text = "+".join(f"{cpu.get(k, 0):.2f}" for k in ("server", "postgres", "wrk"))
            ratio = f"{100 * rep['ratio']:.1f}%" if name == "gateway" and rep.get("ratio") else ""
            durable = ""
            if name == "gateway":
                durable = "yes" if f["durability"]["passed"] else "NO"
            table.add_row(
                str(i),
                name,
                f"{f['per_s']:.0f}",
                f"{lat['p50']:.1f}",
                f"{lat['p99']:.1f}",
                f"{lat['max']:.1f}",
                str(f["http_200"]),
                str(f["errors"]) if not f["errors"] else f"[red]{f['errors']}[/]",
                cpu_text,
                ratio,
                durable,
            )
    console.print(table)
    for i, rep in enumerate(result["runs"], 1):
        gateway = rep.get("gateway")
        if gateway is None:
            continue
        if gateway["errors"]:
            console.print(
                f"[red]run {i}: {gateway['errors']} request(s) failed[/]: statuses "
                f"{gateway['statuses']}, socket errors {gateway['socket_errors']}, "
                f"unanswered {gateway['unanswered']}"
            )
            for sample in gateway["error_samples"][:3]:
                console.print(f"  {sample[:300]!r}")
        if not gateway["durability"]["passed"]:
            console.print(f"[red]run {i}: durability check failed[/]: {gateway['durability']}")
        cpu, per = gateway.get("cpu_s", {}), gateway.get("cpu_ms_per_request", {})
        if cpu:
            console.print(
                f"run {i}: per order: gateway CPU {per['server']:.2f} ms "
                f"({100 * cpu['server_system'] / max(cpu['server'], 0.01):.0f}% in the kernel), "
                f"PostgreSQL CPU {per['postgres']:.2f} ms, wrk {per['wrk']:.2f} ms, "
                f"WAL {gateway['wal_kib_per_order']:.1f} KiB, "
                f"{gateway.get('bodies_per_transaction') or 1} bodies per transaction; "
                f"machine busy "
                f"{gateway['machine_busy_pct']}% (other processes {cpu['other_processes']:.1f} "
                f"CPU-s of {cpu['machine_total']:.1f})"
            )
        for line in verdict_lines(gateway):
            console.print(f"run {i}: target: {line}")
    console.print(f"result: {result['result_file']}")


# -- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 on errors or failed durability, 0 otherwise."""
    try:
        options = parse_args(argv)
        wrk = check_wrk()
        started = datetime.now(UTC)
        info = machine_info(wrk, options)
        options.results_dir.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        result_file = options.results_dir / f"ingest-{stamp}-w{options.workers}.json"
        runs: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="b2c-bench-") as tmp:
            workdir = Path(tmp)
            run = f"B{stamp}"
            print(f"writing {options.orders} + {options.warmup} warm-up OrderRequests ...")
            write_bodies(workdir, "bodies", run, options.orders, options.wrk_threads)
            if options.warmup:
                write_bodies(workdir, "warm", f"{run}W", options.warmup, options.wrk_threads)
            for rep in range(1, options.repeat + 1):
                tag = str(rep)
                entry: dict[str, Any] = {"loadavg_before": list(os.getloadavg())}
                if not options.skip_ceiling:
                    print(f"[{rep}/{options.repeat}] ceiling (bare FastAPI) ...")
                    entry["ceiling"] = run_ceiling(wrk, options, workdir, tag)
                print(f"[{rep}/{options.repeat}] gateway on PostgreSQL ...")
                entry["gateway"] = run_gateway(wrk, options, workdir, tag, run)
                if "ceiling" in entry and entry["ceiling"]["per_s"]:
                    entry["ratio"] = round(entry["gateway"]["per_s"] / entry["ceiling"]["per_s"], 4)
                entry["targets"] = target_verdict(entry["gateway"])
                runs.append(entry)
        result = {
            "benchmark": "ingest",
            "started_at": started.isoformat(timespec="seconds"),
            "label": options.label,
            "parameters": {
                **{
                    k: v
                    for k, v in asdict(options).items()
                    if k not in ("results_dir", "database_url")
                },
                "database_url": libpq_url(options.database_url).split("@")[-1],
                "lines_per_order": LINES_PER_ORDER,
                "partner": PARTNER,
                "body_bytes": len(order_request(run, 1)),
                "first_order_id": order_id(run, 1),
                "targets": {
                    "gateway_cpu_ms_per_order": TARGET_GATEWAY_CPU_MS,
                    "postgres_cpu_ms_per_order": TARGET_POSTGRES_CPU_MS,
                    "orders_per_s": TARGET_ORDERS_PER_S,
                },
            },
            "machine": info,
            "runs": runs,
            "result_file": str(result_file),
        }
        result_file.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print_report(result)
    except BenchError as error:
        print(f"bench.ingest: {error}", file=sys.stderr)
        return 2

    failed = any(r["gateway"]["errors"] or not r["gateway"]["durability"]["passed"] for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
