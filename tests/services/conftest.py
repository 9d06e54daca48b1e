from __future__ import annotations

from tests.vault_support import database_url, key_file, second_database_url, settings, vault

__all__ = ["database_url", "key_file", "second_database_url", "settings", "vault"]
