"""The ratings' bulk write (COPY on PostgreSQL, executemany on SQLite, JSON
encoded by orjson) stores exactly what the engine computed, in the shapes
every reader expects: checked against a plain, row-by-row construction of
each rating, on the demo data (missing values, core targets with no data,
adjustments applied and not)."""

import math
from dataclasses import replace

import pandas as pd

from indicators.models import Indicator, IndicatorDefinition
from ratings import actions, engine, funnel_fit, peers, rating_rows, standings
from ratings.counterfactuals import rate_with_counterfactuals
from ratings.inputs import load_engine_inputs
from ratings.models import Rating, RatingScheme


def _value(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def expected_ratings(year: int) -> dict[int, dict]:
    """Each organisation's rating built one row at a time from the engine's tables."""
    params = RatingScheme.objects.get(year=year).parameters()
    inputs = load_engine_inputs(year=year, type_codes=["HA", "TRUST", "PCG"],
                                deprivation_code=params.deprivation_indicator)
    result = rate_with_counterfactuals(inputs, params)  # band_without_improvement beside the engine's columns
    unadjusted = engine.rate(inputs, replace(params, value_added=False))
    codes = dict(Indicator.objects.values_list("id", "code"))
    without = {row.organisation: row for row in unadjusted.ratings.itertuples()}
    expected = {}
    for row in result.ratings.to_dict("records"):
        organisation = row["organisation"]
        expected[organisation] = {
            "band": row["band"], "band_without_adjustment": without[organisation].band,
            "band_without_improvement": row["band_without_improvement"], "score": _value(row["score"]),
            "score_without_adjustment": _value(without[organisation].score), "level_score": _value(row["level"]),
            "improvement_score": _value(row["improvement"]),
            "domain_scores": {"level": {d: _value(row[f"level_{d}"]) for d in engine.DOMAINS},
                              "improvement": {d: _value(row[f"improvement_{d}"]) for d in engine.DOMAINS}},
            "core_targets_failed": None if row["core_failures"] is None or row["core_failures"] != row["core_failures"]
            else int(row["core_failures"]),
            "core_failures": [], "rank": None if row["rank"] != row["rank"] or row["rank"] is None else int(row["rank"]),
            "green_cutoff": _value(row["green_cutoff"]), "gap_to_green": _value(row["gap_to_green"]),
            "improvement_measured": None if pd.isna(row["improvement_measured"]) else bool(
                row["improvement_measured"]),
            **{name: None if pd.isna(row[name]) else int(row[name])
               for name in ("candidate_position", "green_quota", "green_candidates")},
            "coverage": float(row["coverage"]), "not_rated_reason": row["not_rated_reason"], "adjustments": [],
            "indicator_scores": {}, "peer_standings": {},
            # No published year before to explain the band against (the decomposition).
            "change_reason": "", "decomposition": None}
    # Each organisation's standing placed one value at a time by peers.standing, among its type's peers.
    type_of = dict(zip(result.ratings["organisation"], result.ratings["type"]))
    summaries = {type_code: peers.summarise(result.indicator_scores, of_type["organisation"], codes)
                 for type_code, of_type in result.ratings.groupby("type")}
    for row in result.indicator_scores.to_dict("records"):
        if row["z"] == row["z"]:
            standing = peers.standing(round(row["z"], 4),
                                      summaries[type_of[row["organisation"]]][codes[row["indicator"]]]["z"])
            expected[row["organisation"]]["peer_standings"][codes[row["indicator"]]] = [
                standing.position, standing.count, standing.quarter, standing.tied_with]
    counted = expected_funnel_figures(inputs, result, year)
    for row in result.indicator_scores.to_dict("records"):
        expected[row["organisation"]]["indicator_scores"][codes[row["indicator"]]] = [
            _value(row["value"]), _value(round(row["adjusted"], 6)), _value(round(row["z"], 4)),
            _value(round(row["delta_z"], 4)),
            *counted.get((row["organisation"], row["indicator"]), (None, None, None))]
    for row in result.core_failures.to_dict("records"):
        expected[row["organisation"]]["core_failures"].append(
            {"indicator": codes[row["indicator"]], "value": _value(row["value"]),
             "threshold": _value(row["threshold"]), "reason": row["reason"]})
    for row in result.adjustments.to_dict("records"):
        expected[row["organisation"]]["adjustments"].append(
            {"indicator": codes[row["indicator"]], "value": _value(row["value"]),
             "adjusted": _value(round(row["adjusted"], 6)), "deprivation": _value(row["deprivation"]),
             "slope": _value(round(row["slope"], 6)), "status": row["status"]})
    return expected


def expected_funnel_figures(inputs, result, year: int) -> dict[tuple[int, int], tuple]:
    """{(organisation, indicator): (numerator, denominator, classification)}: each
    indicator with a measure fitted on its own over each type's rated
    organisations that have a value, a numerator and a denominator."""
    definitions = {d.indicator_id: d for d in IndicatorDefinition.objects.in_force(year)}
    rated = result.ratings[result.ratings["band"] != engine.NOT_RATED]
    scored = set(zip(result.indicator_scores["organisation"], result.indicator_scores["indicator"]))
    found = {}
    for type_code, of_type in rated.groupby("type"):
        organisations = set(of_type["organisation"])
        for indicator, rows in inputs.results[inputs.results["year"] == year].groupby("indicator"):
            definition = definitions[indicator]
            if definition.measure not in ("proportion", "rate"):
                continue
            rows = [row for row in rows.itertuples() if row.organisation in organisations
                    and (row.organisation, indicator) in scored and row.numerator == row.numerator
                    and row.denominator == row.denominator and row.denominator > 0]
            if not rows:
                continue
            fitted = funnel_fit.fit([r.numerator for r in rows], [r.denominator for r in rows],
                                 measure=definition.measure, multiplier=definition.multiplier,
                                 direction=definition.direction)
            for row, classification in zip(rows, fitted.classification):
                found[(row.organisation, indicator)] = (row.numerator, row.denominator, classification)
    return found


def test_stored_ratings_read_back_as_the_engine_computed_them(loaded_demo):
    runs = actions.recalculate(year=2000)
    expected = expected_ratings(2000)
    stored = {row.pop("organisation_id"): row for row in Rating.objects.filter(run__in=runs).values(
        "organisation_id", *(column for column in rating_rows.COLUMNS if column != "organisation_id"))}
    assert stored.keys() == expected.keys() and len(stored) > 500
    # The demo exercises every shape: no data, adjustments, not rated, missing improvement.
    assert any(f["reason"] == "no data" for r in stored.values() for f in r["core_failures"])
    assert any(a["status"] == "adjusted" for r in stored.values() for a in r["adjustments"])
    assert any(r["band"] == "not_rated" for r in stored.values())
    assert any(None in scores for r in stored.values() for scores in r["indicator_scores"].values())
    # Figures with counts, of each funnel classification, and figures without counts.
    classified = {scores[6] for r in stored.values() for scores in r["indicator_scores"].values()}
    assert classified == {None, -2, -1, 0, 1, 2}, classified
    # Ties and every quarter appear among the standings.
    quarters = {standings.PeerStanding(*s).quarter for r in stored.values() for s in r["peer_standings"].values()}
    assert quarters == {"top", "middle", "bottom"}
    for organisation, rating in stored.items():
        assert rating == expected[organisation], organisation
    # The run's peer summary (written apart, also by orjson) reads back as computed.
    for run in runs:
        run.refresh_from_db()
        assert run.indicator_summary == expected_summary(run) and run.indicator_summary
        assert run.peer_medians == {code: peer["median"] for code, peer in run.indicator_summary.items()}


def expected_summary(run):
    params = RatingScheme.objects.get(year=run.year).parameters()
    inputs = load_engine_inputs(year=run.year, type_codes=["HA", "TRUST", "PCG"],
                                deprivation_code=params.deprivation_indicator)
    result = engine.rate(inputs, params)
    of_type = result.ratings.loc[result.ratings["type"] == run.organisation_type.code, "organisation"]
    return peers.summarise(result.indicator_scores, of_type, dict(Indicator.objects.values_list("id", "code")))
