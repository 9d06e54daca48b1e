"""Re-identification figures (GB/T 37964 Annex B) as ``baomi risk`` and the manifest report them;
computed by :func:`baomi.engine.protect.kanon.risk`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Re-identification figures for one table and one set of quasi-identifiers."""

    records: int
    classes: int
    k: int
    l_diversity: int | None
    max_risk: float
    average_risk: float
    records_below_k: int
    uniques: int
    target_k: int

    def rounded(self) -> RiskReport:
        """The figures as reported (risks to six decimals)."""
        return replace(
            self, max_risk=round(self.max_risk, 6), average_risk=round(self.average_risk, 6)
        )

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self.rounded())
