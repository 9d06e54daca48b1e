"""Accounts: the second factor's pending secret, sealed, kept on the server during enrolment.

Before, the secret shown on ``/account`` travelled back in a hidden form field (the client could
choose it) and a wrong code showed a new one. Now it waits sealed in the user's row until a right
code turns it on, and a wrong code leaves it as it was.

Revision ID: 0018_totp_pending
Revises: 0017_profile_contact_sealed
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_totp_pending"
down_revision = "0017_profile_contact_sealed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_pending_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # a pending secret is not a factor yet: dropping it only restarts an unfinished enrolment
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_pending_sealed")
