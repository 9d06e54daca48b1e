"""The exception tree of baomi.

    BaomiError                      base of every error baomi raises on purpose
    ├── InputError                  bad user input: a file, a policy, an argument
    │   ├── UnreadableFileError     a file cannot be read (encoding, corrupt, encrypted, empty)
    │   └── PolicyError             a policy file is invalid (names the line)
    ├── ConfigError                 settings are missing or refused (placeholder key, bad URL)
    ├── CryptoError                 decryption failed, a key is missing or was destroyed
    ├── IntegrityError              a hash chain, signature, backup or certificate does not verify
    ├── PermissionDeniedError       the acting user may not do this (carries the reason)
    │   └── NotFoundError           no such thing, or none the acting user may know exists
    └── StorageError                the store cannot be written (disk full, read-only home)

Messages never contain a raw personal value: entity type, position and a keyed hash only.
"""

from __future__ import annotations


class BaomiError(Exception):
    """Base class of every error baomi raises on purpose."""


class InputError(BaomiError):
    """Raised when user input (a file, a policy, an argument) is not acceptable."""


class UnreadableFileError(InputError):
    """Raised when a file cannot be read; ``reason`` is a short, PI-free explanation."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PolicyError(InputError):
    """Raised when a policy file is invalid; the message names the line."""


class ConfigError(BaomiError):
    """Raised when settings are missing or refused (for example a placeholder master key)."""


class CryptoError(BaomiError):
    """Raised when decryption fails or a key is missing, wrong or destroyed."""


class IntegrityError(BaomiError):
    """Raised when a hash chain, signature, backup or certificate does not verify."""


class PermissionDeniedError(BaomiError):
    """Raised when the acting user may not perform an action; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFoundError(InputError, PermissionDeniedError):
    """Raised when the thing asked for does not exist (a document, a page of it, a grant), or
    the acting user may not learn that it does (a deal's room they are not in): both get the
    same words, so a name cannot be probed; pages and the API answer 404. Both an
    :class:`InputError` (callers that catch input errors still do) and a
    :class:`PermissionDeniedError` (code refusing access treats it as a refusal)."""


class StorageError(BaomiError):
    """Raised when the store cannot be written (disk full, read-only home)."""
