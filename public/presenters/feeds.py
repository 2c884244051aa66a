"""The Atom feeds' entries: each publication the public has seen, as what
happened (first published, corrected, withdrawn) in words, with when and
where to read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from indicators.years import format_year
from ratings import bands

from ..formatting import sentence


@dataclass(frozen=True)
class Entry:
    key: str  # unique and stable: the entry's id
    title: str
    description: str
    at: datetime
    year: int
    type_code: str
    organisation_code: str = ""  # in an organisation's feed


def entries(runs, organisation=None) -> list[Entry]:
    """Newest first. `runs` oldest first within each year and type
    (`queries.publication_history`); given the organisation, each run's `band` is its band."""
    found, seen = [], set()
    for run in runs:
        key = (run.year, run.organisation_type.code)
        first = key not in seen
        seen.add(key)
        year, kind = format_year(run.year), run.organisation_type.plural_name or run.organisation_type.name
        if organisation is not None:
            band = bands.word(run.band)
            title = (f"{organisation.name}: {band} in {year}" if first
                     else f"{organisation.name}: {year} corrected, now {band.lower()}")
        else:
            title = f"{year} ratings of {kind.lower()} " + ("published" if first else "corrected")
        description = sentence(run.revision_note) if not first and run.revision_note else ""
        code = organisation.code if organisation is not None else ""
        found.append(Entry(f"run-{run.pk}-published", title, description, run.published_at, run.year,
                           run.organisation_type.code, code))
        if run.is_withdrawn and run.withdrawn_at:
            subject = organisation.name if organisation is not None else f"{year} ratings of {kind.lower()}"
            found.append(Entry(f"run-{run.pk}-withdrawn", f"{subject}: {year} ratings withdrawn",
                               sentence(run.withdrawal_reason), run.withdrawn_at, run.year,
                               run.organisation_type.code, code))
    return sorted(found, key=lambda entry: entry.at, reverse=True)
