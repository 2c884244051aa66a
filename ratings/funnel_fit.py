"""Fitting a funnel (`funnels`) to the organisations of one type, year and
indicator with a measure, as the spec says ("Funnel limits"): p0, each
z-score, the winsorised overdispersion (Spiegelhalter 2005) and each
organisation's classification, all at once. Pure: numpy, no Django; run
when a run is stored (`outputs.funnel_figures`), never by the public site."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .funnels import HIGHER_BETTER, WINSOR_PERCENTILES, Z_95, Z_998, Funnel, unit_variance


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


