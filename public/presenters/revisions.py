"""A year's ratings as the public has seen them over time: first
publication, corrections, withdrawals, and earlier versions."""

from __future__ import annotations

from django.utils import dateformat, timezone

from indicators.years import format_year
from ratings import bands
from ratings.parameters import TIE_TOLERANCE

from ..formatting import format_number, plural_of, sentence


def long_date(moment) -> str:
    """3 March 2001, in the site's time zone."""
    return dateformat.format(timezone.localtime(moment), "j F Y")


def revisions(versions, shown=None) -> list[dict]:
    """The public history of a year's ratings of a type, oldest first: when
    they were first published, each correction with what it corrected, each
    withdrawal with its reason, and a link to every earlier version that rates
    the organisation (not the one `shown`). Empty when they were never revised.
    Each entry: {"text", "version" (a run id to link to, or None), "date"}."""
    if len(versions) < 2 and not any(run.is_withdrawn for run in versions):
        return []
    events = []
    for position, run in enumerate(versions):
        when = long_date(run.published_at)
        if position == 0:
            text = f"First published on {when}."
        else:
            text = f"Corrected on {when}" + (f": {sentence(run.revision_note)}" if run.revision_note else ".")
            text += " " + own_change(_previous_rated(versions[:position]), run)
        earlier = run.rated and not run.current and not run.is_withdrawn and run.pk != shown
        events.append((run.published_at, {"text": text, "version": run.pk if earlier else None, "date": when}))
        if run.is_withdrawn:
            events.append((run.withdrawn_at, {"text": f"Withdrawn on {long_date(run.withdrawn_at)}: "
                                                      f"{sentence(run.withdrawal_reason)}", "version": None,
                                              "date": long_date(run.withdrawn_at)}))
    return [entry for _, entry in sorted(events, key=lambda event: event[0])]


def _previous_rated(earlier):
    """The latest earlier version that rated the organisation, or None."""
    return next((run for run in reversed(earlier) if run.rated), None)


def own_change(before, after) -> str:
    """Whether this organisation's band or score changed between two versions
    (each with `rated`, `own_band`, `own_score`: `queries.revisions`), and how."""
    if not after.rated:
        return "This organisation was not in the corrected ratings."
    if before is None:
        return "This organisation was not in the ratings it corrected."
    band_before, band_after = bands.word(before.own_band).lower(), bands.word(after.own_band).lower()
    score_before, score_after = _scores(before.own_score, after.own_score)
    band_same = before.own_band == after.own_band
    score_same = (before.own_score is None and after.own_score is None) or (
        before.own_score is not None and after.own_score is not None
        and abs(before.own_score - after.own_score) <= TIE_TOLERANCE)
    if band_same and before.own_score is None and after.own_score is None:
        return f"This organisation's band ({band_after}) did not change, with no score in either version."
    if band_same and score_same:
        return f"This organisation's band ({band_after}) and score ({score_after}) did not change."
    if band_same:
        return f"This organisation's band did not change ({band_after}); its score changed from {score_before} to {score_after}."
    if score_same:
        return f"This organisation's band changed from {band_before} to {band_after}; its score did not change ({score_after})."
    return (f"This organisation's band changed from {band_before} to {band_after}, and its score from "
            f"{score_before} to {score_after}.")


def _scores(before, after) -> tuple[str, str]:
    """Both scores as shown, with more places when two places would hide the change."""
    shown = format_number(before), format_number(after)
    if shown[0] == shown[1] and before is not None and after is not None and before != after:
        return format_number(before, 6), format_number(after, 6)
    return shown


def version_notice(versions, run) -> str:
    """What a previous version's page says first: when it was published, and
    when and why the next version replaced it."""
    later = versions[versions.index(run) + 1:]
    text = f"This is a previous version of these ratings, published on {long_date(run.published_at)}."
    if not later:
        return text
    replacement = later[0]
    return (f"{text} It was replaced on {long_date(replacement.published_at)}"
            + (f": {sentence(replacement.revision_note)}" if replacement.revision_note else "."))


def withdrawal_notice(run, organisation_type) -> str:
    """The 2000-01 ratings of acute trusts were withdrawn on 3 March 2001: (the reason)."""
    return (f"The {format_year(run.year)} ratings of {plural_of(organisation_type)} were withdrawn on "
            f"{long_date(run.withdrawn_at)}: {sentence(run.withdrawal_reason)}")


def withdrawal_notices(runs) -> list[str]:
    """Each withdrawn run's notice (`queries.withdrawals`), by year then type."""
    return [withdrawal_notice(run, run.organisation_type) for run in runs]
