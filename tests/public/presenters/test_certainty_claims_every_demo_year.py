"""Every claim of every report card's "How sure is this rating?", held
against the stored records, for every rating of every demo year published as
`make run` publishes them (here with 50 draws a run, not the default 2,000,
to stay fast): the certainty's words and figures, the other bands' chances,
the rank interval, a band change's verdict, and the noise at the green
cut-off. Not examples: all of them."""

import re

import pytest

from public.formatting import ordinal
from public.presenters import certainty
from ratings import actions, bands
from ratings.models import Rating

YEARS = (1997, 1998, 1999, 2000)
DRAWS = 50


@pytest.fixture
def demo(loaded_demo):
    runs = []
    for year in YEARS:
        actions.update_scheme(year=year, values={"uncertainty_draws": DRAWS})
        runs += actions.recalculate(year=year, publish=True)
    return runs


def shown(share: float) -> str:
    return certainty.in_100(share)


def test_every_certainty_claim_of_every_demo_rating_is_true_of_the_records(demo):
    checked = {"sections": 0, "changes": 0, "within noise": 0}
    uncertain = {}
    published = {(r.organisation_id, r.run.year): r for r in
                 Rating.objects.filter(run__in=demo).select_related("run")}
    for run in demo:
        assert run.certainty_state == "complete"
        for rating in Rating.objects.filter(run=run).select_related("run"):
            previous = published.get((rating.organisation_id, run.year - 1))
            section = certainty.certainty_section(rating, previous=previous)
            if rating.band == bands.NOT_RATED:
                assert section is None
                continue
            checked["sections"] += 1
            shares = {"green": rating.p_green, "yellow": rating.p_yellow, "red": rating.p_red,
                      "not_rated": rating.p_not_rated}
            # Shares of the run's draws, adding up to all of them; the certainty is the published band's.
            assert all(round(share * DRAWS, 9) == round(share * DRAWS) for share in shares.values())
            assert sum(shares.values()) == pytest.approx(1)
            assert rating.certainty == shares[rating.band]
            # The headline: the spec's word for the certainty, and its figure.
            word = ("Very likely" if rating.certainty >= 0.95 else "Likely" if rating.certainty >= 0.80
                    else "Uncertain")
            band_word = bands.word(rating.band).lower()
            assert section.headline.startswith(f"{word} {band_word}: {shown(rating.certainty)} simulated years")
            named = re.findall(r"(green|yellow|red|not rated) \(([^)]*) in 100\)", section.headline)
            assert {name for name, _ in named} == (
                {bands.word(code).lower() for code, share in shares.items() if code != rating.band
                 and share >= 0.20} if word == "Uncertain" else set())
            if word == "Uncertain":
                uncertain[run.organisation_type.code] = uncertain.get(run.organisation_type.code, 0) + 1
            # Every band's chances, as stored.
            assert [(c["band"], c["share"]) for c in section.chances] == [
                (band.code, shown(shares[band.code])) for band in bands.BANDS]
            # The rank interval: the stored rank and percentiles, within the rated count.
            if rating.rank_low is not None:
                assert 1 <= rating.rank_low <= rating.rank_high <= run.rated_count
                assert section.rank_sentence == (
                    f"Ranked {ordinal(rating.rank)}; in 95 of 100 simulated years between {ordinal(rating.rank_low)} "
                    f"and {ordinal(rating.rank_high)}." if rating.rank_low != rating.rank_high else
                    f"Ranked {ordinal(rating.rank)}; in 95 of 100 simulated years {ordinal(rating.rank_low)} as well.")
            # A band change: only from a different published band last year, against the run simulated with it.
            if section.change_sentence:
                checked["changes"] += 1
                assert previous is not None and previous.band != rating.band
                assert previous.run_id == run.change_baseline_id and rating.p_change_real is not None
                assert section.change_sentence.startswith(
                    f"From {bands.word(previous.band).lower()} last year to {band_word}:")
                assert (": a real change." in section.change_sentence) == (rating.p_change_real >= 0.95)
            elif rating.p_change_real is not None:
                pytest.fail(f"{rating.organisation_id} {run.year}: a stored P(real) the card does not state")
            # The noise at the green cut-off: from how often it came out green, for a candidate only.
            if section.noise_sentence:
                assert rating.candidate_position is not None
                within = 0.05 <= rating.p_green <= 0.95
                checked["within noise"] += within
                assert ("within the noise" in section.noise_sentence) == within
                if not within:
                    assert ("above" in section.noise_sentence) == (rating.gap_to_green >= 0)
    assert checked["sections"] > 1500 and checked["changes"] > 50 and checked["within noise"] > 0, checked
    assert uncertain, "some demo ratings are uncertain"
    print(f"Uncertain ratings (certainty below 0.80) over the demo's four years at {DRAWS} draws: {uncertain}")
