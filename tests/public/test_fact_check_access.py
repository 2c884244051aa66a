"""Who may reach the fact-check pages: every fact-check URL (the organisation
staff's, enumerated from the URLconf, and the admin's) tried by every role:
anonymous, a signed-in user with no role, a regional office's staff member,
staff of organisation A, staff of organisation B (same type), an admin. The
draft and challenges are A's. A draft is its organisation's staff's and the
admins' alone; anyone else gets 404 (or the sign-in), never a hint."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from indicators.models import Organisation, Result
from ratings import actions
from ratings.models import Challenge, FactCheckWindow
from tests import fact_check_world
from tests.fact_check_world import ADMIN, ANONYMOUS, PEOPLE, PUBLIC, REGIONAL, STAFF_A, STAFF_B
from tests.ratings.conftest import rated_world  # noqa: F401  (the fixture)

PDF = b"%PDF-1.4\nevidence\n"
# The public card's reads, plus the session, the user, the memberships, the window and the draft.
DRAFT_CARD_QUERIES = 17


@pytest.fixture
def fc(rated_world):  # noqa: F811
    world = fact_check_world.build(Organisation.objects.get(code="HA1"), Organisation.objects.get(code="HA2"))
    world.challenge = actions.make_challenge(
        user=world.people[STAFF_A], organisation=world.a, year=2000, statement="A is rated yellow.",
        reason="It should be green.", attachment=actions.Attachment(name="evidence.pdf", content=PDF))
    return world


def fact_check_url_names() -> set[str]:
    """Every URL of the organisation staff's fact-check pages, and every fact-check URL of the admin workflow."""
    resolvers = {p.namespace: p for p in get_resolver().url_patterns if isinstance(p, URLResolver)}
    own = {f"fact_check:{p.name}" for p in resolvers["fact_check"].url_patterns}
    admin = {f"ratings_admin:{p.name}" for p in resolvers["ratings_admin"].url_patterns
             if "fact_check" in p.name or "challenge" in p.name}
    return own | admin


def url_of(name, fc):
    card = {"code": fc.a.code, "year": 2000}
    kwargs = {"fact_check:home": {}, "fact_check:card": card, "fact_check:figures": card,
              "ratings_admin:fact_check_windows": {"year": 2000}}.get(name)
    if kwargs is None:
        kwargs = {"pk": fc.window.pk if "window" in name or "close" in name else fc.challenge.pk}
    return reverse(name, kwargs=kwargs)


CHALLENGE_POST = {"kind": "figure", "indicator": "MORTCIRC", "figure_year": "2000", "proposed_value": "3",
                  "reason": "Our own count."}
# Anonymous users go to the sign-in; the admin workflow sends anyone but an admin to the admin's sign-in.
A_ONLY = {ANONYMOUS: 302, PUBLIC: 404, REGIONAL: 404, STAFF_A: 200, STAFF_B: 404, ADMIN: 200}
ADMIN_ONLY = {who: 302 for who in PEOPLE} | {ADMIN: 200}
MATRIX = {
    ("fact_check:home", "get"): {ANONYMOUS: 302, PUBLIC: 403, REGIONAL: 403, STAFF_A: 200, STAFF_B: 200, ADMIN: 200},
    ("fact_check:card", "get"): A_ONLY,
    ("fact_check:figures", "get"): A_ONLY,
    ("fact_check:figures", "post"): {**A_ONLY, STAFF_A: 302, ADMIN: 403},
    ("fact_check:challenge", "get"): A_ONLY,
    ("fact_check:attachment", "get"): A_ONLY,
    ("ratings_admin:fact_check_windows", "get"): ADMIN_ONLY,
    ("ratings_admin:fact_check_window", "get"): ADMIN_ONLY,
    ("ratings_admin:fact_check_close", "post"): {who: 302 for who in PEOPLE},
    ("ratings_admin:challenge", "get"): ADMIN_ONLY,
    ("ratings_admin:challenge", "post"): {who: 302 for who in PEOPLE},
    ("ratings_admin:challenge_attachment", "get"): ADMIN_ONLY,
}
CASES = [(name, method, who) for (name, method) in MATRIX for who in PEOPLE]


def test_the_matrix_covers_every_fact_check_url():
    assert fact_check_url_names() == {name for name, _ in MATRIX}


