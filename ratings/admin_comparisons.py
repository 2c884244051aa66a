"""What the admin compares: stored runs (a draft, the published ratings, last
year's) or two parameter sets run on the same data without storing anything
(the what-if). Reads the ORM or the engine's tables into the terms of
`band_changes` (which explains them), in a fixed number of queries."""

from __future__ import annotations

import itertools
from dataclasses import astuple, fields, replace

import pandas as pd

from indicators.models import Indicator, Organisation
from indicators.years import format_year

from . import band_changes, engine
from .counterfactuals import rate_with_counterfactuals
from .inputs import load_engine_inputs
from .models import Rating, RatingRun

RATING_FIELDS = ["run_id", "organisation_id", "band", "score", "level_score", "improvement_score", "rank",
                 "green_cutoff", "core_failures", "band_without_adjustment", "band_without_improvement",
                 "not_rated_reason", "decomposition"]


def runs_comparison(*, before: list[RatingRun], after: list[RatingRun], before_label: str,
                    after_label: str) -> band_changes.Comparison:
    """Two sets of stored runs, organisation by organisation: four queries."""
    outcomes = {}
    before_runs = {run.pk for run in before}
    for side, runs in (("before", before), ("after", after)):
        rated = {run.pk: run.rated_count for run in runs}
        # Under missing_core_data = not_green a "no data" is stored but is no failure.
        counts_no_data = {run.pk: run.parameters.get("missing_core_data", "failure") == "failure" for run in runs}
        outcomes[side] = {
            row["organisation_id"]: band_changes.Outcome(
                band=row["band"], score=row["score"], level=row["level_score"],
                improvement=row["improvement_score"], rank=row["rank"], rated_count=rated[row["run_id"]],
                green_cutoff=row["green_cutoff"],
                core_failures=tuple(failure["indicator"] for failure in row["core_failures"]
                                    if counts_no_data[row["run_id"]] or failure["reason"] != "no data"),
                band_without_adjustment=row["band_without_adjustment"],
                band_without_improvement=row["band_without_improvement"],
                not_rated_reason=row["not_rated_reason"],
                missing_core=tuple(failure["indicator"] for failure in row["core_failures"]
                                   if failure["reason"] == "no data"),
                # The stored decomposition explains the move only from the very run it was worked out against.
                explanation=row["decomposition"] if side == "after" and row["decomposition"]
                and row["decomposition"]["compared_with"] in before_runs else None)
            for row in Rating.objects.filter(run__in=[run.pk for run in runs]).values(*RATING_FIELDS)}
    return band_changes.compare(
        outcomes["before"], outcomes["after"], organisations_of(set(outcomes["before"]) | set(outcomes["after"])),
        before_label=before_label, after_label=after_label,
        before_parameters=_parameters(before), after_parameters=_parameters(after),
        indicator_names=indicator_names())


def what_if(*, year: int, before: engine.SchemeParameters, after: engine.SchemeParameters,
            type_codes: list[str]) -> band_changes.Comparison:
    """The year's data rated under two parameter sets, in memory: nothing is stored."""
    return what_if_comparison(year=year, before=before, after=after,
                              outcomes=what_if_outcomes(year=year, before=before, after=after, type_codes=type_codes))


def what_if_outcomes(*, year: int, before: engine.SchemeParameters, after: engine.SchemeParameters,
                     type_codes: list[str], progress=None) -> dict[str, dict[int, band_changes.Outcome]]:
    """Every organisation's outcome under each parameter set: {"before": ..., "after": ...}.
    One load (five queries) serves both when they use the same deprivation
    indicator, and the engine's steps whose parameters the two share are
    computed once (see `engine.rate`'s `reuse`). `progress(side)` is called
    before each side is rated."""
    loaded = {}
    outcomes = {}
    for side, params in (("before", before), ("after", after)):
        if progress:
            progress(side)
        code = params.deprivation_indicator
        if code not in loaded:
            loaded[code] = (load_engine_inputs(year=year, type_codes=type_codes, deprivation_code=code), {})
        inputs, reuse = loaded[code]
        outcomes[side] = engine_outcomes(inputs, params, reuse)
    # Some of the changes made (the rest as set), to share each organisation's move among them.
    for subset in tried_subsets(before, after):
        params = replace(before, **{name: value for name, _, value in subset})
        code = params.deprivation_indicator
        if code not in loaded:
            loaded[code] = (load_engine_inputs(year=year, type_codes=type_codes, deprivation_code=code), {})
        inputs, reuse = loaded[code]
        outcomes[WITH + "+".join(name for name, _, _ in subset)] = engine_outcomes(inputs, params, reuse)
    return outcomes


