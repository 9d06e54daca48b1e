"""Govern: a user's department (the RACI's departments, training assignments).

Revision ID: 0012_govern_base
Revises: 0011_respond_versions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_govern_base"
down_revision = "0011_respond_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("department", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("department")
