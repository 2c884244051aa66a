"""The public downloads: each published year's ratings (the same CSV as
`export_ratings`) and the results behind them, as CSV or JSON. Column names
are stable: the downloads page documents them. Rows are produced lazily, a
chunk of plain values at a time, so a file of any size is streamed in
bounded memory; which runs are public is decided before the first row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from django.db.models import Q

from indicators.models import Indicator, Organisation, Result
from indicators.years import format_year
from ratings import bands, exports

from . import queries
from .formatting import listed


def rating_rows(year: int) -> tuple[list[str], Iterator[list]]:
    runs = list(queries.published_run_queryset(year).only("pk"))
    return list(exports.COLUMNS), exports.rating_rows(runs)


RESULT_COLUMNS = ["year", "organisation_code", "organisation_name", "organisation_type", "region",
                  "indicator_code", "indicator_name", "value", "numerator", "denominator"]


def result_rows(year: int) -> tuple[list[str], Iterator[list]]:
    """The year's figures for the organisation types with published ratings,
    by type, organisation and indicator. Read CHUNK_ORGANISATIONS organisations
    at a time (two queries each, the next chunk found from the last one's
    type and code), rather than in one query over every result: rows start at
    once, each query is a short index scan, and nothing held grows with the
    number of organisations (one ordered query over 400,000 results took 8 s
    to its first row on PostgreSQL, and minutes with stale statistics)."""
    types = list(queries.published_run_queryset(year).values_list("organisation_type", flat=True))
    return RESULT_COLUMNS, _result_rows(year, types)


CHUNK_ORGANISATIONS = 500


def _result_rows(year: int, types: list[int]) -> Iterator[list]:
    # Names come from one read of the indicators (tens) and each chunk's
    # organisations, not from joins repeated on every result row: the results
    # query reads only its own table, and the rows are put in order here (by
    # each indicator's place in the database's own ordering of codes).
    shown = format_year(year)
    indicators = {pk: (position, code, name) for position, (pk, code, name) in
                  enumerate(Indicator.objects.order_by("code").values_list("pk", "code", "name"))}
    after = Q()
    while True:
        chunk = list(Organisation.objects.filter(after, type__in=types).order_by("type__code", "code")
                     .values_list("pk", "type__code", "code", "name", "region__name")[:CHUNK_ORGANISATIONS])
        if not chunk:
            return
        _, last_type, last_code, _, _ = chunk[-1]
        after = Q(type__code__gt=last_type) | Q(type__code=last_type, code__gt=last_code)
        figures = {}
        for organisation, indicator, *values in (
                Result.objects.filter(year=year, organisation__in=[pk for pk, *_ in chunk])
                .values_list("organisation_id", "indicator_id", "value", "numerator", "denominator")
                .iterator(chunk_size=exports.CHUNK_ROWS)):
            figures.setdefault(organisation, []).append((indicators[indicator], values))
        for pk, type_code, code, name, region in chunk:
            for (_, indicator_code, indicator_name), values in sorted(figures.get(pk, ()), key=lambda f: f[0][0]):
                yield [shown, code, name, type_code, region, indicator_code, indicator_name, *values]


@dataclass(frozen=True)
class Dataset:
    title: str
    description: str
    columns: list[tuple[str, str]]  # (name, meaning) for the downloads page
    rows: Callable[[int], tuple[list[str], Iterator[list]]]


DATASETS = {
    "ratings": Dataset(
        "Ratings", "One row per organisation: its band, scores and rank.",
        [("year", "Financial year, for example 2000-01."),
         ("organisation_code", "The organisation's code."), ("organisation_name", "Its name."),
         ("organisation_type", "HA (health authority), TRUST (acute trust) or PCG (primary care group)."),
         ("region", "NHS Executive regional office."),
         ("band", listed(list(bands.CODES), last="or") + "."),
         ("score", "Final score S = (1 − w) × L + w × I, w being the weight of improvement that year (the "
                   "methodology page gives it); empty for an organisation not rated."),
         ("level_score", "Level score L: the mean of the domain scores, weighted by the year's domain weights."),
         ("improvement_score", "Improvement score I, since the year before. Under method version 2, 0 (average "
                               "improvement) when no improvement could be measured; empty for a version 1 "
                               "rating with none."),
         ("improvement_measured", "yes or no: whether improvement could be measured (figures for both years); "
                                  "empty for version 1 ratings, which did not record it."),
         ("core_targets_failed", "How many core national targets it failed (F). A core figure not reported "
                                 "counts as failed, unless that year's method says a missing figure only rules "
                                 "out green (the methodology page says which). Empty for an organisation not "
                                 "rated."),
         ("rank", "Rank by final score among the rated organisations of its type; 1 is best, ties share the "
                  "better rank. Empty for an organisation not rated."),
         ("candidate_position", "Rank by final score among the candidates for green (rated, no core target "
                                "failed and, where a missing core figure rules out green, every core figure "
                                "reported); empty for an organisation that was not a candidate, and for version 1."),
         ("green_quota", "q: the number of green places, the year's green share of the rated organisations of "
                         "the type, rounded down; more are green only when final scores tie at the cut-off. Empty "
                         "for version 1."),
         ("green_candidates", "How many organisations of the type were candidates for green; empty for version 1."),
         ("green_cutoff", "The green cut-off c: the final score of the q-th best candidate; empty when there "
                          "were no green places or no candidates."),
         ("margin", "Final score less the green cut-off (S − c): a candidate is green exactly when it is at or "
                    "above 0. Empty without a cut-off."),
         ("quality_score, efficiency_score, access_score, patient_experience_score",
          "Domain level scores."),
         ("p_green, p_yellow, p_red, p_not_rated", "Band certainty: the share of the simulated years (the year's "
                                                  "counted figures redrawn by their sampling noise, the whole "
                                                  "method run on each) that gave each band; empty when the run "
                                                  "simulated none."),
         ("certainty", "The share of the simulated years that gave the band it has: 0.95 or more is \"very "
                       "likely\", 0.80 or more \"likely\", less \"uncertain\"; empty when not rated or none "
                       "was simulated."),
         ("rank_low, rank_high", "The rank interval: the 2.5th and 97.5th percentiles of its rank over the "
                                 "simulated years (95 in 100 fell between them)."),
         ("p_change_real", "When its band differs from the year before's published band: the share of simulated "
                           "pairs of years in which the band moved the same way; empty otherwise."),
         ("change_significance", "\"a real change\" when p_change_real is 0.95 or more, else \"could be "
                                 "chance\"; empty when the band did not change."),
         # Why the band changed (the decomposition): empty unless rated in the previous year's published ratings too.
         ("band_before", "Its band in the previous year's published ratings that this year's were compared with; "
                         "empty unless it was rated in both."),
         ("change_reason", "What mainly decided a change of band: others (other organisations' figures), own (its "
                           "own figures), core targets, method (the change of parameters or indicator "
                           "definitions) or corrections (to the previous year's figures since they were "
                           "published); empty when the band did not change."),
         ("margin_change", "How much the margin moved since the previous year (this year's margin less last "
                           "year's published one)."),
         ("margin_change_own, margin_change_others, margin_change_method, margin_change_corrections",
          "The parts of margin_change that its own figures, the other organisations' figures, the change of "
          "method and the corrections since publication each made (Shapley values over the eight combinations of "
          "last year's and this year's own figures, others' figures and method); they add up to margin_change. "
          "Empty when one of the combinations had no green cut-off or did not rate it."),
         ("band_if_others_stood_still", "The band it would have had with its own figures and the method of this "
                                        "year and every other organisation's figures of the year before."),
         ("band_under_last_years_method", "The band this year's figures would have given under the previous "
                                          "year's method.")],
        rating_rows),
    "results": Dataset(
        "Indicator results", "One row per organisation and indicator: the figures the ratings are based on, "
                             "as now held (including any corrections made since the ratings were published).",
        [("year", "Financial year."), ("organisation_code", "The organisation's code."),
         ("organisation_name", "Its name."), ("organisation_type", "Its type code."), ("region", "Its region."),
         ("indicator_code", "The indicator's code."), ("indicator_name", "Its name."),
         ("value", "The figure."), ("numerator", "Where given, the count the figure is made from."),
         ("denominator", "Where given, the population or total it is out of.")],
        result_rows),
}
