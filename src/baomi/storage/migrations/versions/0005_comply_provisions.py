"""Compliance: provision records (NDS-12) and the people each provided, as keyed hashes.

Revision ID: 0005_comply_provisions
Revises: 0003_comply_profile
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_comply_provisions"
down_revision = "0003_comply_profile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comply_provision_people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("sensitive_persons", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_provision_people")),
    )
    op.create_index(
        op.f("ix_comply_provision_people_source_sha256"),
        "comply_provision_people",
        ["source_sha256"],
        unique=False,
    )
    op.create_table(
        "comply_provisions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("provided_at", sa.String(length=40), nullable=False),
        sa.Column("provided_on", sa.String(length=10), nullable=False),
        sa.Column("individuals", sa.Integer(), nullable=False),
        sa.Column("sensitive_individuals", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("recipient_user", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("remote_access", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.String(length=32), nullable=True),
        sa.Column("copy_id", sa.String(length=32), nullable=True),
        sa.Column("people_id", sa.String(length=32), nullable=True),
        sa.Column("keep_until", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_provisions_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["people_id"],
            ["comply_provision_people.id"],
            name=op.f("fk_comply_provisions_people_id_comply_provision_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_provisions")),
    )
    op.create_index(
        op.f("ix_comply_provisions_deal_id"), "comply_provisions", ["deal_id"], unique=False
    )
    op.create_index(
        op.f("ix_comply_provisions_provided_on"),
        "comply_provisions",
        ["provided_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_comply_provisions_provided_on"), table_name="comply_provisions")
    op.drop_index(op.f("ix_comply_provisions_deal_id"), table_name="comply_provisions")
    op.drop_table("comply_provisions")
    op.drop_index(
        op.f("ix_comply_provision_people_source_sha256"), table_name="comply_provision_people"
    )
    op.drop_table("comply_provision_people")
