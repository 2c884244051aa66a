""""How sure is this rating?" in words, from hand-made stored figures (no
database): the spec's words and thresholds, shares never rounded to none or
all, the rank interval, a band change, and the noise at the green cut-off."""

from types import SimpleNamespace

import pytest

from public import charts
from public.presenters import certainty


def rating(band="green", p_green=0.97, p_yellow=0.03, p_red=0.0, p_not_rated=0.0, rank=12, rank_low=6,
           rank_high=21, p_change_real=None, gap_to_green=0.4, candidate_position=3, baseline=7):
    shares = {"green": p_green, "yellow": p_yellow, "red": p_red, "not_rated": p_not_rated}
    run = SimpleNamespace(parameters={"uncertainty_draws": 2000, "uncertainty_seed": 2000}, rated_count=40,
                          change_baseline_id=baseline)
    return SimpleNamespace(band=band, certainty=shares[band], p_green=p_green, p_yellow=p_yellow, p_red=p_red,
                           p_not_rated=p_not_rated, rank=rank, rank_low=rank_low, rank_high=rank_high,
                           p_change_real=p_change_real, gap_to_green=gap_to_green,
                           candidate_position=candidate_position, run=run)


@pytest.mark.parametrize("share, words", [(0, "0 in 100"), (0.004, "fewer than 1 in 100"), (0.97, "97 in 100"),
                                          (0.996, "more than 99 in 100"), (1, "100 in 100")])
def test_shares_in_100(share, words):
    assert certainty.in_100(share) == words


def test_the_headline_uses_the_specs_words():
    assert certainty.headline(rating()) == "Very likely green: 97 in 100 simulated years gave green."
    assert certainty.headline(rating(p_green=0.95, p_yellow=0.05)).startswith("Very likely green")
    assert certainty.headline(rating(p_green=0.949, p_yellow=0.051)).startswith("Likely green: 95 in 100")
    assert certainty.headline(rating(p_green=0.80, p_yellow=0.20)).startswith("Likely green")
    uncertain = certainty.headline(rating(band="yellow", p_green=0.25, p_yellow=0.55, p_red=0.2))
    assert uncertain == ("Uncertain yellow: 55 in 100 simulated years gave yellow. It could as well have been "
                         "green (25 in 100) or red (20 in 100).")
    # Only the other bands with at least 20 in 100 are named.
    assert "red" not in certainty.headline(rating(band="yellow", p_green=0.3, p_yellow=0.51, p_red=0.19))


def test_the_section_lists_every_band_and_the_rank_interval():
    section = certainty.certainty_section(rating())
    assert [(c["word"], c["share"], c["current"]) for c in section.chances] == [
        ("Green", "97 in 100", True), ("Yellow", "3 in 100", False), ("Red", "0 in 100", False),
        ("Not rated", "0 in 100", False)]
    assert section.rank_sentence == "Ranked 12th; in 95 of 100 simulated years between 6th and 21st."
    assert [row["rank"] for row in section.rank_rows] == ["12th", "6th", "21st"]
    assert 'role="img"' in section.rank_chart and "from 6th to 21st" in section.rank_chart
    assert "2,000 simulated years" in section.method_sentence and "seed 2000" in section.method_sentence


def test_no_section_without_certainty_or_for_a_not_rated_organisation():
    assert certainty.certainty_section(SimpleNamespace(certainty=None, band="green")) is None
    assert certainty.certainty_section(rating(band="not_rated", p_not_rated=0.9)) is None


def test_a_band_change_is_real_or_could_be_chance_against_the_simulated_baseline_only():
    previous = SimpleNamespace(band="yellow", run_id=7)
    assert certainty.change_sentence(rating(p_change_real=0.96), previous).startswith(
        "From yellow last year to green: a real change. The band moved the same way in 96 in 100")
    assert "this could be chance" in certainty.change_sentence(rating(p_change_real=0.6), previous)
    # Not when the year before shown is not the run the simulation compared with, nor without a change.
    assert certainty.change_sentence(rating(p_change_real=0.96, baseline=8), previous) == ""
    assert certainty.change_sentence(rating(p_change_real=0.96), SimpleNamespace(band="green", run_id=7)) == ""
    assert certainty.change_sentence(rating(p_change_real=None), previous) == ""


def test_the_distance_to_the_green_cut_off_within_the_noise_or_not():
    assert certainty.noise_sentence(rating(p_green=0.5, p_yellow=0.5)).startswith(
        "Its distance to the green cut-off is within the noise: it came out green in 50 in 100")
    assert certainty.noise_sentence(rating(p_green=0.97)).startswith(
        "Its distance above the green cut-off is larger than the noise")
    assert certainty.noise_sentence(rating(band="yellow", p_green=0.01, p_yellow=0.99, gap_to_green=-1)).startswith(
        "Its distance below the green cut-off is larger than the noise")
    assert certainty.noise_sentence(rating(candidate_position=None)) == ""  # not a candidate: not by its score


def test_the_rank_interval_chart_refuses_an_impossible_interval():
    with pytest.raises(ValueError):
        charts.rank_interval_chart(chart_id="x", rank=3, low=5, high=4, rated=10, band="green")
    chart = charts.rank_interval_chart(chart_id="x", rank=1, low=1, high=1, rated=1, band="green")
    assert "<title" in chart and "<desc" in chart
