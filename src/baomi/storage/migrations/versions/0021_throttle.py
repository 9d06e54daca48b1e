"""Accounts: the rate limits per client address (sign-in, the public request page, surveys)
count their attempts in the database, not in each process's memory.

Before, each process of the data room kept its own count, so with several processes (``baomi
serve --workers N``, servers behind a load balancer) an address got N times the attempts.
``throttle_buckets`` holds, per door and per keyed hash of the address, the times of the
attempts within the window; a row is deleted once its newest attempt is older than the window.

Revision ID: 0021_throttle
Revises: 0020_shown_once
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_throttle"
down_revision = "0020_shown_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_buckets",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("hits", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("kind", "client_hash", name=op.f("pk_throttle_buckets")),
    )
    op.create_index(
        op.f("ix_throttle_buckets_expires_at"), "throttle_buckets", ["expires_at"], unique=False
    )


def downgrade() -> None:
    # the attempts counted so far are forgotten: every address starts afresh (at most one window)
    op.drop_index(op.f("ix_throttle_buckets_expires_at"), table_name="throttle_buckets")
    op.drop_table("throttle_buckets")
