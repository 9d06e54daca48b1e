"""The operator interface and the per-run context operators read their keys and vault from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import polars as pl

from baomi.engine.protect.params import OperatorParams
from baomi.errors import ConfigError
from baomi.i18n import tr

if TYPE_CHECKING:
    from baomi.engine.protect.hierarchy import Hierarchy
    from baomi.engine.protect.keys import KeyProvider
    from baomi.engine.protect.tokens import TokenVault

P = TypeVar("P", bound=OperatorParams)


@dataclass(slots=True)
class OperatorContext:
    """What a run gives operators: the key provider, the recipient, the token vault, caches.

    Operators stay stateless; derived keys and loaded hierarchies are cached here per run.
    """

    keys: KeyProvider | None = None
    recipient: str | None = None
    vault: TokenVault | None = None
    base_dir: str = "."
    _key_cache: dict[tuple[str, str, str | None], bytes] = field(default_factory=dict)
    _hierarchies: dict[str, Hierarchy] = field(default_factory=dict)

    def key(self, purpose: str, key_id: str, per_recipient: bool = False) -> bytes:
        if self.keys is None:
            raise ConfigError(
                tr(
                    "此操作需要密钥：--key-file 或 BAOMI_PROTECT_KEY",
                    "this operator needs a key: give --key-file or BAOMI_PROTECT_KEY",
                )
            )
        recipient = self.recipient if per_recipient else None
        cache_key = (purpose, key_id, recipient)
        if cache_key not in self._key_cache:
            self._key_cache[cache_key] = self.keys.key(purpose, key_id, recipient)
        return self._key_cache[cache_key]

    def hierarchy(self, path: str) -> Hierarchy:
        from baomi.engine.protect.hierarchy import Hierarchy

        if path not in self._hierarchies:
            self._hierarchies[path] = Hierarchy.from_csv(path, base_dir=self.base_dir)
        return self._hierarchies[path]


class Operator(ABC, Generic[P]):
    """Turns one value of one entity into its protected form."""

    name: ClassVar[str]
    params_type: ClassVar[type[OperatorParams]]
    # What the pipeline needs to know of an operator, declared by it (never by its name), so
    # that a third-party operator registered through the registry is treated by what it does.
    #: The original can be recovered with a key (fpe, tokenize): PIPL-73 de-identification.
    reversible: ClassVar[bool] = False
    #: The output differs from the value (False for ``keep``): the policy removes the entity.
    removes: ClassVar[bool] = True
    #: The output keeps the entity's format on purpose (pseudonym, fpe, keep): a re-scan finds
    #: it again, so ``--verify`` checks it by value, not by the scan.
    keeps_format: ClassVar[bool] = False
    #: The output keeps a coarser or partial form of the value (mask, generalize).
    coarsens: ClassVar[bool] = False
    #: The output is for display (mask, generalize, replace): it carries the recipient's
    #: invisible marks when the policy asks for them.
    carries_marks: ClassVar[bool] = False
    #: May run in a thread beside other operators (False: it writes shared state).
    thread_safe: ClassVar[bool] = True
    #: Needs the run's token vault (``OperatorContext.vault``).
    needs_vault: ClassVar[bool] = False
    #: The output depends on the entity (mask's conventions, pseudonym's formats): a column
    #: rule without ``entity:`` then takes the entity the column is classified as.
    uses_entity: ClassVar[bool] = True

    @abstractmethod
    def apply(self, value: str, entity: str | None, params: P, ctx: OperatorContext) -> str:
        """The protected form of ``value``."""

    def recipient_specific(self, params: P) -> bool:
        """True when the output depends on the recipient (a fingerprint mark)."""
        return False

    def drops_record(self, params: P) -> bool:
        """True when a record holding the value is dropped from its table (or text)."""
        return False

    def apply_series(
        self, values: pl.Series, entity: str | None, params: P, ctx: OperatorContext
    ) -> pl.Series:
        """Vectorised form over a column of strings; the default caches per unique value."""
        return map_unique(values, lambda v: self.apply(v, entity, params, ctx))


def map_unique(values: pl.Series, fn: Callable[[str], str]) -> pl.Series:
    """Apply ``fn`` once per distinct non-empty value; nulls and empty cells stay as they are."""
    uniq = values.drop_nulls().unique()
    uniq = uniq.filter(uniq.str.strip_chars() != "")
    if uniq.len() == 0:
        return values
    mapping = dict(zip(uniq.to_list(), map(fn, uniq.to_list()), strict=True))
    return values.replace_strict(mapping, default=values, return_dtype=pl.String)
