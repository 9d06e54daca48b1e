"""Use cases of the vault. Every function takes the acting operator explicitly, does its work and
writes the audit event in the same transaction."""
