"""Govern: internal audits, their findings, remediation actions and follow-up notes, and the
responsibilities (RACI) table.

Revision ID: 0014_govern_audits
Revises: 0013_govern_training
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_govern_audits"
down_revision = "0013_govern_training"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govern_audits",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("frequency_months", sa.Integer(), nullable=False),
        sa.Column("planned_for", sa.String(length=10), nullable=False),
        sa.Column("auditors", sa.Text(), nullable=False),
        sa.Column("completed_at", sa.String(length=40), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_audits")),
    )
    op.create_index(
        op.f("ix_govern_audits_planned_for"), "govern_audits", ["planned_for"], unique=False
    )
    op.create_table(
        "govern_audit_findings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("audit_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["govern_audits.id"],
            name=op.f("fk_govern_audit_findings_audit_id_govern_audits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_audit_findings")),
    )
    op.create_index(
        op.f("ix_govern_audit_findings_audit_id"),
        "govern_audit_findings",
        ["audit_id"],
        unique=False,
    )
    op.create_table(
        "govern_audit_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.String(length=40), nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["govern_audit_findings.id"],
            name=op.f("fk_govern_audit_actions_finding_id_govern_audit_findings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_audit_actions")),
    )
    op.create_index(
        op.f("ix_govern_audit_actions_finding_id"),
        "govern_audit_actions",
        ["finding_id"],
        unique=False,
    )
    op.create_table(
        "govern_audit_notes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["govern_audit_findings.id"],
            name=op.f("fk_govern_audit_notes_finding_id_govern_audit_findings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_audit_notes")),
    )
    op.create_index(
        op.f("ix_govern_audit_notes_finding_id"),
        "govern_audit_notes",
        ["finding_id"],
        unique=False,
    )
    op.create_table(
        "govern_raci",
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("letter", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("activity", "department", name=op.f("pk_govern_raci")),
    )


def downgrade() -> None:
    op.drop_table("govern_raci")
    for table in ("govern_audit_notes", "govern_audit_actions"):
        op.drop_index(op.f(f"ix_{table}_finding_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_govern_audit_findings_audit_id"), table_name="govern_audit_findings")
    op.drop_table("govern_audit_findings")
    op.drop_index(op.f("ix_govern_audits_planned_for"), table_name="govern_audits")
    op.drop_table("govern_audits")
