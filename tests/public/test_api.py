"""The public API (/api/v1/): what each endpoint serves, against the stored
records; its filters, order and pages; the card as data against the card's
facts; the publication rule; caching, ETags, CORS and the rate limit."""

import pytest
from django.core.cache import cache

from indicators.models import Organisation, Result
from ratings import actions, standings
from ratings.models import BandConsequence, Rating, RatingRun

API = "/api/v1"


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response.json() if response.content else None


def all_pages(client, url):
    rows = []
    while url:
        page = get(client, url)
        rows.extend(page["results"])
        url = page["next"]
    return rows


def test_years_are_the_published_ones_with_their_types(small_site, client):
    years = get(client, f"{API}/years/")
    assert [y["year"] for y in years] == ["2000-01", "1999-00"]
    assert years[0]["types"] == sorted(RatingRun.objects.published().filter(year=2000)
                                       .values_list("organisation_type__code", flat=True))


def test_ratings_list_every_published_rating_with_its_stored_figures(small_site, client):
    rows = all_pages(client, f"{API}/ratings/?page_size=5")
    published = Rating.objects.filter(run__in=RatingRun.objects.published()).select_related("organisation", "run")
    assert len(rows) == published.count() and len({(r["organisation"], r["year"]) for r in rows}) == len(rows)
    stored = {(r.organisation.code, f"{r.run.year}-{(r.run.year + 1) % 100:02d}"): r for r in published}
    for row in rows:
        rating = stored[(row["organisation"], row["year"])]
        assert (row["band"], row["score"], row["rank"], row["run"], row["gap_to_green"]) == (
            rating.band, rating.score, rating.rank, rating.run_id, rating.gap_to_green)
        assert row["type"] == rating.organisation.type.code and row["rated_count"] == rating.run.rated_count


def test_ratings_filters(small_site, client):
    rating = Rating.objects.filter(run__in=RatingRun.objects.published().filter(year=2000), rank__isnull=False) \
        .select_related("organisation__region", "organisation__type").first()
    organisation = rating.organisation
    rows = all_pages(client, f"{API}/ratings/?year=2000-01&type={organisation.type.code}"
                             f"&region={organisation.region.code}&band={rating.band}")
    expected = Rating.objects.filter(run__in=RatingRun.objects.published().filter(year=2000), band=rating.band,
                                     organisation__type=organisation.type, organisation__region=organisation.region)
    assert sorted(r["organisation"] for r in rows) == sorted(expected.values_list("organisation__code", flat=True))
    assert organisation.code in {r["organisation"] for r in rows}
    assert get(client, f"{API}/ratings/?organisation={organisation.code}")["count"] == 2  # both years


@pytest.mark.parametrize("sort,key,reverse", [("score", "score", False), ("-score", "score", True),
                                               ("rank", "rank", False), ("-name", "organisation_name", True)])
def test_ratings_sort_with_the_missing_last_and_pages_that_do_not_overlap(small_site, client, sort, key, reverse):
    rows = all_pages(client, f"{API}/ratings/?year=2000-01&sort={sort}&page_size=3")
    present = [r[key] for r in rows if r[key] is not None]
    assert present == sorted(present, reverse=reverse)
    assert all(r[key] is not None for r in rows[:len(present)])  # nulls (not rated) last, either way
    assert len({r["organisation"] for r in rows}) == len(rows) == Rating.objects.filter(
        run__in=RatingRun.objects.published().filter(year=2000)).count()


def test_a_refused_parameter_is_a_400_naming_it(small_site, client):
    for url, name in [(f"{API}/ratings/?year=2000", "year"), (f"{API}/ratings/?year=2000-05", "year"),
                      (f"{API}/ratings/?band=blue", "band"), (f"{API}/ratings/?sort=coverage", "sort"),
                      (f"{API}/indicators/?year=twenty", "year"), (f"{API}/organisations/?open_in=x", "open_in")]:
        body = get(client, url, status=400)
        assert name in body["errors"], url
    assert get(client, f"{API}/ratings/?page=999", status=404)["detail"]


