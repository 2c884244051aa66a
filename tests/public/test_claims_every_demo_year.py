"""Every phrase the browse, region and home pages, the bands' meanings (the
report card's "What green means" and the home page's key) and the downloads'
documentation write about a rating, held against the stored records of every
rating of every demo year, as `make run` computes and publishes them. Not
examples: all of them. Then a sample of the rendered pages, and the same
words recalculated with a green share of 0.2.

The demo is loaded and rated once for all the tests that use it (it takes a
minute), inside a transaction rolled back after them; each test runs in its
own savepoint (tests/shared_data.py)."""

import math
import re
from collections import Counter

import pytest
from django.http import QueryDict
from django.utils.html import escape

from indicators.definitions import FROM_THE_START
from indicators.models import Area, Indicator, IndicatorDefinition, OrganisationType, Region, Result
from indicators.years import format_year
from public import browse_table, downloads, queries
from public.formatting import count_words, format_number, percent_of, plural_of
from public.presenters import band_meanings, charting, fairness, pages
from ratings import actions, bands, frozen_definitions, standings
from ratings.models import Rating, RatingRun
from ratings.parameters import DOMAINS, TIE_TOLERANCE

YEARS = (1997, 1998, 1999, 2000)


@pytest.fixture
def demo(published_demo):
    """The demo, every year rated and published with the current engine (tests/conftest.py)."""
    return published_demo


def stored(years=YEARS) -> list[Rating]:
    return list(Rating.objects.filter(run__in=RatingRun.objects.published().filter(year__in=years))
                .select_related("run", "organisation__type", "organisation__region"))


def by_run(ratings) -> dict:
    runs = {}
    for rating in ratings:
        runs.setdefault(rating.run, []).append(rating)
    return runs


def counted_failures(rating) -> list:
    policy = rating.run.parameters.get("missing_core_data", "failure")
    return [f for f in standings.core_failures(rating) if f.reason != standings.NO_DATA or policy == "failure"]


def missing_core(rating) -> bool:
    return any(f.reason == standings.NO_DATA for f in standings.core_failures(rating))


def is_candidate(rating) -> bool:
    not_green = rating.run.parameters.get("missing_core_data", "failure") == "not_green"
    return rating.band != bands.NOT_RATED and not counted_failures(rating) and not (not_green and missing_core(rating))


def tied_at_cut_off(rating) -> bool:
    return rating.green_cutoff is not None and abs(rating.score - rating.green_cutoff) <= TIE_TOLERANCE


def assert_meaning_is_true(rating, of_run: list) -> str:
    """The band's meaning for the rating, with every fact it states checked."""
    params = rating.run.parameters
    text = band_meanings.meaning(rating.band, params, plural_of(rating.organisation.type))
    red_at, share = params["red_core_failures"], params["green_share"]
    failed = len(counted_failures(rating))
    rated = [r for r in of_run if r.band != bands.NOT_RATED]
    assert text.startswith("Failed " if rating.band != bands.NOT_RATED else "Too few"), text
    if rating.band == bands.GREEN:
        # "Failed no core national target, and its final score was among the best of those that failed none."
        assert failed == 0 == rating.core_targets_failed and is_candidate(rating)
        candidates = sorted((r.score for r in of_run if is_candidate(r)), reverse=True)
        assert rating.candidate_position == 1 + sum(s > rating.score + TIE_TOLERANCE for s in candidates)
        assert rating.candidate_position <= rating.green_quota or tied_at_cut_off(rating)
        # "At most <share> of the rated can be green (rounded down), more only when scores tie."
        assert f"At most {band_meanings.share_words(share)} of the rated" in text
        assert rating.green_quota == math.floor(share * len(rated) + 1e-9)
        greens = [r for r in of_run if r.band == bands.GREEN]
        assert len(greens) <= rating.green_quota or all(tied_at_cut_off(r) for r in greens
                                                        if r.candidate_position > rating.green_quota)
    elif rating.band == bands.YELLOW:
        # "Failed fewer than <red_at> core national targets, but was not green: it failed one, (did not report
        # one,) or its final score was not among the best of those that failed none."
        assert f"fewer than {count_words(red_at)} core" in text or (red_at == 1 and "Failed no core" in text)
        assert failed == rating.core_targets_failed < red_at
        assert failed or not is_candidate(rating) or rating.green_cutoff is None or \
            rating.score < rating.green_cutoff - TIE_TOLERANCE
    elif rating.band == bands.RED:
        # "Failed <red_at> or more core national targets (a core figure not reported counts as failed)."
        assert text.startswith(f"Failed {count_words(red_at)} or more core national targets")
        assert failed == rating.core_targets_failed >= red_at
        assert ("not reported counts as failed" in text) == (params["missing_core_data"] == "failure")
    else:
        # "Too few ... reported: fewer than <min_coverage>% of the performance indicators that apply to it."
        assert f"fewer than {format_number(100 * params['min_coverage'], 1)}%" in text
        assert rating.coverage < params["min_coverage"] and rating.score is None and rating.rank is None
    return text


