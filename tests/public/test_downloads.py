"""Downloads are streamed, and byte for byte what the site served when it built
them whole: the oracle below is that earlier implementation (model instances
and one `json.dumps`), kept here to compare against."""

import csv
import io
import json

import pytest

from django.http import StreamingHttpResponse

from indicators.definitions import FROM_THE_START
from indicators.spreadsheets.csv_writer import neutralise
from indicators.models import Indicator, Organisation, Result
from indicators.years import format_year
from ratings.engine import DOMAINS
from ratings.exports import COLUMNS
from ratings import exports, standings
from ratings.frozen_definitions import run_definitions
from ratings.models import Rating, RatingRun
from public.downloads import RESULT_COLUMNS


def old_csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue().encode()


def old_json(year, columns, rows) -> bytes:
    return json.dumps({"year": format_year(year), "columns": columns,
                       "rows": [dict(zip(columns, row)) for row in rows]}, ensure_ascii=False).encode()


def old_rating_rows(year):
    ratings = (Rating.objects.filter(run__in=list(RatingRun.objects.published().filter(year=year)))
               .order_by("organisation__type__code", "rank", "organisation__name")
               .select_related("run", "organisation__type", "organisation__region"))
    rounded = lambda value: None if value is None else round(value, 6)  # noqa: E731
    for rating in ratings:
        level = rating.domain_scores.get("level", {})
        yield ([format_year(rating.run.year), rating.organisation.code, rating.organisation.name,
               rating.organisation.type.code, rating.organisation.region.name, rating.band,
               rounded(rating.score), rounded(rating.level_score), rounded(rating.improvement_score),
               None if rating.improvement_measured is None else ("yes" if rating.improvement_measured else "no"),
               rating.core_targets_failed, rating.rank, rating.candidate_position, rating.green_quota,
               rating.green_candidates, rounded(rating.green_cutoff), rounded(rating.gap_to_green)]
              + [rounded(level.get(domain)) for domain in DOMAINS]
              + [rounded(rating.p_green), rounded(rating.p_yellow), rounded(rating.p_red),
                 rounded(rating.p_not_rated), rounded(rating.certainty), rating.rank_low, rating.rank_high,
                 rounded(rating.p_change_real), None if rating.p_change_real is None else
                 ("a real change" if rating.p_change_real >= 0.95 else "could be chance")]
              + decomposition_cells(rating) + core_target_cells(rating)
              + [rating.not_rated_reason or None])


def core_target_cells(rating) -> list:
    """The failed core targets (codes and words) and those not reported, from the stored failures,
    the run's frozen directions and the indicators' names and units."""
    if rating.band == "not_rated":
        return [None, None, None]
    failures = standings.core_failures(rating)
    counts_missing = rating.run.parameters.get("missing_core_data", "failure") == "failure"
    counted = [f for f in failures if f.reason != standings.NO_DATA or counts_missing]
    directions = {code: d.direction for code, d in run_definitions(rating.run).items()}
    indicators = {i.code: i for i in Indicator.objects.all()}

    def words(failure):
        indicator = indicators[failure.indicator]
        if failure.reason == standings.NO_DATA:
            return f"{indicator.name} (no data)"
        at = "at least" if directions[failure.indicator] == "higher_better" else "at most"
        unit = f" {indicator.unit}" if indicator.unit else ""
        return (f"{indicator.name} ({exports.figure_text(failure.value)}{unit} against a target of {at} "
                f"{exports.figure_text(failure.threshold)})")

    return ["; ".join(f.indicator for f in counted) or None, "; ".join(words(f) for f in counted) or None,
            "; ".join(f.indicator for f in failures if f.reason == standings.NO_DATA) or None]


def decomposition_cells(rating) -> list:
    """The decomposition's columns, from the stored explanation read whole."""
    explanation = standings.change_explanation(rating)
    if explanation is None:
        return [None] * 9
    return [explanation.band_before, rating.change_reason or None,
            *(None if value is None else round(value, 6) for value in (
                explanation.change, explanation.own, explanation.others, explanation.method, explanation.corrections)),
            explanation.band_if_others_stood_still, explanation.band_under_last_years_method]


