"""Alembic environment: runs on the connection passed in by :func:`baomi.storage.db.migrate`."""

from __future__ import annotations

from alembic import context

from baomi.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only programmatic use is supported
    raise RuntimeError("run migrations through baomi.storage.db.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