def tried_subsets(before: engine.SchemeParameters, after: engine.SchemeParameters) -> list[tuple]:
    """The proper subsets of the changed parameters a what-if rates: every one
    when there are at most `band_changes.SHAPLEY_MOST`, else each alone."""
    changes = band_changes.parameter_changes(before.as_dict(), after.as_dict())
    if len(changes) > band_changes.SHAPLEY_MOST:
        return [(change,) for change in changes]
    return [subset for size in range(1, len(changes)) for subset in itertools.combinations(changes, size)]


# Outcomes with some changes made are kept as the side "with:<name>+<name>..."; what-ifs kept
# before every subset was tried have each change alone as "alone:<name>".
WITH, ALONE = "with:", "alone:"


def tried_outcomes(outcomes: dict) -> dict[frozenset, dict]:
    tried = {}
    for side, of_side in outcomes.items():
        for prefix in (WITH, ALONE):
            if side.startswith(prefix):
                tried[frozenset(side[len(prefix):].split("+"))] = of_side
    return tried


def what_if_comparison(*, year: int, before: engine.SchemeParameters, after: engine.SchemeParameters,
                       outcomes: dict[str, dict[int, band_changes.Outcome]]) -> band_changes.Comparison:
    return band_changes.compare(
        outcomes["before"], outcomes["after"], organisations_of(set(outcomes["before"]) | set(outcomes["after"])),
        before_label=f"{format_year(year)} method as set", after_label="what if",
        before_parameters=before.as_dict(), after_parameters=after.as_dict(), indicator_names=indicator_names(),
        tried=tried_outcomes(outcomes))


def outcomes_as_json(outcomes: dict[str, dict[int, band_changes.Outcome]]) -> dict:
    """Outcomes as JSON values (each a list in the order of Outcome's fields), to keep."""
    return {side: {str(pk): list(astuple(outcome)) for pk, outcome in of_side.items()}
            for side, of_side in outcomes.items()}


def outcomes_from_json(data: dict) -> dict[str, dict[int, band_changes.Outcome]]:
    """The inverse of `outcomes_as_json` (outcomes kept before a field was
    added have the field's default)."""
    names = [f.name for f in fields(band_changes.Outcome)]

    def outcome(values: list) -> band_changes.Outcome:
        named = dict(zip(names, values))
        return band_changes.Outcome(**{**named, **{name: tuple(named[name]) for name in ("core_failures", "missing_core")
                                                   if name in named}})

    return {side: {int(pk): outcome(values) for pk, values in of_side.items()} for side, of_side in data.items()}


def engine_outcomes(inputs: engine.EngineInputs, params: engine.SchemeParameters,
                    reuse: dict | None = None) -> dict[int, band_changes.Outcome]:
    """The engine's ratings as outcomes, with the bands without the adjustment
    and without improvement worked out as a stored run's are."""
    result = rate_with_counterfactuals(inputs, params, reuse)
    if result.ratings.empty:
        return {}
    codes = dict(Indicator.objects.values_list("id", "code"))
    counted = result.core_failures if params.missing_core_data == "failure" else \
        result.core_failures[result.core_failures["reason"] != "no data"]  # not_green: no data is no failure
    failed = counted.groupby("organisation")["indicator"].agg(list).to_dict() if not counted.empty else {}
    no_data = result.core_failures[result.core_failures["reason"] == "no data"]
    missing = no_data.groupby("organisation")["indicator"].agg(list).to_dict() if not no_data.empty else {}
    rated = result.ratings[result.ratings["band"] != engine.NOT_RATED].groupby("type").size().to_dict()
    return {
        int(row["organisation"]): band_changes.Outcome(
            band=row["band"], score=_number(row["score"]), level=_number(row["level"]),
            improvement=_number(row["improvement"]), rank=None if pd.isna(row["rank"]) else int(row["rank"]),
            rated_count=int(rated.get(row["type"], 0)), green_cutoff=_number(row["green_cutoff"]),
            core_failures=tuple(codes[i] for i in failed.get(row["organisation"], [])),
            band_without_adjustment=row["band_without_adjustment"],
            band_without_improvement=row["band_without_improvement"],
            not_rated_reason=row["not_rated_reason"] or "",
            missing_core=tuple(codes[i] for i in missing.get(row["organisation"], [])))
        for row in result.ratings.to_dict("records")}


def organisations_of(ids) -> dict[int, band_changes.Organisation]:
    return {pk: band_changes.Organisation(id=pk, code=code, name=name, type=type_code, region=region or "")
            for pk, code, name, type_code, region in Organisation.objects.filter(pk__in=ids).values_list(
                "pk", "code", "name", "type__code", "region__name")}


def indicator_names() -> dict[str, str]:
    return dict(Indicator.objects.values_list("code", "name"))


def _parameters(runs: list[RatingRun]) -> dict | None:
    # Runs of one recalculation share their parameters; the first stands for them.
    return dict(runs[0].parameters) if runs else None


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
