"""The one bridge from the database into the engine: a year's inputs in five
queries, however many organisations there are, with the indicator definitions
in force in the year (`IndicatorDefinition.objects.in_force`)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.db.models.functions import Coalesce

from indicators.models import Indicator, IndicatorDefinition, Organisation, Result, ResultRevision, open_in_year

from . import frozen_definitions
from .engine import EngineInputs


def frame(queryset: QuerySet, columns: list[str], names: list[str]) -> pd.DataFrame:
    """The queryset's `columns` as a DataFrame with these `names`, read with one
    raw cursor: Django's per-row iteration costs more than the computation at scale."""
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=names)


def numeric_frame(queryset: QuerySet, columns: list[str], names: list[str], chunk: int = 200_000) -> pd.DataFrame:
    """Like `frame`, for all-numeric columns: fetched in chunks straight into a
    float array, so millions of rows never exist as Python tuples all at once."""
    sql, params = queryset.values_list(*columns).query.sql_with_params()
    if connection.vendor == "postgresql":
        return _copied_frame(sql, params, names)
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            parts.append(np.array(rows, dtype=float))
    data = np.concatenate(parts) if parts else np.empty((0, len(columns)))
    return pd.DataFrame(data, columns=names)


def _copied_frame(sql: str, params, names: list[str]) -> pd.DataFrame:
    """The query's rows through COPY and pandas' C parser: on PostgreSQL, about
    twice as fast as fetching millions of rows as Python tuples."""
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    if not buffer.getvalue():
        return pd.DataFrame(np.empty((0, len(names))), columns=names)
    return pd.read_csv(buffer, header=None, names=names, dtype=float)


def load_engine_inputs(*, year: int, type_codes: list[str], deprivation_code: str) -> EngineInputs:
    """Every organisation of the types (active or not: last year's adjustment is
    fitted over last year's organisations), the performance indicators, which
    types they apply to, and this and last year's results and deprivation scores."""
    organisations = frame(Organisation.objects.filter(type__code__in=type_codes)
                          .annotate(active=ExpressionWrapper(open_in_year(year), output_field=BooleanField())),
                          ["id", "type__code", "active"], ["organisation", "type", "active"])
    organisations["active"] = organisations["active"].astype(bool)  # SQLite answers 0 or 1

    # The definitions in force in the year, for both years' figures (spec, step 5's
    # note: one year's method judges both years); never the indicators' own fields.
    performance = IndicatorDefinition.objects.in_force(year).filter(kind=Indicator.Kind.PERFORMANCE)
    indicators = frame(performance,
                       ["indicator_id", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold",
                        "measure", "multiplier"],
                       ["indicator", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold",
                        "measure", "multiplier"])
    indicators[["core_threshold", "multiplier"]] = indicators[["core_threshold", "multiplier"]].astype(float)
    indicators["adjust_for_deprivation"] = indicators["adjust_for_deprivation"].astype(bool)

    applicability = frame(IndicatorDefinition.organisation_types.through.objects.filter(
        indicatordefinition__in=performance, organisationtype__code__in=type_codes),
        ["indicatordefinition__indicator_id", "organisationtype__code"], ["indicator", "type"])

    # Filter on ids and a subquery rather than joins: this reads most of the table.
    in_scope = Result.objects.filter(
        year__in=[year - 1, year], organisation__in=Organisation.objects.filter(type__code__in=type_codes))
    # With each figure's numerator and denominator (NaN where none), read in the same query: band
    # certainty draws from them, and the funnel limits stored with the run are fitted to exactly these.
    results = numeric_frame(in_scope.filter(indicator__in=performance.values("indicator")),
                            ["organisation_id", "indicator_id", "year", "value", "numerator", "denominator"],
                            ["organisation", "indicator", "year", "value", "numerator", "denominator"])
    deprivation = numeric_frame(in_scope.filter(indicator__in=Indicator.objects.filter(code=deprivation_code)),
                                ["organisation_id", "year", "value"], ["organisation", "year", "value"])
    for table, keys in ((results, ["organisation", "indicator", "year"]), (deprivation, ["organisation", "year"])):
        table[keys] = table[keys].astype(np.int64)
    return EngineInputs(year=year, organisations=organisations[["organisation", "type", "active"]],
                        indicators=indicators, applicability=applicability, results=results,
                        deprivation=deprivation)


def load_engine_inputs_as_of(run, *, moment) -> EngineInputs:
    """A stored run's inputs as they were at `moment` (when it was computed):
    its frozen definitions, and each figure as held then, from the current
    values and their history (`ResultRevision`). Not for speed: for
    `verify_run` (`verification.py`, which warns of what the history cannot
    give back: figures an upload reversed since had brought)."""
    year, type_code = run.year, run.organisation_type.code
    organisations = frame(Organisation.objects.filter(type__code=type_code)
                          .annotate(active=ExpressionWrapper(open_in_year(year), output_field=BooleanField())),
                          ["id", "type__code", "active"], ["organisation", "type", "active"])
    organisations["active"] = organisations["active"].astype(bool)
    indicator_rows, applicability = frozen_definitions.engine_rows(run)
    indicators = pd.DataFrame(indicator_rows, columns=["indicator", "domain", "direction", "weight",
                                                       "adjust_for_deprivation", "core_threshold", "measure",
                                                       "multiplier"])
    indicators[["core_threshold", "multiplier"]] = indicators[["core_threshold", "multiplier"]].astype(float)
    indicators["adjust_for_deprivation"] = indicators["adjust_for_deprivation"].astype(bool)
    applicability = pd.DataFrame([pair for pair in applicability if pair[1] == type_code],
                                 columns=["indicator", "type"])
    held = _held_at(moment, year=year, type_code=type_code)
    results = held[held["indicator"].isin(indicators["indicator"])].reset_index(drop=True)
    deprivation_id = Indicator.objects.filter(code=run.parameters["deprivation_indicator"]).values_list(
        "id", flat=True).first()
    deprivation = held.loc[held["indicator"] == deprivation_id, ["organisation", "year", "value"]].reset_index(drop=True)
    return EngineInputs(year=year, organisations=organisations[["organisation", "type", "active"]],
                        indicators=indicators, applicability=applicability, results=results,
                        deprivation=deprivation)


