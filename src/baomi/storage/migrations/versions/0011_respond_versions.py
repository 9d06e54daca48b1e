"""Response: documents get versions — a correction or deletion writes a new version that
supersedes the original, which is kept sealed until its retention ends, then shredded.

Revision ID: 0011_respond_versions
Revises: 0010_respond_requests
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_respond_versions"
down_revision = "0010_respond_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("supersedes", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("retain_until", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("retain_until")
        batch.drop_column("supersedes")
