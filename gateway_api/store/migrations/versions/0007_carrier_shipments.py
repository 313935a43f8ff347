"""carrier shipments: bookings with cargo carriers and the tracking events they report

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:17:38

A shipment is stored (state `booking`) before the carrier is called, under our reference, so a
crash between the call and its recording is answered by booking again: each carrier books a
reference once. Tracking runs read open shipments per carrier (`ix_shipments_carrier_open`),
store each new event once (`shipment_events`) and send the ship notice at the first pickup.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway_api.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_uuid", sa.Uuid(), nullable=False),
        sa.Column("carrier_key", sa.String(length=64), nullable=False),
        sa.Column(
            "reference", sa.String(length=20), nullable=False, comment="Our key at the carrier"
        ),
        sa.Column(
            "state", sa.String(length=16), nullable=False, comment="booking, booked or refused"
        ),
        sa.Column(
            "tracking_status", sa.String(length=20), nullable=False, comment="The hub's word for it"
        ),
        sa.Column(
            "carrier_code",
            sa.String(length=64),
            nullable=True,
            comment="The carrier's own status code",
        ),
        sa.Column("carrier_shipment_id", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("barcodes", sa.JSON(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True, comment="Label data the carrier returned"),
        sa.Column("request", sa.JSON(), nullable=False, comment="Canonical BookingRequest JSON"),
        sa.Column(
            "lines", sa.JSON(), nullable=False, comment="Order lines shipped ([] = all left)"
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "ship_notice_id",
            sa.String(length=255),
            nullable=True,
            comment="Ship notice sent at pickup",
        ),
        sa.Column("booked_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "picked_up_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "delivered_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "cancelled_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_event_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("polled_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["carrier_key"], ["partners.key"], name=op.f("fk_shipments_carrier_key_partners")
        ),
        sa.ForeignKeyConstraint(
            ["order_uuid"],
            ["orders.id"],
            name=op.f("fk_shipments_order_uuid_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("carrier_key", "reference", name="uq_shipments_carrier_reference"),
        comment="Shipments booked with cargo carriers, followed until delivered.",
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipments_carrier_open",
            ["carrier_key", "tracking_status", "polled_at"],
            unique=False,
        )
        batch_op.create_index("ix_shipments_order_uuid", ["order_uuid"], unique=False)

    op.create_table(
        "shipment_events",
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="Order of arrival, from 1"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("carrier_code", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column(
            "recorded_at", gateway_api.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shipment_id", "seq", name=op.f("pk_shipment_events")),
        comment="Tracking events carriers reported, each once.",
    )


def downgrade() -> None:
    op.drop_table("shipment_events")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_order_uuid")
        batch_op.drop_index("ix_shipments_carrier_open")

    op.drop_table("shipments")
