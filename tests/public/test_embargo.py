"""Embargo: a run that is not published (a draft, or a withdrawn run) shows on
no public page, download or API response. Proved by crawling every link the
public site offers, plus every download, and every API answer (its lists
page by page, every organisation and every card of every year), with a
draft whose figures are marked.
A scheduled correction, its note and the version it replaces stay hidden until
its time."""

import json
import re
from collections import deque
from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import urljoin, urlparse

from django.utils import timezone

from indicators.times import uk_time
from ratings import actions
from ratings.models import Challenge, Rating, RatingRun

MARKER_SCORE = 987.654321
RELEASES = "/api/v1/releases/"  # the release calendar: a scheduled run's year, type and time, by design
ANNOUNCEMENT = {"year", "type", "type_name", "publish_at", "corrects", "announced_at"}
LINK = re.compile(r'href="([^"#]+)')


def crawl(client, start_urls, limit=2000, statuses=(200, 302, 404, 410)):
    """Every public URL reachable from the start, with its body (signed in, a
    page of another role's may also answer 403)."""
    seen, queue, pages = set(start_urls), deque(start_urls), {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in statuses, (url, response.status_code)
        body = response.getvalue().decode()  # downloads are streamed
        pages[url] = body
        if response["Content-Type"].startswith("text/html"):
            for link in LINK.findall(body):
                target = urljoin(url, link.replace("&amp;", "&"))
                parsed = urlparse(target)
                if parsed.netloc or parsed.path.startswith(("/static/", "/admin/")) or target in seen:
                    continue
                seen.add(target)
                queue.append(target)
        assert len(pages) < limit
    return pages


def crawl_api(client, limit=2000):
    """Every API answer reachable from its lists (following each `next`), and
    every organisation's detail and report card for every year the API names
    or the drafts hold, with its body."""
    api = "/api/v1"
    lists = [f"{api}/years/", f"{api}/organisations/?page_size=7", f"{api}/ratings/?page_size=7",
             f"{api}/ratings/?sort=-score&page_size=7", f"{api}/results/?page_size=50", f"{api}/runs/",
             f"{api}/publications/", f"{api}/indicators/", RELEASES]
    years = {f"{y}-{(y + 1) % 100:02d}" for y in RatingRun.objects.values_list("year", flat=True)}
    pages, queue, codes = {}, deque(lists), set()
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 404, 410), (url, response.status_code)
        body = response.content.decode()
        pages[url] = body
        data = response.json()
        if isinstance(data, dict) and data.get("next"):
            queue.append(data["next"].removeprefix("http://testserver"))
        if url.startswith(f"{api}/organisations/?") or url.startswith(f"{api}/ratings/?"):
            codes |= {row.get("code") or row.get("organisation") for row in data["results"]}
        if url.startswith(f"{api}/years/"):
            years |= {row["year"] for row in data}
        assert len(pages) < limit
    for code in codes:
        pages[f"{api}/organisations/{code}/"] = client.get(f"{api}/organisations/{code}/").content.decode()
        for year in years:
            url = f"{api}/organisations/{code}/report-cards/{year}/"
            response = client.get(url)
            assert response.status_code in (200, 404, 410), (url, response.status_code)
            pages[url] = response.content.decode()
    return pages


def mark_draft(run):
    Rating.objects.filter(run=run).update(score=MARKER_SCORE, level_score=MARKER_SCORE, band="red",
                                          not_rated_reason="EMBARGOED-DRAFT")
    RatingRun.objects.filter(pk=run.pk).update(green_cutoff=MARKER_SCORE)


