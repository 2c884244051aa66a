"""Why a score moved (`shared/specs/rating-method.md`, "Why a score moved:
the decomposition"): an organisation's margin over the green cut-off, m = S - c,
under each of the eight combinations of three factors taken at last year's
state or this year's (its own figures, everyone else's, the method), split
by Shapley values into own / others / method, plus the corrections made since
last year's ratings were published; the bands it would have had if the others
had stood still and under last year's method; and its core targets newly
missed or met, explained directly.

Pure: pandas and numpy, no Django. `change_explanations` reads what it needs
(`inputs.load_decomposition_figures`) and adds the result to a run's ratings.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import batch_engine, engine, one_row_swaps
from .bands import NOT_RATED, RED
from .parameters import SchemeParameters
# The main reasons a band changed, and why there can be no margin to split (the
# spec: "say so, and give the counterfactual bands only"), named where they are read.
from .standings import CORE_TARGETS, CORRECTIONS, METHOD, NO_CUTOFF, NOT_RATED_IN_A_COMBINATION, OTHERS, OWN

FACTORS = ("own", "others", "method")
# (own, others, method), each 0 (last year's state) or 1 (this year's).
COMBINATIONS = tuple(itertools.product((0, 1), repeat=3))
LAST_YEAR, THIS_YEAR = (0, 0, 0), (1, 1, 1)
OTHERS_STOOD_STILL = (1, 0, 1)  # own figures and method this year's, the others' last year's
LAST_YEARS_METHOD = (1, 1, 0)  # this year's figures under last year's method

PARTS = (OWN, OTHERS, METHOD, CORRECTIONS)


def combination_name(combination: tuple[int, int, int]) -> str:
    """"own 2000-01 figures" style keys, stored: e.g. "own1_others0_method1"."""
    return "_".join(f"{factor}{state}" for factor, state in zip(FACTORS, combination))


@dataclass(frozen=True)
class Method:
    """One run's method: its parameters and the engine rows of its indicator
    definitions (`indicators` and `applicability`, as in `engine.EngineInputs`)."""

    params: SchemeParameters
    indicators: pd.DataFrame
    applicability: pd.DataFrame


@dataclass(frozen=True)
class Figures:
    """Every organisation's figures of a year: organisations (organisation,
    type, active in `year`), results (organisation, indicator, year, value) for
    `year` and the year before, and deprivation by indicator code
    (organisation, year, value)."""

    year: int
    organisations: pd.DataFrame
    results: pd.DataFrame
    deprivation: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Outcome:
    """One organisation's rating under one combination."""

    band: str
    score: float
    cutoff: float
    candidate: bool

    @property
    def margin(self) -> float:
        return self.score - self.cutoff  # NaN without a score or a cut-off


def _shifted(table: pd.DataFrame, years: int) -> pd.DataFrame:
    return table if years == 0 else table.assign(year=table["year"] + years)


