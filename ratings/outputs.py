"""The one bridge from the engine back into the database, the twin of
`inputs`: a recalculation's result stored as one run per organisation type,
its ratings written in bulk (COPY on PostgreSQL, executemany on SQLite).
Runs inside the caller's transaction; the tables' constraints check every
row as usual."""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import orjson
import pandas as pd
from django.db import connection

from indicators.models import Indicator, IndicatorDefinition, Organisation, OrganisationType

from . import area_split, engine, frozen_definitions, funnel_fit, funnels, peers, rating_rows
from .models import Rating, RatingRun
from .parameters import SchemeParameters


# Text columns that are never null: COPY's CSV reads an empty field as null unless told otherwise.
NOT_NULL_TEXT_COLUMNS = ("not_rated_reason", "change_reason")


def definitions_in_force(year: int) -> list[tuple[IndicatorDefinition, set[str]]]:
    """The year's definitions with the type codes each applies to, for `store_runs`
    to freeze: read in the transaction that reads the engine's inputs, so what
    is frozen is what was used."""
    return [(definition, {t.code for t in definition.organisation_types.all()}) for definition in
            IndicatorDefinition.objects.in_force(year).select_related("indicator")
            .prefetch_related("organisation_types")]


def store_runs(*, year: int, params: SchemeParameters, result: engine.EngineResult, user,
               definitions: list[tuple[IndicatorDefinition, set[str]]],
               inputs: engine.EngineInputs | None = None,
               compared_with: dict[str, RatingRun] | None = None) -> list[RatingRun]:
    """A run for each organisation type in `result` (the engine's, with the
    counterfactual bands of `counterfactuals.rate_with_counterfactuals` and,
    when worked out, the explanations of `change_explanations`), with its peer
    summary, its ratings and the indicator `definitions` it used
    (`definitions_in_force`), frozen; from the numerators and denominators of
    the `inputs` the engine was given, the funnel of each indicator with a
    measure (`funnel_figures`); `compared_with`: the previous year's published
    run of each type the explanations were worked out against."""
    codes = dict(Indicator.objects.values_list("id", "code"))
    type_ids = dict(OrganisationType.objects.values_list("code", "id"))
    ratings = result.ratings
    if ratings.empty:
        return []
    runs = []
    for type_code, of_type in ratings.groupby("type", sort=True):
        rated = of_type[of_type["band"] != engine.NOT_RATED]
        cutoff = rated["green_cutoff"].dropna()
        summary = peers.summarise(result.indicator_scores, of_type["organisation"], codes)
        frozen = frozen_definitions.freeze(definitions, type_code=type_code)
        type_funnels, figures = funnel_figures(
            inputs.results if inputs is not None else None, year=year, rated=rated["organisation"],
            indicator_scores=result.indicator_scores, definitions=frozen)
        run = RatingRun.objects.create(
            year=year, organisation_type_id=type_ids[type_code], parameters=params.as_dict(),
            definitions=frozen, funnels=type_funnels,
            engine_version=engine.ENGINE_VERSION, created_by=user, rated_count=len(rated),
            green_quota=engine.green_quota(len(rated), params),
            green_cutoff=float(cutoff.iloc[0]) if len(cutoff) else None,
            peer_medians={code: peer["median"] for code, peer in summary.items()},
            area_split=area_split_tests(rated, params),
            compared_with=(compared_with or {}).get(type_code))
        run.indicator_summary = summary
        _write_indicator_summary(run)
        write_rating_rows(run_id=run.pk, rows=rating_rows.rating_rows(result, of_type, codes, summary, figures))
        runs.append(run)
    return runs