def test_every_bands_meaning_is_true_of_every_rating_of_every_demo_year(demo, db):
    ratings = stored()
    seen = Counter()
    for run, of_run in by_run(ratings).items():
        for rating in of_run:
            assert_meaning_is_true(rating, of_run)
            seen[rating.band] += 1
    assert len(ratings) > 1500 and set(seen) == set(bands.CODES), seen


def test_every_browse_row_of_every_demo_year_says_what_is_stored(demo, db):
    """The browse table, every page of every year: rank in its type, organisation,
    type, region, band, final score and core targets failed."""
    ratings = stored()
    by_code = {(r.run.year, r.organisation.code): r for r in ratings}
    scores = {run: [r.score for r in of_run if r.score is not None] for run, of_run in by_run(ratings).items()}
    assert browse_table.COLUMNS[0].header == "Rank in its type"
    rows_seen = 0
    for year in YEARS:
        number, pages_total = 1, None
        while pages_total is None or number <= pages_total:
            table = browse_table.ratings_table(queries.published_ratings(year), QueryDict(f"page={number}"), year)
            pages_total = table["paginator"].num_pages
            assert table["paginator"].count == sum(1 for r in ratings if r.run.year == year)
            for cells in table["rows"]:
                code = re.search(r'<span class="nhsuk-u-secondary-text-colour">([^<]+)</span>', cells[1][0])[1]
                rating = by_code[(year, code)]
                rank, _, type_name, region, band, score, failed, certainty = (cell for cell, *_ in cells)
                assert certainty == browse_table.certainty_cell(rating.certainty)
                assert escape(rating.organisation.name) in cells[1][0] and type_name == rating.organisation.type.name
                assert region == rating.organisation.region.name
                assert bands.word(rating.band) in band
                assert score == format_number(rating.score)
                if rating.band == bands.NOT_RATED:
                    assert rank == failed == "–"
                else:
                    # Rank within its type: one more than those of its type scoring clearly higher.
                    assert rank == rating.rank == 1 + sum(s > rating.score + TIE_TOLERANCE
                                                          for s in scores[rating.run])
                    assert failed == rating.core_targets_failed == len(counted_failures(rating))
                rows_seen += 1
            number += 1
    assert rows_seen == len(ratings)


