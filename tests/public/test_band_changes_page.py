"""The public "What changed since last year" page: every organisation of a
type whose band changed, with the main reason and the parts, filterable by
reason, a page at a time; every row held against the stored records."""

import re
from collections import Counter

from public import browse_table
from public.formatting import format_signed
from public.presenters.band_changes import REASON_LABELS
from ratings import standings
from ratings.models import Rating, RatingRun


def rows_of(html: str) -> list[dict]:
    body = html[html.index("<tbody"):html.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr class=\"nhsuk-table__row\" role=\"row\">(.*?)</tr>", body, re.S):
        # Each cell after its column's name, shown on a phone (the NHS.UK responsive table): the figure alone.
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in re.findall(
            r'<t[hd][^>]*><span class="nhsuk-table-responsive__heading" aria-hidden="true">[^<]*</span>(.*?)</t[hd]>',
            row, re.S)]
        code = re.search(r'href="/organisations/([^/]+)/2000-01/"', row).group(1)
        rows.append({"code": code, "cells": cells})
    return rows


def test_every_changed_band_of_a_type_is_listed_with_its_stored_reason_and_parts(large_site, client, monkeypatch):
    monkeypatch.setattr(browse_table, "PER_PAGE", 4)
    run = RatingRun.objects.published().get(year=2000, organisation_type__code=large_site.type_code)
    assert run.compared_with.year == 1999
    changed = {r.organisation.code: r for r in Rating.objects.filter(run=run).exclude(change_reason="")
               .select_related("organisation")}
    assert len(changed) >= 5
    previous = {r.organisation.code: r.band for r in Rating.objects.filter(run=run.compared_with)
                .select_related("organisation")}
    counts = Counter(r.change_reason for r in changed.values())
    seen = []
    page = 1
    while True:
        html = client.get(f"/changes/2000-01/?type={large_site.type_code}&page={page}").content.decode()
        for label, code in ((label, code) for code, label in REASON_LABELS.items()):
            assert f"{label} ({counts.get(code, 0)})".replace("'", "&#x27;") in html
        rows = rows_of(html)
        for row in rows:
            rating = changed[row["code"]]
            explanation = standings.change_explanation(rating)
            name, before, after, reason, own, others, method, corrections, still = row["cells"]
            assert name == rating.organisation.name
            assert (before, after) == (previous[row["code"]].capitalize(), rating.band.capitalize())
            assert reason == REASON_LABELS[rating.change_reason].replace("'", "&#x27;")
            if explanation.has_margin:
                assert [own, others, method, corrections] == [format_signed(p) for p in explanation.parts.values()]
            else:
                assert own == others == "–"
            assert still == explanation.band_if_others_stood_still.capitalize()
        seen += [row["code"] for row in rows]
        if 'rel="next"' not in html:
            break
        page += 1
    assert sorted(seen) == sorted(changed) and len(seen) == len(set(seen))
    # Filtered by one reason: only those, every one of them.
    reason = counts.most_common(1)[0][0]
    html = client.get(f"/changes/2000-01/?type={large_site.type_code}&reason={reason}").content.decode()
    listed = [row["code"] for row in rows_of(html)]
    assert listed and all(changed[code].change_reason == reason for code in listed)
    assert len(listed) == min(counts[reason], 4)
    assert 'aria-current="page">' + REASON_LABELS[reason].replace("'", "&#x27;") in html


def test_an_unknown_reason_lists_every_change_and_an_unknown_type_says_there_is_nothing(large_site, client):
    html = client.get(f"/changes/2000-01/?type={large_site.type_code}&reason=nonsense").content.decode()
    assert 'aria-current="page">All reasons' in html
    html = client.get("/changes/2000-01/?type=NOPE").content.decode()
    assert "were compared with a published year before" in html and "<tbody" not in html
    assert client.get("/changes/1990-91/").status_code == 404
