"""order line fulfilment: per-line rejected, shipped and invoiced figures for reconciliation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:30:00

Reconciliation compares ordered, shipped and invoiced quantities and amounts per order line over
a million orders. The figures live inside the canonical JSON of `fulfilment_documents`, which
SQL cannot sum fast (nor the same way on both backends), so the fulfilment service writes them
per order line (`order_line_fulfilment`) in the transaction that issues each document. Orders
issued before this revision have no rows until their next fulfilment action; their lines count
as nothing shipped or invoiced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway_api.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_line_fulfilment",
        sa.Column("order_uuid", sa.Uuid(), nullable=False),
        sa.Column(
            "line_number",
            sa.Integer(),
            nullable=False,
            comment="The order line the figures are for",
        ),
        sa.Column(
            "rejected_quantity",
            gateway_api.store.types.ExactDecimal(),
            nullable=False,
            comment="By the confirmation",
        ),
        sa.Column(
            "shipped_quantity",
            gateway_api.store.types.ExactDecimal(),
            nullable=False,
            comment="By ship notices in force",
        ),
        sa.Column(
            "invoiced_quantity",
            gateway_api.store.types.ExactDecimal(),
            nullable=False,
            comment="By invoices in force",
        ),
        sa.Column(
            "invoiced_amount",
            gateway_api.store.types.ExactDecimal(),
            nullable=False,
            comment="Sum of the line subtotals",
        ),
        sa.Column(
            "invoice_lines",
            sa.Integer(),
            nullable=False,
            comment="Invoice lines summed (each rounded)",
        ),
        sa.Column("updated_at", gateway_api.store.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_uuid"],
            ["orders.id"],
            name=op.f("fk_order_line_fulfilment_order_uuid_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_uuid", "line_number", name=op.f("pk_order_line_fulfilment")),
        comment="Per order line, what the supplier's documents in force say; rewritten with each "
        "fulfilment document (a projection of fulfilment_documents), so reconciliation is "
        "set-based.",
    )


def downgrade() -> None:
    op.drop_table("order_line_fulfilment")