def test_no_draft_or_withdrawn_run_reaches_any_public_page_or_download(small_site, client):
    drafts = actions.recalculate(year=2000)  # drafts beside the published 2000-01 runs
    for run in drafts:
        mark_draft(run)
    withdrawn = RatingRun.objects.published().filter(year=1999).first()
    RatingRun.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    mark_draft(withdrawn)

    start = ["/", "/downloads/", "/indicators/", "/search/?q=a", "/search/?q=e"]
    pages = crawl(client, start)
    report_cards = [url for url in pages if url.startswith("/organisations/")]
    assert len(report_cards) >= 16  # every organisation's card was reached
    assert any(url.endswith(".json") for url in pages) and any(url.endswith(".csv") for url in pages)
    for url, body in pages.items():
        assert "987.65" not in body and "EMBARGOED-DRAFT" not in body, url
    api = crawl_api(client)
    assert sum(url.endswith("/report-cards/2000-01/") and '"band"' in body for url, body in api.items()) >= 16
    for url, body in api.items():
        assert "987.65" not in body and "EMBARGOED-DRAFT" not in body, url
    assert not any(f'"run":{run.pk},' in body or f'"id":{run.pk},' in body
                   for run in drafts for body in api.values())
    # The withdrawn year's type shows no ratings: its pages only show the other type.
    published_1999 = {run.organisation_type.code for run in RatingRun.objects.published().filter(year=1999)}
    withdrawn_type = withdrawn.organisation_type.code
    assert withdrawn_type not in published_1999
    csv_1999 = pages.get("/downloads/1999-00/ratings.csv") or client.get("/downloads/1999-00/ratings.csv").getvalue().decode()
    assert f",{withdrawn_type}," not in csv_1999


def test_a_year_with_only_draft_runs_is_not_there_at_all(small_site, client):
    RatingRun.objects.filter(year=1999).update(status="draft", published_at=None)
    for url in ("/ratings/1999-00/", "/fairness/1999-00/", "/methodology/1999-00/", "/downloads/1999-00/ratings.csv",
                "/downloads/1999-00/results.json", f"/organisations/{small_site.organisation.code}/1999-00/",
                f"/regions/{small_site.region_code}/1999-00/", f"/indicators/{small_site.indicator_code}/1999-00/"):
        assert client.get(url).status_code == 404, url
    assert "1999-00" not in client.get("/").content.decode()
    assert "1999-00" not in client.get("/downloads/").content.decode()
    assert "1999-00" not in client.get(f"/organisations/{small_site.organisation.code}/").content.decode()
    for url, body in crawl_api(client).items():
        assert "1999-00" not in body, url


def test_a_scheduled_year_is_not_in_the_api_before_its_time(small_site, client):
    release = timezone.now() + timedelta(hours=1)
    RatingRun.objects.filter(year=2000).update(status="scheduled", published_at=release)
    with mock.patch("django.utils.timezone.now", return_value=release - timedelta(seconds=1)):
        answers = crawl_api(client)
        for url, body in answers.items():
            assert "2000-01" not in body or url == RELEASES, url
        announced = json.loads(answers[RELEASES])["results"]
        assert {row["year"] for row in announced} == {"2000-01"} and all(set(row) == ANNOUNCEMENT for row in announced)
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        assert any('"year":"2000-01"' in body for body in crawl_api(client).values())