def test_organisations_search_filter_and_successors(small_site, client):
    organisation = small_site.organisation
    found = get(client, f"{API}/organisations/?q={organisation.name[:6].lower()}")["results"]
    assert organisation.code in [o["code"] for o in found]
    assert [o["code"] for o in get(client, f"{API}/organisations/?q={organisation.code}")["results"]] == [
        organisation.code]
    of_type = all_pages(client, f"{API}/organisations/?type={organisation.type.code}")
    assert {o["type"]["code"] for o in of_type} == {organisation.type.code}
    assert len(of_type) == Organisation.objects.filter(type=organisation.type).count()

    old = Organisation.objects.exclude(pk=organisation.pk).filter(type=organisation.type).first()
    Organisation.objects.filter(pk=old.pk).update(successor=organisation, closed=1999)
    cache.clear()
    shown = get(client, f"{API}/organisations/{old.code}/")
    assert shown["successor"] == organisation.code and shown["closed"] == "1999-00"
    assert old.code in get(client, f"{API}/organisations/{organisation.code}/")["predecessors"]
    listed = {o["code"]: o for o in all_pages(client, f"{API}/organisations/?type={organisation.type.code}")}
    card = get(client, f"{API}/organisations/{organisation.code}/report-cards/2000-01/")
    # The same organisation the same way in the list, alone and on its card.
    assert card["organisation"] == listed[organisation.code] and old.code in card["organisation"]["predecessors"]
    assert listed[old.code]["successor"] == organisation.code
    assert [o["code"] for o in get(client, f"{API}/organisations/?successor={organisation.code}")["results"]] == [
        old.code]
    assert old.code not in [o["code"] for o in all_pages(client, f"{API}/organisations/?open_in=2000-01")]


def test_an_organisation_lists_its_published_ratings(small_site, client):
    organisation = small_site.organisation
    shown = get(client, f"{API}/organisations/{organisation.code}/")
    assert [(r["year"], r["band"]) for r in shown["ratings"]] == [
        (f"{r.run.year}-{(r.run.year + 1) % 100:02d}", r.band) for r in
        Rating.objects.filter(organisation=organisation, run__in=RatingRun.objects.published()).order_by("run__year")]
    get(client, f"{API}/organisations/NOPE/", status=404)


def test_the_card_is_the_card_facts_of_the_stored_rating(small_site, client):
    organisation = small_site.organisation
    card = get(client, f"{API}/organisations/{organisation.code}/report-cards/2000-01/")
    rating = Rating.objects.select_related("run").get(organisation=organisation,
                                                      run__in=RatingRun.objects.published().filter(year=2000))
    assert (card["band"], card["score"], card["run"]["id"]) == (rating.band, rating.score, rating.run_id)
    scores = standings.indicator_scores(rating)
    assert {row["code"] for row in card["indicators"]} == {
        code for code, d in rating.run.definitions.items() if d["kind"] == "performance"}
    for row in card["indicators"]:
        stored = scores.get(row["code"])
        assert row["value"] == (stored.value if stored else None) and row["z"] == (stored.z if stored else None)
        assert row["core_result"] in {"met", "missed", "no_data", "not_counted", "not_core"}
        assert (row["core_threshold"] is None) == (row["core_result"] == "not_core")
        if row["standing"]:
            assert list(row["standing"].values()) == list(rating.peer_standings[row["code"]])
    reason = standings.band_reason(rating, rating.run.parameters, rating.run.rated_count)
    assert card["reason"]["rule"] == reason.rule.name.lower()
    assert card["reason"]["failures"] == [f._asdict() for f in reason.failures]
    assert card["parameters"] == rating.run.parameters
    assert [h["year"] for h in card["history"]] == ["1999-00", "2000-01"]
    assert [v["current"] for v in card["versions"]] == [True]
    assert card["provenance"]["values"] == Result.objects.filter(organisation=organisation, year=2000).count()
    get(client, f"{API}/organisations/{organisation.code}/report-cards/1990-91/", status=404)


def test_a_red_card_counts_its_failures_and_reaches_its_consequences(large_site, client):
    # The small site has no red organisation; the large one has.
    red = Rating.objects.filter(run__in=RatingRun.objects.published().filter(year=2000), band="red").first()
    BandConsequence.objects.all().delete()  # the migration's own ladder, replaced by a known one
    BandConsequence.objects.create(band="red", consecutive_years=1, title="Monitoring")
    BandConsequence.objects.create(band="red", consecutive_years=9, title="Franchise")
    card = get(client, f"{API}/organisations/{red.organisation.code}/report-cards/2000-01/")
    assert card["reason"]["rule"] == "failed_core_targets"
    assert len(card["reason"]["counted_failures"]) >= card["parameters"]["red_core_failures"]
    assert card["consecutive_years_in_band"] >= 1
    assert [(c["title"], c["reached"]) for c in card["consequences"]] == [("Monitoring", True), ("Franchise", False)]