def old_result_rows(year):
    runs = {run.organisation_type_id: run for run in RatingRun.objects.published().filter(year=year)}
    ratings = {r.organisation_id: r for r in Rating.objects.filter(run__in=runs.values())}
    results = (Result.objects.filter(year=year, organisation__type__in=list(runs))
               .order_by("organisation__type__code", "organisation__code", "indicator__code")
               .select_related("organisation__type", "organisation__region", "indicator"))
    rows = []
    for result in results:
        organisation, indicator = result.organisation, result.indicator
        definition = run_definitions(runs[organisation.type_id]).get(indicator.code)
        rating = ratings.get(organisation.pk)
        scored = rating.indicator_scores.get(indicator.code) if rating else None
        rows.append([format_year(year), organisation.code, organisation.name, organisation.type.code,
                     organisation.region.name, indicator.code, indicator.name, result.value, result.numerator,
                     result.denominator, indicator.unit or None]
                    + ([definition.kind, definition.domain, definition.direction, definition.weight,
                        definition.core_threshold, "yes" if definition.adjust_for_deprivation else "no",
                        definition.measure, definition.multiplier,
                        None if definition.from_year == FROM_THE_START else format_year(definition.from_year)]
                       if definition else [None] * 9)
                    + [None if scored is None or scored[1] is None else round(scored[1], 6)])
    return rows


def test_downloads_are_streamed_and_identical_to_the_files_built_whole(small_site, client):
    # Names that need CSV quoting, spreadsheet neutralising and non-ASCII JSON.
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name='=SUM(A1), "Ysbyty" Gwynedd – Bangor')
    for year in small_site.years:
        expected = {
            "ratings.csv": old_csv(COLUMNS, old_rating_rows(year)),
            "ratings.json": old_json(year, COLUMNS, list(old_rating_rows(year))),
            "results.csv": old_csv(RESULT_COLUMNS, old_result_rows(year)),
            "results.json": old_json(year, RESULT_COLUMNS, old_result_rows(year)),
        }
        for name, body in expected.items():
            response = client.get(f"/downloads/{format_year(year)}/{name}")
            assert isinstance(response, StreamingHttpResponse), name
            assert response.getvalue() == body, (year, name)


def test_a_file_larger_than_a_chunk_is_sent_in_several_pieces(small_site, client, monkeypatch):
    from ratings import exports

    monkeypatch.setattr(exports, "CHUNK_CHARACTERS", 200)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 3)
    for name in ("ratings.csv", "ratings.json", "results.csv", "results.json"):
        response = client.get(f"/downloads/2000-01/{name}")
        pieces = list(response.streaming_content)
        assert len(pieces) > 3, name
        body = b"".join(pieces)
        if name.endswith(".json"):
            document = json.loads(body)
            assert document["year"] == "2000-01" and len(document["rows"]) > 3
        else:
            assert body.count(b"\n") > 3


def test_results_read_in_many_small_chunks_are_still_identical(small_site, client, monkeypatch):
    # Organisations split across chunks and results across fetches: order and names unchanged.
    from public import downloads
    from ratings import exports

    monkeypatch.setattr(downloads, "CHUNK_ORGANISATIONS", 3)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 5)
    year = small_site.year
    response = client.get(f"/downloads/{format_year(year)}/results.csv")
    assert response.getvalue() == old_csv(RESULT_COLUMNS, old_result_rows(year))


def test_the_ratings_file_carries_version_2_records(small_site, client):
    rows = list(csv.DictReader(io.StringIO(client.get("/downloads/2000-01/ratings.csv").getvalue().decode())))
    rated = [row for row in rows if row["rank"]]
    assert rated and {row["improvement_measured"] for row in rated} <= {"yes", "no"}
    for row in rated:
        assert row["green_quota"] and row["green_candidates"]
        if row["band"] == "green":
            assert row["candidate_position"] and int(row["candidate_position"]) <= int(row["green_quota"]) \
                or float(row["margin"]) > -1e-6  # tied at the cut-off
        if row["margin"]:
            assert float(row["margin"]) == pytest.approx(float(row["score"]) - float(row["green_cutoff"]), abs=2e-6)
