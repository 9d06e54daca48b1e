"""Response: data-subject requests, their identity-verification steps, the sealed person index.

Revision ID: 0010_respond_requests
Revises: 0009_respond_incidents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_respond_requests"
down_revision = "0009_respond_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("details_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("answered_at", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("search_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("searched_at", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_subject_requests_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_subject_requests_reference")),
    )
    op.create_index(
        op.f("ix_subject_requests_deal_id"), "subject_requests", ["deal_id"], unique=False
    )
    op.create_table(
        "subject_verifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("id_hash", sa.String(length=16), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_subject_verifications_request_id_subject_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_verifications")),
    )
    op.create_index(
        op.f("ix_subject_verifications_request_id"),
        "subject_verifications",
        ["request_id"],
        unique=False,
    )
    op.create_table(
        "subject_index",
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_subject_index_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["objects.id"], name=op.f("fk_subject_index_object_id_objects")
        ),
        sa.PrimaryKeyConstraint("object_id", name=op.f("pk_subject_index")),
    )
    op.create_index(op.f("ix_subject_index_deal_id"), "subject_index", ["deal_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_subject_index_deal_id"), table_name="subject_index")
    op.drop_table("subject_index")
    op.drop_index(op.f("ix_subject_verifications_request_id"), table_name="subject_verifications")
    op.drop_table("subject_verifications")
    op.drop_index(op.f("ix_subject_requests_deal_id"), table_name="subject_requests")
    op.drop_table("subject_requests")