def funnel_figures(results, *, year: int, rated, indicator_scores, definitions: dict
                   ) -> tuple[dict, pd.DataFrame]:
    """The funnel of each indicator of a run's frozen `definitions` with a
    measure (proportion or rate), over its rated organisations (`rated`) with
    a value (as scored: `indicator_scores`), a numerator and a denominator
    above 0 in `year`, from the engine's `results` (None: no funnels):
    {code: the stored funnel (`funnels.Funnel`, with the count of each
    classification and the limits' z)}, and a table of organisation,
    indicator, numerator, denominator and funnel (the classification's
    number) for `rating_rows`."""
    columns = ["organisation", "indicator", *rating_rows.FUNNEL_NUMBERS]
    if results is None or "numerator" not in results.columns:
        return {}, pd.DataFrame(columns=columns)
    scored = indicator_scores.loc[indicator_scores["organisation"].isin(rated), ["organisation", "indicator"]]
    counted = results.loc[(results["year"] == year) & results["numerator"].notna() & results["denominator"].notna()
                          & results["value"].notna(), ["organisation", "indicator", "numerator", "denominator"]]
    counted = counted.merge(scored, on=["organisation", "indicator"]).sort_values("indicator", kind="stable")
    # Each indicator's rows as slices of plain arrays (pandas per indicator cost more than the fits).
    organisation, indicator, numerator, denominator = (counted[c].to_numpy() for c in counted.columns)
    starts = np.flatnonzero(np.r_[True, indicator[1:] != indicator[:-1]]) if len(indicator) else np.array([], int)
    slices = {int(indicator[s]): slice(s, e) for s, e in zip(starts, np.r_[starts[1:], len(indicator)])}
    stored, parts = {}, []
    for code, definition in sorted(definitions.items()):
        rows = slices.get(definition["indicator"])
        if definition["measure"] not in funnels.MEASURES or rows is None:
            continue
        fitted = funnel_fit.fit(numerator[rows], denominator[rows], measure=definition["measure"],
                                multiplier=definition["multiplier"], direction=definition["direction"])
        if fitted.funnel is None:
            continue
        kept = fitted.included
        classification = fitted.classification[kept]
        parts.append(pd.DataFrame(dict(zip(columns, (organisation[rows][kept], indicator[rows][kept],
                                                     numerator[rows][kept], denominator[rows][kept],
                                                     classification)))))
        tally = np.bincount((classification + 2).astype(int), minlength=len(funnels.Classification))
        counts = {c.name.lower(): int(tally[c.value + 2]) for c in funnels.Classification}
        stored[code] = {**fitted.funnel.as_dict(), "counts": counts, "limits": [funnels.Z_95, funnels.Z_998]}
    return stored, pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def area_split_tests(rated, params: SchemeParameters) -> dict:
    """The north/south permutation test (`area_split`) of the rated organisations' bands, as published and
    without the value-added adjustment, by each organisation's region's area now; seeded by the run's seed."""
    areas = dict(Organisation.objects.filter(pk__in=rated["organisation"].tolist()).values_list(
        "id", "region__area"))
    area = rated["organisation"].map(areas)
    tests = {}
    for name, column in (("published", "band"), ("unadjusted", "band_without_adjustment")):
        counts = {where: [int(((area == where) & (rated[column] == band)).sum()) for band in
                          (engine.GREEN, engine.YELLOW, engine.RED)] for where in ("north", "south")}
        tests[name] = area_split.area_split_test(counts["north"], counts["south"], seed=params.uncertainty_seed)
    return tests


def _write_indicator_summary(run: RatingRun) -> None:
    # Every peer's z-score of every indicator: the run's largest value, encoded
    # by orjson as the ratings are (Django's json.dumps took several times longer).
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {RatingRun._meta.db_table} SET indicator_summary = %s WHERE id = %s",
                       [orjson.dumps(run.indicator_summary).decode(), run.pk])


def write_rating_rows(*, run_id: int, rows) -> None:
    """Insert a run's ratings in bulk (rows in `rating_rows.COLUMNS` order, JSON
    as text): COPY on PostgreSQL, executemany on SQLite."""
    table, columns = Rating._meta.db_table, ["run_id", *rating_rows.COLUMNS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                f"({', '.join(NOT_NULL_TEXT_COLUMNS)}))", _CsvStream((run_id, *row) for row in rows))
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                ((run_id, *row) for row in rows))


class _CsvStream(io.TextIOBase):
    """Rows as CSV text, produced as COPY reads it: the whole run never exists as one string."""

    def __init__(self, rows, chunk_rows: int = 2000):
        self._rows, self._chunk_rows, self._pending = iter(rows), chunk_rows, ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._pending) < size:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            chunk = list(itertools.islice(self._rows, self._chunk_rows))
            if not chunk:
                break
            writer.writerows(chunk)
            self._pending += buffer.getvalue()
        if size < 0:
            size = len(self._pending)
        text, self._pending = self._pending[:size], self._pending[size:]
        return text

    readline = read
