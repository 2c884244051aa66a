""""How sure is this rating?": a rating's stored band certainty (spec, "Band
certainty" and "Significance of a band change") in words and figures. Every
sentence reads only the rating's stored figures (P(each band), certainty, the
rank interval, P(real)) and its run's draws: nothing is recomputed."""

from __future__ import annotations

from dataclasses import dataclass

from ratings import bands
from ratings.certainty_terms import LIKELY, NAMED_OTHER, REAL_CHANGE, certainty_word, change_significance

from .. import charts
from ..formatting import listed, ordinal
from .charting import svg

# Green within the noise: it came out green in at least 5 and at most 95 of 100 simulated years.
NOISE_LOW, NOISE_HIGH = 0.05, 0.95

BAND_FIELDS = {bands.GREEN: "p_green", bands.YELLOW: "p_yellow", bands.RED: "p_red", bands.NOT_RATED: "p_not_rated"}


def in_100(share: float) -> str:
    """A share of the simulated years as "N in 100", never rounding a possible
    outcome to none or a near-certain one to all."""
    if 0 < share < 0.005:
        return "fewer than 1 in 100"
    if 0.995 <= share < 1:
        return "more than 99 in 100"
    return f"{round(share * 100)} in 100"


def is_uncertain(certainty: float | None) -> bool:
    return certainty is not None and certainty < LIKELY


@dataclass
class Certainty:
    headline: str
    chances: list[dict]  # band, word, share in words, per cent (for the table)
    rank_sentence: str
    rank_chart: str
    rank_rows: list[dict]
    change_sentence: str
    noise_sentence: str
    method_sentence: str


def certainty_section(rating, previous=None) -> Certainty | None:
    """The section, or None when the rating has no certainty (not rated, or
    its run simulated none). `previous`: the organisation's published rating of
    the year before, if any: the change is judged only against the run the
    simulation compared with."""
    if rating.certainty is None or rating.band == bands.NOT_RATED:
        return None
    run = rating.run
    draws, seed = run.parameters.get("uncertainty_draws"), run.parameters.get("uncertainty_seed")
    return Certainty(
        headline=headline(rating),
        chances=[{"band": band.code, "word": band.word, "share": in_100(getattr(rating, BAND_FIELDS[band.code])),
                  "current": band.code == rating.band}
                 for band in bands.BANDS if getattr(rating, BAND_FIELDS[band.code]) is not None],
        rank_sentence=rank_interval_sentence(rating),
        rank_chart=svg(charts.rank_interval_chart(
            chart_id="rank-interval", rank=rating.rank, low=rating.rank_low, high=rating.rank_high,
            rated=run.rated_count, band=rating.band)) if rating.rank and rating.rank_low else "",
        rank_rows=rank_rows(rating),
        change_sentence=change_sentence(rating, previous),
        noise_sentence=noise_sentence(rating),
        method_sentence=(f"These figures come from {draws:,} simulated years: the year's counted figures were "
                         f"redrawn {draws:,} times by their sampling noise (seed {seed}) and the whole method run "
                         f"on each."),
    )


def headline(rating) -> str:
    """"Very likely green: 97 in 100 simulated years gave green." or, when
    uncertain, naming the other bands that came out at least 20 in 100."""
    band_word = bands.word(rating.band).lower()
    word = certainty_word(rating.certainty)
    text = f"{word.capitalize()} {band_word}: {in_100(rating.certainty)} simulated years gave {band_word}."
    if word == "uncertain":
        others = [(bands.word(code).lower(), getattr(rating, field)) for code, field in BAND_FIELDS.items()
                  if code != rating.band and getattr(rating, field) is not None
                  and getattr(rating, field) >= NAMED_OTHER]
        if others:
            text += " It could as well have been " + listed(
                [f"{name} ({in_100(share)})" for name, share in others], "or") + "."
    return text


def rank_interval_sentence(rating) -> str:
    """"Ranked 12th; in 95 of 100 simulated years between 6th and 21st."."""
    if not rating.rank or not rating.rank_low or not rating.rank_high:
        return ""
    if rating.rank_low == rating.rank_high:
        return (f"Ranked {ordinal(rating.rank)}; in 95 of 100 simulated years "
                f"{ordinal(rating.rank_low)} as well.")
    return (f"Ranked {ordinal(rating.rank)}; in 95 of 100 simulated years between {ordinal(rating.rank_low)} and "
            f"{ordinal(rating.rank_high)}.")


def rank_rows(rating) -> list[dict]:
    if not rating.rank or not rating.rank_low:
        return []
    return [{"what": "Published rank", "rank": ordinal(rating.rank)},
            {"what": "Best rank of the middle 95 in 100 simulated years", "rank": ordinal(rating.rank_low)},
            {"what": "Worst rank of the middle 95 in 100 simulated years", "rank": ordinal(rating.rank_high)}]


def change_is_judged(rating, previous) -> bool:
    """Whether the card judges a band change from the year before: the band
    changed from `previous` (its published rating of that year), and that is
    the rating the simulation compared with."""
    return not (rating.p_change_real is None or previous is None or previous.band == rating.band
                or previous.run_id != rating.run.change_baseline_id)


def certainty_facts(rating, previous=None) -> dict | None:
    """What "How sure is this rating?" shows, as data (the API's card): None
    when `certainty_section` is None. `previous` as for `certainty_section`."""
    if rating.certainty is None or rating.band == bands.NOT_RATED:
        return None
    judged = change_is_judged(rating, previous)
    return {"certainty": rating.certainty, "word": certainty_word(rating.certainty),
            **{field: getattr(rating, field) for field in BAND_FIELDS.values()},
            "rank": rating.rank, "rank_low": rating.rank_low, "rank_high": rating.rank_high,
            "band_before": previous.band if judged else None,
            "p_change_real": rating.p_change_real if judged else None,
            "change_significance": change_significance(rating.p_change_real) if judged else None,
            "draws": rating.run.parameters.get("uncertainty_draws"),
            "seed": rating.run.parameters.get("uncertainty_seed")}


def change_sentence(rating, previous) -> str:
    """Whether a band change from the year before is "a real change" or "could be chance"."""
    if not change_is_judged(rating, previous):
        return ""
    before, now = bands.word(previous.band).lower(), bands.word(rating.band).lower()
    share = in_100(rating.p_change_real)
    if rating.p_change_real >= REAL_CHANGE:
        return (f"From {before} last year to {now}: a real change. The band moved the same way in {share} "
                f"simulated pairs of years.")
    return (f"From {before} last year to {now}: this could be chance. The band moved the same way in only "
            f"{share} simulated pairs of years (95 in 100 are needed to call it real).")


def noise_sentence(rating) -> str:
    """Whether its distance to the green cut-off is within the noise, by how often it came out green."""
    if rating.p_green is None or rating.gap_to_green is None or rating.candidate_position is None:
        return ""  # only a candidate for green (no core target failed) is green or not by its score
    share = in_100(rating.p_green)
    if NOISE_LOW <= rating.p_green <= NOISE_HIGH:
        return (f"Its distance to the green cut-off is within the noise: it came out green in {share} simulated "
                f"years.")
    side = "above" if rating.gap_to_green >= 0 else "below"
    return (f"Its distance {side} the green cut-off is larger than the noise: it came out green in {share} "
            f"simulated years.")
