"""Compliance: customer notices — mail-merge exports, notices (keyed hashes of the contacts),
sending-status imports and events.

Revision ID: 0008_comply_notices
Revises: 0007_comply_checklist
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_comply_notices"
down_revision = "0007_comply_checklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comply_notice_exports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=4), nullable=False),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_notice_exports_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["objects.id"], name=op.f("fk_comply_notice_exports_object_id_objects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_notice_exports")),
    )
    op.create_index(op.f("ix_comply_notice_exports_deal_id"), "comply_notice_exports", ["deal_id"])
    op.create_table(
        "comply_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("export_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("channels", sa.String(length=32), nullable=False),
        sa.Column("mobile_hash", sa.String(length=64), nullable=True),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_notices_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["comply_notice_exports.id"],
            name=op.f("fk_comply_notices_export_id_comply_notice_exports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_notices")),
    )
    op.create_index(op.f("ix_comply_notices_deal_id"), "comply_notices", ["deal_id"])
    op.create_index(op.f("ix_comply_notices_export_id"), "comply_notices", ["export_id"])
    op.create_index(op.f("ix_comply_notices_mobile_hash"), "comply_notices", ["mobile_hash"])
    op.create_index(op.f("ix_comply_notices_email_hash"), "comply_notices", ["email_hash"])
    op.create_table(
        "comply_notice_imports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("recorded", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(length=40), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_comply_notice_imports_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_notice_imports")),
    )
    op.create_index(op.f("ix_comply_notice_imports_deal_id"), "comply_notice_imports", ["deal_id"])
    op.create_table(
        "comply_notice_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_id", sa.String(length=32), nullable=False),
        sa.Column("import_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["comply_notices.id"],
            name=op.f("fk_comply_notice_events_notice_id_comply_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["comply_notice_imports.id"],
            name=op.f("fk_comply_notice_events_import_id_comply_notice_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comply_notice_events")),
        sa.UniqueConstraint(
            "notice_id",
            "channel",
            "status",
            "at",
            name=op.f("uq_comply_notice_events_notice_id"),
        ),
    )
    op.create_index(
        op.f("ix_comply_notice_events_notice_id"), "comply_notice_events", ["notice_id"]
    )
    op.create_index(
        op.f("ix_comply_notice_events_import_id"), "comply_notice_events", ["import_id"]
    )


def downgrade() -> None:
    op.drop_table("comply_notice_events")
    op.drop_table("comply_notice_imports")
    op.drop_table("comply_notices")
    op.drop_table("comply_notice_exports")
