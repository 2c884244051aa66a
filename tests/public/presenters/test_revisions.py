"""A year's revision history in words (no database)."""

from types import SimpleNamespace

from public.presenters import revisions


def run(pk, published, status="superseded", note="", withdrawn=None, reason="", current=False, rated=True):
    """A run as the revision history reads it: an unsaved RatingRun, with what the query annotates."""
    from datetime import datetime, timezone

    from ratings.models import RatingRun
    version = RatingRun(pk=pk, year=2000, status=status, revision_note=note, withdrawal_reason=reason,
                        published_at=datetime(2001, 3, published, 12, tzinfo=timezone.utc),
                        withdrawn_at=withdrawn and datetime(2001, 3, withdrawn, 12, tzinfo=timezone.utc))
    version.current, version.rated = current, rated
    return version


def test_revisions_list_publication_corrections_and_withdrawals_oldest_first_with_links_to_earlier_versions():
    versions = [run(1, 1), run(2, 3, status="withdrawn", note="Late returns", withdrawn=5, reason="Wrong"),
                run(3, 8, status="published", note="Returns checked.", current=True)]
    entries = revisions.revisions(versions)
    assert [entry["text"] for entry in entries] == [
        "First published on 1 March 2001.", "Corrected on 3 March 2001: Late returns.",
        "Withdrawn on 5 March 2001: Wrong.", "Corrected on 8 March 2001: Returns checked."]
    assert [entry["version"] for entry in entries] == [1, None, None, None]  # neither withdrawn nor current
    assert revisions.revisions(versions, shown=1)[0]["version"] is None  # no link to the page itself
    assert revisions.revisions([run(1, 1, status="published", current=True)]) == []  # never revised
    assert revisions.revisions([run(1, 1, rated=False), run(2, 3, current=True)])[0]["version"] is None


def test_a_previous_version_says_when_and_why_it_was_replaced():
    versions = [run(1, 1), run(2, 3, note="Late returns added."), run(3, 8, status="published", current=True)]
    assert revisions.version_notice(versions, versions[0]) == (
        "This is a previous version of these ratings, published on 1 March 2001. "
        "It was replaced on 3 March 2001: Late returns added.")


def test_withdrawal_notice_names_the_year_the_type_the_date_and_the_reason():
    notice = revisions.withdrawal_notice(run(1, 1, status="withdrawn", withdrawn=2, reason="A return was wrong"),
                                          SimpleNamespace(plural_name="Acute trusts", name="Acute trust"))
    assert notice == "The 2000-01 ratings of acute trusts were withdrawn on 2 March 2001: A return was wrong."