def test_every_region_page_of_every_demo_year_counts_what_is_stored(demo, db):
    """Each region's band counts and shares beside England's, the sentence on
    what the shares are of, and each organisation's band and rank of how many."""
    ratings = stored()
    types = queries.organisation_types()
    regions = list(Region.objects.all())
    checked = 0
    for year in YEARS:
        of_year = [r for r in ratings if r.run.year == year]
        national = queries.band_counts(year)
        for region in regions:
            _, counts, rows = queries.region_page(region.code, year)
            page = pages.region_page(region, counts, national, types)
            shown_types = [t for t in types if any(r.organisation.type == t for r in of_year)]
            assert [s["plural"] for s in page["comparison"]] == [plural_of(t).capitalize() for t in shown_types]
            for organisation_type, section in zip(shown_types, page["comparison"]):
                here = Counter(r.band for r in of_year if r.organisation.type == organisation_type
                               and r.organisation.region_id == region.pk)
                england = Counter(r.band for r in of_year if r.organisation.type == organisation_type)
                region_rated = sum(here[b] for b in bands.RATED_CODES)
                england_rated = sum(england[b] for b in bands.RATED_CODES)
                assert section["cells"] == [
                    (band.word, here[band.code], percent_of(here[band.code], region_rated), england[band.code],
                     percent_of(england[band.code], england_rated)) for band in bands.RATED]
                plural = plural_of(organisation_type)
                sentence = section["shares_of"]
                assert sentence.startswith(f"Shares are of the {region_rated} rated {plural} in {region.name} "
                                           f"and the {england_rated} in England")
                unrated = here[bands.NOT_RATED]
                assert (f"; {unrated} more in {region.name} {'was' if unrated == 1 else 'were'} not rated"
                        in sentence) == (unrated > 0)
                # The chart draws the same counts.
                assert f"{region.name} against England" in section["chart"]
                checked += 1
            in_region = {r.organisation.code: r for r in of_year if r.organisation.region_id == region.pk}
            listed_rows = list(rows)
            assert len(listed_rows) == len(in_region)
            for code, name, type_name, band, rank, rated_count in listed_rows:
                rating = in_region[code]
                assert (name, type_name, band, rank) == (rating.organisation.name, rating.organisation.type.name,
                                                         rating.band, rating.rank)
                # "<rank> of <rated_count>": the rated organisations of its type that year.
                assert rated_count == sum(1 for r in of_year if r.run == rating.run and r.band != bands.NOT_RATED)
    # Every type rated in a year, in every region (primary care groups from 1999-00).
    assert checked == len(regions) * len({(r.run.year, r.organisation.type_id) for r in ratings})


def test_the_home_pages_counts_and_key_for_every_demo_year_are_true(demo, db):
    ratings = stored()
    for year in YEARS:
        of_year = [r for r in ratings if r.run.year == year]
        page = pages.home(queries.band_counts(year), queries.organisation_types(year))
        for row in page["types"]:
            counts = Counter(r.band for r in of_year if r.organisation.type == row["type"])
            assert row["counts"] == [(band, counts[band]) for band in bands.RATED_CODES]
            assert row["unrated"] == ([(bands.NOT_RATED, counts[bands.NOT_RATED])] if counts[bands.NOT_RATED]
                                      else [])
        assert sum(sum(n for _, n in row["counts"] + row["unrated"]) for row in page["types"]) == len(of_year)
        # One set of parameters for every type: one key, in those parameters' words, each band's
        # meaning held true of every rating by the first test.
        params = {r.run.parameters["green_share"] for r in of_year}
        assert len(params) == 1
        key = dict(page["key"])
        for band in bands.RATED:
            assert key[band.code].startswith(band_meanings.meaning(band.code, of_year[0].run.parameters,
                                                                   "organisations of its type"))
        assert f"At most {band_meanings.share_words(params.pop())} of the rated" in key[bands.GREEN]


def test_every_fairness_share_and_sentence_of_every_demo_year_is_true(demo, db):
    """The fairness page's band counts and shares by broad area and by region,
    as published and without the adjustment, and its King's Fund sentences
    ("x% of green health authorities were in the south and y% of red ones in
    the north"), against every stored rating's band and band without the adjustment."""
    ratings = stored()
    regions = queries.regions()
    area_words = dict(Area.choices)
    checked = 0
    for year in YEARS:
        of_year = [r for r in ratings if r.run.year == year]
        sections = fairness.sections(queries.fairness(year, chart_points=charting.MAX_CHART_POINTS),
                                     queries.organisation_types(), regions)
        for section in sections:
            of_type = [r for r in of_year if r.organisation.type == section["type"]]
            plural = plural_of(section["type"])
            bands_of = {"published": lambda r: r.band, "unadjusted": lambda r: r.band_without_adjustment}
            for row, area in zip(section["area_rows"], Area.values):
                assert row["label"] == area_words[area]
                for source, band_of in bands_of.items():
                    counts = Counter(band_of(r) for r in of_type if r.organisation.region.area == area)
                    total = sum(counts[b] for b in bands.RATED_CODES)
                    assert row[f"{source}_total"] == total
                    assert row[f"{source}_cells"] == [(b.word, counts[b.code], percent_of(counts[b.code], total))
                                                      for b in bands.RATED]
            for row in section["region_rows"]:
                region = next(r for r in regions if r.name == row["label"])
                counts = Counter(r.band for r in of_type if r.organisation.region_id == region.pk)
                assert row["published_cells"] == [(b.word, counts[b.code], percent_of(
                    counts[b.code], sum(counts[c] for c in bands.RATED_CODES))) for b in bands.RATED]
            for sentence, (words, band_of) in zip(section["kings_fund"], (
                    ("As published", bands_of["published"]), ("Without the adjustment", bands_of["unadjusted"]))):
                green = [r.organisation.region.area for r in of_type if band_of(r) == bands.GREEN]
                red = [r.organisation.region.area for r in of_type if band_of(r) == bands.RED]
                assert sentence == (f"{words}: {percent_of(green.count(Area.SOUTH), len(green))} of green {plural} "
                                    f"were in the south and {percent_of(red.count(Area.NORTH), len(red))} of red "
                                    f"{plural} in the north.")
                checked += 1
    assert checked == 2 * len({(r.run.year, r.organisation.type_id) for r in ratings})