def test_a_withdrawn_card_is_a_410_with_the_reason(small_site, client):
    organisation = small_site.organisation
    run = RatingRun.objects.published().get(year=2000, organisation_type=organisation.type)
    actions.withdraw_run(run=run, reason="Figures were wrong.")
    gone = get(client, f"{API}/organisations/{organisation.code}/report-cards/2000-01/", status=410)
    assert gone["withdrawal_reason"] == "Figures were wrong." and gone["withdrawn_at"]
    assert organisation.code not in [r["organisation"] for r in all_pages(client, f"{API}/ratings/?year=2000-01")]


def test_indicators_carry_their_definitions_by_published_year(small_site, client):
    indicators = {i["code"]: i for i in get(client, f"{API}/indicators/")}
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    for code, frozen in run.definitions.items():
        [definition] = [d for d in indicators[code]["definitions"] if d["year"] == "2000-01"]
        assert small_site.type_code in definition["organisation_types"]
        assert (definition["direction"], definition["core_threshold"], definition["weight"]) == (
            frozen["direction"], frozen["core_threshold"], frozen["weight"])
    assert [d["year"] for d in indicators[small_site.indicator_code]["definitions"]] == ["2000-01", "1999-00"]
    of_year = get(client, f"{API}/indicators/?year=2000-01")
    assert all([d["year"] for d in i["definitions"]] == ["2000-01"] for i in of_year)
    assert get(client, f"{API}/indicators/{small_site.indicator_code}/")["code"] == small_site.indicator_code


def test_results_of_published_years_by_cursor(small_site, client):
    code = small_site.organisation.code
    rows = all_pages(client, f"{API}/results/?organisation={code}&page_size=3")
    held = Result.objects.filter(organisation__code=code, year__in=[1999, 2000])
    assert sorted((r["indicator"], r["year"], r["value"]) for r in rows) == sorted(
        (r.indicator.code, f"{r.year}-{(r.year + 1) % 100:02d}", r.value) for r in held)
    assert {r["year"] for r in all_pages(client, f"{API}/results/?year=2000-01&indicator="
                                                 f"{small_site.indicator_code}&page_size=50")} == {"2000-01"}
    RatingRun.objects.filter(year=1999).update(status="draft", published_at=None)
    cache.clear()
    assert {r["year"] for r in all_pages(client, f"{API}/results/?organisation={code}")} == {"2000-01"}


def test_runs_and_publications_with_a_correction_and_a_withdrawal(small_site, client):
    old = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    [new] = actions.recalculate(year=2000, type_codes=[small_site.type_code], publish=True, note="Late returns.")
    other = RatingRun.objects.published().filter(year=2000).exclude(pk=new.pk).get()
    actions.withdraw_run(run=other, reason="Wrong figures.")
    runs = get(client, f"{API}/runs/?year=2000-01")["results"]
    assert [(r["id"], r["revision_note"]) for r in runs] == [(new.pk, "Late returns.")]
    assert runs[0]["parameters"] == new.parameters
    publications = {p["run"]: p for p in get(client, f"{API}/publications/?year=2000-01")["results"]}
    assert publications[old.pk]["status"] == "superseded"
    assert (publications[new.pk]["status"], publications[new.pk]["corrects"]) == ("current", old.pk)
    assert (publications[other.pk]["status"], publications[other.pk]["withdrawal_reason"]) == (
        "withdrawn", "Wrong figures.")


def test_runs_and_publications_come_a_numbered_page_at_a_time_in_a_fixed_order(small_site, client):
    # Two corrections of one type: publications of one year and type on different pages.
    for note in ("Late returns.", "More late returns."):
        actions.recalculate(year=2000, type_codes=[small_site.type_code], publish=True, note=note)
    runs = all_pages(client, f"{API}/runs/?page_size=1")
    assert [r["id"] for r in runs] == list(RatingRun.objects.published().order_by(
        "-year", "organisation_type__code", "pk").values_list("pk", flat=True))
    first = get(client, f"{API}/runs/?page_size=1")
    assert first["count"] == len(runs) == 4 and first["previous"] is None and "page=2" in first["next"]
    publications = all_pages(client, f"{API}/publications/?page_size=2")
    seen = RatingRun.objects.ever_public().order_by("year", "organisation_type__code", "published_at", "pk")
    assert [p["run"] for p in publications] == list(seen.values_list("pk", flat=True))
    # Each correction names the run it replaced, across pages.
    chain = [p for p in publications if p["year"] == "2000-01" and p["type"] == small_site.type_code]
    assert [p["corrects"] for p in chain] == [None, chain[0]["run"], chain[1]["run"]]
    assert [p["status"] for p in chain] == ["superseded", "superseded", "current"]
    assert get(client, f"{API}/publications/?page_size=1001", status=200)["results"] == get(
        client, f"{API}/publications/?page_size=1000")["results"]  # capped at 1,000, as the ratings


