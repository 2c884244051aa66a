"""Withdrawals and corrections, seen from the public site: a corrected card
says what was corrected and when, the version it replaced stays reachable,
and withdrawn ratings leave a notice rather than a silent 404."""

import csv
import io
from html import unescape
from datetime import timedelta

from django.utils import timezone

from indicators.models import Organisation
from ratings import actions
from ratings.models import Rating, RatingRun

MARKER_SCORE = 876.54321


def card_url(organisation, year="2000-01"):
    return f"/organisations/{organisation.code}/{year}/"


def version_url(organisation, run, year="2000-01"):
    return f"/organisations/{organisation.code}/{year}/versions/{run.pk}/"


def long_date(moment):
    moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%B %Y}"


def text(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.getvalue().decode()  # downloads are streamed


def current_run(site, year=2000):
    return RatingRun.objects.published().get(year=year, organisation_type__code=site.type_code)


def mark_old_rating(site, run):
    """The organisation's rating in `run` gets a score and band the correction will not have."""
    rating = Rating.objects.get(run=run, organisation=site.organisation)
    band = "red" if rating.band != "red" else "green"
    Rating.objects.filter(pk=rating.pk).update(score=MARKER_SCORE, band=band)
    return band


def correct(site, note="Mortality figures for one trust were corrected."):
    [run] = actions.recalculate(year=2000, type_codes=[site.type_code], publish=True, note=note)
    return run


def test_a_correction_shows_its_note_and_date_on_the_card(small_site, client):
    before = text(client, card_url(small_site.organisation))
    assert "Revisions" not in before and "Corrected on" not in before
    old = current_run(small_site)
    new = correct(small_site)
    for url in (card_url(small_site.organisation), f"/organisations/{small_site.organisation.code}/"):
        html = text(client, url)
        assert 'id="revisions">Revisions</h2>' in html
        assert f"First published on {long_date(old.published_at)}." in html
        assert f"Corrected on {long_date(new.published_at)}: Mortality figures for one trust were corrected." in html
        assert f'href="{version_url(small_site.organisation, old)}">See the ratings as published on ' \
               f'{long_date(old.published_at)}</a>' in html
        # Placed under the band, before the rest of the card.
        assert html.index("app-band-large") < html.index("Revisions") < html.index("What ")
    # Another year of the same organisation was never revised.
    assert "Revisions" not in text(client, card_url(small_site.organisation, "1999-00"))


def test_the_previous_version_shows_the_old_band_and_score_with_a_notice(small_site, client):
    old = current_run(small_site)
    old_band = mark_old_rating(small_site, old)
    new = correct(small_site, note="Late returns added")
    current = Rating.objects.get(run=new, organisation=small_site.organisation)

    html = text(client, version_url(small_site.organisation, old))
    assert '<meta name="robots" content="noindex">' in html
    assert (f"This is a previous version of these ratings, published on {long_date(old.published_at)}. "
            f"It was replaced on {long_date(new.published_at)}: Late returns added.") in html
    assert f'<a href="{card_url(small_site.organisation)}">See the current ratings</a>' in html
    band = html[html.index("app-band-large"):]
    assert f"nhsuk-tag--{old_band} app-band-tag" in band[:band.index("</div>")]
    assert "876.54" in html
    assert html.index("Previous version") < html.index("app-band-large")
    # The version being shown links to no version of itself; the current card is as corrected.
    assert f'href="{version_url(small_site.organisation, old)}"' not in html
    card = text(client, card_url(small_site.organisation))
    revisions = card[card.index('id="revisions"'):card.index("</section>", card.index('id="revisions"'))]
    assert "from 876.54 to" in revisions  # the correction's change, said under the band...
    card = card.replace(revisions, "")
    assert "876.54" not in card and "noindex" not in card and "previous version" not in card  # ...and nowhere else
    assert f"nhsuk-tag--{current.band if current.band != 'not_rated' else 'grey'}" in card


def test_a_corrected_card_says_whether_and_how_this_organisations_band_and_score_changed(small_site, client):
    from public.formatting import format_number
    from ratings import bands

    organisation = small_site.organisation
    first = current_run(small_site)
    unchanged = correct(small_site, note="Nothing of substance")
    current = Rating.objects.get(run=unchanged, organisation=organisation)
    band, score = bands.word(current.band).lower(), format_number(current.score)
    html = unescape(text(client, card_url(organisation)))
    assert (f"Corrected on {long_date(unchanged.published_at)}: Nothing of substance. "
            f"This organisation's band ({band}) and score ({score}) did not change.") in html
    # The score alone changed in the next correction (the version it corrected is marked so).
    Rating.objects.filter(run=unchanged, organisation=organisation).update(score=MARKER_SCORE)
    score_only = correct(small_site, note="Scores")
    html = unescape(text(client, card_url(organisation)))
    assert (f"Scores. This organisation's band did not change ({band}); its score changed from "
            f"{format_number(MARKER_SCORE)} to {score}.") in html
    # Band and score both changed.
    old_band = "red" if current.band != "red" else "green"
    Rating.objects.filter(run=score_only, organisation=organisation).update(score=MARKER_SCORE, band=old_band)
    correct(small_site, note="Bands")
    html = unescape(text(client, card_url(organisation)))
    assert (f"Bands. This organisation's band changed from {old_band} to {band}, and its score from "
            f"{format_number(MARKER_SCORE)} to {score}.") in html
    # Each correction is held against the version just before it, oldest first, on every version's page.
    assert html.index("Nothing of substance") < html.index("Scores.") < html.index("Bands.")
    # An earlier version's page lists the same (the scores marked above are what the records now say).
    assert (f"Nothing of substance. This organisation's band did not change ({band}); its score changed from "
            f"{score} to {format_number(MARKER_SCORE)}." in unescape(text(client, version_url(organisation, first))))


def test_the_current_version_redirects_to_the_card(small_site, client):
    response = client.get(version_url(small_site.organisation, current_run(small_site)))
    assert response.status_code == 302 and response["Location"] == card_url(small_site.organisation)


def test_only_replaced_versions_the_public_saw_are_reachable(small_site, client):
    organisation = small_site.organisation
    old = current_run(small_site)
    correct(small_site)
    assert client.get(version_url(organisation, old)).status_code == 200
    [draft] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    assert client.get(version_url(organisation, draft)).status_code == 404
    [scheduled] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    actions.publish_run(run=scheduled, at=timezone.now() + timedelta(hours=1), note="Another correction.")
    assert client.get(version_url(organisation, scheduled)).status_code == 404
    # Another organisation's code: one of another type (not in the run), and one the run does not rate.
    other_type = Organisation.objects.exclude(type=organisation.type).filter(ratings__run__year=2000).first()
    assert client.get(version_url(other_type, old)).status_code == 404
    unrated = Organisation.objects.filter(type=organisation.type).exclude(ratings__run=old).first()
    if unrated is None:  # every organisation of the type is rated: make one that is not
        unrated = Organisation.objects.create(code="ZZ9", name="New Health Authority", type=organisation.type,
                                              region=organisation.region)
    assert client.get(version_url(unrated, old)).status_code == 404
    assert client.get(version_url(organisation, old, year="1999-00")).status_code == 404  # the wrong year
    assert client.get(f"/organisations/NOPE/2000-01/versions/{old.pk}/").status_code == 404
    # A withdrawn run is never shown as a version, even one the public saw.
    current = current_run(small_site)
    actions.withdraw_run(run=current, reason="The correction was wrong too.")
    assert client.get(version_url(organisation, current)).status_code == 404
    assert client.get(version_url(organisation, old)).status_code == 200  # the earlier one still is


def test_a_withdrawal_leaves_a_notice_on_the_card_and_the_browse_page(small_site, client):
    organisation = small_site.organisation
    run = current_run(small_site)
    actions.withdraw_run(run=run, reason="A return from one region was wrong.")
    run.refresh_from_db()
    plural = (organisation.type.plural_name or f"{organisation.type.name}s").lower()
    notice = (f"The 2000-01 ratings of {plural} were withdrawn on {long_date(run.withdrawn_at)}: "
              f"A return from one region was wrong.")

    html = text(client, card_url(organisation), status=410)
    assert notice in html and f"{organisation.name}: report card 2000-01" in html
    assert f'<a href="{card_url(organisation, "1999-00")}">1999-00</a>' in html  # its other published years
    assert "Revisions" in html and f"Withdrawn on {long_date(run.withdrawn_at)}" in html
    assert "/versions/" not in html  # a withdrawn run is not offered as a version
    # The latest card says so too, never silently showing the year before (tests/public/test_paths.py).
    latest = text(client, f"/organisations/{organisation.code}/", status=410)
    assert notice in latest and "report card 1999-00" not in latest
    # The year's other type is still there, with the notice above it.
    browse = text(client, "/ratings/2000-01/")
    assert notice in browse and 'class="nhsuk-table' in browse
    assert organisation.name not in browse
    # Every type withdrawn: the year's page is the notices alone.
    for other in RatingRun.objects.published().filter(year=2000):
        actions.withdraw_run(run=other, reason="Everything was wrong.")
    everything = text(client, "/ratings/2000-01/", status=410)
    assert notice in everything and everything.count("Everything was wrong.") == 1
    assert '<a href="/ratings/1999-00/">1999-00</a>' in everything
    # Nothing more than before: a year never published is still a plain 404.
    assert client.get("/ratings/1990-91/").status_code == 404


def test_a_correction_after_a_withdrawal_lists_both_in_order(small_site, client):
    organisation = small_site.organisation
    withdrawn = current_run(small_site)
    actions.withdraw_run(run=withdrawn, reason="A return from one region was wrong.")
    withdrawn.refresh_from_db()
    correction = correct(small_site, note="The return of one region was replaced.")
    html = text(client, card_url(organisation))
    first = html.index(f"First published on {long_date(withdrawn.published_at)}.")
    withdrawal = html.index(f"Withdrawn on {long_date(withdrawn.withdrawn_at)}: A return from one region was wrong.")
    corrected = html.index(f"Corrected on {long_date(correction.published_at)}: The return of one region was replaced.")
    assert first < withdrawal < corrected
    assert "/versions/" not in html  # the only earlier version was withdrawn
    assert "withdrawn on" not in text(client, "/ratings/2000-01/")  # replaced: no notice any more


def test_a_run_withdrawn_before_its_time_leaves_no_trace(small_site, client):
    [scheduled] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    actions.publish_run(run=scheduled, at=timezone.now() + timedelta(hours=1), note="A secret correction.")
    actions.withdraw_run(run=scheduled, reason="A secret reason.")
    for url in (card_url(small_site.organisation), "/ratings/2000-01/"):
        html = text(client, url)
        assert "secret" not in html and "Revisions" not in html and "withdrawn" not in html


def test_list_pages_and_downloads_never_include_withdrawn_or_superseded_ratings(small_site, client):
    organisation = small_site.organisation
    superseded = current_run(small_site)
    Rating.objects.filter(run=superseded).update(score=MARKER_SCORE, level_score=MARKER_SCORE)
    correct(small_site)
    other = RatingRun.objects.published().exclude(organisation_type__code=small_site.type_code).get(year=2000)
    Rating.objects.filter(run=other).update(score=MARKER_SCORE, level_score=MARKER_SCORE)
    actions.withdraw_run(run=other, reason="Withdrawn for the test.")
    withdrawn_names = list(Organisation.objects.filter(ratings__run=other).values_list("name", flat=True))
    urls = ["/", "/ratings/2000-01/", "/ratings/2000-01/ratings.csv", f"/regions/{small_site.region_code}/2000-01/",
            f"/indicators/{small_site.indicator_code}/2000-01/", "/fairness/2000-01/", "/methodology/2000-01/",
            "/downloads/2000-01/ratings.csv", "/downloads/2000-01/ratings.json", "/downloads/2000-01/results.csv",
            f"/search/?q={organisation.name[:5]}"]
    for url in urls:
        assert "876.54" not in text(client, url), url
    rows = list(csv.DictReader(io.StringIO(text(client, "/downloads/2000-01/ratings.csv"))))
    assert rows and {row["organisation_type"] for row in rows} == {small_site.type_code}
    assert not {row["organisation_name"] for row in rows} & set(withdrawn_names)
    assert len(rows) == Rating.objects.filter(run__in=RatingRun.objects.published().filter(year=2000)).count()
