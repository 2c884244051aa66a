"""A year's revision history in words (no database)."""

from types import SimpleNamespace

from public.presenters import revisions


def run(pk, published, status="superseded", note="", withdrawn=None, reason="", current=False, rated=True,
        band="yellow", score=0.5):
    """A run as the revision history reads it: an unsaved RatingRun, with what the query annotates."""
    from datetime import datetime, timezone

    from ratings.models import RatingRun
    version = RatingRun(pk=pk, year=2000, status=status, revision_note=note, withdrawal_reason=reason,
                        published_at=datetime(2001, 3, published, 12, tzinfo=timezone.utc),
                        withdrawn_at=withdrawn and datetime(2001, 3, withdrawn, 12, tzinfo=timezone.utc))
    version.current, version.rated = current, rated
    version.own_band, version.own_score = (band, score) if rated else (None, None)
    return version


def test_revisions_list_publication_corrections_and_withdrawals_oldest_first_with_links_to_earlier_versions():
    versions = [run(1, 1), run(2, 3, status="withdrawn", note="Late returns", withdrawn=5, reason="Wrong"),
                run(3, 8, status="published", note="Returns checked.", current=True)]
    entries = revisions.revisions(versions)
    same = "This organisation's band (yellow) and score (0.5) did not change."
    assert [entry["text"] for entry in entries] == [
        "First published on 1 March 2001.", f"Corrected on 3 March 2001: Late returns. {same}",
        "Withdrawn on 5 March 2001: Wrong.", f"Corrected on 8 March 2001: Returns checked. {same}"]
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


def test_a_correction_says_how_this_organisations_band_and_score_changed():
    def change(before, after):
        return revisions.own_change(before, after)

    assert change(run(1, 1), run(2, 3, band="green", score=0.61)) == (
        "This organisation's band changed from yellow to green, and its score from 0.5 to 0.61.")
    assert change(run(1, 1), run(2, 3, score=0.25)) == (
        "This organisation's band did not change (yellow); its score changed from 0.5 to 0.25.")
    assert change(run(1, 1, band="red"), run(2, 3)) == (
        "This organisation's band changed from red to yellow; its score did not change (0.5).")
    # A change two places would hide is shown to more.
    assert change(run(1, 1, score=0.5), run(2, 3, score=0.501)) == (
        "This organisation's band did not change (yellow); its score changed from 0.5 to 0.501.")
    assert change(run(1, 1, score=0.5), run(2, 3, score=0.5 + 1e-12)).endswith("did not change.")
    assert change(run(1, 1, band="not_rated", score=None), run(2, 3, band="not_rated", score=None)) == (
        "This organisation's band (not rated) did not change, with no score in either version.")
    assert change(None, run(2, 3)) == "This organisation was not in the ratings it corrected."
    assert change(run(1, 1), run(2, 3, rated=False)) == "This organisation was not in the corrected ratings."
    # In a history, each correction is held against the last earlier version that rated it.
    entries = revisions.revisions([run(1, 1, score=0.4), run(2, 3, rated=False), run(3, 8, current=True)])
    assert entries[1]["text"].endswith("This organisation was not in the corrected ratings.")
    assert entries[2]["text"].endswith("its score changed from 0.4 to 0.5.")
