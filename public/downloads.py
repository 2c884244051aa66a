"""The public downloads: each published year's ratings (the same CSV as
`export_ratings`) and the results behind them, as CSV or JSON. Column names
are stable: the downloads page documents them. Rows are produced lazily, a
chunk of plain values at a time, so a file of any size is streamed in
bounded memory; which runs are public is decided before the first row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from django.db.models import JSONField, OuterRef, Q, Subquery

from indicators.choices import DIRECTIONS, DOMAINS, KINDS, MEASURES
from indicators.definitions import FROM_THE_START
from indicators.models import Indicator, Organisation, Result
from indicators.spreadsheets.table_schema import BOOLEAN, NUMBER, STRING, Column, names, table_schema, yes_no
from indicators.years import format_year
from ratings import exports
from ratings.frozen_definitions import definitions_of
from ratings.models import Rating
from ratings.standings import SCORE_FIELDS

from . import queries


def rating_rows(year: int) -> tuple[list[str], Iterator[list]]:
    runs = list(queries.published_run_queryset(year).only("pk"))
    return list(exports.COLUMNS), exports.rating_rows(runs)


# The results file's columns (see `exports.FIELDS`). The definition's are those frozen with the year's
# published ratings of the organisation's type, never today's (an indicator's name and unit are its identity).
RESULT_FIELDS = [
    Column("year", STRING, "Financial year.", {"required": True, "pattern": exports.YEAR_PATTERN}),
    Column("organisation_code", STRING, "The organisation's code.", {"required": True}),
    Column("organisation_name", STRING, "Its name.", {"required": True}),
    Column("organisation_type", STRING, "Its type code.", {"required": True}),
    Column("region", STRING, "Its region."),
    Column("indicator_code", STRING, "The indicator's code.", {"required": True}),
    Column("indicator_name", STRING, "Its name.", {"required": True}),
    Column("value", NUMBER, "The figure, as now held."),
    Column("numerator", NUMBER, "Where given, the count the figure is made from."),
    Column("denominator", NUMBER, "Where given, the population or total it is out of."),
    # Issue 17: enough to reproduce the ratings from this file.
    Column("unit", STRING, "The unit of the figure, for example % or per 100,000 population; empty when it has "
                           "none."),
    Column("indicator_kind", STRING, "performance (scored) or context (never scored: the deprivation score), in "
                                     "the definition used for that year's ratings of the organisation's type; empty "
                                     "when the indicator did not apply to that type that year.",
           {"enum": list(KINDS)}),
    Column("domain", STRING, "The domain it counts in, in that definition.", {"enum": list(DOMAINS)}),
    Column("direction", STRING, "higher_better or lower_better, in that definition.", {"enum": list(DIRECTIONS)}),
    Column("weight", NUMBER, "Its weight within its domain, in that definition.", {"minimum": 0}),
    Column("core_threshold", NUMBER, "Its core national target, in that definition (met at or above it when "
                                     "higher is better, at or below it when lower is better); empty when it is "
                                     "not a core target."),
    Column("adjusted_for_deprivation", BOOLEAN, "yes or no: whether that definition has the value-added "
                                                "adjustment for deprivation."),
    Column("measure", STRING, "How the figure is built, in that definition: proportion or rate (multiplier × "
                              "numerator ÷ denominator, with a sampling model) or other.", {"enum": list(MEASURES)}),
    Column("multiplier", NUMBER, "For a proportion or a rate, the multiplier (100 for a percentage); empty "
                                 "otherwise.", {"minimum": 0}),
    Column("definition_from_year", STRING, "The financial year from which that definition applied (the "
                                           "definition in force in the year, frozen with its published ratings); "
                                           "empty when it applied from the start, or the indicator did not apply.",
           {"pattern": exports.YEAR_PATTERN}),
    Column("adjusted_value", NUMBER, "The figure the published rating scored: after the value-added adjustment "
                                     "where it was made, otherwise the figure as it was then (corrections since "
                                     "are in value, not here). Empty for an organisation not rated, a context "
                                     "indicator or a figure not reported."),
]
RESULT_COLUMNS = names(RESULT_FIELDS)
RESULT_PRIMARY_KEY = ["year", "organisation_code", "indicator_code"]


def result_rows(year: int) -> tuple[list[str], Iterator[list]]:
    """The year's figures for the organisation types with published ratings,
    by type, organisation and indicator. Read CHUNK_ORGANISATIONS organisations
    at a time (two queries each, the next chunk found from the last one's
    type and code), rather than in one query over every result: rows start at
    once, each query is a short index scan, and nothing held grows with the
    number of organisations (one ordered query over 400,000 results took 8 s
    to its first row on PostgreSQL, and minutes with stale statistics)."""
    runs = list(queries.published_run_queryset(year).values_list("pk", "organisation_type", "definitions"))
    return RESULT_COLUMNS, _result_rows(year, runs)


CHUNK_ORGANISATIONS = 500
_ADJUSTED = SCORE_FIELDS.index("adjusted")


def _result_rows(year: int, runs: list[tuple]) -> Iterator[list]:
    # Names come from one read of the indicators (tens) and each chunk's
    # organisations, not from joins repeated on every result row: the results
    # query reads only its own table, and the rows are put in order here (by
    # each indicator's place in the database's own ordering of codes).
    shown = format_year(year)
    indicators = {pk: (position, code, name, unit) for position, (pk, code, name, unit) in enumerate(
        Indicator.objects.order_by("code").values_list("pk", "code", "name", "unit"))}
    # Each type's definitions as frozen with its published run (tens of indicators a type).
    definitions = {type_pk: {code: _definition_cells(definition)
                             for code, definition in definitions_of(stored).items()}
                   for _, type_pk, stored in runs}
    # Each organisation's scores in its type's published run, in the chunk's own query:
    # its rating's per-indicator figures, of which only the adjusted figure is kept,
    # row by row (the whole lists of a chunk of 500 were 14 MB more at the peak).
    scores = Subquery(Rating.objects.filter(run__in=[pk for pk, *_ in runs], organisation=OuterRef("pk"))
                      .values("indicator_scores")[:1], output_field=JSONField())
    after = Q()
    while True:
        chunk = [(*organisation, {code: values[_ADJUSTED] for code, values in (stored or {}).items()})
                 for *organisation, stored in Organisation.objects.filter(after, type__in=list(definitions))
                 .order_by("type__code", "code").annotate(scores=scores)
                 .values_list("pk", "type_id", "type__code", "code", "name", "region__name", "scores")
                 [:CHUNK_ORGANISATIONS].iterator(chunk_size=CHUNK_ORGANISATIONS)]
        if not chunk:
            return
        _, _, last_type, last_code, *_ = chunk[-1]
        after = Q(type__code__gt=last_type) | Q(type__code=last_type, code__gt=last_code)
        figures = {}
        for organisation, indicator, *values in (
                Result.objects.filter(year=year, organisation__in=[pk for pk, *_ in chunk])
                .values_list("organisation_id", "indicator_id", "value", "numerator", "denominator")
                .iterator(chunk_size=exports.CHUNK_ROWS)):
            figures.setdefault(organisation, []).append((indicators[indicator], values))
        for pk, type_pk, type_code, code, name, region, adjusted in chunk:
            of_type = definitions[type_pk]
            for (_, indicator_code, indicator_name, unit), values in sorted(figures.get(pk, ()),
                                                                            key=lambda f: f[0][0]):
                yield [shown, code, name, type_code, region, indicator_code, indicator_name, *values, unit or None,
                       *of_type.get(indicator_code, _NO_DEFINITION),
                       exports.round_figure(adjusted.get(indicator_code))]


def _definition_cells(definition) -> list:
    return [definition.kind, definition.domain, definition.direction, definition.weight, definition.core_threshold,
            yes_no(definition.adjust_for_deprivation), definition.measure, definition.multiplier,
            None if definition.from_year == FROM_THE_START else format_year(definition.from_year)]


_NO_DEFINITION = [None] * 9


@dataclass(frozen=True)
class Dataset:
    title: str
    description: str
    fields: list[Column]  # the file's columns: its header, its schema and the downloads page's documentation
    primary_key: list[str]
    rows: Callable[[int], tuple[list[str], Iterator[list]]]

    @property
    def schema(self) -> dict:
        return table_schema(self.fields, self.primary_key)


DATASETS = {
    "ratings": Dataset("Ratings", "One row per organisation: its band, scores and rank, and what decided them.",
                       exports.FIELDS, exports.PRIMARY_KEY, rating_rows),
    "results": Dataset(
        "Indicator results", "One row per organisation and indicator: the figures the ratings are based on, "
                             "as now held (including any corrections made since the ratings were published), with "
                             "the indicator's definition and the figure the published rating scored.",
        RESULT_FIELDS, RESULT_PRIMARY_KEY, result_rows),
}
