"""document content type as text: a multipart Content-Type does not fit 100 characters

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:25:00

A cXML CatalogUploadRequest travels as multipart/related with its boundary, type and start
parameters (`multipart/related; boundary=...; type="text/xml"; start="<...>"`): about 150
characters, more with a long payloadID. The document log stores the Content-Type of everything
sent and received; on PostgreSQL the VARCHAR(100) refused the row and the dispatcher's claim
failed on every run. A header's length is the partner's business: the column is TEXT.

SQLite does not enforce a VARCHAR length, so nothing changes there: altering a column on SQLite
means copying the whole document log into a new table (with foreign keys pointing at it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    with op.batch_alter_table("documents") as batch:
        batch.alter_column(
            "content_type", existing_type=sa.String(length=100), type_=sa.Text(), nullable=True
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    with op.batch_alter_table("documents") as batch:
        batch.alter_column(
            "content_type", existing_type=sa.Text(), type_=sa.String(length=100), nullable=True
        )
