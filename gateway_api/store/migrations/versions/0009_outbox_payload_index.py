"""outbox payload index: find the row we sent a partner under a given payload id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:30:00

An ERP's delivery note names the sales order by the document number we gave it, which is the
outbox row's payload id; reading a page of notes looks each one up by (partner, payload id).
Without this index every look-up scans the partner's whole outbox history.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_payload_id", "outbox", ["partner_key", "payload_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_payload_id", table_name="outbox")
