"""erp catalog: products, stock levels, prices, customers, their change log, API keys and calls

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:30:00

The ERP pushes (or the hub pulls) its master data; each table is keyed by the ERP's natural key,
so a re-sent row finds its stored twin. `catalog_changes` gets one row per product, stock or
price row that actually changed; feeds read from it after their cursor. A price's open start
(`valid_from` null in the canonical model) is stored as 0001-01-01 because key columns cannot be
null (and NULLs are distinct in unique constraints on both backends). `api_keys` keeps only a
SHA-256 of each key; `integration_calls` the answer to each call made with an Idempotency-Key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway_api.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _utc(name: str, *, nullable: bool, comment: str | None = None) -> sa.Column[object]:
    return sa.Column(
        name, gateway_api.store.types.UtcDateTime(timezone=True), nullable=nullable, comment=comment
    )


def _decimal(name: str, *, nullable: bool, comment: str | None = None) -> sa.Column[object]:
    return sa.Column(
        name,
        gateway_api.store.types.ExactDecimal(precision=36, scale=18),
        nullable=nullable,
        comment=comment,
    )


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=35), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        _decimal("vat_rate", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
        comment="The ERP's item master (canonical Product), as last pushed or pulled.",
    )
    op.create_table(
        "stock_levels",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=False),
        _decimal("quantity_on_hand", nullable=False),
        _decimal("quantity_available", nullable=True),
        sa.Column("unit_of_measure", sa.String(length=35), nullable=False),
        _utc("as_of", nullable=False, comment="When the ERP said the figures held"),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", name=op.f("pk_stock_levels")),
        comment="Stock per item and location, as last pushed or pulled from the ERP.",
    )
    op.create_table(
        "prices",
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("price_list", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _decimal(
            "min_quantity",
            nullable=False,
            comment="Stored normalised (1, not 1.000), so that SQLite's text keys compare like "
            "numbers",
        ),
        sa.Column(
            "valid_from",
            sa.Date(),
            nullable=False,
            comment="0001-01-01 stands for an open start (canonical null): key columns cannot be "
            "null",
        ),
        _decimal("unit_price", nullable=False),
        sa.Column("unit_of_measure", sa.String(length=35), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint(
            "sku", "price_list", "currency", "min_quantity", "valid_from", name=op.f("pk_prices")
        ),
        comment="Price tiers per item, price list, currency, quantity and start (canonical Price).",
    )
    op.create_table(
        "customers",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("tax_id", sa.String(length=20), nullable=True),
        sa.Column("tax_office", sa.String(length=80), nullable=True),
        sa.Column("address", sa.JSON(), nullable=True, comment="Canonical PostalAddress JSON"),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_customers")),
        comment="The ERP's customer cards (canonical Customer).",
    )
    op.create_table(
        "catalog_changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="product, stock or price"),
        sa.Column("sku", sa.String(length=255), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=True, comment="Stock changes only"),
        sa.Column(
            "source",
            sa.String(length=64),
            nullable=False,
            comment="Who applied it: api:<key name>, pull",
        ),
        _utc("changed_at", nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_catalog_changes")),
        comment="One row per product, stock or price row that actually changed; feeds read the "
        "deltas after their cursor (sync_cursors, streams feed:*). Appended in seq order of "
        "commit.",
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "name", sa.String(length=64), nullable=False, comment="The calling system (logo-prod)"
        ),
        sa.Column(
            "prefix",
            sa.String(length=16),
            nullable=False,
            comment="Public part of the key, for lookup",
        ),
        sa.Column(
            "key_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the whole key, hex",
        ),
        sa.Column("scopes", sa.JSON(), nullable=False, comment="stock:write, prices:write..."),
        _utc("created_at", nullable=False),
        _utc("revoked_at", nullable=True),
        _utc("last_used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
        comment="Keys of the systems that call the integration API; the key itself is never "
        "stored.",
    )
    op.create_table(
        "integration_calls",
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("endpoint", sa.String(length=64), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column(
            "response", sa.JSON(), nullable=False, comment="The answer, repeated on a replay"
        ),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_integration_calls_api_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("api_key_id", "idempotency_key", name=op.f("pk_integration_calls")),
        comment="Integration API calls made with an Idempotency-Key and the answer they got.",
    )


def downgrade() -> None:
    op.drop_table("integration_calls")
    op.drop_table("api_keys")
    op.drop_table("catalog_changes")
    op.drop_table("customers")
    op.drop_table("prices")
    op.drop_table("stock_levels")
    op.drop_table("products")
