"""Band certainty and the significance of a band change
(`shared/specs/rating-method.md`, version 2: "Band certainty" and
"Significance of a band change"). Pure numpy (pandas only to read the
inputs and shape the summary), no Django.

Draws. Every result of a `proportion` or `rate` indicator with a numerator
and a denominator above 0 is drawn (Jeffreys Beta, or Gamma / N), each year
independently; everything else stays as reported. Draw k takes the k-th
block of one `PCG64(uncertainty_seed)` stream (`PCG64(seed).jumped(k)`:
blocks 2^128 numbers apart, so they never overlap), and within it draws the
results in one fixed order (year, organisation, indicator): draw k is the
same whichever draws are computed with it, and whatever order the input
rows came in.

How a caller chunks and combines. Split `range(params.uncertainty_draws)`
into chunks of any size (say `range(0, 500)`, `range(500, 1000)`, ...), and
for each call `certainty_counts(inputs, params, draws=chunk)`, anywhere (on
separate workers: the inputs and parameters are all it needs). Each gives,
per organisation type, `CertaintyCounts`: band counts and each draw's
ranks, which add (`combine_counts`). When every chunk is in,
`certainty_table(inputs, params, combined)` gives P(each band), the
certainty and the rank interval; the combined counts of chunks equal those
of all draws at once, so the figures do too. The same for a band change:
`change_counts` per chunk, `combine_change_counts`, then `change_table`.
The engine's memory is bounded by `batch_engine.batch_size`, not by the
chunk's size; the ranks kept take 2 bytes a draw and organisation (4 past
32,766 organisations): 40 MB for 10,000 organisations x 2,000 draws, linear
in each, whatever the spread of the ranks (a histogram of rank by
organisation would grow with organisations x distinct ranks, up to n^2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.random import PCG64, Generator

from . import batch_engine
from .batch_engine import BAND_NAMES, GREEN_CODE, NOT_RATED_CODE, RED_CODE, YELLOW_CODE, TypeArrays
from .certainty_terms import CHANGE_WORDS, LIKELY, NAMED_OTHER, REAL_CHANGE, VERY_LIKELY
from .engine import EngineInputs
from .parameters import SchemeParameters

PROPORTION, RATE = "proportion", "rate"
# The rank interval's percentiles, in thousandths (2.5th and 97.5th).
RANK_INTERVAL_PER_MILLE = (25, 975)


# Draws ----------------------------------------------------------------------

@dataclass(frozen=True)
class DrawPlan:
    """The results that are drawn, in the fixed order, and where each goes.

    keys: (year, organisation, indicator) per drawn result; proportions come
    first in a draw's block, then rates. `places[key]`, for each key of the
    plan's targets, is (drawn result indices, flat cells of that type's
    indicators x organisations array)."""

    seed: int
    keys: pd.DataFrame
    alpha: np.ndarray
    beta: np.ndarray
    shape: np.ndarray
    denominator: np.ndarray
    multiplier: np.ndarray
    places: Mapping[tuple, tuple[np.ndarray, np.ndarray]]

    @property
    def size(self) -> int:
        return len(self.keys)


def drawable_results(inputs: EngineInputs) -> pd.DataFrame:
    """year, organisation, indicator, measure, multiplier, numerator, denominator
    of every result of the year and the year before with a sampling model (by
    the definitions in `inputs`)."""
    results, indicators = inputs.results, inputs.indicators
    columns = ["year", "organisation", "indicator", "measure", "multiplier", "numerator", "denominator"]
    if not {"numerator", "denominator"} <= set(results.columns) or "measure" not in indicators.columns:
        return pd.DataFrame(columns=columns)
    definitions = indicators.drop_duplicates("indicator").set_index("indicator")
    frame = results.assign(measure=results["indicator"].map(definitions["measure"]),
                           multiplier=results["indicator"].map(definitions["multiplier"]).astype(float))
    numerator, denominator = frame["numerator"].astype(float), frame["denominator"].astype(float)
    drawn = (frame["year"].isin([inputs.year, inputs.year - 1]) & frame["measure"].isin([PROPORTION, RATE])
             & frame["value"].notna() & (frame["multiplier"] > 0)
             & (numerator >= 0) & (denominator > 0)
             & ((frame["measure"] != PROPORTION) | (numerator <= denominator)))
    return frame.loc[drawn, columns].astype({"numerator": float, "denominator": float})


def draw_plan(rows: pd.DataFrame, targets: Mapping[tuple, tuple[TypeArrays, int]], seed: int) -> DrawPlan:
    """The plan for these drawable rows (`drawable_results`; the first of a
    result's duplicates is kept), placed into the arrays of `targets`: {key:
    (a type's arrays, the year whose figures the array holds)}."""
    rows = rows.drop_duplicates(["year", "organisation", "indicator"])
    rows = rows.assign(rate=rows["measure"] == RATE).sort_values(
        ["rate", "year", "organisation", "indicator"], kind="mergesort").reset_index(drop=True)
    proportion = ~rows["rate"].to_numpy()
    numerator, denominator = rows["numerator"].to_numpy(), rows["denominator"].to_numpy()
    places = {}
    for key, (arrays, year) in targets.items():
        here = ((rows["year"] == year) & rows["organisation"].isin(arrays.organisations)
                & rows["indicator"].isin(arrays.indicators)).to_numpy()
        index = np.flatnonzero(here)
        # Flat cells of an (indicators, organisations) array: the layout `rate_batch` computes in.
        cells = (batch_engine.positions(arrays.indicators, rows["indicator"].to_numpy()[index])
                 * len(arrays.organisations)
                 + np.searchsorted(arrays.organisations, rows["organisation"].to_numpy()[index]))
        places[key] = (index, cells)
    return DrawPlan(seed=seed, keys=rows[["year", "organisation", "indicator"]],
                    alpha=numerator[proportion] + 0.5, beta=denominator[proportion] - numerator[proportion] + 0.5,
                    shape=numerator[~proportion] + 0.5, denominator=denominator[~proportion],
                    multiplier=rows["multiplier"].to_numpy(), places=places)


def draw_values(plan: DrawPlan, draws: range) -> np.ndarray:
    """(len(draws), plan.size): the drawn value of every drawable result in each draw."""
    out = np.empty((len(draws), plan.size))
    proportions = len(plan.alpha)
    for row, k in enumerate(draws):
        rng = Generator(PCG64(plan.seed).jumped(k))
        out[row, :proportions] = rng.beta(plan.alpha, plan.beta)
        out[row, proportions:] = rng.standard_gamma(plan.shape) / plan.denominator
    out *= plan.multiplier
    return out


def _placed(base: np.ndarray, drawn: np.ndarray, place) -> np.ndarray:
    """Copies of `base` (organisations x indicators), one per draw, with the
    drawn results in place: (draws, indicators, organisations), the layout
    of `rate_batch(..., indicators_first=True)`."""
    index, cells = place
    values = np.repeat(base.T.reshape(1, -1), len(drawn), axis=0)
    values[:, cells] = drawn[:, index]
    return values.reshape(len(drawn), base.shape[1], base.shape[0])


def _batches(draws: range, arrays: Iterable[TypeArrays], plan: DrawPlan):
    """`draws` in pieces small enough for every type's pass and for the drawn values."""
    step = min([batch_engine.batch_size(a) for a in arrays]
               + [max(1, batch_engine.BATCH_ELEMENTS // max(1, plan.size))])
    for start in range(draws.start, draws.stop, step):
        yield range(start, min(start + step, draws.stop))


# Band certainty ---------------------------------------------------------------

@dataclass(frozen=True)
class CertaintyCounts:
    """One type's tallies over some draws; two add (`combined`).

    bands: (organisations, 4) draws per band code (`BAND_NAMES`).
    ranks: (draws, organisations) each draw's rank in R, 0 when not ranked,
    in `rank_type(organisations)`; combined in the order given."""

    type_code: str
    organisations: np.ndarray
    draws: int
    bands: np.ndarray
    ranks: np.ndarray

    def combined(self, other: "CertaintyCounts") -> "CertaintyCounts":
        if self.type_code != other.type_code or not np.array_equal(self.organisations, other.organisations):
            raise ValueError("counts of different organisations cannot be combined")
        return CertaintyCounts(self.type_code, self.organisations, self.draws + other.draws,
                               self.bands + other.bands, np.concatenate([self.ranks, other.ranks]))


def rank_type(organisations: int) -> type[np.integer]:
    """The smallest integer type holding every rank of this many organisations."""
    return np.int16 if organisations <= np.iinfo(np.int16).max else np.int32


def certainty_counts(inputs: EngineInputs, params: SchemeParameters, draws: range) -> dict[str, CertaintyCounts]:
    """Band and rank tallies of each type over `draws` (any chunk of
    range(params.uncertainty_draws)), from the draws' blocks of the stream
    seeded `params.uncertainty_seed`."""
    arrays = batch_engine.type_arrays(inputs)
    targets = {(code, which): (a, year) for code, a in arrays.items()
               for which, year in enumerate((inputs.year, inputs.year - 1))}
    plan = draw_plan(drawable_results(inputs), targets, params.uncertainty_seed)
    tallies = {code: [np.zeros((len(a.organisations), len(BAND_NAMES)), dtype=np.int64), []]
               for code, a in arrays.items()}
    for batch in _batches(draws, arrays.values(), plan):
        drawn = draw_values(plan, batch)
        for code, a in arrays.items():
            result = batch_engine.rate_batch(a, params, _placed(a.values, drawn, plan.places[(code, 0)]),
                                             _placed(a.previous, drawn, plan.places[(code, 1)]),
                                             indicators_first=True)
            bands, ranks = tallies[code]
            organisations = len(a.organisations)
            bands += np.bincount((np.arange(organisations) * len(BAND_NAMES) + result.band).ravel(),
                                 minlength=organisations * len(BAND_NAMES)).reshape(organisations, -1)
            ranks.append(np.where(result.rank > 0, result.rank, 0).astype(rank_type(organisations)))
    out = {}
    for code, a in arrays.items():
        bands, ranks = tallies[code]
        organisations = len(a.organisations)
        out[code] = CertaintyCounts(code, a.organisations, len(draws), bands, np.concatenate(ranks) if ranks
                                    else np.zeros((0, organisations), rank_type(organisations)))
    return out


def combine_counts(parts: Iterable[Mapping[str, CertaintyCounts]]) -> dict[str, CertaintyCounts]:
    """The tallies of several chunks of draws, added type by type."""
    combined: dict[str, CertaintyCounts] = {}
    for part in parts:
        for code, counts in part.items():
            combined[code] = combined[code].combined(counts) if code in combined else counts
    return combined


# Organisations x draws of ranks sorted at a time for the rank interval (a few MB of int16).
RANK_SORT_ELEMENTS = 4_000_000


def rank_percentiles(ranks: np.ndarray, per_mille: Iterable[int]) -> np.ndarray:
    """For each organisation (a column of `ranks`, draws by organisations, 0
    where not ranked) and each `per_mille`, the per_mille/10 th percentile of
    its ranks over the draws that ranked it: the smallest rank r such that at
    least that share of those draws rank r or better (the inverted empirical
    distribution function, numpy's "inverted_cdf", Hyndman and Fan's
    definition 1), i.e. the ceil(p k)-th smallest of its k ranks. Chosen
    because a rank is a whole number: this percentile is always a rank that
    came out in some draw, never an interpolated "12.5th". Integer
    arithmetic, so a share on the boundary is exact. NaN where never ranked.
    Sorted a block of organisations at a time, so the extra memory is bounded."""
    per_mille = list(per_mille)
    draws, organisations = ranks.shape
    out = np.full((len(per_mille), organisations), np.nan)
    ranked = np.count_nonzero(ranks, axis=0)
    unranked_last = np.iinfo(ranks.dtype).max
    step = max(1, RANK_SORT_ELEMENTS // max(1, draws))
    for start in range(0, organisations, step):
        columns = slice(start, start + step)
        block = np.where(ranks[:, columns] > 0, ranks[:, columns], unranked_last)
        block.sort(axis=0)
        k = ranked[columns]
        for row, share in enumerate(per_mille):
            position = np.maximum(-(-share * k // 1000) - 1, 0)
            values = np.take_along_axis(block, position[None, :], axis=0)[0] if draws else np.zeros(len(k))
            out[row, columns] = np.where(k > 0, values, np.nan)
    return out


def certainty_table(inputs: EngineInputs, params: SchemeParameters,
                    counts: Mapping[str, CertaintyCounts]) -> pd.DataFrame:
    """Per active organisation of each type: organisation, type, band (as
    published: the engine's on the reported figures), p_green, p_yellow,
    p_red, p_not_rated, certainty (P of the published band; NaN when not
    rated), rank_low and rank_high (the rank interval: NaN when never ranked),
    draws, and the words."""
    frames = []
    for code, a in batch_engine.type_arrays(inputs).items():
        tally = counts[code]
        if not np.array_equal(tally.organisations, a.organisations):
            raise ValueError(f"the counts of {code} are not of these inputs' organisations")
        published = batch_engine.rate_batch(a, params).band[0]
        shares = tally.bands / tally.draws if tally.draws else np.full(tally.bands.shape, np.nan)
        low, high = rank_percentiles(tally.ranks, RANK_INTERVAL_PER_MILLE)
        frame = pd.DataFrame({"organisation": a.organisations, "type": code,
                              "band": np.array(BAND_NAMES, dtype=object)[published]})
        for band_code, name in enumerate(BAND_NAMES):
            frame[f"p_{name}"] = shares[:, band_code]
        rated = published != NOT_RATED_CODE
        frame["certainty"] = np.where(rated, shares[np.arange(len(published)), published], np.nan)
        frame["rank_low"], frame["rank_high"] = low, high
        frame["draws"] = tally.draws
        frame["words"] = [certainty_words(band, dict(zip(BAND_NAMES, row))) if ok and tally.draws else ""
                          for band, row, ok in zip(frame["band"], shares, rated)]
        frames.append(frame[a.active])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def certainty_words(band: str, probabilities: Mapping[str, float]) -> str:
    """The card's words for a published band and the shares of the draws:
    "very likely green" (certainty >= 0.95), "likely green" (>= 0.80), or
    "uncertain", naming the other band(s) with P >= 0.20 ("uncertain: green,
    could be yellow or red")."""
    certainty = probabilities[band]
    if certainty >= VERY_LIKELY:
        return f"very likely {band}"
    if certainty >= LIKELY:
        return f"likely {band}"
    others = [name.replace("_", " ") for name in BAND_NAMES
              if name != band and probabilities.get(name, 0.0) >= NAMED_OTHER]
    # Best band first, as people read them: green, yellow, red, not rated.
    others.sort(key=lambda name: ["green", "yellow", "red", "not rated"].index(name))
    return f"uncertain: {band}" + (f", could be {' or '.join(others)}" if others else "")


# Significance of a band change ------------------------------------------------

@dataclass(frozen=True)
class ChangeCounts:
    """One type's tally of real changes over some draws; two add (`combined`).

    organisations: the type's in year Y; before, after: their published band
    codes in Y-1 and Y (NOT_RATED_CODE where not rated); real: draws in which
    the drawn bands moved as the published ones did."""

    type_code: str
    organisations: np.ndarray
    before: np.ndarray
    after: np.ndarray
    draws: int
    real: np.ndarray

    def combined(self, other: "ChangeCounts") -> "ChangeCounts":
        if self.type_code != other.type_code or not np.array_equal(self.organisations, other.organisations):
            raise ValueError("counts of different organisations cannot be combined")
        return ChangeCounts(self.type_code, self.organisations, self.before, self.after,
                            self.draws + other.draws, self.real + other.real)


def real_change(before_published, after_published, before_drawn, after_drawn) -> np.ndarray:
    """Whether each drawn pair of bands moved as the published pair did:
    strictly better (or strictly worse, as published), red < yellow <
    green; a drawn year not rated counts against the change."""
    rated = (before_drawn != NOT_RATED_CODE) & (after_drawn != NOT_RATED_CODE)
    better = after_published > before_published
    worse = after_published < before_published
    return rated & ((better & (after_drawn > before_drawn)) | (worse & (after_drawn < before_drawn)))


def _positions(keys: np.ndarray, within: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key is in the sorted `within`, and whether it is there at all."""
    if len(within) == 0:
        return np.zeros(len(keys), dtype=np.intp), np.zeros(len(keys), dtype=bool)
    position = np.minimum(np.searchsorted(within, keys), len(within) - 1)
    return position, within[position] == keys


def change_counts(before: EngineInputs, before_params: SchemeParameters, after: EngineInputs,
                  after_params: SchemeParameters, draws: range) -> dict[str, ChangeCounts]:
    """For the years Y-1 (`before`: its figures and Y-2's) and Y (`after`: its
    figures and Y-1's): in each draw, every result of Y-2, Y-1 and Y drawn once
    (Y-1's draw shared by both years' ratings; seed: `after_params`'), both
    years rated, and the draws counted in which the bands moved as published."""
    if before.year != after.year - 1:
        raise ValueError("the years must follow each other")
    after_arrays, before_arrays = batch_engine.type_arrays(after), batch_engine.type_arrays(before)
    targets = {}
    for side, arrays_of, inputs in (("after", after_arrays, after), ("before", before_arrays, before)):
        for code, a in arrays_of.items():
            targets[(side, code, 0)] = (a, inputs.year)
            targets[(side, code, 1)] = (a, inputs.year - 1)
    # Y-1's result in both inputs is one result: drawn once, by Y's definitions when it has one.
    rows = pd.concat([drawable_results(after), drawable_results(before)], ignore_index=True)
    plan = draw_plan(rows, targets, after_params.uncertainty_seed)
    empty = batch_engine.TypeArrays(*(np.empty(0) for _ in range(12)))
    pairs, out = {}, {}
    for code, a in after_arrays.items():
        b = before_arrays.get(code, empty)
        position, found = _positions(a.organisations, b.organisations)
        pairs[code] = (a, b, position, found)
        published_before = (np.where(found, batch_engine.rate_batch(b, before_params).band[0][position],
                                     NOT_RATED_CODE) if found.any() else np.zeros(len(found), dtype=np.int8))
        out[code] = ChangeCounts(code, a.organisations, published_before.astype(np.int8),
                                 batch_engine.rate_batch(a, after_params).band[0], len(draws),
                                 np.zeros(len(a.organisations), dtype=np.int64))
    for batch in _batches(draws, [*after_arrays.values(), *before_arrays.values()], plan):
        drawn = draw_values(plan, batch)
        for code, (a, b, position, found) in pairs.items():
            if not found.any():
                continue  # no organisation rated in both years
            drawn_after = batch_engine.rate_batch(
                a, after_params, _placed(a.values, drawn, plan.places[("after", code, 0)]),
                _placed(a.previous, drawn, plan.places[("after", code, 1)]), indicators_first=True).band
            drawn_before = batch_engine.rate_batch(
                b, before_params, _placed(b.values, drawn, plan.places[("before", code, 0)]),
                _placed(b.previous, drawn, plan.places[("before", code, 1)]), indicators_first=True).band
            drawn_before = np.where(found, drawn_before[:, position], NOT_RATED_CODE)
            counts = out[code]
            counts.real[:] += real_change(counts.before, counts.after, drawn_before, drawn_after).sum(axis=0)
    return out


def combine_change_counts(parts: Iterable[Mapping[str, ChangeCounts]]) -> dict[str, ChangeCounts]:
    combined: dict[str, ChangeCounts] = {}
    for part in parts:
        for code, counts in part.items():
            combined[code] = combined[code].combined(counts) if code in combined else counts
    return combined


def change_table(counts: Mapping[str, ChangeCounts]) -> pd.DataFrame:
    """Per organisation rated in both years with different published bands:
    organisation, type, band_before, band, p_real, draws, and the words ("a
    real change" when P(real) >= 0.95, else "could be chance")."""
    frames = []
    for code, tally in counts.items():
        changed = ((tally.before != NOT_RATED_CODE) & (tally.after != NOT_RATED_CODE)
                   & (tally.before != tally.after))
        p_real = tally.real[changed] / tally.draws if tally.draws else np.full(changed.sum(), np.nan)
        frames.append(pd.DataFrame({
            "organisation": tally.organisations[changed], "type": code,
            "band_before": np.array(BAND_NAMES, dtype=object)[tally.before[changed]],
            "band": np.array(BAND_NAMES, dtype=object)[tally.after[changed]],
            "p_real": p_real, "draws": tally.draws,
            "words": np.where(p_real >= REAL_CHANGE, *CHANGE_WORDS)}))
    columns = ["organisation", "type", "band_before", "band", "p_real", "draws", "words"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


__all__ = ["BAND_NAMES", "GREEN_CODE", "RED_CODE", "YELLOW_CODE", "NOT_RATED_CODE", "CertaintyCounts",
           "ChangeCounts", "certainty_counts", "certainty_table", "certainty_words", "change_counts",
           "change_table", "combine_change_counts", "combine_counts", "draw_plan", "draw_values",
           "drawable_results", "rank_percentiles", "rank_type", "real_change"]