def test_releases_announce_the_year_type_and_time_of_each_scheduled_publication(small_site, client):
    from datetime import datetime, timedelta

    from django.utils import timezone

    assert get(client, f"{API}/releases/") == {"count": 0, "next": None, "previous": None, "results": []}
    [correction] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    release = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    actions.publish_run(run=correction, at=release, note="SECRET: late returns.")
    response = client.get(f"{API}/releases/")
    assert b"SECRET" not in response.content
    [row] = response.json()["results"]
    announced = row.pop("announced_at")
    assert row == {"year": "2000-01", "type": small_site.type_code, "type_name": correction.organisation_type.name,
                   "publish_at": row["publish_at"], "corrects": True}
    assert datetime.fromisoformat(row["publish_at"]) == release
    assert datetime.fromisoformat(announced) <= timezone.now()


def test_answers_are_cached_under_the_publication_state(small_site, client, django_assert_num_queries):
    url = f"{API}/ratings/?year=2000-01"
    first = client.get(url).content
    with django_assert_num_queries(1):  # the publication state
        assert client.get(url).content == first
    Organisation.objects.filter(pk=small_site.organisation.pk).update(name="Renamed")
    assert client.get(url).content == first
    actions.recalculate(year=2000, publish=True, note="Corrected.")
    assert b"Renamed" in client.get(url).content


