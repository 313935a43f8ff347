"""Reconciliation benchmark: the `reconcile` job over 1,000,000 orders of 10 lines on PostgreSQL.

    .venv/bin/python -m bench.reconciliation                     # 1M orders (about 11 minutes)
    .venv/bin/python -m bench.reconciliation --orders 100000     # a quick look

What one run does:

1. Drops and recreates the `public` schema of the benchmark database (its name must contain
   `bench`), migrates it and mirrors the five demo partners.
2. Fills it set-based (`INSERT ... SELECT generate_series`, no ingest path): `--orders` orders
   spread over the 20 to 80 days before the run, 10 lines each (half with a requested delivery
   date), and for the healthy ones what the fulfilment service would have written: an accepted
   confirmation, one ship notice and one invoice (fulfilment_documents), their outbox rows
   (delivered; acknowledged by the two EDI partners), and the per-line figures
   (order_line_fulfilment). One order in 1,000 of each kind below carries a planted fault:

   k=1 never confirmed        -> confirmation_overdue and ship_notice_overdue
   k=2 half its lines shipped  -> ship_notice_overdue
   k=3 confirmed, not shipped  -> ship_notice_overdue
   k=4 line 3 shipped 12 of 10 -> line_mismatch
   k=5 line 2 invoiced 12, 10 shipped -> line_mismatch
   k=6 line 4 invoiced 26.00 for 10 x 2.50 -> line_mismatch
   k=7 its 855 delivered, never acknowledged (EDI partner) -> acknowledgement_overdue
   k=8 its CONTRL rejected the confirmation (EDIFACT partner) -> acknowledgement_rejected
   k=9 its invoice still pending after 3 attempts -> outbox_stuck

   and harmless look-alikes that must not be found: k=10 cancelled and never confirmed,
   k=999 received 30 minutes ago (nothing due yet).
3. `VACUUM ANALYZE`, then runs `gateway_api.services.reconciliation.reconcile` twice with the
   clock fixed: the first run opens every finding (timed, the target), the second finds the
   same and changes nothing (timed). Checks: per rule, found == planted, the first run opened
   exactly that many, the second opened and closed none.
4. `EXPLAIN (ANALYZE, BUFFERS)` of the slowest rule's SELECT, printed.

Prints each target as met or missed, one JSON line, and exits 1 on a missed target or check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+psycopg://b2connect:b2connect@127.0.0.1:5432/b2connect_bench"
TARGET_SECONDS = 30.0
NOW = datetime(2026, 12, 6, tzinfo=UTC)
PARTNERS = ("ariba-demo", "coupa-demo", "edi-demo", "edifact-demo", "jaggaer-demo")
"""By `i % 5`; 2 and 3 are the EDI partners (their outbox rows carry an ack key)."""


def expected(orders: int) -> dict[str, int]:
    """Findings each rule must report for `orders` orders (one fault per 1,000 of each kind)."""

    def kind(k: int) -> int:
        return sum(1 for _ in range(k, orders + 1, 1000))

    return {
        "confirmation_overdue": kind(1),
        "ship_notice_overdue": kind(1) + kind(2) + kind(3),
        "line_mismatch": kind(4) + kind(5) + kind(6),
        "acknowledgement_overdue": kind(7),
        "acknowledgement_rejected": kind(8),
        "outbox_stuck": kind(9),
        # The fill books no carrier shipments: these rules run over an empty table.
        "shipment_not_delivered": 0,
        "shipment_exception": 0,
    }


FILL = [
    # Orders: i = 1..N, k = i % 1000 picks the planted fault; 20..80 days old, k=999 30 min.
    """
    INSERT INTO orders (id, partner_key, order_id, status, version, current_payload_id,
                        currency, total, order_date, document, mapping, created_at, updated_at)
    SELECT md5('o' || i)::uuid, (ARRAY{partners})[i % 5 + 1], 'PO' || i,
           CASE WHEN i % 1000 = 10 THEN 'cancelled' ELSE 'open' END, 1, 'p' || i || '@bench',
           'USD', 250, c, '{{}}'::json, '[]'::json, c, c
    FROM (SELECT i, CASE WHEN i % 1000 = 999 THEN :now - interval '30 minutes'
                         ELSE :now - interval '20 days'
                              - interval '1 minute' * ((i::bigint * 7919) % 86400)
                    END AS c
          FROM generate_series(1, :orders) AS i) s
    """,
    """
    INSERT INTO order_lines (order_uuid, line_number, sku, supplier_part_id, description,
                             quantity, unit_of_measure, unit_price, requested_delivery_date)
    SELECT o.id, n, 'SKU-' || n, 'SP-' || n, 'bench item', 10, 'EA', 2.50,
           CASE WHEN n % 2 = 0 THEN o.created_at + interval '7 days' END
    FROM orders o CROSS JOIN generate_series(1, 10) AS n
    """,
    # Documents: c(onfirmation) for all but k in (1, 10, 999); s(hip notice) also not k=3;
    # i(nvoice) also not k=2.
    """
    CREATE TEMP TABLE bench_docs AS
    SELECT o.id AS order_uuid, o.partner_key, o.order_id, o.created_at,
           (substr(o.order_id, 3))::int % 1000 AS k, (substr(o.order_id, 3))::int AS i, d.t
    FROM orders o CROSS JOIN (VALUES ('order_confirmation', 1), ('ship_notice', 2),
                                     ('invoice', 3)) AS d(t, seq)
    WHERE (substr(o.order_id, 3))::int % 1000 NOT IN (1, 10, 999)
      AND NOT (d.t <> 'order_confirmation' AND (substr(o.order_id, 3))::int % 1000 = 3)
      AND NOT (d.t = 'invoice' AND (substr(o.order_id, 3))::int % 1000 = 2)
    """,
    """
    INSERT INTO fulfilment_documents (id, order_uuid, partner_key, document_type, business_id,
                                      operation, status, payload_id, document, created_at,
                                      updated_at)
    SELECT md5('d' || order_uuid || t)::uuid, order_uuid, partner_key, t, order_id || '-' || t,
           'new', 'active', 'f' || i || t || '@bench', '{{}}'::json,
           created_at + interval '2 hours', created_at + interval '2 hours'
    FROM bench_docs
    """,
    """
    INSERT INTO outbox (id, partner_key, kind, document_type, order_uuid, source_id,
                        correlation_id, payload_id, document, status, attempts, next_attempt_at,
                        created_at, updated_at, delivered_at, acknowledgment, ack_key)
    SELECT md5('x' || order_uuid || t)::uuid, partner_key, t, t, order_uuid,
           md5('d' || order_uuid || t)::uuid, order_id, 'f' || i || t || '@bench', '{{}}'::json,
           CASE WHEN k = 8 AND t = 'order_confirmation' THEN 'dead'
                WHEN k = 9 AND t = 'invoice' THEN 'pending' ELSE 'delivered' END,
           CASE WHEN k = 9 AND t = 'invoice' THEN 3 ELSE 1 END,
           created_at + interval '2 hours', created_at + interval '2 hours',
           created_at + interval '2 hours',
           CASE WHEN k = 9 AND t = 'invoice' THEN NULL
                ELSE created_at + interval '2 hours 1 second' END,
           CASE WHEN i % 5 NOT IN (2, 3) THEN NULL
                WHEN k = 7 AND t = 'order_confirmation' THEN NULL
                WHEN k = 8 AND t = 'order_confirmation' THEN 'rejected'
                ELSE 'accepted' END,
           CASE WHEN i % 5 IN (2, 3) THEN i || '/' || t END
    FROM bench_docs
    """,
    # Per-line figures, as the fulfilment service writes them for every order with documents.
    """
    INSERT INTO order_line_fulfilment (order_uuid, line_number, rejected_quantity,
                                       shipped_quantity, invoiced_quantity, invoiced_amount,
                                       invoice_lines, updated_at)
    SELECT b.order_uuid, n, 0,
           CASE WHEN b.k = 3 OR (b.k = 2 AND n > 5) THEN 0
                WHEN b.k = 4 AND n = 3 THEN 12 ELSE 10 END,
           CASE WHEN b.k IN (2, 3) THEN 0 WHEN b.k = 4 AND n = 3 THEN 12
                WHEN b.k = 5 AND n = 2 THEN 12 ELSE 10 END,
           CASE WHEN b.k IN (2, 3) THEN 0 WHEN b.k = 4 AND n = 3 THEN 30.00
                WHEN b.k = 5 AND n = 2 THEN 30.00 WHEN b.k = 6 AND n = 4 THEN 26.00
                ELSE 25.00 END,
           CASE WHEN b.k IN (2, 3) THEN 0 ELSE 1 END,
           b.created_at + interval '2 hours'
    FROM bench_docs b CROSS JOIN generate_series(1, 10) AS n
    WHERE b.t = 'order_confirmation'
    """,
    "DROP TABLE bench_docs",
]


def reset(engine: Engine) -> None:
    """Drop and recreate the public schema, migrate, mirror the partners."""
    database = engine.url.database or ""
    if "bench" not in database:
        msg = (
            f"refusing to drop the schema of database {database!r}: its name must contain "
            "'bench' (su postgres -c 'createdb -O b2connect b2connect_bench')"
        )
        raise SystemExit(msg)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    from gateway_api.store.migrate import upgrade

    upgrade(engine)


def fill(engine: Engine, orders: int) -> dict[str, float]:
    """Every FILL statement, timed; then VACUUM ANALYZE."""
    timings: dict[str, float] = {}
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL synchronous_commit = off"))
        for number, statement in enumerate(FILL, start=1):
            started = time.perf_counter()
            sql = statement.format(partners="['" + "','".join(PARTNERS) + "']")
            connection.execute(text(sql), {"now": NOW, "orders": orders})
            timings[f"fill_{number}"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    timings["vacuum_analyze"] = round(time.perf_counter() - started, 1)
    return timings


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table the rules read."""
    tables = (
        "orders",
        "order_lines",
        "fulfilment_documents",
        "outbox",
        "order_line_fulfilment",
    )
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names
            for table in tables
        }


