from __future__ import annotations

from typing import Any

from baomi.services.comply.data import summarize


def _inv(individuals: int, sensitive: int, entities: dict[str, int]) -> dict[str, Any]:
    return {
        "summary": {
            "estimated_individuals": individuals,
            "individuals_with_sensitive": sensitive,
            "rows": individuals,
            "entities": entities,
            "sensitive_categories": {},
        }
    }


def test_documents_add_up_and_the_largest_is_the_lower_bound() -> None:
    s = summarize(
        "d",
        [
            _inv(100, 10, {"CN_MOBILE": 100, "BANK_CARD": 10}),
            None,
            _inv(40, 0, {"CN_MOBILE": 40}),
        ],
    )
    assert (s.documents, s.scanned) == (3, 2)
    assert (s.individuals, s.individuals_at_least, s.sensitive_individuals) == (140, 100, 10)
    assert s.entities == {"BANK_CARD": 10, "CN_MOBILE": 140}
    assert sum(s.categories.values()) == 150
    assert s.sensitive_categories  # a bank card is sensitive PI (PIPL-28)


def test_a_deal_without_inventories_counts_nothing() -> None:
    s = summarize("d", [None])
    assert s.individuals == 0 and s.scanned == 0 and not s.categories
