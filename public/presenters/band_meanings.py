"""What each band means, in words true of every rating a run made: written
from the run's parameters (its green share, how many core failures make an
organisation red, how a missing core figure counts, the coverage needed to be
rated), never fixed ("the best quarter" is only true of a share of 0.25).

The report card's "What green means" and the home page's key to the colours
read these; tests/public/presenters/test_band_claims_every_demo_year.py holds
them against every rating of the demo."""

from __future__ import annotations

from ratings import bands
from ratings.parameters import MISSING_CORE_FAILURE, SchemeParameters

from ..formatting import count_words, format_number, listed

# A share in words, where there is a plain word for it.
SHARE_WORDS = {0.5: "half", round(1 / 3, 6): "a third", 0.25: "a quarter", 0.2: "a fifth", 0.1: "a tenth"}


def share_words(share: float) -> str:
    """"a quarter", "a fifth", "30%"."""
    return SHARE_WORDS.get(round(share, 6)) or f"{format_number(share * 100, 1)}%"


def _parameter(params: dict, name: str):
    return params.get(name, getattr(SchemeParameters(), name))


def meaning(band: str, params: dict, plural: str) -> str:
    """What `band` says of an organisation rated with `params` (a run's frozen
    parameters), among the rated `plural` ("health authorities")."""
    red_at = int(_parameter(params, "red_core_failures"))
    missing_fails = params.get("missing_core_data", MISSING_CORE_FAILURE) == MISSING_CORE_FAILURE
    counted = " (a core figure not reported counts as failed)" if missing_fails else ""
    reported = "" if missing_fails else " and reported every one"
    if band == bands.GREEN:
        share = share_words(_parameter(params, "green_share"))
        return (f"Failed no core national target{reported}{counted}, and its final score was among the best of "
                f"the rated {plural} that failed none{reported}. At most {share} of the rated {plural} can be "
                f"green (rounded down), more only when final scores tie at the green cut-off.")
    if band == bands.YELLOW:
        failed = "no" if red_at == 1 else f"fewer than {count_words(red_at)}"
        reasons = (["it failed one"] if red_at > 1 else []) + ([] if missing_fails else ["it did not report one"])
        reasons.append("its final score was not among the best of those that " + (
            "failed none" if missing_fails else "failed none and reported every one"))
        return (f"Failed {failed} core national target{'' if red_at == 1 else 's'}{counted}, but was not "
                f"green: {listed(reasons, last='or')}.")
    if band == bands.RED:
        return f"Failed {count_words(red_at)} or more core national targets{counted}."
    coverage = format_number(100 * _parameter(params, "min_coverage"), 1)
    return (f"Too few of its indicator figures were reported to rate it fairly: fewer than {coverage}% of the "
            f"performance indicators that apply to it.")


def key(parameter_sets: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """The home page's key to the colours: each rated band's meaning and what
    it brings, for runs with these parameters ((plural of the type, parameters)
    for each type shown). Types whose runs share their parameters share one
    sentence; otherwise each type's is named."""
    rows = []
    for band in bands.RATED:
        groups: dict[str, list[str]] = {}
        for plural, params in parameter_sets or [("organisations", {})]:
            groups.setdefault(meaning(band.code, params, "organisations of its type"), []).append(plural)
        if len(groups) == 1:
            words = next(iter(groups))
        else:
            words = " ".join(f"{listed(plurals).capitalize()}: {text}" for text, plurals in groups.items())
        rows.append((band.code, f"{words} {band.brings}".strip()))
    return rows
