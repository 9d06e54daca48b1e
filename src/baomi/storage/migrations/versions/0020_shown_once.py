"""Accounts: what a page shows once (a new setup link) waits in the database, not in memory.

Before, the value a form made for the page it redirects to was held in the serving process's
memory, so with several processes (servers behind a load balancer) a redirect answered by
another process lost it. ``shown_once`` holds it sealed with the field
key, keyed by a keyed hash of the session, for two minutes at most.

Revision ID: 0020_shown_once
Revises: 0019_incident_masked
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_shown_once"
down_revision = "0019_incident_masked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shown_once",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("kind", "session_hash", name=op.f("pk_shown_once")),
    )
    op.create_index(op.f("ix_shown_once_expires_at"), "shown_once", ["expires_at"], unique=False)


def downgrade() -> None:
    # a value not read yet is lost: its form is sent again (a new setup link voids the one lost)
    op.drop_index(op.f("ix_shown_once_expires_at"), table_name="shown_once")
    op.drop_table("shown_once")
