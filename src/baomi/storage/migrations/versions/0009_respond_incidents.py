"""Response: the incident register and its playbook steps; drills and their actions.

Revision ID: 0009_respond_incidents
Revises: 0008_comply_notices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_respond_incidents"
down_revision = "0008_comply_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.String(length=32), nullable=True),
        sa.Column("title_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("description_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("discovered_at", sa.String(length=40), nullable=False),
        sa.Column("ciio", sa.Boolean(), nullable=False),
        sa.Column("individuals", sa.BigInteger(), nullable=False),
        sa.Column("sensitive_individuals", sa.BigInteger(), nullable=False),
        sa.Column("counted_from", sa.String(length=16), nullable=False),
        sa.Column("objects", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("harm_avoided", sa.Boolean(), nullable=False),
        sa.Column("regulator_notified_at", sa.String(length=40), nullable=True),
        sa.Column("individuals_notified_at", sa.String(length=40), nullable=True),
        sa.Column("provincial_reported_at", sa.String(length=40), nullable=True),
        sa.Column("handling_ended_at", sa.String(length=40), nullable=True),
        sa.Column("summary_reported_at", sa.String(length=40), nullable=True),
        sa.Column("attributed_recipient", sa.String(length=200), nullable=True),
        sa.Column("attributed_package", sa.String(length=64), nullable=True),
        sa.Column("attributed_confidence", sa.Float(), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_incidents_deal_id_deals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index(op.f("ix_incidents_deal_id"), "incidents", ["deal_id"], unique=False)
    op.create_table(
        "incident_steps",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("ticked", sa.Text(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.String(length=40), nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_steps_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_steps")),
    )
    op.create_index(
        op.f("ix_incident_steps_incident_id"), "incident_steps", ["incident_id"], unique=False
    )

    op.create_table(
        "drills",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("scheduled_for", sa.String(length=40), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=True),
        sa.Column("timings", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.String(length=40), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drills")),
    )
    op.create_table(
        "drill_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("drill_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["drill_id"], ["drills.id"], name=op.f("fk_drill_actions_drill_id_drills")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_actions")),
    )
    op.create_index(op.f("ix_drill_actions_drill_id"), "drill_actions", ["drill_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_drill_actions_drill_id"), table_name="drill_actions")
    op.drop_table("drill_actions")
    op.drop_table("drills")
    op.drop_index(op.f("ix_incident_steps_incident_id"), table_name="incident_steps")
    op.drop_table("incident_steps")
    op.drop_index(op.f("ix_incidents_deal_id"), table_name="incidents")
    op.drop_table("incidents")
