"""Compliance: the company's facts and each deal's transfer profile.

Revision ID: 0003_comply_profile
Revises: 0002_dataroom
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_comply_profile"
down_revision = "0002_dataroom"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comply_companies",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("ciio", sa.Boolean(), nullable=False),
        sa.Column("important_data", sa.Boolean(), nullable=False),
        sa.Column("turnover_yuan", sa.BigInteger(), nullable=True),
        sa.Column("staff", sa.Integer(), nullable=True),
        sa.Column("pi_business", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_comply_companies")),
    )
    op.create_table(
        "comply_deal_profiles",
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("transfer_type", sa.String(length=24), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_contact", sa.String(length=200), nullable=False),
        sa.Column("recipient_location", sa.String(length=16), nullable=False),
        sa.Column("remote_access_abroad", sa.Boolean(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("exemption", sa.String(length=24), nullable=True),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_deal_profiles_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_comply_deal_profiles")),
    )


def downgrade() -> None:
    op.drop_table("comply_deal_profiles")
    op.drop_table("comply_companies")
