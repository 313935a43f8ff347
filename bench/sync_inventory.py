"""Stock feed benchmark: 10% of 100,000 SKUs changed, the sync_inventory work for three partners.

    .venv/bin/python -m bench.sync_inventory             # or: make bench-sync-inventory
    .venv/bin/python -m bench.sync_inventory --skus 200000 --changed 0.05

The target (the stock feed issue): after the ERP changed the stock of 10% of 100,000 SKUs, the
sync_inventory work for three partners takes under 5 s and under 300 MB.

What one run does:

1. Drops and recreates the `public` schema of the benchmark database (its name must contain
   `bench`; `bench.reconciliation.reset`) and migrates it. Writes a copy of the shipped
   mappings into a temporary folder with three partners that take the stock feed, each with
   a cross-reference of its own part numbers:
   - `bench-x12`: X12 846 (4010), buyer part numbers, every SKU in its cross-reference;
   - `bench-edifact`: EDIFACT INVRPT (D96A), supplier part numbers, every SKU;
   - `bench-x12-vics`: X12 846 (5010), buyer part numbers, a third of the SKUs (every third one):
     `items: crossref` drops the rest.
   Each takes at most 5,000 items per document (the profile default).
2. Not timed: `--skus` stock levels (one location) through `CatalogService.apply_stock`, and a
   first feed run per partner (the initial full sync), so that every cursor stands at the end
   of the change log; the outbox is then emptied (as if delivered).
3. `--changed` of the SKUs (every tenth) get new figures through `CatalogService.apply_stock`,
   as the ERP's call would (timed and reported, not part of the target).
4. In a fresh child process (so its peak memory is this work's alone; the parent's fill and
   initial sync would otherwise hide it): the partner directory and the three mappings are
   loaded (cross-references read, reported apart), then **timed**: `FeedService.run` for the
   three partners (read the changed window, filter, name, chunk, queue the outbox rows and
   move the cursors: one transaction each), and separately the **rendering** of every queued
   document by its partner's connector (what the outbox dispatcher does before sending: the
   JSON validated back into the canonical document, then 846 or INVRPT bytes). The target is
   checked on feed + render, the whole feed work but the network.
   Memory: peak RSS growth over the RSS before the timed work (the kernel's peak, VmHWM,
   reset just before it) and tracemalloc's peak (Python allocations). tracemalloc
   slows allocation-heavy Python several times over, so its peak comes from a second child
   that does the same work from the same state (queued rows removed, cursors put back); the
   times and the RSS are the untraced run's.
5. Checks: each partner's queued items are exactly the changed SKUs it sees (by part
   number), with their new figures; a second run queues nothing.

Prints each target as met or missed with its figures and one JSON line (`--json PATH` writes
it too); exit 1 on a missed target or a failed check.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

DEFAULT_URL = "postgresql+psycopg://b2connect:b2connect@127.0.0.1:5432/b2connect_bench"
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
LOCATION = "MAIN"
SHIPPED_MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"

PARTNERS: dict[str, dict[str, Any]] = {
    "bench-x12": {
        "connector": "x12",
        "kind": "846",
        "every": 1,
        "part_number": "buyer",
        "prefix": "BX",
        "config": {
            "our_qualifier": "ZZ",
            "our_id": "B2CONNECT",
            "partner_qualifier": "ZZ",
            "partner_id": "BENCHRETAIL",
            "interchange_version": "00401",
            "release": "004010",
        },
    },
    "bench-edifact": {
        "connector": "edifact",
        "kind": "INVRPT",
        "every": 1,
        "part_number": "supplier",
        "prefix": "EA",
        "config": {
            "our_id": "5400110000009",
            "our_qualifier": "14",
            "partner_id": "5412345000013",
            "partner_qualifier": "14",
            "syntax_identifier": "UNOC",
            "syntax_version": "3",
            "directory": "D96A",
        },
    },
    "bench-x12-vics": {
        "connector": "x12",
        "kind": "846",
        "every": 3,
        "part_number": "buyer",
        "prefix": "VX",
        "config": {
            "our_qualifier": "ZZ",
            "our_id": "B2CONNECT",
            "partner_qualifier": "01",
            "partner_id": "123456789",
            "interchange_version": "00501",
            "release": "005010",
        },
    },
}
"""The three partners: protocol, kind, which SKUs their cross-reference holds (every n-th),
which side the part number is on, its prefix, and the connector's settings."""