def numeric(value):
    return None if value in (None, "") else float(value)


def test_every_download_column_is_what_its_documentation_says_for_every_demo_rating(demo, db):
    """Each claim of the downloads page's column documentation, for each row of
    every year's ratings file, against the stored ratings and their runs."""
    documented = {field.name: field.description for field in downloads.DATASETS["ratings"].fields}
    assert "weighted by the year's domain weights" in documented["level_score"]
    assert "rounded down; more are green only when final scores tie" in documented["green_quota"]
    assert "every core figure reported" in documented["candidate_position"]
    assert "counts as failed" in documented["core_targets_failed"]
    ratings = stored()
    by_key = {(r.run.year, r.organisation.code): r for r in ratings}
    candidates = {run: sorted((r.score for r in of_run if is_candidate(r)), reverse=True)
                  for run, of_run in by_run(ratings).items()}
    names = {i.code: i for i in Indicator.objects.all()}
    rows_seen, claims_made = 0, set()
    for year in YEARS:
        columns, rows = downloads.rating_rows(year)
        for values in rows:
            row = dict(zip(columns, values))
            rating = by_key[(year, row["organisation_code"])]
            run, params = rating.run, rating.run.parameters
            of_run = [r for r in ratings if r.run == run]
            assert row["band"] in bands.CODES and row["band"] == rating.band
            assert row["organisation_type"] == rating.organisation.type.code
            claims_made |= assert_core_target_columns_are_true(row, rating, names)
            if rating.band == bands.NOT_RATED:
                assert row["score"] is row["rank"] is row["core_targets_failed"] is row["candidate_position"] is None
                rows_seen += 1
                continue
            level = {d: row[f"{d}_score"] for d in DOMAINS if row[f"{d}_score"] is not None}
            weights = params["domain_weights"]
            # level_score: the mean of the domain scores, weighted by the year's domain weights.
            assert math.isclose(row["level_score"], sum(weights[d] * v for d, v in level.items())
                                / sum(weights[d] for d in level), abs_tol=2e-6)
            # score: S = (1 − w) L + w I.
            w = params["improvement_weight"]
            assert math.isclose(row["score"], (1 - w) * row["level_score"] + w * row["improvement_score"],
                                abs_tol=2e-6)
            # improvement_score: 0 when not measured.
            assert row["improvement_measured"] in ("yes", "no")
            if row["improvement_measured"] == "no":
                assert row["improvement_score"] == 0
            # core_targets_failed: F, a missing figure counted as the year's method says.
            assert row["core_targets_failed"] == len(counted_failures(rating))
            # rank: among the rated of its type, 1 best, ties share the better rank.
            assert row["rank"] == 1 + sum(r.score > rating.score + TIE_TOLERANCE for r in of_run
                                          if r.score is not None)
            # candidate_position: among the candidates, empty for others.
            if is_candidate(rating):
                assert row["candidate_position"] == 1 + sum(s > rating.score + TIE_TOLERANCE
                                                             for s in candidates[run])
            else:
                assert row["candidate_position"] is None
            # green_quota: the green share of the rated, rounded down; more green only on ties.
            rated = sum(r.band != bands.NOT_RATED for r in of_run)
            assert row["green_quota"] == math.floor(params["green_share"] * rated + 1e-9)
            assert row["green_candidates"] == len(candidates[run])
            # green_cutoff: the q-th best candidate's score; empty without places or candidates.
            quota = row["green_quota"]
            if quota and candidates[run]:
                cutoff = candidates[run][min(quota, len(candidates[run])) - 1]
                assert math.isclose(row["green_cutoff"], cutoff, abs_tol=1e-6)
                # margin: S − c; a candidate is green exactly when it is at or above 0.
                assert math.isclose(row["margin"], row["score"] - row["green_cutoff"], abs_tol=2e-6)
                if is_candidate(rating):
                    assert (rating.band == bands.GREEN) == (row["margin"] >= -1e-6)
            else:
                assert row["green_cutoff"] is None and row["margin"] is None
                assert rating.band != bands.GREEN
            rows_seen += 1
    assert rows_seen == len(ratings)
    # Every kind of core-target claim is made somewhere in the demo.
    assert claims_made == {"not rated", "no data", "not reported", "at least", "at most"}, claims_made


