"""Funnel limits, per indicator with a measure (`shared/specs/rating-method.md`,
"Funnel limits"): for one type, year and indicator whose results are
`multiplier × numerator / denominator`, the funnel as stored with a run (the
overall rate p0 and the overdispersion: Spiegelhalter, "Funnel plots for
comparing institutional performance", Statistics in Medicine 2005), its 95%
and 99.8% limits for any denominator, and whether a figure is better, worse
or within the expected range.

Pure Python, no numpy, no Django: the public site, which never loads numpy,
reads `Funnel` to draw the limits from a run's stored figures. Fitting a
funnel to many organisations at once (numpy) is `funnel_fit`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import IntEnum

PROPORTION, RATE = "proportion", "rate"  # `indicators.choices` measures, spelled as stored
MEASURES = (PROPORTION, RATE)
HIGHER_BETTER = "higher_better"
# The two limits: z for 95% and 99.8% (two-sided), as the spec gives them.
Z_95, Z_998 = 1.96, 3.09
# z-scores are winsorised at these percentiles before estimating overdispersion.
# Percentiles are numpy's default ("linear": the (p/100)·(I − 1)-th order
# statistic from 0, interpolated between neighbours; Hyndman and Fan's type 7).
WINSOR_PERCENTILES = (10, 90)


class Classification(IntEnum):
    """Where an organisation falls against the limits, by the indicator's
    direction: positive is better. Stored as its number."""

    MUCH_WORSE = -2  # beyond the 99.8% limit on the worse side
    WORSE = -1  # beyond the 95% limit, within the 99.8%
    WITHIN = 0
    BETTER = 1
    MUCH_BETTER = 2

    @property
    def words(self) -> str:
        return CLASSIFICATION_WORDS[self]

    @property
    def beyond(self) -> bool:
        return self is not Classification.WITHIN


CLASSIFICATION_WORDS = {
    Classification.MUCH_WORSE: "much worse than expected",
    Classification.WORSE: "worse than expected",
    Classification.WITHIN: "within the expected range",
    Classification.BETTER: "better than expected",
    Classification.MUCH_BETTER: "much better than expected",
}


@dataclass(frozen=True)
class Funnel:
    """One indicator's funnel for a type and year, as stored with a run: enough
    to draw its limits at any denominator without the organisations' figures."""

    measure: str
    multiplier: float
    direction: str
    p0: float  # ΣO / ΣN, per unit (not times the multiplier)
    phi: float  # the overdispersion factor: mean of the squared winsorised z
    tau2: float  # the additive between-organisation variance (0 when none)
    organisations: int  # I: organisations with a numerator and a denominator above 0
    numerator: float  # ΣO
    denominator: float  # ΣN

    @property
    def target(self) -> float:
        """p0 in the indicator's units (times the multiplier): the type's overall rate."""
        return self.p0 * self.multiplier

    def standard_error(self, denominator: float) -> float:
        """s for a denominator N, per unit: √(p0(1 − p0)/N) or √(p0/N)."""
        return math.sqrt(unit_variance(self.measure, self.p0) / denominator)

    def limits(self, denominator: float, z: float) -> tuple[float, float]:
        """(lower, upper) at z for a denominator N, in the indicator's units:
        (p0 ± z·√(s² + τ²)) × multiplier."""
        spread = z * math.sqrt(self.standard_error(denominator) ** 2 + self.tau2)
        return (self.p0 - spread) * self.multiplier, (self.p0 + spread) * self.multiplier

    def classify(self, numerator: float, denominator: float) -> Classification:
        """Where O/N falls against the limits at N: beyond 99.8% is "much",
        beyond 95% plain; the side is better or worse by the indicator's
        direction. Outside means strictly beyond (`funnel_fit.classify`, its
        twin for many organisations at once, agrees: tested)."""
        spread = math.sqrt(unit_variance(self.measure, self.p0) / float(denominator) + self.tau2)
        z = (float(numerator) / float(denominator) - self.p0) / spread if spread > 0 else 0.0
        degree = 2 if abs(z) > Z_998 else 1 if abs(z) > Z_95 else 0
        sign = (z > 0) - (z < 0)
        return Classification(sign * degree * (1 if self.direction == HIGHER_BETTER else -1))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict) -> Funnel:
        return cls(**{name: stored[name] for name in cls.__dataclass_fields__})


def unit_variance(measure: str, p0):
    """The variance of one unit's outcome: p0(1 − p0) (binomial) or p0 (Poisson)."""
    if measure == PROPORTION:
        return p0 * (1 - p0)
    if measure == RATE:
        return p0
    raise ValueError(f"no sampling model for the measure {measure!r}")



def limit_curve(funnel: Funnel, denominators, z: float) -> tuple[list[float], list[float]]:
    """The lower and upper limits at z for each denominator, in the indicator's
    units, kept within what the measure can be (0 to the multiplier for a
    proportion, at least 0 for a rate): for drawing."""
    lower, upper = [], []
    for denominator in denominators:
        spread = z * math.sqrt(unit_variance(funnel.measure, funnel.p0) / denominator + funnel.tau2)
        lower.append(max(funnel.p0 - spread, 0.0) * funnel.multiplier)
        high = funnel.p0 + spread
        upper.append((min(high, 1.0) if funnel.measure == PROPORTION else high) * funnel.multiplier)
    return lower, upper