def sku(i: int) -> str:
    """The i-th SKU."""
    return f"SKU-{i:06d}"


def part(partner: str, i: int) -> str:
    """The partner's part number of the i-th SKU."""
    return f"{PARTNERS[partner]['prefix']}-{i:06d}"


def write_mappings(root: Path, skus: int) -> None:
    """A copy of the shipped mappings with the three feed partners and their cross-references."""
    shutil.copytree(SHIPPED_MAPPINGS, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for key, spec in PARTNERS.items():
        folder = root / "partners" / key
        folder.mkdir(parents=True)
        rows = "".join(f"{part(key, i)},{sku(i)},Item {i}\n" for i in range(0, skus, spec["every"]))
        (folder / "part_xref.csv").write_text(
            "partner_part_id,sku,description\n" + rows, encoding="utf-8"
        )
        profile = {
            "key": key,
            "display_name": f"Benchmark {key}",
            "connector": spec["connector"],
            "enabled": True,
            "demo": True,
            "timezone": "UTC",
            "connector_config": {
                **spec["config"],
                "endpoints": {spec["kind"]: f"https://{key}.bench.test/inbound"},
            },
            "secrets": {"api_token": f"demo:{key}-in", "outbound_token": f"demo:{key}-out"},
            "documents": {
                "inbound": ["850"] if spec["connector"] == "x12" else ["ORDERS"],
                "outbound": [spec["kind"]],
            },
            "units": {"codelist": "codelists/uom.csv"},
            "parts": {"crossref": f"partners/{key}/part_xref.csv", "unknown": "reject"},
            "feeds": {
                "items": "crossref",
                "part_number": spec["part_number"],
                "inventory": {"locations": [LOCATION]},
            },
        }
        (folder / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")


def _levels(indexes: Sequence[int], on_hand: int) -> list[Any]:
    from gateway_api.services.catalog import StockUpdate
    from schemas.inventory import StockLevel

    as_of = datetime.now(UTC) - timedelta(hours=1 if on_hand == 100 else 0)
    return [
        StockUpdate(
            StockLevel.model_validate(
                {
                    "sku": sku(i),
                    "location": LOCATION,
                    "quantity_on_hand": on_hand + i % 7,
                    "unit_of_measure": "EA",
                }
            ),
            as_of,
        )
        for i in indexes
    ]


def _runtime(url: str, mappings: Path) -> Any:
    from gateway_api.runtime import build_runtime
    from gateway_api.settings import Settings

    runtime = build_runtime(Settings(database_url=url, mappings_dir=mappings, demo_partners=True))
    runtime.sync_partners()
    return runtime


def _status_mb(field: str) -> float:
    """A `/proc/self/status` figure (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    msg = f"/proc/self/status has no {field}"
    raise RuntimeError(msg)


def _reset_peak_rss() -> None:
    """Start the peak RSS (VmHWM) again from the current RSS (Linux `clear_refs` 5).

    Not `resource.getrusage(...).ru_maxrss`: it survives exec, so a spawned child starts with
    the parent's peak (here the parent's fill and initial sync) and would hide this work's."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")


def measure(url: str, mappings: str, changed: list[int], traced: bool, out: Any) -> None:
    """The timed work, in a fresh process: feeds for the three partners, then rendering;
    `traced`: under tracemalloc (which slows Python allocations down several times, so the
    timed figures come from an untraced run)."""
    from gateway_api.services.feeds import FeedService
    from schemas.documents import DOCUMENT_ADAPTER

    figures: dict[str, Any] = {}
    checks: dict[str, bool] = {}
    runtime = _runtime(url, Path(mappings))
    started = time.perf_counter()
    for key in PARTNERS:
        runtime.directory.mapping(key)  # the profile and its cross-reference, read once
        runtime.directory.get(key)
    figures["load_mappings_seconds"] = round(time.perf_counter() - started, 3)
    service = FeedService(runtime.uow, runtime.directory, clock=runtime.clock)

    _reset_peak_rss()
    rss_before = _status_mb("VmRSS")
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    reports = {key: service.run("inventory", key) for key in PARTNERS}
    figures["feed_seconds"] = round(time.perf_counter() - started, 3)
    feed_peak = tracemalloc.get_traced_memory()[1]

    with runtime.uow() as uow:
        rows = uow.outbox.query(status="pending", limit=1_000)
    started = time.perf_counter()
    rendered_bytes = 0
    for row in rows:
        partner = runtime.directory.get(row.partner_key)
        assert partner is not None
        assert partner.push is not None
        document = DOCUMENT_ADAPTER.validate_python(row.document)
        message = partner.push.render(
            document,
            payload_id=row.payload_id,
            timestamp=row.created_at,
        )
        rendered_bytes += len(message.body)
    figures["render_seconds"] = round(time.perf_counter() - started, 3)
    _, peak = tracemalloc.get_traced_memory()  # (0, 0) when not traced
    tracemalloc.stop()
    figures["tracemalloc_peak_mb"] = round(max(peak, feed_peak) / 2**20, 1)
    figures["rss_before_mb"] = round(rss_before, 1)
    figures["rss_peak_growth_mb"] = round(_status_mb("VmHWM") - rss_before, 1)
    figures["documents"] = len(rows)
    figures["rendered_mb"] = round(rendered_bytes / 2**20, 1)
    figures["problems"] = [str(p) for r in reports.values() for p in r.problems]

    # Correctness: exactly the changed SKUs each partner sees, with the new figures.
    for key, spec in PARTNERS.items():
        wanted = {(part(key, i), str(50 + i % 7)) for i in changed if i % spec["every"] == 0}
        sent = set()
        for row in rows:
            if row.partner_key != key:
                continue
            for item in row.document["items"]:
                side = "buyer_part_id" if spec["part_number"] == "buyer" else "supplier_part_id"
                sent.add((item[side], item["quantity_on_hand"]))
        count = sum(len(r.document["items"]) for r in rows if r.partner_key == key)
        checks[f"{key}: exactly the {len(wanted):,} changed items it sees"] = (
            sent == wanted and count == len(wanted) == reports[key].items
        )
    again = [service.run("inventory", key) for key in PARTNERS]
    checks["a second run queues nothing"] = all(r.documents == r.items == 0 for r in again)
    runtime.close()
    out.put((figures, checks))


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Run the benchmark; 0 when every target is met and every check holds."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--skus", type=int, default=100_000, help="SKUs with stock")
    parser.add_argument("--changed", type=float, default=0.10, help="share of SKUs changed")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args(argv)

    from bench.reconciliation import reset
    from gateway_api.services.catalog import CatalogService
    from gateway_api.services.feeds import FeedService
    from gateway_api.store.engine import build_engine
    from gateway_api.store.tables import outbox, sync_cursors

    engine = build_engine(args.database_url, pool_size=1)
    reset(engine)
    engine.dispose()
    figures: dict[str, Any] = {"skus": args.skus, "partners": len(PARTNERS)}
    with tempfile.TemporaryDirectory(prefix="bench-sync-inventory-") as temp:
        mappings = Path(temp) / "mappings"
        write_mappings(mappings, args.skus)
        runtime = _runtime(args.database_url, mappings)
        catalog = CatalogService(runtime.uow, clock=runtime.clock)

        started = time.perf_counter()
        for first in range(0, args.skus, 20_000):
            indexes = range(first, min(first + 20_000, args.skus))
            catalog.apply_stock(_levels(indexes, 100), source="bench-fill")
        figures["fill_seconds"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        service = FeedService(runtime.uow, runtime.directory, clock=runtime.clock)
        initial = [service.run("inventory", key) for key in PARTNERS]
        figures["initial_sync_seconds"] = round(time.perf_counter() - started, 1)
        figures["initial_sync_items"] = sum(r.items for r in initial)
        with runtime.engine.begin() as connection:
            connection.execute(outbox.delete())  # delivered, as far as this bench cares

        step = max(round(1 / args.changed), 1)
        changed = list(range(0, args.skus, step))
        started = time.perf_counter()
        report = catalog.apply_stock(_levels(changed, 50), source="api:bench-erp")
        figures["apply_changes_seconds"] = round(time.perf_counter() - started, 3)
        figures["changed"] = len(changed)
        applied = report.applied == len(changed)

        with runtime.engine.connect() as connection:
            cursors = connection.execute(select(sync_cursors)).mappings().all()

        def in_a_child(traced: bool) -> tuple[dict[str, Any], dict[str, bool]]:
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            child = context.Process(
                target=measure, args=(args.database_url, str(mappings), changed, traced, queue)
            )
            child.start()
            result: tuple[dict[str, Any], dict[str, bool]] = queue.get()
            child.join()
            return result

        measured, checks = in_a_child(traced=False)
        # The same work again under tracemalloc, from the same state: the queued rows removed
        # and the cursors put back where the ERP's change found them.
        with runtime.engine.begin() as connection:
            connection.execute(outbox.delete())
            connection.execute(sync_cursors.delete())
            connection.execute(sync_cursors.insert(), [dict(row) for row in cursors])
        traced, traced_checks = in_a_child(traced=True)
        runtime.close()
    figures.update(measured)
    figures["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
    figures["traced_seconds"] = round(traced["feed_seconds"] + traced["render_seconds"], 3)
    checks["the traced run queued the same"] = traced_checks == checks
    checks = {"every change applied": applied, **checks}
    checks["no feed problems"] = not measured["problems"]

    total = round(figures["feed_seconds"] + figures["render_seconds"], 3)
    figures["total_seconds"] = total
    memory = max(figures["rss_peak_growth_mb"], figures["tracemalloc_peak_mb"])
    time_met, memory_met = total < TARGET_SECONDS, memory < TARGET_MB
    print(
        f"target feed work for {len(PARTNERS)} partners ({figures['changed']:,} of "
        f"{args.skus:,} SKUs changed) in < {TARGET_SECONDS} s: "
        f"{'met' if time_met else 'MISSED'} ({total} s = queue {figures['feed_seconds']} s "
        f"+ render {figures['render_seconds']} s of {figures['documents']} documents, "
        f"{figures['rendered_mb']} MB)"
    )
    print(
        f"target < {TARGET_MB:.0f} MB: {'met' if memory_met else 'MISSED'} (peak RSS growth "
        f"{figures['rss_peak_growth_mb']} MB over {figures['rss_before_mb']} MB; tracemalloc "
        f"peak {figures['tracemalloc_peak_mb']} MB, measured in a second, traced run that took "
        f"{figures['traced_seconds']} s)"
    )
    print(
        f"not timed: fill {figures['fill_seconds']} s, initial full sync of "
        f"{figures['initial_sync_items']:,} items {figures['initial_sync_seconds']} s, the ERP's "
        f"change call {figures['apply_changes_seconds']} s, loading the three mappings "
        f"{figures['load_mappings_seconds']} s"
    )
    for name, passed in checks.items():
        print(f"  check {name}: {'ok' if passed else 'FAILED'}")
    met = time_met and memory_met
    line = json.dumps({"target_met": met, "checks": checks, **figures})
    print(line)
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as out:
            out.write(line + "\n")
    return 0 if met and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
