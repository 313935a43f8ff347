"""connector contract: dead-letter positions, outbox ack keys, pull cursors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:00:00

Dead letters say where the held document sits in its stored body (`position`, data the
connector reads back) instead of naming it in the error text; outbox rows keep the key the
partner's acknowledgement will name them by (`ack_key`); pulls keep a cursor per partner and
stream (`sync_cursors`).

The backfill reads the two shapes the hub wrote before this revision. It is frozen history, so
it names the X12 formats it converts (the only protocol that had either).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

import gateway_api.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_HELD_SET = re.compile(r"^850 (\S+)/(\S+)/(\S+) \(ISA13/GS06/ST02\)")
_X12_ID = re.compile(r"^(\d+)/(\d+)/(\d+)$")


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("partner_key", sa.String(length=64), nullable=False),
        sa.Column(
            "stream",
            sa.String(length=64),
            nullable=False,
            comment="What is pulled (purchase_orders)",
        ),
        sa.Column(
            "cursor",
            sa.Text(),
            nullable=True,
            comment="Opaque to the core; the connector reads it",
        ),
        sa.Column("updated_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partner_key", "stream", name=op.f("pk_sync_cursors")),
        comment="Where each pull of each partner stopped, saved after the page's documents.",
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "position",
                sa.JSON(),
                nullable=True,
                comment="Where the held document sits in the stored body (the connector re-reads "
                "it)",
            )
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ack_key",
                sa.String(length=255),
                nullable=True,
                comment="What the partner's acknowledgement names the document by (X12 GS06/ST02)",
            )
        )
        batch_op.create_index("ix_outbox_ack_key", ["partner_key", "ack_key"], unique=False)
    _backfill()


def _backfill() -> None:
    connection = op.get_bind()
    dead_letters = sa.table(
        "dead_letters", sa.column("id", sa.Uuid), sa.column("error"), sa.column("position", sa.JSON)
    )
    for row in connection.execute(
        sa.select(dead_letters.c.id, dead_letters.c.error).where(dead_letters.c.error.like("850 %"))
    ):
        match = _HELD_SET.match(row.error)
        if match:
            position = dict(zip(("interchange", "group", "set"), match.groups(), strict=True))
            connection.execute(
                sa.update(dead_letters).where(dead_letters.c.id == row.id).values(position=position)
            )
    outbox = sa.table(
        "outbox", sa.column("id", sa.Uuid), sa.column("payload_id"), sa.column("ack_key")
    )
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.payload_id)):
        match = _X12_ID.match(row.payload_id or "")
        if match:
            key = f"{int(match.group(2))}/{int(match.group(3))}"
            connection.execute(sa.update(outbox).where(outbox.c.id == row.id).values(ack_key=key))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_ack_key")
        batch_op.drop_column("ack_key")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("position")
    op.drop_table("sync_cursors")
