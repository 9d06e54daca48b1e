from tests.vault_support import database_url, key_file, settings, vault

__all__ = ["database_url", "key_file", "settings", "vault"]
