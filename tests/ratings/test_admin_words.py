"""The admin's words: its name, one UK time format with the zone, progress
sentences that say each thing once, no stray separators, and the
interventions list in words with links to the report cards."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.template import Context, Template
from django.urls import reverse

from indicators.times import uk_time
from ratings.background_work import BackgroundWork
from ratings.models import Recalculation

UTC = dt_timezone.utc


@pytest.mark.parametrize("moment, datetime_words, clock_words", [
    # Winter: GMT.
    (datetime(2001, 3, 1, 9, 30, tzinfo=UTC), "1 March 2001, 09:30 GMT", "09:30 GMT"),
    (datetime(2000, 12, 31, 23, 30, tzinfo=UTC), "31 December 2000, 23:30 GMT", "23:30 GMT"),
    # Either side of the clocks going forward (01:00 GMT on 25 March 2001 became 02:00 BST).
    (datetime(2001, 3, 25, 0, 59, tzinfo=UTC), "25 March 2001, 00:59 GMT", "00:59 GMT"),
    (datetime(2001, 3, 25, 1, 0, tzinfo=UTC), "25 March 2001, 02:00 BST", "02:00 BST"),
    # Either side of the clocks going back (02:00 BST on 28 October 2001 became 01:00 GMT): the hour that
    # happens twice is told apart by its zone.
    (datetime(2001, 10, 28, 0, 59, tzinfo=UTC), "28 October 2001, 01:59 BST", "01:59 BST"),
    (datetime(2001, 10, 28, 1, 0, tzinfo=UTC), "28 October 2001, 01:00 GMT", "01:00 GMT"),
    (datetime(2001, 10, 28, 1, 30, tzinfo=UTC), "28 October 2001, 01:30 GMT", "01:30 GMT"),
    (datetime(2001, 10, 28, 0, 30, tzinfo=UTC), "28 October 2001, 01:30 BST", "01:30 BST"),
])
def test_one_uk_time_format_with_the_zone_either_side_of_a_clock_change(moment, datetime_words, clock_words):
    assert uk_time(moment) == datetime_words and uk_time(moment, "clock") == clock_words
    # The one template filter, in the admin's templates and the public site's alike.
    for library in ("uk_times", "public_tags"):
        template = Template(f'{{% load {library} %}}{{{{ at|uk_time }}}}|{{{{ at|uk_time:"clock" }}}}')
        assert template.render(Context({"at": moment})) == f"{datetime_words}|{clock_words}"
    assert uk_time(None) == ""


def test_no_template_formats_a_moment_its_own_way():
    from pathlib import Path
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        assert 'H:i' not in text and '|time' not in text, path  # times only through uk_time


@pytest.mark.parametrize("status, step, done, total, sentence", [
    ("queued", "Waiting for the worker", 0, 0, "Waiting for the worker"),
    ("queued", "", 0, 0, "Waiting for the worker"),
    ("running", "Rating HA", 2, 5, "Running: Rating HA (step 2 of 5)"),
    ("running", "running", 1, 5, "Running (step 1 of 5)"),
    ("succeeded", "Finished: 2 draft run(s)", 4, 4, "Finished: 2 draft run(s) (step 4 of 4)"),
])
def test_progress_says_each_thing_once(status, step, done, total, sentence):
    work = Recalculation(year=2000, status=status, step=step, steps_done=done, steps_total=total)
    assert work.progress_sentence == sentence
    words = sentence.lower().replace(":", "").split()
    assert all(words[i:i + 3] != words[i + 3:i + 6] for i in range(len(words) - 5)), sentence
    assert issubclass(Recalculation, BackgroundWork)


def test_the_admin_is_named_for_the_service(admin_client):
    for url in (reverse("admin:index"), reverse("admin:ratings_auditentry_changelist"),
                reverse("ratings_admin:workflow")):
        html = admin_client.get(url).content.decode()
        assert "NHS traffic-light ratings administration" in html and "Django administration" not in html, url
        assert "Django site admin" not in html, url


def test_the_admin_names_the_third_party_apps_in_words(admin_client):
    """The admin's home listed "Axes" and "Tasks Database Backend", names of packages, not of what they hold."""
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Sign-in attempts and lockouts" in html and "Background tasks (the worker&#x27;s queue)" in html
    assert ">Axes<" not in html and "Tasks Database Backend" not in html


def test_a_runs_actions_have_no_stray_separator(admin_client, admin):
    import re

    from ratings import actions

    actions.recalculate(year=2000, user=admin, type_codes=["HA"], publish=True)
    actions.recalculate(year=2000, user=admin, type_codes=["HA"])  # a draft
    html = admin_client.get(reverse("ratings_admin:year", args=["2000-01"])).content.decode()
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td>\s*(.*?)\s*</td>", html, re.S)]
    assert "Withdraw" in cells and "Compare · Publish or schedule" in cells, cells  # published; draft
    assert not any(cell.startswith("·") or cell.endswith("·") or "· ·" in cell for cell in cells), cells
    assert re.search(r"\d{2}:\d{2} (GMT|BST) by " + admin.username, html)  # moments with their zone
    # The admin's own lists too (its date format, trafficlights/formats/en_GB).
    audit = admin_client.get(reverse("admin:ratings_auditentry_changelist")).content.decode()
    assert re.search(r"\d{4}, \d{2}:\d{2} (GMT|BST)<", audit)
