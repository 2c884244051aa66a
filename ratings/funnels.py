"""Funnel limits, per indicator with a measure (`shared/specs/rating-method.md`,
"Funnel limits"): for one type, year and indicator whose results are
`multiplier × numerator / denominator`, the overall rate p0, each
organisation's z-score, the overdispersion (Spiegelhalter, "Funnel plots for
comparing institutional performance", Statistics in Medicine 2005), the 95%
and 99.8% limits for any denominator, and whether each organisation is
better, worse or within the expected range.

Pure: numpy only, no Django and no pandas (the public site reads `Funnel` to
draw the limits from a run's stored figures)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import IntEnum

import numpy as np

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
        """Where O/N falls against the limits at N."""
        return Classification(int(classify(np.array([numerator], dtype=float), np.array([denominator], dtype=float),
                                           self)[0]))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict) -> Funnel:
        return cls(**{name: stored[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class FunnelFit:
    """`fit`'s answer: the funnel (None when no organisation has counts) and,
    for each organisation given, in order: its z-score and classification
    (NaN for one left out: no numerator or denominator, or a denominator of 0)."""

    funnel: Funnel | None
    z: np.ndarray
    classification: np.ndarray  # floats: a `Classification` number, or NaN

    @property
    def included(self) -> np.ndarray:
        return ~np.isnan(self.classification)


def unit_variance(measure: str, p0):
    """The variance of one unit's outcome: p0(1 − p0) (binomial) or p0 (Poisson)."""
    if measure == PROPORTION:
        return p0 * (1 - p0)
    if measure == RATE:
        return p0
    raise ValueError(f"no sampling model for the measure {measure!r}")


def fit(numerators, denominators, *, measure: str, multiplier: float, direction: str) -> FunnelFit:
    """The funnel of one indicator over the organisations given (one type, one
    year): `numerators` O and `denominators` N, arrays in the same order, NaN
    where missing. Organisations with no O or N, or N = 0, are left out."""
    numerators = np.asarray(numerators, dtype=float)
    denominators = np.asarray(denominators, dtype=float)
    z = np.full(len(numerators), np.nan)
    classification = np.full(len(numerators), np.nan)
    keep = ~np.isnan(numerators) & ~np.isnan(denominators) & (denominators > 0)
    if not keep.any():
        return FunnelFit(None, z, classification)
    o, n = numerators[keep], denominators[keep]
    total_o, total_n = float(o.sum()), float(n.sum())
    p0 = total_o / total_n
    variance = unit_variance(measure, p0)
    if variance <= 0:
        # p0 is 0 (or, for a proportion, 1): every organisation's O/N is p0 exactly,
        # so there is no spread at all, and every one is within the range.
        z[keep], phi, tau2 = 0.0, 0.0, 0.0
    else:
        s = np.sqrt(variance / n)
        z[keep] = (o / n - p0) / s
        phi, tau2 = _overdispersion(z[keep], s)
    funnel = Funnel(measure=measure, multiplier=float(multiplier), direction=direction, p0=p0, phi=phi,
                    tau2=tau2, organisations=int(keep.sum()), numerator=total_o, denominator=total_n)
    classification[keep] = classify(o, n, funnel)
    return FunnelFit(funnel, z, classification)


def _overdispersion(z: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """φ and τ² (Spiegelhalter 2005, as the spec gives it): winsorise z at its
    WINSOR_PERCENTILES; φ = mean of the squared winsorised z; with I
    organisations, τ² = (Iφ − (I − 1)) / (Σw − Σw²/Σw), w = 1/s², when
    Iφ > I − 1, else 0."""
    low, high = np.percentile(z, WINSOR_PERCENTILES)
    winsorised = np.clip(z, low, high)
    count = len(z)
    phi = float(np.mean(winsorised ** 2))
    w = 1 / s ** 2
    spread = float(w.sum() - (w ** 2).sum() / w.sum())
    if count * phi <= count - 1 or spread <= 0:
        return phi, 0.0
    return phi, float((count * phi - (count - 1)) / spread)


def classify(numerators: np.ndarray, denominators: np.ndarray, funnel: Funnel) -> np.ndarray:
    """Each O/N against the funnel's limits at its N, as `Classification`
    numbers (floats): beyond 99.8% is "much", beyond 95% plain; the side is
    better or worse by the indicator's direction. Outside means strictly beyond."""
    spread = np.sqrt(unit_variance(funnel.measure, funnel.p0) / denominators + funnel.tau2)
    difference = numerators / denominators - funnel.p0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, difference / np.where(spread > 0, spread, 1.0), 0.0)
    degree = np.where(np.abs(z) > Z_998, 2, np.where(np.abs(z) > Z_95, 1, 0))
    sign = np.sign(z) * (1 if funnel.direction == HIGHER_BETTER else -1)
    return (sign * degree).astype(float)


def limit_curve(funnel: Funnel, denominators, z: float) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper limits at z for each denominator, in the indicator's
    units, kept within what the measure can be (0 to the multiplier for a
    proportion, at least 0 for a rate): for drawing."""
    denominators = np.asarray(denominators, dtype=float)
    spread = z * np.sqrt(unit_variance(funnel.measure, funnel.p0) / denominators + funnel.tau2)
    lower = np.maximum(funnel.p0 - spread, 0.0)
    upper = funnel.p0 + spread
    if funnel.measure == PROPORTION:
        upper = np.minimum(upper, 1.0)
    return lower * funnel.multiplier, upper * funnel.multiplier
