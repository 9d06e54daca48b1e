"""Comply: the deal profile's recipient contact is sealed (it may be a person's phone).

Adds ``comply_deal_profiles.recipient_contact_sealed`` and seals every contact stored in clear
into it, emptying the old column — when the process migrating can reach the platform's field
key. Opening a vault passes ``profile_contact`` (a
:class:`~baomi.services.comply.recipient_contact.ContactMigration`) in the Alembic config's
attributes; a migration is storage and never imports a service. A row it cannot seal (no key in
this process, or no ``profile_contact`` given) keeps its clear value, which the service reads
until the profile's next write seals it and empties the column.

The downgrade opens the sealed contacts back into the old column, and refuses (changing nothing)
when some are sealed and the key cannot be reached: dropping them would lose them.

Revision ID: 0017_profile_contact_sealed
Revises: 0016_totp_last_step
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context, op

from baomi.errors import ConfigError
from baomi.i18n import tr

revision = "0017_profile_contact_sealed"
down_revision = "0016_totp_last_step"
branch_labels = None
depends_on = None

_profiles = sa.table(
    "comply_deal_profiles",
    sa.column("deal_id", sa.String()),
    sa.column("recipient_contact", sa.String()),
    sa.column("recipient_contact_sealed", sa.LargeBinary()),
)


def _contacts() -> Any:
    """The ``profile_contact`` helper the caller passed, or ``None``."""
    return context.config.attributes.get("profile_contact")


def upgrade() -> None:
    with op.batch_alter_table("comply_deal_profiles") as batch:
        batch.add_column(sa.Column("recipient_contact_sealed", sa.LargeBinary(), nullable=True))
    contacts = _contacts()
    if contacts is None:
        return
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_profiles.c.deal_id, _profiles.c.recipient_contact).where(
            _profiles.c.recipient_contact != ""
        )
    ).all()
    for deal_id, contact in rows:
        sealed = contacts.seal(deal_id, contact)
        if sealed is None:
            return  # no key here: the service reads the clear values until their next write
        conn.execute(
            _profiles.update()
            .where(_profiles.c.deal_id == deal_id)
            .values(recipient_contact_sealed=sealed, recipient_contact="")
        )


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_profiles.c.deal_id, _profiles.c.recipient_contact_sealed).where(
            _profiles.c.recipient_contact_sealed.is_not(None)
        )
    ).all()
    contacts = _contacts()
    for deal_id, sealed in rows:
        contact = None if contacts is None else contacts.open(deal_id, bytes(sealed))
        if contact is None:
            raise ConfigError(
                tr(
                    "接收方联系方式已加密，无法取得字段密钥：降级会丢失它们（请配置主密钥后再降级）",
                    "the recipient contacts are sealed and the field key cannot be reached: a "
                    "downgrade would lose them (set the master key, then downgrade)",
                )
            )
        conn.execute(
            _profiles.update()
            .where(_profiles.c.deal_id == deal_id)
            .values(recipient_contact=contact)
        )
    with op.batch_alter_table("comply_deal_profiles") as batch:
        batch.drop_column("recipient_contact_sealed")
