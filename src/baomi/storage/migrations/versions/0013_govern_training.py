"""Govern: training assignments by department or role, quiz attempts and certificates.

Revision ID: 0013_govern_training
Revises: 0012_govern_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_govern_training"
down_revision = "0012_govern_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_assignments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("assigned_on", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_assignments")),
    )
    op.create_index(
        op.f("ix_training_assignments_course"), "training_assignments", ["course"], unique=False
    )
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attempts")),
        sa.UniqueConstraint("code", name=op.f("uq_training_attempts_code")),
    )
    op.create_index(
        op.f("ix_training_attempts_course"), "training_attempts", ["course"], unique=False
    )
    op.create_index(
        op.f("ix_training_attempts_username"), "training_attempts", ["username"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_training_attempts_username"), table_name="training_attempts")
    op.drop_index(op.f("ix_training_attempts_course"), table_name="training_attempts")
    op.drop_table("training_attempts")
    op.drop_index(op.f("ix_training_assignments_course"), table_name="training_assignments")
    op.drop_table("training_assignments")