def as_user(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name, method, who", CASES, ids=[f"{n}-{m}-{w}" for n, m, w in CASES])
def test_permission_matrix(name, method, who, fc, client):
    data = {}
    if name == "fact_check:figures":
        data = {**CHALLENGE_POST, "attachment": SimpleUploadedFile("count.pdf", PDF)}
    elif name == "ratings_admin:challenge":
        data = {"decision": "reject", "resolution": "The card is right."}
    before = (Challenge.objects.count(), Result.objects.count())
    response = getattr(as_user(client, fc.people.get(who)), method)(url_of(name, fc), data)

    assert response.status_code == MATRIX[(name, method)][who]
    assert response["Cache-Control"] in ("private, no-store", "max-age=0, no-cache, no-store, must-revalidate, private")
    if who == ANONYMOUS and name.startswith("fact_check:"):
        assert response["Location"].startswith("/accounts/login/?next=")
    elif response.status_code == 302 and name.startswith("ratings_admin:") and who != ADMIN:
        assert response["Location"].startswith("/admin/login/?next=")
    elif response.status_code == 302:  # done: to the challenge made, or back to the window
        assert response["Location"].startswith(("/fact-check/challenges/", "/admin/workflow/fact-check/"))
    created = name == "fact_check:figures" and method == "post" and who == STAFF_A
    assert Challenge.objects.count() == before[0] + created and Result.objects.count() == before[1]
    fc.window.refresh_from_db()
    assert (fc.window.closed_at is not None) == (name == "ratings_admin:fact_check_close" and who == ADMIN)
    challenge = Challenge.objects.get(pk=fc.challenge.pk)
    assert challenge.is_open == (not (name == "ratings_admin:challenge" and method == "post" and who == ADMIN))
    if name.endswith("attachment") and response.status_code == 200:
        assert response.content == PDF and response["Content-Disposition"].startswith("attachment;")


def test_a_draft_card_is_the_public_card_marked_confidential_never_cached_nor_indexed(fc, client):
    client.force_login(fc.people[STAFF_A])
    response = client.get(reverse("fact_check:card", args=[fc.a.code, "2000-01"]))
    html = response.content.decode()
    assert response.templates[0].name == "public/report_card.html"
    assert "Confidential draft" in html and '<meta name="robots" content="noindex">' in html
    assert "Not published: a confidential draft" in html and fc.a.name in html
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex, nofollow"
    assert f'href="/fact-check/challenges/{fc.challenge.pk}/"' in html


def test_a_user_who_loses_the_organisation_loses_its_draft_at_once(fc, client):
    from indicators import actions as indicator_actions
    client.force_login(fc.people[STAFF_A])
    url = reverse("fact_check:card", args=[fc.a.code, "2000-01"])
    assert client.get(url).status_code == 200
    indicator_actions.remove_organisation_membership(member=fc.people[STAFF_A], organisation=fc.a)
    assert client.get(url).status_code == 404


def test_after_publication_or_closing_the_draft_pages_answer_404(fc, client):
    client.force_login(fc.people[STAFF_A])
    urls = [reverse(name, args=[fc.a.code, "2000-01"]) for name in ("fact_check:card", "fact_check:figures")]
    assert all(client.get(url).status_code == 200 for url in urls)
    [ha_draft] = [run for run in fc.drafts if run.organisation_type.code == "HA"]
    actions.publish_run(run=ha_draft, open_challenges_reason="Announced today.")
    assert all(client.get(url).status_code == 404 for url in urls)
    assert client.get(f"/organisations/{fc.a.code}/2000-01/").status_code == 200  # the public card takes over
    assert client.get(reverse("fact_check:challenge", args=[fc.challenge.pk])).status_code == 200  # still followed


def test_the_window_closing_time_ends_the_draft_before_any_job_runs(fc, client):
    client.force_login(fc.people[STAFF_A])
    FactCheckWindow.objects.filter(pk=fc.window.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("fact_check:card", args=[fc.a.code, "2000-01"])).status_code == 404


def test_a_bad_attachment_is_refused_on_the_page_by_name_and_nothing_is_stored(fc, client):
    client.force_login(fc.people[STAFF_A])
    response = client.post(reverse("fact_check:figures", args=[fc.a.code, "2000-01"]),
                           {**CHALLENGE_POST, "attachment": SimpleUploadedFile("macro.xlsm", b"PK\x03\x04")})
    assert response.status_code == 400
    assert "macro.xlsm: attach a PDF, CSV, XLSX, PNG or JPEG file, not .xlsm." in response.content.decode()
    assert Challenge.objects.count() == 1


def test_the_figures_page_lists_the_figures_behind_the_draft(fc, client):
    client.force_login(fc.people[STAFF_A])
    html = client.get(reverse("fact_check:figures", args=[fc.a.code, "2000-01"])).content.decode()
    assert "Deaths from circulatory disease (MORTCIRC)" in html and ">100<" in html
    assert "?indicator=MORTCIRC&amp;figure_year=2000#challenge" in html


def test_the_draft_card_reads_a_fixed_number_of_queries(fc, client, django_assert_num_queries):
    """Pinned, like the public card's (tests/public/test_queries.py): none of it grows with the organisations."""
    client.force_login(fc.people[STAFF_A])
    url = reverse("fact_check:card", args=[fc.a.code, "2000-01"])
    client.get(url)  # the session and user, warmed
    with django_assert_num_queries(DRAFT_CARD_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", [STAFF_A, ADMIN])
def test_every_link_on_the_draft_card_answers_200(fc, client, who):
    """The draft card is the public card, but the public pages of a year not yet published answer 404: none of
    its links may lead there (a dead link on a confidential page)."""
    client.force_login(fc.people[who])
    html = client.get(reverse("fact_check:card", args=[fc.a.code, "2000-01"])).content.decode()
    # The card's own links: the site's header and footer are every page's, and this world has published nothing.
    html = html[html.index("</header>"):html.index("<footer")]
    links = {unescape(href).split("#")[0] for href in re.findall(r'href="([^"]*)"', html)} - {""}
    pages = sorted(link for link in links if link.startswith("/") and not link.startswith(("//", "/static/")))
    assert reverse("fact_check:figures", args=[fc.a.code, "2000-01"]) in pages
    dead = {link: status for link in pages if (status := client.get(link).status_code) != 200}
    assert dead == {}
