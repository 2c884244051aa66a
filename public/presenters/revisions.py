"""A year's ratings as the public has seen them over time: first
publication, corrections, withdrawals, and earlier versions."""

from __future__ import annotations

from django.utils import dateformat, timezone

from indicators.years import format_year

from ..formatting import plural_of, sentence


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
        earlier = run.rated and not run.current and not run.is_withdrawn and run.pk != shown
        events.append((run.published_at, {"text": text, "version": run.pk if earlier else None, "date": when}))
        if run.is_withdrawn:
            events.append((run.withdrawn_at, {"text": f"Withdrawn on {long_date(run.withdrawn_at)}: "
                                                      f"{sentence(run.withdrawal_reason)}", "version": None,
                                              "date": long_date(run.withdrawn_at)}))
    return [entry for _, entry in sorted(events, key=lambda event: event[0])]


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