def explain(engine: Engine, rule: str, scope: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one rule's SELECT over the filled data."""
    from gateway_api.store.reconciliation_records import Rule
    from gateway_api.store.reconciliation_repository import _RuleQueries

    statement = _RuleQueries(scope, postgres=True).build(Rule(rule))
    compiled = statement.compile(dialect=engine.dialect)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params
        )
        return "\n".join(row[0] for row in rows)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - a script
    """Fill, reconcile twice, check, explain; exit 1 on a missed target or a failed check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("B2CONNECT_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--no-fill", action="store_true", help="reuse the data of the last run")
    parser.add_argument("--json", help="also write the results to this file")
    options = parser.parse_args(argv)

    from gateway_api.runtime import build_runtime
    from gateway_api.services.reconciliation import directory_deadlines, reconcile
    from gateway_api.settings import Settings
    from gateway_api.store.engine import build_engine
    from gateway_api.store.reconciliation_records import ReconciliationScope

    url = make_url(options.database_url).render_as_string(hide_password=False)
    engine = build_engine(url, pool_size=2)
    results: dict[str, Any] = {"orders": options.orders, "lines_per_order": 10}
    if not options.no_fill:
        reset(engine)
        settings = Settings(database_url=url, demo_partners=True)
        runtime = build_runtime(settings, clock=lambda: NOW)
        runtime.sync_partners()
        runtime.close()
        print(f"filling {options.orders:,} orders of 10 lines ...", flush=True)
        results["fill_seconds"] = fill(engine, options.orders)
    results["rows"] = counts(engine)
    print("rows:", results["rows"], flush=True)

    settings = Settings(database_url=url, demo_partners=True)
    runtime = build_runtime(settings, clock=lambda: NOW)
    deadlines = directory_deadlines(runtime.directory)
    runs = []
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("TRUNCATE reconciliation_findings"))
        for run in (1, 2):
            started = time.perf_counter()
            report = reconcile(runtime)
            seconds = time.perf_counter() - started
            runs.append((seconds, report))
            print(f"run {run}: {seconds:.1f} s", json.dumps(report.as_dict()["rules"]), flush=True)
    finally:
        runtime.close()

    want = expected(options.orders)
    (first_s, first), (second_s, second) = runs
    checks = {
        "no problems": not first.problems and not second.problems,
        "found == planted": {r: o.found for r, o in first.rules.items()} == want,
        "first run opened them all": {r: o.opened for r, o in first.rules.items()} == want,
        "second run changed nothing": all(
            (o.opened, o.closed, o.still_open) == (0, 0, want[r]) for r, o in second.rules.items()
        ),
        "open findings == planted": {r: first.open_by_rule.get(r, 0) for r in want} == want,
    }
    slowest = max(first.seconds, key=lambda r: first.seconds[r])
    scope = ReconciliationScope(
        now=NOW,
        since=NOW - timedelta(days=settings.reconciliation_window_days),
        deadlines=deadlines,
    )
    plan = explain(engine, slowest, scope)
    engine.dispose()

    results.update(
        first_run_seconds=round(first_s, 2),
        second_run_seconds=round(second_s, 2),
        per_rule_seconds_first={r: round(s, 2) for r, s in first.seconds.items()},
        per_rule_seconds_second={r: round(s, 2) for r, s in second.seconds.items()},
        expected=want,
        found={r: o.found for r, o in first.rules.items()},
        checks=checks,
        slowest_rule=slowest,
        target_seconds=TARGET_SECONDS,
    )
    print(f"\nEXPLAIN ANALYZE of the slowest rule ({slowest}):\n{plan}\n")
    met = first_s < TARGET_SECONDS and second_s < TARGET_SECONDS
    for name, ok in checks.items():
        print(f"check {name}: {'ok' if ok else 'FAILED'}")
    print(
        f"target reconcile < {TARGET_SECONDS:.0f} s over {options.orders:,} orders: "
        f"first run {first_s:.1f} s, second run {second_s:.1f} s: {'met' if met else 'MISSED'}"
    )
    line = json.dumps(results)
    print(line)
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return 0 if met and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
