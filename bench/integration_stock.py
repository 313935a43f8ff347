"""Integration API benchmark: 10,000 stock rows in one HTTP call, on PostgreSQL.

    .venv/bin/python -m bench.integration_stock            # or: make bench-integration
    .venv/bin/python -m bench.integration_stock --rows 20000 --stored 200000

The target (the ERP integration issue): 10,000 stock rows posted in one call through the real
app are applied in under 2 s, with a result per row; the same call retried with the same
Idempotency-Key applies nothing twice; the same rows under a new key answer all `unchanged`.

What one run does:

1. Drops and recreates the `public` schema of the benchmark database (its name must contain
   `bench`; `bench.reconciliation.reset`), migrates it, builds the runtime and the app
   (`create_app`), and makes an API key with the `stock` scope.
2. Fill, not timed: `--stored` stock levels (100,000: 10,000 items at 10 locations) through
   `CatalogService.apply_stock`, as an earlier push would have left them.
3. Timed: one `POST /api/v1/integration/stock` with `--rows` rows (10,000: every row an
   existing level whose quantities changed), `Idempotency-Key: bench-1`, through Starlette's
   in-process client (the whole ASGI app, auth, body limit, validation, the service, the
   document log; no socket). Checks: 200, `applied == rows`, one result per row, as many new
   `catalog_changes` rows.
4. The same body again with `bench-1`: the stored answer (identical), no new change row, no
   stock level touched.
5. The same body with `bench-2`: every row `unchanged`, no new change row.
6. A feed's read of the window: `changed_stock(before, upto)` over the stored levels (the
   set-based query the partner feeds run), timed.

Prints each target as met or missed with its figures and one JSON line (`--json PATH` writes
it too); exit 1 on a missed target or a failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bench.reconciliation import reset

DEFAULT_URL = "postgresql+psycopg://b2connect:b2connect@127.0.0.1:5432/b2connect_bench"
TARGET_SECONDS = 2.0
LOCATIONS = 10


def _row(i: int, on_hand: int) -> dict[str, Any]:
    return {
        "sku": f"SKU-{i // LOCATIONS:06d}",
        "location": f"WH{i % LOCATIONS:02d}",
        "quantity_on_hand": str(on_hand),
        "quantity_available": str(max(on_hand - 3, 0)),
        "unit_of_measure": "EA",
    }


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Run the benchmark; 0 when every target is met and every check holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the timed call")
    parser.add_argument("--stored", type=int, default=100_000, help="stock levels stored first")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args(argv)

    from gateway_api.http.app import create_app
    from gateway_api.runtime import build_runtime
    from gateway_api.services.api_keys import ApiKeyService
    from gateway_api.services.catalog import CatalogService, StockUpdate
    from gateway_api.settings import Settings
    from gateway_api.store.engine import build_engine
    from gateway_api.store.tables import catalog_changes
    from schemas.inventory import StockLevel

    engine = build_engine(args.database_url, pool_size=1)
    reset(engine)
    engine.dispose()
    start = datetime.now(UTC)
    runtime = build_runtime(Settings(database_url=args.database_url, demo_partners=True))
    runtime.sync_partners()
    key = ApiKeyService(runtime.uow, clock=runtime.clock).create("bench-erp", ["stock"]).key

    filled = time.perf_counter()
    service = CatalogService(runtime.uow, clock=runtime.clock)
    for first in range(0, args.stored, 20_000):
        service.apply_stock(
            [
                StockUpdate(StockLevel.model_validate(_row(i, 100)), start - timedelta(hours=1))
                for i in range(first, min(first + 20_000, args.stored))
            ],
            source="bench-fill",
        )
    fill_seconds = time.perf_counter() - filled

    def change_rows() -> int:
        with runtime.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(catalog_changes))
            return int(count.scalar_one())

    stride = max(args.stored // args.rows, 1)
    body = json.dumps({"rows": [_row(i * stride, 50 + i % 7) for i in range(args.rows)]}).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    checks: dict[str, bool] = {}
    figures: dict[str, Any] = {"rows": args.rows, "stored": args.stored, "body_bytes": len(body)}
    with TestClient(create_app(runtime=runtime)) as client:
        client.get("/health")  # start-up outside the timing
        with runtime.uow() as uow:
            before = uow.catalog.last_change_seq()
        changes_before = change_rows()

        started = time.perf_counter()
        first = client.post(
            "/api/v1/integration/stock",
            content=body,
            headers={**headers, "Idempotency-Key": "bench-1"},
        )
        figures["apply_seconds"] = round(time.perf_counter() - started, 3)
        answer = first.json()
        checks["first call 200"] = first.status_code == 200
        checks["every row applied"] = answer.get("applied") == args.rows
        checks["a result per row"] = len(answer.get("results", [])) == args.rows
        checks["a change row per applied row"] = change_rows() - changes_before == args.rows
        figures["answer_bytes"] = len(first.content)
        changes_after_first = change_rows()

        started = time.perf_counter()
        again = client.post(
            "/api/v1/integration/stock",
            content=body,
            headers={**headers, "Idempotency-Key": "bench-1"},
        )
        figures["replay_seconds"] = round(time.perf_counter() - started, 3)
        checks["replay answers the stored answer"] = again.json() == answer
        checks["replay applies nothing"] = change_rows() == changes_after_first

        started = time.perf_counter()
        fresh = client.post(
            "/api/v1/integration/stock",
            content=body,
            headers={**headers, "Idempotency-Key": "bench-2"},
        )
        figures["unchanged_seconds"] = round(time.perf_counter() - started, 3)
        checks["new key: all unchanged"] = fresh.json().get("unchanged") == args.rows
        checks["new key: nothing appended"] = change_rows() == changes_after_first

        with runtime.uow() as uow:
            upto = uow.catalog.last_change_seq()
            started = time.perf_counter()
            changed = uow.catalog.changed_stock(before, upto)
            figures["feed_read_seconds"] = round(time.perf_counter() - started, 3)
        checks["the feed reads each changed level once"] = len(changed) == args.rows and all(
            level.quantity_on_hand < Decimal(100) for level in changed
        )
    runtime.close()
    figures["fill_seconds"] = round(fill_seconds, 1)

    met = figures["apply_seconds"] < TARGET_SECONDS
    print(
        f"target {args.rows:,} stock rows applied in one call in < {TARGET_SECONDS} s: "
        f"{'met' if met else 'MISSED'} ({figures['apply_seconds']} s; answer "
        f"{figures['answer_bytes']:,} bytes)"
    )
    print(f"replay with the same Idempotency-Key: {figures['replay_seconds']} s")
    print(f"same rows, new key (all unchanged): {figures['unchanged_seconds']} s")
    print(f"feed read of the window over {args.stored:,} levels: {figures['feed_read_seconds']} s")
    for name, passed in checks.items():
        print(f"  check {name}: {'ok' if passed else 'FAILED'}")
    line = json.dumps({"target_met": met, "checks": checks, **figures})
    print(line)
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as out:
            out.write(line + "\n")
    return 0 if met and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