def combination_inputs(*, own: Figures, others: Figures, method: Method, organisation, year: int,
                       type_code) -> engine.EngineInputs:
    """The engine's inputs of `type_code` for year `year` with `organisation`'s
    figures (and its being open) from `own` and everyone else's from `others`,
    each year's pair relabelled as (year - 1, year); under `method`."""
    code = method.params.deprivation_indicator

    def part(figures: Figures, mine: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        orgs = figures.organisations
        orgs = orgs[(orgs["organisation"] == organisation) == mine]
        if not mine:
            orgs = orgs[orgs["type"] == type_code]
        results = figures.results[(figures.results["organisation"] == organisation) == mine]
        deprivation = figures.deprivation.get(code)
        if deprivation is None:
            deprivation = pd.DataFrame(columns=["organisation", "year", "value"])
        deprivation = deprivation[(deprivation["organisation"] == organisation) == mine]
        shift = year - figures.year
        return orgs.assign(type=type_code) if mine else orgs, _shifted(results, shift), _shifted(deprivation, shift)

    mine, theirs = part(own, True), part(others, False)
    return engine.EngineInputs(
        year=year, organisations=pd.concat([theirs[0], mine[0]], ignore_index=True),
        indicators=method.indicators, applicability=method.applicability[method.applicability["type"] == type_code],
        results=pd.concat([theirs[1], mine[1]], ignore_index=True),
        deprivation=pd.concat([theirs[2], mine[2]], ignore_index=True))


def rate_combination(inputs: engine.EngineInputs, method: Method, type_code) -> pd.DataFrame:
    """The engine's ratings of the type under the combination, by organisation."""
    return engine.rate_type(inputs, method.params, type_code).ratings.set_index("organisation")


def outcome_of(ratings: pd.DataFrame, organisation) -> Outcome:
    if organisation not in ratings.index:
        return Outcome(NOT_RATED, math.nan, math.nan, False)
    row = ratings.loc[organisation]
    return Outcome(band=row["band"], score=float(row["score"]) if pd.notna(row["score"]) else math.nan,
                   cutoff=float(row["green_cutoff"]) if pd.notna(row["green_cutoff"]) else math.nan,
                   candidate=pd.notna(row["candidate_position"]))


def outcomes_of(ratings: pd.DataFrame, organisations) -> dict:
    """{organisation: Outcome} for many organisations at once (`outcome_of` each: a row lookup each is
    slow at 10,000)."""
    found = ratings.reindex([o for o in organisations if o in ratings.index])
    rows = zip(found.index, found["band"].tolist(), found["score"].to_numpy(dtype=float),
               found["green_cutoff"].to_numpy(dtype=float), found["candidate_position"].notna().tolist())
    outcomes = {organisation: Outcome(band=band, score=float(score), cutoff=float(cutoff), candidate=candidate)
                for organisation, band, score, cutoff, candidate in rows}
    not_rated = Outcome(NOT_RATED, math.nan, math.nan, False)
    return {organisation: outcomes.get(organisation, not_rated) for organisation in organisations}


def shapley(values: dict[tuple[int, int, int], float]) -> dict[str, float]:
    """Each factor's Shapley value of v (v[combination] for the combination of
    factors at this year's state): the average of its marginal effect
    v(S + i) - v(S) over the 6 orders in which the factors can move, i.e.
    weights 1/3, 1/6, 1/6, 1/3 for S of 0, 1, 1, 2 other factors. They add up
    to v(all) - v(none)."""
    parts = {}
    for i, factor in enumerate(FACTORS):
        total = 0.0
        for combination in COMBINATIONS:
            if combination[i] == 1:
                continue
            moved = combination[:i] + (1,) + combination[i + 1:]
            others_moved = sum(combination)
            weight = (1 / 3) if others_moved in (0, 2) else (1 / 6)
            total += weight * (values[moved] - values[combination])
        parts[factor] = total
    return parts


@dataclass(frozen=True)
class Published:
    """What the two published ratings of an organisation recorded."""

    band_before: str
    margin_before: float | None
    band_after: str
    margin_after: float | None
    candidate_before: bool
    candidate_after: bool


def core_target_changes(*, before: Figures, after: Figures, methods: tuple[Method, Method], organisations,
                        type_code) -> dict:
    """{organisation: [change, ...]} for each of `organisations`: each core
    target of the type whose result changed from last year's rating to this
    year's (met, missed, or no data: each year's figure against that year's
    threshold), and what changed: the figure, the threshold, or whether it is
    a core target at all. For all organisations at once."""
    organisations = pd.Index(list(organisations), name="organisation")

    def results(figures: Figures, method: Method) -> pd.DataFrame:
        applicable = method.applicability.loc[method.applicability["type"] == type_code, "indicator"]
        core = method.indicators[method.indicators["core_threshold"].notna()
                                 & method.indicators["indicator"].isin(applicable)].drop_duplicates("indicator")
        grid = pd.MultiIndex.from_product([organisations, core["indicator"]], names=["organisation", "indicator"])
        rows = figures.results[(figures.results["year"] == figures.year)
                               & figures.results["organisation"].isin(organisations)
                               & figures.results["indicator"].isin(core["indicator"])].dropna(subset=["value"])
        table = rows.set_index(["organisation", "indicator"])["value"].astype(float).reindex(grid).reset_index()
        table["threshold"] = table["indicator"].map(core.set_index("indicator")["core_threshold"]).astype(float)
        higher = table["indicator"].map(core.set_index("indicator")["direction"]) == engine.HIGHER_BETTER
        met = np.where(higher, table["value"] >= table["threshold"], table["value"] <= table["threshold"])
        table["result"] = np.where(table["value"].isna(), "no data", np.where(met, "met", "missed"))
        return table

    both = results(before, methods[0]).merge(results(after, methods[1]), on=["organisation", "indicator"],
                                             how="outer", suffixes=("_before", "_after"), indicator="side")
    changed = both[(both["side"] != "both") | (both["result_before"] != both["result_after"])]
    found = {organisation: [] for organisation in organisations}
    for row in changed.sort_values(["organisation", "indicator"]).itertuples(index=False):
        was, now = row.side != "right_only", row.side != "left_only"
        if not was:
            cause = "new target"
        elif not now:
            cause = "no longer a target"
        else:
            figure_moved = not _same(row.value_before, row.value_after)
            threshold_moved = not _same(row.threshold_before, row.threshold_after)
            cause = ("figure and threshold" if figure_moved and threshold_moved
                     else "threshold" if threshold_moved else "figure")
        found[row.organisation].append({
            "indicator": row.indicator.item() if hasattr(row.indicator, "item") else row.indicator,
            "before": row.result_before if was else None, "after": row.result_after if now else None,
            "value_before": _number(row.value_before) if was else None,
            "value_after": _number(row.value_after) if now else None,
            "threshold_before": _number(row.threshold_before) if was else None,
            "threshold_after": _number(row.threshold_after) if now else None, "cause": cause})
    return found


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def _same(first, second) -> bool:
    return (pd.isna(first) and pd.isna(second)) or first == second


def main_reason(*, published: Published, parts: dict[str, float] | None, bands: dict) -> str:
    """What decided a changed band: core targets when red is involved or the
    organisation became or stopped being a candidate for green; otherwise the
    part (own, others, method, corrections) that moved the margin furthest in
    the direction it moved; without a margin to split, the factor whose
    reverting gives back last year's band (others, then method), else own.
    "" for an unchanged band."""
    if published.band_before == published.band_after:
        return ""
    if RED in (published.band_before, published.band_after) or \
            published.candidate_before != published.candidate_after:
        return CORE_TARGETS
    if parts is not None:
        change = sum(parts.values())
        signed = {name: value * (1 if change >= 0 else -1) for name, value in parts.items()}
        return max(PARTS, key=lambda name: signed[name])
    if bands[OTHERS_STOOD_STILL] == published.band_before:
        return OTHERS
    if bands[LAST_YEARS_METHOD] == published.band_before:
        return METHOD
    return OWN


def decompose_type(*, before: Figures, after: Figures, methods: tuple[Method, Method], type_code,
                   published: dict, one_pass: bool = False) -> pd.DataFrame:
    """One row per organisation of `published` ({organisation: Published},
    those rated in both years' published runs of the type): its margin and
    band under each combination, the parts, the counterfactual bands, its core
    target changes and main reason (see `explanation`). The four combinations
    in which its own figures and the others' are of the same year are the same
    for every organisation: each is rated once, by the engine. The other four
    are rated for all organisations at once from the base runs' sums updated
    for each organisation's row (`rate_swapped`), or with `one_pass` by the
    engine once per organisation (slow: to test the first against)."""
    year, states = after.year, (before, after)
    outcomes = {organisation: {} for organisation in published}
    # The same method both years (the usual case): its two states give the same runs, rated once.
    same_method = same_for_type(methods[0], methods[1], type_code)
    method_states = (1,) if same_method else (0, 1)
    for own_state, method_state in itertools.product((0, 1), method_states):
        method = methods[method_state]
        inputs = combination_inputs(own=states[own_state], others=states[own_state], method=method,
                                    organisation=None, year=year, type_code=type_code)
        rated = outcomes_of(rate_combination(inputs, method, type_code), list(published))
        for organisation in published:
            outcomes[organisation][own_state, own_state, method_state] = rated[organisation]
            if same_method:
                outcomes[organisation][own_state, own_state, 0] = outcomes[organisation][own_state, own_state, 1]
    mixed = [c for c in COMBINATIONS if c[0] != c[1]]
    if one_pass:
        for organisation in published:
            for own_state, others_state, method_state in mixed:
                method = methods[method_state]
                inputs = combination_inputs(own=states[own_state], others=states[others_state], method=method,
                                            organisation=organisation, year=year, type_code=type_code)
                outcomes[organisation][own_state, others_state, method_state] = outcome_of(
                    rate_combination(inputs, method, type_code), organisation)
    elif published:
        for method_state in method_states:
            method = methods[method_state]
            arrays = [batch_engine.type_arrays(combination_inputs(
                own=state, others=state, method=method, organisation=None, year=year, type_code=type_code))[type_code]
                for state in states]
            for own_state in (0, 1):
                rated = rate_swapped(base=arrays[1 - own_state], own=arrays[own_state], organisations=list(published),
                                     params=method.params)
                for organisation, outcome in rated.items():
                    outcomes[organisation][own_state, 1 - own_state, method_state] = outcome
                    if same_method:
                        outcomes[organisation][own_state, 1 - own_state, 0] = outcome
    changes = core_target_changes(before=before, after=after, methods=methods, organisations=list(published),
                                  type_code=type_code)
    rows = [explanation(organisation, record, outcomes[organisation], changes[organisation])
            for organisation, record in published.items()]
    return pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)


