"""lz4 for the canonical JSON columns: pglz was PostgreSQL's top function on the ingest path

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:40:00

A 10-line order's canonical JSON is about 3 KB, over PostgreSQL's 2 KB TOAST threshold, so
`orders.document` and `order_events.document` are compressed on every insert. 0001 gave lz4 to
`documents.body` only; the JSON columns kept the default pglz, and `perf` on the ingest
benchmark found `pglz_compress` the busiest PostgreSQL function (issue 10, docs/benchmarks.md).
lz4 compresses several times faster for a similar ratio on this text. The outbox and fulfilment
documents get the same. Existing rows keep their compression until rewritten; new ones use lz4.
Servers built without lz4 keep pglz; SQLite has no TOAST and is left alone.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("orders", "document"),
    ("order_events", "document"),
    ("outbox", "document"),
    ("fulfilment_documents", "document"),
)


def _set_compression(method: str) -> None:
    # Only the constant table and column names above, and a constant method, are interpolated.
    statements = " ".join(
        f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method};"
        for table, column in COLUMNS
    )
    sql = (
        "DO $$ BEGIN "  # noqa: S608
        "IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)) THEN " + statements + " END IF; END $$;"
    )
    op.execute(sql)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _set_compression("lz4")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _set_compression("default")
