"""Accounts: the step of the last one-time code that signed in (a code works once).

Revision ID: 0016_totp_last_step
Revises: 0015_govern_surveys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_totp_last_step"
down_revision = "0015_govern_surveys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