FAILURE_WORDS = re.compile(r"^(?P<name>.+) \((?:no data|(?P<figure>-?[0-9.]+)(?P<unit> .+)? against a target of "
                           r"(?P<at>at least|at most) (?P<threshold>-?[0-9.]+))\)$")


def assert_core_target_columns_are_true(row: dict, rating, indicators: dict) -> set:
    """failed_core_targets, its words, core_targets_not_reported and not_rated_reason, each
    claim held against the stored failures, the run's frozen definitions and the figures.
    Returns which kinds of claim the row made."""
    made = set()
    if rating.band == bands.NOT_RATED:
        # Not rated: its core targets were not counted, and the stored reason is given.
        assert row["failed_core_targets"] is row["failed_core_targets_words"] is None
        assert row["core_targets_not_reported"] is None
        assert row["not_rated_reason"] == rating.not_rated_reason and "indicators" in row["not_rated_reason"]
        assert row["not_rated_reason"].startswith("Reported ") or row["not_rated_reason"].startswith("No ")
        return {"not rated"}
    assert row["not_rated_reason"] is None
    counted = counted_failures(rating)
    codes = row["failed_core_targets"].split("; ") if row["failed_core_targets"] else []
    # As many as core_targets_failed, the counted failures in the order the method checked them.
    assert codes == [f.indicator for f in counted] and len(codes) == row["core_targets_failed"]
    words = row["failed_core_targets_words"].split("; ") if row["failed_core_targets_words"] else []
    assert len(words) == len(codes)
    definitions = frozen_definitions.run_definitions(rating.run)
    for code, text, failure in zip(codes, words, counted):
        match = FAILURE_WORDS.match(text)
        assert match, text
        indicator, definition = indicators[code], definitions[code]
        assert match["name"] == indicator.name and definition.core_threshold is not None
        if failure.reason == standings.NO_DATA:
            assert match["figure"] is None and text.endswith("(no data)")
            made.add("no data")
            continue
        made.add(match["at"])
        # "<figure> <unit> against a target of at least/at most <threshold>": the frozen direction,
        # and the figure really is on the wrong side of the run's frozen target.
        assert match["at"] == ("at least" if definition.direction == "higher_better" else "at most")
        assert (match["unit"] or "").strip() == indicator.unit
        figure, threshold = float(match["figure"]), float(match["threshold"])
        assert math.isclose(figure, failure.value, abs_tol=1e-6)
        assert math.isclose(threshold, definition.core_threshold, abs_tol=1e-6)
        assert figure < threshold if match["at"] == "at least" else figure > threshold
    not_reported = row["core_targets_not_reported"].split("; ") if row["core_targets_not_reported"] else []
    assert not_reported == [f.indicator for f in standings.core_failures(rating) if f.reason == standings.NO_DATA]
    # Failed when the year's method counts a missing figure as failed; else not failed.
    counts_missing = rating.run.parameters.get("missing_core_data", "failure") == "failure"
    assert all((code in codes) == counts_missing for code in not_reported)
    return made | ({"not reported"} if not_reported else set())