def test_a_scheduled_year_is_announced_with_its_year_type_and_time_and_nothing_else(small_site, client):
    """The release calendar (and its feed) names the scheduled year, its types
    and its time; every other page, and the calendar's past releases, nothing
    of it; and what the calendar says of it is its announcement alone."""
    from tests.public.test_releases import announced_rows

    release = timezone.now() + timedelta(hours=1)
    runs = RatingRun.objects.filter(year=1999)  # (2000-01 is every example of a year)
    for run in runs:
        mark_draft(run)
    runs.update(status="scheduled", published_at=release)
    with mock.patch("django.utils.timezone.now", return_value=release - timedelta(seconds=1)):
        pages = crawl(client, ["/", "/downloads/", "/indicators/", "/search/?q=a", "/search/?q=e"])
        assert "/releases/" in pages and "/feeds/releases.atom" in pages
        for url, body in pages.items():
            assert "987.65" not in body and "EMBARGOED-DRAFT" not in body, url
            if url not in ("/releases/", "/feeds/releases.atom"):
                assert "1999-00" not in body, url
        calendar = pages["/releases/"]
        rows = announced_rows(calendar)
        assert len(rows) == runs.count() and all(row[0] == uk_time(release) and row[1] == "1999-00" for row in rows)
        assert "1999-00" not in calendar[calendar.index('id="past"'):]
        assert calendar.count("1999-00") == len(rows)  # in its row, and nowhere else
        answers = crawl_api(client)
        for url, body in answers.items():
            assert "1999-00" not in body or url == RELEASES, url
        announced = json.loads(answers[RELEASES])["results"]
        assert [(row["year"], datetime.fromisoformat(row["publish_at"]), row["corrects"]) for row in announced] == [
            ("1999-00", release, False)] * len(rows)
        assert all(set(row) == ANNOUNCEMENT for row in announced)


def test_a_run_published_in_the_future_is_not_yet_public(small_site, client):
    RatingRun.objects.filter(year=2000).update(published_at=timezone.now() + timedelta(hours=1))
    assert client.get("/ratings/2000-01/").status_code == 404
    assert "Ratings for 1999-00" in client.get("/").content.decode()


def test_a_scheduled_correction_and_its_note_are_hidden_until_its_time(small_site, client):
    organisation = small_site.organisation
    old = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    [correction] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    mark_draft(correction)
    release = timezone.now() + timedelta(hours=1)
    actions.publish_run(run=correction, at=release, note="EMBARGOED-NOTE: late returns added.")
    card, latest = f"/organisations/{organisation.code}/2000-01/", f"/organisations/{organisation.code}/"
    old_version = f"{card}versions/{old.pk}/"
    new_version = f"{card}versions/{correction.pk}/"
    released = timezone.localtime(release)

    with mock.patch("django.utils.timezone.now", return_value=release - timedelta(seconds=1)):
        calendar = client.get("/releases/").content.decode()  # announced: its time, not its note
        assert uk_time(release) in calendar and "EMBARGOED" not in calendar
        for url in (card, latest):  # the card is cached here: the time passing must change that
            html = client.get(url).content.decode()
            assert "EMBARGOED" not in html and "987.65" not in html and "/versions/" not in html, url
            assert "Revisions" not in html and "Corrected on" not in html, url
        assert client.get(old_version).status_code == 302  # still the current version
        assert client.get(new_version).status_code == 404
        pages = crawl(client, ["/", "/downloads/", "/indicators/", "/search/?q=a", "/search/?q=e"])
        for url, body in {**pages, **crawl_api(client)}.items():
            assert "EMBARGOED" not in body and "987.65" not in body, url

    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        for url in (card, latest):
            html = client.get(url).content.decode()
            assert f"Corrected on {released.day} {released:%B %Y}: EMBARGOED-NOTE: late returns added." in html, url
            assert "987.65" in html and f'href="{old_version}"' in html, url
        previous = client.get(old_version)
        assert previous.status_code == 200
        previous = previous.content.decode()
        # The old figures; the correction's own score only where the revisions say how it changed the card.
        revisions = previous[previous.index('id="revisions"'):previous.index("</section>", previous.index('id="revisions"'))]
        assert "It was replaced on" in previous and "987.65" not in previous.replace(revisions, "")
        assert client.get(new_version).status_code == 302  # the current version is the card
        card = client.get(f"/api/v1/organisations/{organisation.code}/report-cards/2000-01/").json()
        assert card["run"]["id"] == correction.pk and card["score"] == 987.654321
        assert card["versions"][-1]["revision_note"] == "EMBARGOED-NOTE: late returns added."


# The fact-check window: a draft card is its own organisation's staff's alone.
OWN_MARKER, OTHERS_MARKER = 987.654321, 876.543219
SIGNED_IN = (200, 302, 403, 404, 410)