def same_for_type(first: Method, second: Method, type_code) -> bool:
    """Whether two methods rate the type alike: equal parameters and equal definitions of the indicators
    that apply to it."""
    def rows(method: Method) -> pd.DataFrame:
        applicable = method.applicability.loc[method.applicability["type"] == type_code, "indicator"]
        columns = ["indicator", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold"]
        table = method.indicators[method.indicators["indicator"].isin(applicable)][columns]
        return table.astype({"weight": float, "core_threshold": float}).sort_values("indicator").reset_index(drop=True)

    return first.params == second.params and rows(first).equals(rows(second))


def rate_swapped(*, base: batch_engine.TypeArrays, own: batch_engine.TypeArrays, organisations: list,
                 params: SchemeParameters) -> dict:
    """{organisation: Outcome}: for each of `organisations`, the type rated with
    its figures (this year's, last year's and its deprivation) from `own` and
    everyone else's from `base`; both arrays of one type under one method (the
    same organisations and indicators). From the base's sums updated for
    each swapped row (`rate_one_row_swaps`); an organisation open in one
    state and not the other, by the full batched engine."""
    rows = batch_engine.positions(base.organisations, np.asarray(organisations))
    # Whether each is open comes with its own figures: the batched engine holds one `active` for
    # all its arrays, so an organisation open in one state and not the other is rated on its own.
    same = base.active[rows] == own.active[rows]
    found = rate_one_row_swaps(base, own, rows[same], [o for o, s in zip(organisations, same) if s], params)
    for row, organisation in zip(rows[~same].tolist(), [o for o, s in zip(organisations, same) if not s]):
        active = base.active.copy()
        active[row] = own.active[row]
        found.update(rate_swapped_copies(replace(base, active=active), own, np.array([row]), [organisation], params))
    return found


def rate_one_row_swaps(base, own, rows: np.ndarray, organisations: list, params: SchemeParameters) -> dict:
    """`rate_swapped_copies`' outcomes, from the base's sums updated for each
    swapped row (`one_row_swaps`); the few swaps the updated sums cannot
    decide exactly, by the full batched engine."""
    if not len(rows):
        return {}
    rated = one_row_swaps.SwapRater(base, params).rate(own, rows)
    found = {}
    for i in np.flatnonzero(rated.exact).tolist():
        band = int(rated.band[i])
        found[organisations[i]] = Outcome(
            band=batch_engine.BAND_NAMES[band], score=float(rated.score[i]),
            cutoff=float(rated.cutoff[i]) if band != batch_engine.NOT_RATED_CODE else math.nan,
            candidate=bool(rated.candidate[i]))
    left = np.flatnonzero(~rated.exact)
    found.update(rate_swapped_copies(base, own, rows[left], [organisations[i] for i in left.tolist()], params))
    return found


def rate_swapped_copies(base, own, rows: np.ndarray, organisations: list, params: SchemeParameters) -> dict:
    """The reference (and the fallback of `rate_one_row_swaps`): each swap a full copy of the arrays, rated
    by `batch_engine.rate_batch`, `batch_engine.batch_size` at a time."""
    # The batched engine's own layout (variants, indicators, organisations): no copy per pass.
    base_values, own_values = np.ascontiguousarray(base.values.T), own.values.T
    base_previous, own_previous = np.ascontiguousarray(base.previous.T), own.previous.T
    step = batch_engine.batch_size(base)
    found = {}
    for start in range(0, len(rows), step):
        chunk = rows[start:start + step]
        variants = np.arange(len(chunk))
        values = np.repeat(base_values[np.newaxis], len(chunk), axis=0)
        values[variants, :, chunk] = own_values[:, chunk].T
        previous = np.repeat(base_previous[np.newaxis], len(chunk), axis=0)
        previous[variants, :, chunk] = own_previous[:, chunk].T
        deprivation = np.repeat(base.deprivation[np.newaxis], len(chunk), axis=0)
        deprivation[variants, chunk] = own.deprivation[chunk]
        rated = batch_engine.rate_batch(base, params, values, previous, deprivation, indicators_first=True)
        for i, row in enumerate(chunk.tolist()):
            found[organisations[start + i]] = Outcome(
                band=batch_engine.BAND_NAMES[rated.band[i, row]], score=float(rated.score[i, row]),
                cutoff=float(rated.cutoff[i]) if rated.band[i, row] != batch_engine.NOT_RATED_CODE else math.nan,
                candidate=bool(rated.candidate_position[i, row] > 0))
    return found


EXPLANATION_COLUMNS = ["organisation", "band_before", "band_after", "margin_before", "margin_after",
                       "margins", "bands", "has_margin", "no_margin_reason", *PARTS, "change",
                       "band_if_others_stood_still", "band_under_last_years_method", "core_changes", "main_reason"]


def explanation(organisation, published: Published, outcomes: dict, core_changes: list[dict]) -> dict:
    """The stored explanation of one organisation: margins and bands of the
    eight combinations (by `combination_name`), the parts and their sum,
    the change, the counterfactual bands, the core target changes, the main
    reason. The parts are None when some combination has no margin (with the
    reason); corrections = the recomputed last year's margin less the
    published one, so the parts add up to the published change."""
    margins = {combination: outcomes[combination].margin for combination in COMBINATIONS}
    has_margin = all(not math.isnan(m) for m in margins.values()) and published.margin_before is not None
    no_margin_reason = ""
    if not has_margin:
        no_margin_reason = (NOT_RATED_IN_A_COMBINATION
                            if any(o.band == NOT_RATED for o in outcomes.values()) else NO_CUTOFF)
    parts = None
    if has_margin:
        parts = shapley(margins)
        parts[CORRECTIONS] = margins[LAST_YEAR] - published.margin_before
    bands = {combination: outcomes[combination].band for combination in COMBINATIONS}
    change = (None if published.margin_before is None or published.margin_after is None
              else published.margin_after - published.margin_before)
    return {
        "organisation": organisation, "band_before": published.band_before, "band_after": published.band_after,
        "margin_before": published.margin_before, "margin_after": published.margin_after,
        "margins": {combination_name(c): (None if math.isnan(m) else m) for c, m in margins.items()},
        "bands": {combination_name(c): b for c, b in bands.items()},
        "has_margin": has_margin, "no_margin_reason": no_margin_reason,
        **{name: (parts[name] if parts else None) for name in PARTS}, "change": change,
        "band_if_others_stood_still": bands[OTHERS_STOOD_STILL],
        "band_under_last_years_method": bands[LAST_YEARS_METHOD],
        "core_changes": core_changes,
        "main_reason": main_reason(published=published, parts=parts, bands=bands),
    }