def test_every_results_column_is_what_its_documentation_says_for_every_demo_figure(demo, db):
    """Each row of every year's results file: the indicator's unit; its definition as frozen
    with the year's published run of the organisation's type (and that definition is the one
    in force that year); the figure the published rating scored, adjusted where the run says it
    adjusted it."""
    documented = {field.name: field.description for field in downloads.DATASETS["results"].fields}
    assert "after the value-added adjustment where it was made" in documented["adjusted_value"]
    assert "frozen with its published ratings" in documented["definition_from_year"]
    ratings = {(r.run.year, r.organisation.code): r for r in stored()}
    runs = {(run.year, run.organisation_type.code): run for run in
            RatingRun.objects.published().filter(year__in=YEARS).select_related("organisation_type")}
    indicators = {i.code: i for i in Indicator.objects.all()}
    figures = {(r.year, r.organisation.code, r.indicator.code): r for r in
               Result.objects.filter(year__in=YEARS).select_related("organisation__type", "indicator")}
    seen, adjusted_seen = 0, 0
    for year in YEARS:
        columns, rows = downloads.result_rows(year)
        in_force = {d.indicator.code: d for d in IndicatorDefinition.objects.in_force(year).select_related("indicator")
                    .prefetch_related("organisation_types")}
        for values in rows:
            row = dict(zip(columns, values))
            result = figures[(year, row["organisation_code"], row["indicator_code"])]
            assert row["value"] == result.value and row["indicator_name"] == result.indicator.name
            indicator = indicators[row["indicator_code"]]
            assert (row["unit"] or "") == indicator.unit
            run = runs[(year, row["organisation_type"])]
            definition = frozen_definitions.run_definitions(run).get(row["indicator_code"])
            live = in_force.get(row["indicator_code"])
            if definition is None:
                # Empty when the indicator did not apply to that type that year.
                assert row["indicator_kind"] is row["domain"] is row["direction"] is row["measure"] is None
                assert live is None or row["organisation_type"] not in {t.code for t in live.organisation_types.all()}
                assert row["adjusted_value"] is None
            else:
                assert (row["indicator_kind"], row["domain"], row["direction"], row["weight"], row["core_threshold"],
                        row["adjusted_for_deprivation"], row["measure"], row["multiplier"]) == (
                    definition.kind, definition.domain, definition.direction, definition.weight,
                    definition.core_threshold, "yes" if definition.adjust_for_deprivation else "no",
                    definition.measure, definition.multiplier)
                # The definition in force that year (nothing was edited since the demo was published).
                assert (live.kind, live.domain, live.direction, live.weight, live.core_threshold, live.measure,
                        live.multiplier) == (definition.kind, definition.domain, definition.direction,
                                             definition.weight, definition.core_threshold, definition.measure,
                                             definition.multiplier)
                assert row["definition_from_year"] == (None if live.from_year == FROM_THE_START
                                                       else format_year(live.from_year))
                assert row["organisation_type"] in definition.organisation_types
            rating = ratings.get((year, row["organisation_code"]))
            scored = standings.indicator_scores(rating).get(row["indicator_code"]) if rating else None
            if rating is None or rating.band == bands.NOT_RATED or definition is None \
                    or definition.kind != "performance" or result.value is None:
                assert row["adjusted_value"] is None or scored is not None
                if rating is None or rating.band == bands.NOT_RATED or result.value is None:
                    assert row["adjusted_value"] is None, row
            else:
                assert scored is not None and row["adjusted_value"] is not None, row
                adjustment = standings.adjustments(rating).get(row["indicator_code"])
                if adjustment is not None and adjustment.status == standings.ADJUSTED:
                    # After the value-added adjustment: the run's adjusted figure.
                    assert definition.adjust_for_deprivation
                    assert math.isclose(row["adjusted_value"], adjustment.adjusted, abs_tol=1e-6)
                    adjusted_seen += row["adjusted_value"] != row["value"]
                else:
                    # Otherwise the figure as it was then (the demo has no corrections since).
                    assert math.isclose(row["adjusted_value"], result.value, abs_tol=1e-6), row
            seen += 1
    assert seen == len([f for f in figures.values() if (f.year, f.organisation.type.code) in runs])
    assert adjusted_seen > 100


