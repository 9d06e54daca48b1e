"""The recognizer registry: one tuple of built-ins, and ``register`` for a customer's own.

Built-ins go through the same :meth:`Registry.register` path as third-party recognizers.
Third-party packages may also expose recognizers through the ``baomi.recognizers`` entry-point
group (each entry point names a :class:`Recognizer` subclass).
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Iterable, Iterator
from importlib.metadata import entry_points

from baomi.engine.recognizers.base import Recognizer

#: The built-in recognizers, in priority order ("module:Class"). The single list of them.
#: Validated identifiers come first so that they win ties in overlap resolution: an 18-digit
#: resident ID (GB 11643) before the bank card (Luhn + issuer) and the unified social credit
#: code (GB 32100), which can also be 18 digits. A card before a credit code: an all-digit
#: number with a card issuer prefix that passes both checks (1 in 31 pass GB 32100 by chance)
#: is a card, while real codes start 1/5/9/Y, outside the card issuer ranges.
BUILTIN_RECOGNIZERS: tuple[str, ...] = (
    "baomi.engine.recognizers.cn.resident_id:CnResidentIdRecognizer",
    "baomi.engine.recognizers.cn.bank_card:BankCardRecognizer",
    "baomi.engine.recognizers.cn.uscc:CnUsccRecognizer",
    "baomi.engine.recognizers.cn.mobile:CnMobileRecognizer",
    "baomi.engine.recognizers.cn.landline:CnLandlineRecognizer",
    # a phone number of another country: a column of them is the first one's, which takes
    # every number's shape, a run of digits as Excel leaves it (3471234567) included; in
    # text, the country code's, then those without one beside a word naming a phone
    "baomi.engine.recognizers.generic.phone:LocalPhoneRecognizer",
    "baomi.engine.recognizers.generic.phone:PhoneRecognizer",
    "baomi.engine.recognizers.generic.phone:LocalPhoneZhRecognizer",
    "baomi.engine.recognizers.cn.passport:CnPassportRecognizer",
    # another country's passport: after the PRC's, whose numbers and columns stay its own
    "baomi.engine.recognizers.generic.passport:PassportRecognizer",
    "baomi.engine.recognizers.cn.hmt_permit:CnHmtPermitRecognizer",
    "baomi.engine.recognizers.cn.hk_id:HkIdRecognizer",
    "baomi.engine.recognizers.cn.tw_id:TwIdRecognizer",
    "baomi.engine.recognizers.cn.mo_id:MoIdRecognizer",
    "baomi.engine.recognizers.cn.license_plate:CnLicensePlateRecognizer",
    "baomi.engine.recognizers.generic.email:EmailRecognizer",
    "baomi.engine.recognizers.generic.ip_address:IpAddressRecognizer",
    "baomi.engine.recognizers.generic.date_of_birth:DateOfBirthRecognizer",
    "baomi.engine.recognizers.cn.person_name:PersonNameRecognizer",
    "baomi.engine.recognizers.cn.address:AddressRecognizer",
    "baomi.engine.recognizers.cn.organization:OrganizationRecognizer",
    # An address in Latin letters, in free text and in cells of any column (an address
    # column's cells are the column recognizer's above, which reads this one's shapes).
    "baomi.engine.recognizers.generic.latin_address:LatinAddressRecognizer",
    # A Korean address in Hangul in free text (road-name addresses)
    "baomi.engine.recognizers.generic.korean_address:KoreanAddressRecognizer",
    # Prose (model + rules): names, addresses and organisations in free text. After the
    # column-context recognizers of the same entities, which classified columns use.
    "baomi.engine.recognizers.cn.prose_ner:ProsePersonNameRecognizer",
    "baomi.engine.recognizers.cn.prose_ner:ProseAddressRecognizer",
    "baomi.engine.recognizers.cn.prose_ner:ProseOrganizationRecognizer",
)

ENTRY_POINT_GROUP = "baomi.recognizers"


def _load(spec: str) -> type[Recognizer]:
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Recognizer)):
        raise TypeError(f"{spec} is not a Recognizer subclass")
    return cls


class Registry:
    """An ordered set of recognizer instances; earlier ones win ties in overlap resolution."""

    def __init__(self, recognizers: Iterable[Recognizer] = ()) -> None:
        self._items: list[Recognizer] = []
        for r in recognizers:
            self.register(r)

    @classmethod
    def default(cls, *, plugins: bool = True) -> Registry:
        """The built-ins, plus recognizers installed through the entry-point group."""
        reg = cls(_load(spec)() for spec in BUILTIN_RECOGNIZERS)
        if plugins:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                reg.register(ep.load()())
        return reg

    @classmethod
    def builtins(cls, entities: Collection[str] | None = None) -> Registry:
        """The built-ins alone (no plug-ins); only those of ``entities`` when given."""
        classes = (_load(spec) for spec in BUILTIN_RECOGNIZERS)
        return cls(c() for c in classes if entities is None or c.entity in entities)

    def register(self, recognizer: Recognizer) -> None:
        if not isinstance(recognizer, Recognizer):
            raise TypeError("register() takes a Recognizer instance")
        self._items.append(recognizer)

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def without_models(self) -> Registry:
        """The same registry without model-based (prose) recognizers."""
        return Registry(r for r in self._items if not r.model_based)

    def for_entity(self, entity: str) -> list[Recognizer]:
        return [r for r in self._items if r.entity == entity]

    @property
    def entities(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self._items:
            seen.setdefault(r.entity, None)
        return list(seen)
