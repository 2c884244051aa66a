"""The release calendar (/releases/ and its Atom feed): publications announced
ahead with their year, type and UK time, nothing of their content; past
releases with their corrections and withdrawals, every date as stored."""

import re
from datetime import datetime, timedelta, timezone as dt_timezone
from unittest import mock
from xml.etree import ElementTree

from django.utils import timezone

from indicators.models import OrganisationType
from indicators.times import uk_time
from ratings import actions
from ratings.models import Rating, RatingRun
from tests.public.test_embargo import mark_draft

TIME = re.compile(r'<time datetime="([^"]+)">([^<]+)</time>')
ATOM = "{http://www.w3.org/2005/Atom}"


def main(html: str) -> str:
    return html[html.index('<main'):html.index("</main>")]


def announced_rows(html: str) -> list[list[str]]:
    """The announcements table's rows, each cell's text without its phone heading."""
    section = html[html.index('id="announced"'):html.index('id="past"')]
    rows = []
    for row in re.findall(r'<tr class="nhsuk-table__row"[^>]*>(.*?)</tr>', section, re.S):
        cells = re.findall(r'<td[^>]*>(.*?)</td>', row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", re.sub(r'<span class="nhsuk-table-responsive__heading"[^>]*>.*?</span>',
                                                     "", cell)).strip() for cell in cells])
    return rows


def schedule_correction(site, at, note):
    [correction] = actions.recalculate(year=site.year, type_codes=[site.type_code])
    mark_draft(correction)
    return actions.publish_run(run=correction, at=at, note=note)


def test_an_announcement_shows_its_year_type_and_time_and_nothing_of_its_content(small_site, client):
    # A summer time, so the zone written is BST (09:30 BST is 08:30 UTC).
    release = datetime(2031, 7, 1, 8, 30, tzinfo=dt_timezone.utc)
    correction = schedule_correction(small_site, release, "EMBARGOED-NOTE: late returns.")
    html = client.get("/releases/").content.decode()
    kind = correction.organisation_type
    assert announced_rows(html) == [["1 July 2031, 09:30 BST", "2000-01", (kind.plural_name or kind.name).capitalize(),
                                     "Corrected ratings"]]
    content = main(html)
    assert "EMBARGOED" not in content and "987.65" not in content
    names = Rating.objects.filter(run=correction).values_list("organisation__name", "organisation__code")
    assert names and not any(name in content or f">{code}<" in content for name, code in names)
    # Nothing of the run but its year, type and time: no count of what it rates.
    assert f">{correction.rated_count}<" not in content and f" {correction.rated_count} " not in content


def test_a_first_publication_is_announced_as_ratings_and_leaves_the_calendar_at_its_time(small_site, client):
    release = timezone.now() + timedelta(hours=1)
    RatingRun.objects.filter(year=2000).update(status="scheduled", published_at=release)
    with mock.patch("django.utils.timezone.now", return_value=release - timedelta(seconds=1)):
        html = client.get("/releases/").content.decode()
        kinds = [(kind.plural_name or kind.name).capitalize() for kind in
                 OrganisationType.objects.filter(rating_runs__year=2000).order_by("code")]
        assert announced_rows(html) == [[uk_time(release), "2000-01", kind, "Ratings"] for kind in kinds]
        past = html[html.index('id="past"'):]
        assert "2000-01" not in past and "1999-00" in past
    # Through the page cache: the time passing changes its key.
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        html = client.get("/releases/").content.decode()
        assert announced_rows(html) == [] and "No publication is announced at present." in html
        past = html[html.index('id="past"'):]
        assert f"Published on <time datetime=\"{timezone.localtime(release).isoformat()}\">{uk_time(release)}</time>" in past