def rendered(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def table_rows(html: str) -> list[str]:
    """Each row's text, without the column names a responsive table repeats in each cell for phones."""
    rows = re.findall(r'<tr class="nhsuk-table__row"[^>]*>(.*?)</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", re.sub(r'<span class="nhsuk-table-responsive__heading"[^>]*>.*?</span>', "", row))
            for row in rows]


def test_a_sample_of_rendered_pages_says_what_the_presenters_checked(demo, db, client):
    ratings = stored([2000])
    # Home: each type's counts and the key.
    html = rendered(client, "/")
    page = pages.home(queries.band_counts(2000), queries.organisation_types(2000))
    for _, meaning in page["key"]:
        assert escape(meaning) in html
    # Browse, first page and a filtered one: each row's rank, code, band word, score and failures.
    for url in ("/ratings/2000-01/", "/ratings/2000-01/?type=PCG&band=red&sort=-score"):
        html = rendered(client, url)
        assert "Rank in its type" in html
        by_code = {r.organisation.code: r for r in ratings}
        checked = 0
        for row in table_rows(html):
            words = row.split()
            code = next((w for w in words if w in by_code), None)
            if code is None:
                continue  # the header
            rating = by_code[code]
            def shown(value):
                return "–" if value is None else str(value)
            assert words[0] == shown(rating.rank) and bands.word(rating.band).split()[0] in words
            certainty = browse_table.certainty_cell(rating.certainty).split()
            assert words[-len(certainty):] == certainty
            assert format_number(rating.score) in words
            assert words[-len(certainty) - 1] == shown(rating.core_targets_failed)
            checked += 1
        assert checked
    # A region: the counts, shares and the sentence on what they are of.
    region = Region.objects.order_by("code").first()
    html = rendered(client, f"/regions/{region.code}/2000-01/")
    _, counts, _ = queries.region_page(region.code, 2000)
    regional = pages.region_page(region, counts, queries.band_counts(2000), queries.organisation_types())
    for section in regional["comparison"]:
        assert section["shares_of"] in html
        for word, count, share, national, national_share in section["cells"]:
            assert f"{count} ({share})" in html and f"{national} ({national_share})" in html
    # One report card of each band: what the band means.
    for band in bands.CODES:
        rating = next(r for r in ratings if r.band == band)
        html = rendered(client, f"/organisations/{rating.organisation.code}/2000-01/")
        meaning = band_meanings.meaning(band, rating.run.parameters, plural_of(rating.organisation.type))
        assert escape(meaning) in html


def test_a_green_share_of_a_fifth_is_said_in_its_own_words_everywhere(demo, db, client):
    actions.update_scheme(year=2000, values={"green_share": 0.2})
    actions.recalculate(year=2000, publish=True, note="Green places for a fifth of each type.")
    ratings = stored([2000])
    assert {r.run.parameters["green_share"] for r in ratings} == {0.2}
    for run, of_run in by_run(ratings).items():
        for rating in of_run:
            assert_meaning_is_true(rating, of_run)
    html = rendered(client, "/")
    assert "At most a fifth of the rated organisations of its type can be green" in html
    assert "quarter" not in html
    green = next(r for r in ratings if r.band == bands.GREEN)
    card = rendered(client, f"/organisations/{green.organisation.code}/2000-01/")
    plural = plural_of(green.organisation.type)
    assert f"At most a fifth of the rated {plural} can be green" in card
    assert "best quarter of its type" not in card
    # Fewer green places than under a quarter: q is a fifth of the rated, rounded down.
    for run, of_run in by_run(ratings).items():
        rated = sum(r.band != bands.NOT_RATED for r in of_run)
        assert {r.green_quota for r in of_run if r.band != bands.NOT_RATED} == {math.floor(0.2 * rated + 1e-9)}
    assert OrganisationType.objects.exists()
