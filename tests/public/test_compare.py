"""The compare page: two to four organisations of one type side by side in a
year's published ratings, as a shareable URL; refused, in words, for more than
four or mixed types; linked from the report card and the browse page."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Organisation
from public.formatting import format_number, ordinal
from public.queries import MAX_COMPARED
from ratings import actions
from ratings.frozen_definitions import performance_definitions
from ratings.models import Rating, RatingRun

URL = "/compare/2000-01/"


def ratings_of(type_code, count):
    return list(Rating.objects.filter(run__year=2000, run__status="published", organisation__type__code=type_code,
                                      rank__isnull=False)
                .select_related("organisation", "run").order_by("rank")[:count])


def query(*codes):
    return URL + "?" + "&".join(f"organisation={code}" for code in codes)


def test_two_to_four_organisations_side_by_side(small_site, client):
    ratings = ratings_of(small_site.type_code, 4)
    html = client.get(query(*(r.organisation.code for r in ratings))).content.decode()
    summary = html[html.index('id="summary"'):html.index('id="why"')]
    for rating in ratings:
        row = summary[summary.index(f'>{rating.organisation.name}</a>'):]
        row = row[:row.index("</tr>")]
        assert f"<span>{format_number(rating.score)}</span>" in row
        assert f"<span>{ordinal(rating.rank)} of {rating.run.rated_count}</span>" in row
        assert f"{rating.band.capitalize()}</strong>" in row
    indicators = html[html.index('id="indicators"'):]
    assert indicators.count('role="rowheader"') == len(performance_definitions(ratings[0].run)), "every indicator"
    assert 'class="app-chart"' in html and "Final scores, 2000-01" in html  # the chart, its table above


def test_the_url_is_shareable_codes_in_any_case_and_the_latest_year_by_default(small_site, client):
    first, second = ratings_of(small_site.type_code, 2)
    codes = (first.organisation.code.lower(), f" {second.organisation.code} ")
    html = client.get(query(*codes)).content.decode()
    heading = '<span class="nhsuk-table-responsive__heading" aria-hidden="true">Organisation </span>'
    assert html.count(f'role="rowheader">{heading}') == 2
    response = client.get(f"/compare/?organisation={first.organisation.code}&organisation={second.organisation.code}")
    assert response.status_code == 302
    assert response["Location"] == query(first.organisation.code, second.organisation.code)


def test_more_than_four_are_refused_without_reading_any_rating(small_site, client):
    codes = [r.organisation.code for r in ratings_of(small_site.type_code, MAX_COMPARED + 1)]
    with CaptureQueriesContext(connection) as queries:
        html = client.get(query(*codes)).content.decode()
    assert f"Choose at most {MAX_COMPARED} organisations to compare: you chose {MAX_COMPARED + 1}." in html
    assert 'id="summary"' not in html
    assert not any(re.search(r"ratings_rating\b", q["sql"]) for q in queries.captured_queries)


def test_organisations_of_different_types_are_refused(small_site, client):
    trust = ratings_of("TRUST", 1)[0].organisation
    authority = ratings_of("HA", 1)[0].organisation
    html = client.get(query(trust.code, authority.code)).content.decode()
    assert "Only organisations of one type can be compared" in html
    assert f"{trust.name} ({trust.code}): {trust.type.name.lower()}" in html
    assert 'id="summary"' not in html


def test_an_unknown_code_is_named(small_site, client):
    html = client.get(query(small_site.organisation.code, "NOPE")).content.decode()
    assert "There is no organisation with the code NOPE." in html


def test_only_published_ratings_are_compared(small_site, client):
    first, second = ratings_of(small_site.type_code, 2)
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    actions.withdraw_run(run=run, reason="Wrong figures.")
    html = client.get(query(first.organisation.code, second.organisation.code)).content.decode()
    assert f"{first.organisation.name} ({first.organisation.code}) has no published rating for this year." in html
    assert 'id="summary"' not in html
    assert client.get("/compare/1990-91/").status_code == 404


def test_one_organisation_is_offered_those_ranked_near_it(small_site, client):
    rating = ratings_of(small_site.type_code, 3)[1]
    html = client.get(query(rating.organisation.code)).content.decode()
    near = Rating.objects.filter(run=rating.run, rank__range=(rating.rank - 2, rating.rank + 2)).exclude(pk=rating.pk)
    offered = re.findall(r'\?organisation=(\w+)&amp;organisation=(\w+)">Compare with', html)
    assert offered and {other for _, other in offered} <= set(near.values_list("organisation__code", flat=True))
    assert {code for code, _ in offered} == {rating.organisation.code}
    assert f'value="{rating.organisation.code}"' in html  # the form keeps the organisation chosen


def test_linked_from_the_report_card_and_the_browse_page(small_site, client):
    code = small_site.organisation.code
    card = client.get(f"/organisations/{code}/2000-01/").content.decode()
    assert f'href="{URL}?organisation={code}"' in card
    assert f'href="{URL}"' in client.get("/ratings/2000-01/").content.decode()


def test_the_form_is_a_get_form_of_four_fields(small_site, client):
    html = client.get(URL).content.decode()
    form = html[html.index('<form method="get" action="/compare/2000-01/"'):]
    form = form[:form.index("</form>")]
    assert form.count('name="organisation"') == MAX_COMPARED
    assert Organisation.objects.exists()
