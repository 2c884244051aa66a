"""Why each band moved since last year, worked out with a recalculation and
stored with its runs: the previous year's published runs and ratings and the
figures the decomposition needs, read in the recalculation's snapshot
(`load_previous`); the decomposition of every organisation rated in both
(`decomposition.decompose_type`) added to the engine's ratings as the
columns `change_reason` and `decomposition` (JSON text) that `outputs`
writes (`with_explanations`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import orjson
import pandas as pd

from indicators.models import Indicator

from . import decomposition, engine
from .inputs import load_decomposition_figures, run_method
from .models import Rating, RatingRun

COLUMNS = ["change_reason", "decomposition"]


@dataclass(frozen=True)
class Previous:
    """The previous year's published runs by type code, their rated
    organisations' records, both years' figures and indicator codes."""

    runs: dict[str, RatingRun]
    ratings: dict[int, dict]  # organisation id: band, gap_to_green, candidate_position
    figures: tuple[decomposition.Figures, decomposition.Figures]
    codes: dict[int, str]


def load_previous(*, year: int, inputs: engine.EngineInputs, params: engine.SchemeParameters,
                  type_codes: list[str]) -> Previous | None:
    """What explaining `year`'s bands needs, or None when no type of `type_codes` has a
    published run for the year before. A fixed number of queries."""
    runs = {run.organisation_type.code: run for run in RatingRun.objects.published().filter(
        year=year - 1, organisation_type__code__in=type_codes).select_related("organisation_type")}
    if not runs:
        return None
    methods = {code: run_method(run) for code, run in runs.items()}
    indicator_ids = set(inputs.indicators["indicator"]).union(
        *(set(method.indicators["indicator"]) for method in methods.values()))
    deprivation_codes = {params.deprivation_indicator} | {m.params.deprivation_indicator for m in methods.values()}
    figures = load_decomposition_figures(year=year, type_codes=sorted(runs), indicator_ids=indicator_ids,
                                         deprivation_codes=deprivation_codes)
    ratings = {pk: {"band": band, "gap_to_green": gap, "candidate_position": position}
               for pk, band, gap, position in Rating.objects.filter(run__in=list(runs.values())).exclude(
                   band=engine.NOT_RATED).values_list("organisation_id", "band", "gap_to_green", "candidate_position")}
    return Previous(runs=runs, ratings=ratings, figures=figures,
                    codes=dict(Indicator.objects.filter(pk__in=indicator_ids).values_list("id", "code")))


def with_explanations(result: engine.EngineResult, *, inputs: engine.EngineInputs, params: engine.SchemeParameters,
                      previous: Previous | None) -> engine.EngineResult:
    """`result` with the COLUMNS on its ratings: for each organisation rated
    both now and in the previous year's published run of its type, the main
    reason its band changed ("" when it did not) and its decomposition."""
    ratings = result.ratings.copy()
    ratings["change_reason"] = ""
    ratings["decomposition"] = None
    if previous is None or ratings.empty:
        return replace(result, ratings=ratings)
    this_method = decomposition.Method(params=params, indicators=inputs.indicators, applicability=inputs.applicability)
    for type_code, run in sorted(previous.runs.items()):
        of_type = ratings[(ratings["type"] == type_code) & (ratings["band"] != engine.NOT_RATED)]
        published = {}
        for row in of_type.itertuples():
            before = previous.ratings.get(row.organisation)
            if before is None:
                continue
            published[row.organisation] = decomposition.Published(
                band_before=before["band"], margin_before=before["gap_to_green"], band_after=row.band,
                margin_after=None if pd.isna(row.gap_to_green) else float(row.gap_to_green),
                candidate_before=before["candidate_position"] is not None,
                candidate_after=not pd.isna(row.candidate_position))
        if not published:
            continue
        table = decomposition.decompose_type(before=previous.figures[0], after=previous.figures[1],
                                             methods=(run_method(run), this_method), type_code=type_code,
                                             published=published)
        by_organisation = {row["organisation"]: row for row in table.to_dict("records")}
        index = of_type.index[of_type["organisation"].isin(list(by_organisation))]
        ratings.loc[index, "change_reason"] = [by_organisation[o]["main_reason"]
                                               for o in ratings.loc[index, "organisation"]]
        ratings.loc[index, "decomposition"] = [
            orjson.dumps(stored(by_organisation[o], compared_with=run, codes=previous.codes),
                         option=orjson.OPT_SERIALIZE_NUMPY).decode()
            for o in ratings.loc[index, "organisation"]]
    return replace(result, ratings=ratings)


def stored(row: dict, *, compared_with: RatingRun, codes: dict[int, str]) -> dict:
    """One organisation's decomposition as `standings.ChangeExplanation` reads it."""
    def number(value):
        return None if value is None or pd.isna(value) else float(value)

    return {
        "compared_with": compared_with.pk, "year_before": compared_with.year,
        "band_before": row["band_before"], "band_after": row["band_after"],
        "margin_before": number(row["margin_before"]), "margin_after": number(row["margin_after"]),
        "change": number(row["change"]), **{part: number(row[part]) for part in decomposition.PARTS},
        "no_margin_reason": row["no_margin_reason"],
        "band_if_others_stood_still": row["band_if_others_stood_still"],
        "band_under_last_years_method": row["band_under_last_years_method"], "main_reason": row["main_reason"],
        "core_changes": [{**change, "indicator": codes.get(change["indicator"], str(change["indicator"]))}
                         for change in row["core_changes"]],
        "margins": row["margins"], "bands": row["bands"],
    }