def open_fact_check_window(site):
    """The 2000-01 drafts (A's rating marked one way, every other organisation's
    another), a window on them, and staff of A (the site's organisation) and of
    B (its peer), each with a challenge."""
    from tests import fact_check_world

    drafts = actions.recalculate(year=2000)
    Rating.objects.filter(run__in=drafts).exclude(organisation=site.organisation).update(
        score=OTHERS_MARKER, level_score=OTHERS_MARKER)
    Rating.objects.filter(run__in=drafts, organisation=site.organisation).update(
        score=OWN_MARKER, level_score=OWN_MARKER)
    world = fact_check_world.build(site.organisation, site.peer, drafts=drafts)
    for who, organisation in ((fact_check_world.STAFF_A, world.a), (fact_check_world.STAFF_B, world.b)):
        actions.make_challenge(user=world.people[who], organisation=organisation, year=2000,
                               statement=f"EMBARGOED-CHALLENGE-{organisation.code}", reason="Wrong.")
    return world


def fact_check_start(world):
    """The public site's starts, the fact-check home, and every fact-check page of A and of B."""
    urls = ["/", "/downloads/", "/indicators/", "/search/?q=a", "/fact-check/"]
    for organisation in (world.a, world.b):
        urls += [f"/fact-check/{organisation.code}/2000-01/", f"/fact-check/{organisation.code}/2000-01/figures/"]
    urls += [f"/fact-check/challenges/{pk}/" for pk in Challenge.objects.values_list("pk", flat=True)]
    return urls


def test_an_organisations_staff_see_their_own_draft_and_nothing_else_of_the_drafts(small_site, client):
    from tests.fact_check_world import STAFF_B

    world = open_fact_check_window(small_site)
    client.force_login(world.people[STAFF_B])  # B's staff: A's draft is another organisation's
    pages = crawl(client, fact_check_start(world), statuses=SIGNED_IN)
    own_card = f"/fact-check/{world.b.code}/2000-01/"
    assert "Confidential draft" in pages[own_card] and "876.54" in pages[own_card]
    for url, body in {**pages, **crawl_api(client)}.items():
        assert "987.65" not in body and f"EMBARGOED-CHALLENGE-{world.a.code}" not in body, url
        if not url.startswith("/fact-check/"):  # B's own draft stays on B's fact-check pages
            assert "876.54" not in body and "EMBARGOED-CHALLENGE" not in body and "Confidential draft" not in body, url
    assert client.get(f"/fact-check/{world.a.code}/2000-01/").status_code == 404


def test_nobody_else_signed_in_or_not_reaches_any_part_of_a_draft(small_site, client):
    from tests.fact_check_world import PUBLIC, REGIONAL

    world = open_fact_check_window(small_site)
    for user in (None, world.people[PUBLIC], world.people[REGIONAL]):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url, body in {**crawl(client, fact_check_start(world), statuses=SIGNED_IN), **crawl_api(client)}.items():
            assert "987.65" not in body and "876.54" not in body and "EMBARGOED" not in body, (user, url)


def test_after_publication_the_draft_pages_answer_404_and_the_public_card_takes_over(small_site, client):
    from tests.fact_check_world import STAFF_A

    world = open_fact_check_window(small_site)
    client.force_login(world.people[STAFF_A])
    draft_card = f"/fact-check/{world.a.code}/2000-01/"
    assert "987.65" in client.get(draft_card).content.decode()
    for run in world.drafts:
        actions.publish_run(run=run, note="Corrected after the fact-check.", open_challenges_reason="On time.")
    assert client.get(draft_card).status_code == 404
    assert client.get(f"{draft_card}figures/").status_code == 404
    public = client.get(f"/organisations/{world.a.code}/2000-01/").content.decode()
    assert "987.65" in public and "Confidential draft" not in public
