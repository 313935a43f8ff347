"""scheduled flows: reconciliation findings, job-run tags, dead-letter backoff, body retention

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 02:00:00

Airflow runs the hub's recurring jobs. Reconciliation keeps one row per finding
(`reconciliation_findings`, unique per rule and subject, closed when the data is fixed); each
document a scheduled run read or sent is tagged with the run's DAG, run and task ids
(`job_run_documents`), so the Airflow UI can link a task instance to exactly those documents;
the scheduled dead-letter replay keeps its next attempt and how often it tried
(`dead_letters.next_attempt_at`, `scheduled_replays`); the
retention job empties old bodies and says when (`documents.body_purged_at`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway_api.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "rule",
            sa.String(length=48),
            nullable=False,
            comment="What was checked (confirmation_overdue...)",
        ),
        sa.Column(
            "subject",
            sa.String(length=255),
            nullable=False,
            comment="What it is about, stable per rule",
        ),
        sa.Column("partner_key", sa.String(length=64), nullable=True),
        sa.Column("order_uuid", sa.Uuid(), nullable=True),
        sa.Column("outbox_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, comment="One sentence for people"),
        sa.Column("facts", sa.JSON(), nullable=False, comment="The figures the rule compared"),
        sa.Column("status", sa.String(length=16), nullable=False, comment="open or closed"),
        sa.Column("first_seen_at", gateway_api.store.types.UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", gateway_api.store.types.UtcDateTime(), nullable=False),
        sa.Column("closed_at", gateway_api.store.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_findings")),
        sa.UniqueConstraint("rule", "subject", name="uq_reconciliation_findings_rule_subject"),
        comment="What reconciliation found fell through; a finding closes when the data is fixed.",
    )
    op.create_index(
        "ix_reconciliation_findings_status_rule",
        "reconciliation_findings",
        ["status", "rule"],
        unique=False,
    )
    op.create_table(
        "job_run_documents",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column(
            "map_index",
            sa.Integer(),
            nullable=False,
            comment="-1 for a task that is not mapped",
        ),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", gateway_api.store.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_job_run_documents_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            "document_id",
            name=op.f("pk_job_run_documents"),
        ),
        comment="Which scheduled run (Airflow DAG, run, task) read or sent which logged document.",
    )
    op.create_index(
        "ix_job_run_documents_document", "job_run_documents", ["document_id"], unique=False
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "next_attempt_at",
                gateway_api.store.types.UtcDateTime(),
                nullable=True,
                comment="When the scheduled replay tries an open dead letter next (null: at once)",
            )
        )
        batch_op.add_column(
            sa.Column(
                "scheduled_replays",
                sa.Integer(),
                nullable=False,
                server_default="0",
                comment="Replays the schedule made; it parks the dead letter after its limit",
            )
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "body_purged_at",
                gateway_api.store.types.UtcDateTime(),
                nullable=True,
                comment="Set when the retention policy emptied the body; sha256 and size stay",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("body_purged_at")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("scheduled_replays")
        batch_op.drop_column("next_attempt_at")
    op.drop_index("ix_job_run_documents_document", table_name="job_run_documents")
    op.drop_table("job_run_documents")
    op.drop_index("ix_reconciliation_findings_status_rule", table_name="reconciliation_findings")
    op.drop_table("reconciliation_findings")
