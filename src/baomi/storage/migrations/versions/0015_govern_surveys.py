"""Govern: customer surveys, policy reviews and notifications (the users' e-mail address,
the in-app inbox and the reminders sent).

Revision ID: 0015_govern_surveys
Revises: 0014_govern_audits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_govern_surveys"
down_revision = "0014_govern_audits"
branch_labels = None
depends_on = None

TABLES = (
    "govern_survey_responses",
    "govern_survey_questions",
    "govern_survey_actions",
    "govern_policy_versions",
    "govern_policy_reviews",
    "govern_surveys",
    "govern_reminders_sent",
    "govern_policies",
    "govern_notifications",
)


def upgrade() -> None:
    op.create_table(
        "govern_notifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("read_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_notifications")),
    )
    op.create_index(
        op.f("ix_govern_notifications_username"), "govern_notifications", ["username"], unique=False
    )
    op.create_table(
        "govern_policies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("next_review", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_policies")),
    )
    op.create_table(
        "govern_reminders_sent",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_reminders_sent")),
        sa.UniqueConstraint("item", "day", name=op.f("uq_govern_reminders_sent_item")),
    )
    op.create_table(
        "govern_surveys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_surveys")),
        sa.UniqueConstraint("token", name=op.f("uq_govern_surveys_token")),
    )
    op.create_table(
        "govern_policy_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.String(length=32), nullable=False),
        sa.Column("reviewed_on", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("next_review", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["govern_policies.id"],
            name=op.f("fk_govern_policy_reviews_policy_id_govern_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_policy_reviews")),
    )
    op.create_index(
        op.f("ix_govern_policy_reviews_policy_id"),
        "govern_policy_reviews",
        ["policy_id"],
        unique=False,
    )
    op.create_table(
        "govern_policy_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["govern_policies.id"],
            name=op.f("fk_govern_policy_versions_policy_id_govern_policies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_policy_versions")),
    )
    op.create_index(
        op.f("ix_govern_policy_versions_policy_id"),
        "govern_policy_versions",
        ["policy_id"],
        unique=False,
    )
    op.create_table(
        "govern_survey_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["govern_surveys.id"],
            name=op.f("fk_govern_survey_actions_survey_id_govern_surveys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_survey_actions")),
    )
    op.create_index(
        op.f("ix_govern_survey_actions_survey_id"),
        "govern_survey_actions",
        ["survey_id"],
        unique=False,
    )
    op.create_table(
        "govern_survey_questions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["govern_surveys.id"],
            name=op.f("fk_govern_survey_questions_survey_id_govern_surveys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_survey_questions")),
    )
    op.create_index(
        op.f("ix_govern_survey_questions_survey_id"),
        "govern_survey_questions",
        ["survey_id"],
        unique=False,
    )
    op.create_table(
        "govern_survey_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("masked", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["govern_surveys.id"],
            name=op.f("fk_govern_survey_responses_survey_id_govern_surveys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_govern_survey_responses")),
    )
    op.create_index(
        op.f("ix_govern_survey_responses_survey_id"),
        "govern_survey_responses",
        ["survey_id"],
        unique=False,
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_sealed")
    for table in TABLES:
        op.drop_table(table)
