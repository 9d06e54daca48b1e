"""Compliance: the six-area risk assessment and the PI protection impact assessment (answers,
evidence, the PIA's risks).

Revision ID: 0006_comply_assessments
Revises: 0005_comply_provisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_comply_assessments"
down_revision = "0005_comply_provisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comply_assessments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("completed_at", sa.String(length=40), nullable=True),
        sa.Column("completed_by", sa.String(length=200), nullable=True),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.Column("snapshot_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("keep_until", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_assessments_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_assessments")),
        sa.UniqueConstraint(
            "deal_id", "kind", "version", name=op.f("uq_comply_assessments_deal_id")
        ),
    )
    op.create_index(
        op.f("ix_comply_assessments_deal_id"), "comply_assessments", ["deal_id"], unique=False
    )
    op.create_table(
        "comply_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("assessment_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("answer_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("answered_by", sa.String(length=200), nullable=False),
        sa.Column("answered_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["comply_assessments.id"],
            name=op.f("fk_comply_answers_assessment_id_comply_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_answers")),
        sa.UniqueConstraint(
            "assessment_id", "question_id", name=op.f("uq_comply_answers_assessment_id")
        ),
    )
    op.create_index(
        op.f("ix_comply_answers_assessment_id"), "comply_answers", ["assessment_id"], unique=False
    )
    op.create_table(
        "comply_evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("assessment_id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["comply_assessments.id"],
            name=op.f("fk_comply_evidence_assessment_id_comply_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_evidence_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_evidence")),
    )
    op.create_index(
        op.f("ix_comply_evidence_assessment_id"), "comply_evidence", ["assessment_id"], unique=False
    )
    op.create_index(
        op.f("ix_comply_evidence_deal_id"), "comply_evidence", ["deal_id"], unique=False
    )
    op.create_table(
        "comply_pia_risks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("assessment_id", sa.String(length=32), nullable=False),
        sa.Column("title_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("impact", sa.String(length=16), nullable=False),
        sa.Column("likelihood", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["comply_assessments.id"],
            name=op.f("fk_comply_pia_risks_assessment_id_comply_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_pia_risks")),
    )
    op.create_index(
        op.f("ix_comply_pia_risks_assessment_id"),
        "comply_pia_risks",
        ["assessment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_comply_pia_risks_assessment_id"), table_name="comply_pia_risks")
    op.drop_table("comply_pia_risks")
    op.drop_index(op.f("ix_comply_evidence_deal_id"), table_name="comply_evidence")
    op.drop_index(op.f("ix_comply_evidence_assessment_id"), table_name="comply_evidence")
    op.drop_table("comply_evidence")
    op.drop_index(op.f("ix_comply_answers_assessment_id"), table_name="comply_answers")
    op.drop_table("comply_answers")
    op.drop_index(op.f("ix_comply_assessments_deal_id"), table_name="comply_assessments")
    op.drop_table("comply_assessments")