def test_etag_and_cache_control_let_clients_revalidate(small_site, client, settings):
    settings.API_CLIENT_CACHE_SECONDS = 120
    response = client.get(f"{API}/years/")
    assert response["Cache-Control"] == "public, max-age=120" and response["ETag"]
    again = client.get(f"{API}/years/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content
    assert client.get(f"{API}/years/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_cors_is_open_for_reading_the_api_only(small_site, client):
    response = client.get(f"{API}/years/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(f"{API}/ratings/", HTTP_ORIGIN="https://example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert not client.get("/", HTTP_ORIGIN="https://example.org").has_header("Access-Control-Allow-Origin")


def test_the_api_only_reads(small_site, client):
    for method in (client.post, client.put, client.delete, client.patch):
        assert method(f"{API}/ratings/").status_code == 405


def test_the_rate_limit_is_per_client_address_and_can_be_turned_off(small_site, client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    url = f"{API}/years/"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]  # the 2nd and 3rd from the cache
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0 and refused.json()["detail"]
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200  # another address
    settings.API_RATE_LIMIT = ""
    assert client.get(url).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(small_site, client, settings):
    settings.API_RATE_LIMIT = "1/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    url = f"{API}/years/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_the_schema_is_served_and_names_every_endpoint(db, client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {f"{API}/{path}" for path in (
        "years/", "organisations/", "organisations/{code}/", "organisations/{code}/report-cards/{year}/",
        "ratings/", "indicators/", "indicators/{code}/", "results/", "runs/", "publications/", "releases/")}


def test_an_address_no_endpoint_matches_is_a_json_404(db, client):
    for url in (f"{API}/nothing/", f"{API}/organisations/Q01/report-cards/0000-00/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, url
    assert client.get("/nothing/")["Content-Type"].startswith("text/html")


# Band certainty and why a band changed (issues 15 and 16), as the card and the downloads show them.

def certainty_word_of(certainty):
    if certainty is None:
        return None
    return "very likely" if certainty >= 0.95 else "likely" if certainty >= 0.80 else "uncertain"


CERTAINTY_FIELDS = ("certainty", "p_green", "p_yellow", "p_red", "p_not_rated", "rank_low", "rank_high",
                    "p_change_real", "change_reason")


def test_every_rating_carries_its_stored_band_certainty_and_change_reason(small_site, client):
    rows = all_pages(client, f"{API}/ratings/?page_size=50")
    stored = {(r.organisation.code, r.run.year): r for r in Rating.objects.filter(
        run__in=RatingRun.objects.published()).select_related("organisation", "run")}
    assert len(rows) == len(stored)
    for row in rows:
        rating = stored[(row["organisation"], int(row["year"][:4]))]
        assert [row[field] for field in CERTAINTY_FIELDS] == [getattr(rating, f) for f in CERTAINTY_FIELDS], row
        assert row["certainty_word"] == certainty_word_of(rating.certainty)
    assert any(row["certainty"] is not None for row in rows) and any(row["change_reason"] for row in rows)


def test_ratings_filter_by_uncertain_either_way_and_sort_by_certainty_with_the_missing_last(small_site, client):
    everything = all_pages(client, f"{API}/ratings/?page_size=50")
    key = lambda row: (row["organisation"], row["year"])  # noqa: E731
    uncertain = all_pages(client, f"{API}/ratings/?uncertain=true&page_size=3")
    sure = all_pages(client, f"{API}/ratings/?uncertain=false&page_size=3")
    assert sorted(map(key, uncertain)) == sorted(
        key(row) for row in everything if row["certainty"] is not None and row["certainty"] < 0.80)
    assert sorted(map(key, sure)) == sorted(
        key(row) for row in everything if row["certainty"] is not None and row["certainty"] >= 0.80)
    assert uncertain and sure
    for sort, reverse in (("certainty", False), ("-certainty", True)):
        rows = all_pages(client, f"{API}/ratings/?sort={sort}&page_size=4")
        present = [row["certainty"] for row in rows if row["certainty"] is not None]
        assert present == sorted(present, reverse=reverse)
        assert all(row["certainty"] is None for row in rows[len(present):]) and len(rows) == len(everything)


def test_every_cards_certainty_and_band_change_are_the_stored_records(small_site, client):
    published = RatingRun.objects.published()
    previous = {(r.organisation_id, r.run.year): r for r in Rating.objects.filter(run__in=published)
                .select_related("run")}
    with_certainty = with_change = 0
    for rating in Rating.objects.filter(run__in=published.filter(year=2000)).select_related("run", "organisation"):
        card = get(client, f"{API}/organisations/{rating.organisation.code}/report-cards/2000-01/")
        before = previous.get((rating.organisation_id, 1999))
        if rating.certainty is None or rating.band == "not_rated":
            assert card["certainty"] is None
        else:
            with_certainty += 1
            shown = card["certainty"]
            assert [shown[field] for field in ("certainty", "p_green", "p_yellow", "p_red", "p_not_rated", "rank",
                                               "rank_low", "rank_high")] == [
                rating.certainty, rating.p_green, rating.p_yellow, rating.p_red, rating.p_not_rated, rating.rank,
                rating.rank_low, rating.rank_high]
            assert shown["word"] == certainty_word_of(rating.certainty)
            assert (shown["draws"], shown["seed"]) == (rating.run.parameters["uncertainty_draws"],
                                                       rating.run.parameters["uncertainty_seed"])
            judged = (rating.p_change_real is not None and before is not None and before.band != rating.band
                      and before.run_id == rating.run.change_baseline_id)
            assert shown["band_before"] == (before.band if judged else None)
            assert shown["p_change_real"] == (rating.p_change_real if judged else None)
            assert shown["change_significance"] == (
                None if not judged else "a real change" if rating.p_change_real >= 0.95 else "could be chance")
        stored = rating.decomposition
        if not stored:
            assert card["change"] is None
            continue
        with_change += 1
        change = card["change"]
        assert change["compared_with"] == stored["compared_with"] == before.run_id
        assert change["year_before"] == "1999-00"
        for field in ("band_before", "band_after", "margin_before", "margin_after", "change", "own", "others",
                      "method", "corrections", "no_margin_reason", "band_if_others_stood_still",
                      "band_under_last_years_method", "main_reason", "core_changes", "margins", "bands"):
            assert change[field] == stored[field], field
        assert change["band_after"] == rating.band and change["band_before"] == before.band
        assert change["main_reason"] == rating.change_reason
    assert with_certainty and with_change


def test_a_cards_band_change_is_not_shown_once_the_rating_it_was_compared_with_is_withdrawn(small_site, client):
    rating = (Rating.objects.filter(run__in=RatingRun.objects.published().filter(year=2000))
              .filter(decomposition__isnull=False).select_related("organisation", "run").first())
    url = f"{API}/organisations/{rating.organisation.code}/report-cards/2000-01/"
    assert get(client, url)["change"]["compared_with"] == rating.decomposition["compared_with"]
    actions.withdraw_run(run=RatingRun.objects.get(pk=rating.decomposition["compared_with"]), reason="Wrong.")
    cache.clear()
    card = get(client, url)
    assert card["change"] is None and card["band"] == rating.band
