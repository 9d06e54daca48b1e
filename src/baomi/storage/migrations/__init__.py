"""Alembic environment and versions of the vault schema (run by ``baomi.storage.db.migrate``)."""
