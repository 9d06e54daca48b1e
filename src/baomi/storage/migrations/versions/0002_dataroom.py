"""The data room: accounts (users, web sessions, setup links) and rooms (members, NDAs, grants,
copies handed out, questions and answers).

Revision ID: 0002_dataroom
Revises: 0001_vault
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_dataroom"
down_revision = "0001_vault"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.String(length=40), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_grants_deal_id_deals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_deal_id"), "grants", ["deal_id"], unique=False)
    op.create_table(
        "ndas",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_ndas_deal_id_deals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ndas")),
        sa.UniqueConstraint("deal_id", "version", name=op.f("uq_ndas_deal_id")),
    )
    op.create_index(op.f("ix_ndas_deal_id"), "ndas", ["deal_id"], unique=False)
    op.create_table(
        "room_members",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_room_members_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_room_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_members")),
        sa.UniqueConstraint("deal_id", "user_id", name=op.f("uq_room_members_deal_id")),
    )
    op.create_index(op.f("ix_room_members_deal_id"), "room_members", ["deal_id"], unique=False)
    op.create_index(op.f("ix_room_members_user_id"), "room_members", ["user_id"], unique=False)
    op.create_table(
        "room_questions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("asked_by", sa.String(length=32), nullable=False),
        sa.Column("asked_at", sa.String(length=40), nullable=False),
        sa.Column("text_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("attachment_id", sa.String(length=32), nullable=True),
        sa.Column("answered_by", sa.String(length=32), nullable=True),
        sa.Column("answered_at", sa.String(length=40), nullable=True),
        sa.Column("answer_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("answer_attachment_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_room_questions_answered_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["asked_by"], ["users.id"], name=op.f("fk_room_questions_asked_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_room_questions_deal_id_deals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_questions")),
    )
    op.create_index(op.f("ix_room_questions_deal_id"), "room_questions", ["deal_id"], unique=False)
    op.create_table(
        "rooms",
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("target_name", sa.String(length=200), nullable=False),
        sa.Column("target_uscc", sa.String(length=18), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("recipient_region", sa.String(length=40), nullable=False),
        sa.Column("policy", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_rooms_deal_id_deals")),
        sa.PrimaryKeyConstraint("deal_id", name=op.f("pk_rooms")),
    )
    op.create_table(
        "setup_links",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.Column("used_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_setup_links_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_setup_links")),
    )
    op.create_index(op.f("ix_setup_links_user_id"), "setup_links", ["user_id"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("last_seen_at", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "nda_acceptances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("nda_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("accepted_name", sa.String(length=200), nullable=False),
        sa.Column("accepted_at", sa.String(length=40), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["nda_id"], ["ndas.id"], name=op.f("fk_nda_acceptances_nda_id_ndas")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_nda_acceptances_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_acceptances")),
        sa.UniqueConstraint("nda_id", "user_id", name=op.f("uq_nda_acceptances_nda_id")),
    )
    op.create_index(op.f("ix_nda_acceptances_nda_id"), "nda_acceptances", ["nda_id"], unique=False)
    op.create_index(
        op.f("ix_nda_acceptances_user_id"), "nda_acceptances", ["user_id"], unique=False
    )
    op.create_table(
        "room_copies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=True),
        sa.Column("individuals", sa.Integer(), nullable=True),
        sa.Column("provided_at", sa.String(length=40), nullable=True),
        sa.Column("deletion_confirmed_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_room_copies_deal_id_deals")
        ),
        sa.ForeignKeyConstraint(
            ["object_id"], ["objects.id"], name=op.f("fk_room_copies_object_id_objects")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_room_copies_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_copies")),
    )
    op.create_index(op.f("ix_room_copies_deal_id"), "room_copies", ["deal_id"], unique=False)
    op.create_index(op.f("ix_room_copies_user_id"), "room_copies", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_room_copies_user_id"), table_name="room_copies")
    op.drop_index(op.f("ix_room_copies_deal_id"), table_name="room_copies")
    op.drop_table("room_copies")
    op.drop_index(op.f("ix_nda_acceptances_user_id"), table_name="nda_acceptances")
    op.drop_index(op.f("ix_nda_acceptances_nda_id"), table_name="nda_acceptances")
    op.drop_table("nda_acceptances")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_setup_links_user_id"), table_name="setup_links")
    op.drop_table("setup_links")
    op.drop_table("rooms")
    op.drop_index(op.f("ix_room_questions_deal_id"), table_name="room_questions")
    op.drop_table("room_questions")
    op.drop_index(op.f("ix_room_members_user_id"), table_name="room_members")
    op.drop_index(op.f("ix_room_members_deal_id"), table_name="room_members")
    op.drop_table("room_members")
    op.drop_index(op.f("ix_ndas_deal_id"), table_name="ndas")
    op.drop_table("ndas")
    op.drop_index(op.f("ix_grants_deal_id"), table_name="grants")
    op.drop_table("grants")
    op.drop_table("users")
