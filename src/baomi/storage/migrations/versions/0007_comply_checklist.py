"""Compliance: the checklist (items, score snapshots), the third-party register and the sealed
files attached to both.

Revision ID: 0007_comply_checklist
Revises: 0006_comply_assessments
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_comply_checklist"
down_revision = "0006_comply_assessments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comply_checklist_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("title_zh", sa.String(length=400), nullable=False),
        sa.Column("title_en", sa.String(length=400), nullable=False),
        sa.Column("rules", sa.String(length=200), nullable=False),
        sa.Column("clause", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_checklist_items")),
        sa.UniqueConstraint("uscc", "key", name=op.f("uq_comply_checklist_items_uscc")),
    )
    op.create_index(
        op.f("ix_comply_checklist_items_uscc"), "comply_checklist_items", ["uscc"], unique=False
    )
    op.create_table(
        "comply_checklist_snapshots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.String(length=40), nullable=False),
        sa.Column("score_bp", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("applicable", sa.Integer(), nullable=False),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_checklist_snapshots")),
    )
    op.create_index(
        op.f("ix_comply_checklist_snapshots_uscc"),
        "comply_checklist_snapshots",
        ["uscc"],
        unique=False,
    )
    op.create_table(
        "comply_vendors",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("deal_id", sa.String(length=32), nullable=True),
        sa.Column("criteria", sa.String(length=400), nullable=False),
        sa.Column("nda_signed", sa.Boolean(), nullable=False),
        sa.Column("nda_date", sa.String(length=10), nullable=True),
        sa.Column("contract", sa.String(length=400), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("security", sa.Integer(), nullable=True),
        sa.Column("contract_start", sa.String(length=10), nullable=True),
        sa.Column("contract_end", sa.String(length=10), nullable=True),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("returned_or_deleted", sa.String(length=16), nullable=True),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("confirmed_on", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_vendors_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_vendors")),
    )
    op.create_index(op.f("ix_comply_vendors_uscc"), "comply_vendors", ["uscc"], unique=False)
    op.create_table(
        "comply_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_files")),
    )
    op.create_index(op.f("ix_comply_files_owner"), "comply_files", ["owner"], unique=False)
    op.create_index(op.f("ix_comply_files_uscc"), "comply_files", ["uscc"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_comply_files_uscc"), table_name="comply_files")
    op.drop_index(op.f("ix_comply_files_owner"), table_name="comply_files")
    op.drop_table("comply_files")
    op.drop_index(op.f("ix_comply_vendors_uscc"), table_name="comply_vendors")
    op.drop_table("comply_vendors")
    op.drop_index(
        op.f("ix_comply_checklist_snapshots_uscc"), table_name="comply_checklist_snapshots"
    )
    op.drop_table("comply_checklist_snapshots")
    op.drop_index(op.f("ix_comply_checklist_items_uscc"), table_name="comply_checklist_items")
    op.drop_table("comply_checklist_items")