def test_past_releases_list_each_correction_and_withdrawal_with_its_date_and_note(small_site, client):
    old = RatingRun.objects.published().get(year=2000, organisation_type__code=small_site.type_code)
    [corrected] = actions.recalculate(year=2000, type_codes=[small_site.type_code], publish=True,
                                      note="Late returns added.")
    other = RatingRun.objects.published().exclude(organisation_type__code=small_site.type_code).get(year=2000)
    actions.withdraw_run(run=other, reason="A figure was wrong.")
    other.refresh_from_db()
    html = main(client.get("/releases/").content.decode())
    past = html[html.index('id="past"'):]
    year_2000 = past[past.index("<h3>2000-01</h3>"):past.index("<h3>1999-00</h3>")]
    kind = old.organisation_type
    corrected_part = year_2000[year_2000.index(f"<h4>{(kind.plural_name or kind.name).capitalize()}</h4>"):]
    corrected_part = corrected_part[:corrected_part.index("</ul>")]
    assert [text for _, text in TIME.findall(corrected_part)] == [uk_time(old.published_at), uk_time(corrected.published_at)]
    assert "Corrected on" in corrected_part and ": Late returns added.</li>" in corrected_part
    assert f"/ratings/2000-01/?type={small_site.type_code}" in corrected_part
    withdrawn_kind = other.organisation_type
    withdrawn_part = year_2000[year_2000.index(f"<h4>{(withdrawn_kind.plural_name or withdrawn_kind.name).capitalize()}</h4>"):]
    withdrawn_part = withdrawn_part[:withdrawn_part.index("</ul>")]
    assert f"Withdrawn on <time datetime=\"{timezone.localtime(other.withdrawn_at).isoformat()}\">" in withdrawn_part
    assert ": A figure was wrong.</li>" in withdrawn_part
    assert "/ratings/" not in withdrawn_part  # nothing current to read


def test_every_date_and_time_on_the_calendar_is_a_stored_one(small_site, client):
    """Claims: each <time> is a stored publication, correction, withdrawal or
    announced time, in UK time with its zone; and every one stored is shown."""
    schedule_correction(small_site, datetime(2031, 1, 15, 9, 30, tzinfo=dt_timezone.utc), "Late returns.")
    other = RatingRun.objects.published().exclude(organisation_type__code=small_site.type_code).get(year=1999)
    actions.withdraw_run(run=other, reason="Wrong.")
    html = main(client.get("/releases/").content.decode())
    shown = []
    for stamp, text in TIME.findall(html):
        moment = datetime.fromisoformat(stamp)
        assert text == uk_time(moment), (stamp, text)
        assert text.endswith((" GMT", " BST"))
        shown.append(moment)
    now = timezone.now()
    stored = [run.published_at for run in RatingRun.objects.ever_public(now)]
    stored += [run.withdrawn_at for run in RatingRun.objects.ever_public(now).filter(status="withdrawn")]
    stored += [run.published_at for run in RatingRun.objects.publication_candidates().filter(published_at__gt=now)]
    assert sorted(shown) == sorted(stored) and len(stored) == 4 + 1 + 1


def test_nothing_but_scheduled_runs_is_announced(small_site, client):
    """A draft is never announced, nor a run withdrawn before its time."""
    [draft] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    [scheduled] = actions.recalculate(year=2000, type_codes=[small_site.type_code])
    actions.publish_run(run=scheduled, at=timezone.now() + timedelta(days=2), note="Fixed.")
    actions.withdraw_run(run=scheduled, reason="Not ready.")
    html = client.get("/releases/").content.decode()
    assert announced_rows(html) == [] and "Not ready" not in html
    assert draft.pk  # recalculated, left a draft


def test_the_announcements_feed_names_year_type_and_time_only(small_site, client):
    release = datetime(2031, 7, 1, 8, 30, tzinfo=dt_timezone.utc)
    correction = schedule_correction(small_site, release, "EMBARGOED-NOTE: late returns.")
    response = client.get("/feeds/releases.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "EMBARGOED" not in body and "987.65" not in body
    [entry] = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
    kind = (correction.organisation_type.plural_name or correction.organisation_type.name).lower()
    assert entry.findtext(f"{ATOM}title") == f"Corrected ratings of {kind}, 2000-01: to be published 1 July 2031, 09:30 BST"
    assert entry.findtext(f"{ATOM}summary") == (f"Corrected ratings of {kind}, 2000-01 will be published at 09:30 BST "
                                                f"on 1 July 2031.")
    # Dated when it was announced (the scheduling in the audit log), not in the future.
    announced = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert announced <= timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=release + timedelta(seconds=1)):
        assert ElementTree.fromstring(client.get("/feeds/releases.atom").content).findall(f"{ATOM}entry") == []


def test_the_calendar_is_linked_from_every_page_and_the_home_page(small_site, client):
    home = client.get("/").content.decode()
    assert home.count('href="/releases/"') == 2  # the footer and the home page's own link
    assert 'href="/releases/"' in client.get("/downloads/").content.decode()
    assert 'href="/feeds/releases.atom"' in client.get("/releases/").content.decode()
