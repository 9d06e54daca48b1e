"""Storage: SQLAlchemy tables, Alembic migrations, the blob store and the key store file.

Services own transactions; nothing here commits on its own except migrations.
"""
