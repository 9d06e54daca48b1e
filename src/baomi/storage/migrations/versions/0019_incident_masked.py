"""Respond: an incident's marker that its title and description were masked before sealing.

Incident titles and descriptions are masked (identifiers, people's names and addresses the
scan's recognizers find) before they are sealed; incidents stored before that keep the text as
typed. ``incidents.masked`` tells the two apart: every row already stored gets ``false`` (it may
hold unmasked text), new rows ``true``. The migration is storage and cannot mask (that is the
scan's recognizers and a key): ``baomi incident remask`` masks and re-seals the rows without the
marker, each in the audit log (docs/respond.md).

Revision ID: 0019_incident_masked
Revises: 0018_totp_pending
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_incident_masked"
down_revision = "0018_totp_pending"
branch_labels = None
depends_on = None


# Plain ALTERs, not a batch: SQLite adds (and, from 3.35, drops) a column in place, where a
# batch would copy the table and dropping the old one fails its incident steps' foreign keys.


def upgrade() -> None:
    op.add_column(
        "incidents", sa.Column("masked", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    # only the marker goes: the texts stay sealed as they are (masked or not)
    op.drop_column("incidents", "masked")