def _held_at(moment, *, year: int, type_code: str) -> pd.DataFrame:
    """organisation, indicator, year, value, numerator, denominator: every
    figure of the type for the year and the one before as held at `moment`. A
    value was held from the time its import was applied until the time the
    import that replaced it was."""
    columns = ["organisation", "indicator", "year", "value", "numerator", "denominator", "brought", "replaced"]
    scope = {"year__in": [year - 1, year], "organisation__type__code": type_code}
    current = Result.objects.filter(**scope).annotate(
        brought=Coalesce("source_import__applied_at", "source_import__created_at")).values_list(
        "organisation_id", "indicator_id", "year", "value", "numerator", "denominator", "brought")
    earlier = ResultRevision.objects.filter(**{f"result__{key}": value for key, value in scope.items()}).annotate(
        brought=Coalesce("source_import__applied_at", "source_import__created_at"),
        replaced=Coalesce("superseded_by__applied_at", "superseded_by__created_at")).values_list(
        "result__organisation_id", "result__indicator_id", "result__year", "value", "numerator", "denominator",
        "brought", "replaced")
    rows = [(*row, None) for row in current] + list(earlier)
    candidates = pd.DataFrame(rows, columns=columns)
    held = candidates[(candidates["brought"] <= moment)
                      & (candidates["replaced"].isna() | (candidates["replaced"] > moment))]
    held = held.drop_duplicates(["organisation", "indicator", "year"], keep="last")
    table = held[["organisation", "indicator", "year", "value", "numerator", "denominator"]].reset_index(drop=True)
    table[["organisation", "indicator", "year"]] = table[["organisation", "indicator", "year"]].astype(np.int64)
    table[["value", "numerator", "denominator"]] = table[["value", "numerator", "denominator"]].astype(float)
    return table


def load_decomposition_figures(*, year: int, type_codes: list[str], indicator_ids, deprivation_codes
                               ) -> tuple["Figures", "Figures"]:
    """Last year's and this year's figures for the decomposition (`decomposition.Figures`):
    every organisation of the types with whether it was open in each year, and the
    results of `indicator_ids` (both runs' performance indicators) and of the
    deprivation indicators `deprivation_codes` for the three years Y-2 to Y. Four queries."""
    from .decomposition import Figures

    organisations = frame(Organisation.objects.filter(type__code__in=type_codes).annotate(
        active_before=ExpressionWrapper(open_in_year(year - 1), output_field=BooleanField()),
        active_after=ExpressionWrapper(open_in_year(year), output_field=BooleanField())),
        ["id", "type__code", "active_before", "active_after"], ["organisation", "type", "before", "after"])
    in_scope = Result.objects.filter(
        year__in=[year - 2, year - 1, year], organisation__in=Organisation.objects.filter(type__code__in=type_codes))
    results = numeric_frame(in_scope.filter(indicator__in=list(indicator_ids)),
                            ["organisation_id", "indicator_id", "year", "value"],
                            ["organisation", "indicator", "year", "value"])
    codes = dict(Indicator.objects.filter(code__in=list(deprivation_codes)).values_list("id", "code"))
    deprivation = numeric_frame(in_scope.filter(indicator__in=list(codes)),
                                ["organisation_id", "indicator_id", "year", "value"],
                                ["organisation", "indicator", "year", "value"])
    for table in (results, deprivation):
        table[["organisation", "indicator", "year"]] = table[["organisation", "indicator", "year"]].astype(np.int64)

    def figures(of_year: int, active: str) -> Figures:
        years = [of_year - 1, of_year]
        orgs = organisations.assign(active=organisations[active].astype(bool))[["organisation", "type", "active"]]
        by_code = {code: deprivation.loc[(deprivation["indicator"] == pk) & deprivation["year"].isin(years),
                                         ["organisation", "year", "value"]].reset_index(drop=True)
                   for pk, code in codes.items()}
        return Figures(year=of_year, organisations=orgs,
                       results=results[results["year"].isin(years)].reset_index(drop=True), deprivation=by_code)

    return figures(year - 1, "before"), figures(year, "after")


def run_method(run) -> "Method":
    """A stored run's method for the decomposition: its frozen parameters and definitions."""
    from .decomposition import Method
    from .parameters import SchemeParameters

    rows, applicability = frozen_definitions.engine_rows(run)
    indicators = pd.DataFrame(rows, columns=["indicator", "domain", "direction", "weight",
                                             "adjust_for_deprivation", "core_threshold"])
    indicators["core_threshold"] = indicators["core_threshold"].astype(float)
    indicators["adjust_for_deprivation"] = indicators["adjust_for_deprivation"].astype(bool)
    return Method(params=SchemeParameters.from_dict(run.parameters), indicators=indicators,
                  applicability=pd.DataFrame(applicability, columns=["indicator", "type"]))
