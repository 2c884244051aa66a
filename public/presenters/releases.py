"""The release calendar: publications announced ahead (year, organisation
type, date and time in UK time: nothing of their content, as the Code of
Practice for Statistics asks) and past releases, each with its corrections
and withdrawal, dated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from indicators.years import format_year

from ..formatting import sentence


@dataclass(frozen=True)
class Announcement:
    year: int
    year_label: str
    type_code: str
    kind: str  # "health authorities"
    at: datetime
    revises: bool  # replaces ratings already public: a correction
    announced_at: datetime | None

    @property
    def what(self) -> str:
        return "Corrected ratings" if self.revises else "Ratings"

    @property
    def title(self) -> str:
        return f"{self.what} of {self.kind}, {self.year_label}"


@dataclass(frozen=True)
class Event:
    at: datetime
    what: str  # "Published", "Corrected", "Withdrawn"
    note: str = ""  # what a correction corrected, why a withdrawal


@dataclass
class Release:
    """One year's ratings of one organisation type, as the public has seen them."""

    year: int
    year_label: str
    type_code: str
    kind: str
    current: bool  # published now (not withdrawn)
    events: list[Event] = field(default_factory=list)


def _kind(organisation_type_name: str, plural: str) -> str:
    return (plural or organisation_type_name).lower()


def announcements(rows: list[dict]) -> list[Announcement]:
    """`queries.announced_releases` rows, soonest first."""
    return [Announcement(row["year"], format_year(row["year"]), row["type_code"],
                         _kind(row["type_name"], row["type_plural"]), row["published_at"], row["revises"],
                         row["announced_at"]) for row in rows]


def past_releases(runs) -> list[Release]:
    """Newest year first, then by type; each release's events oldest first.
    `runs` as `queries.publication_history` gives them (oldest first within
    each year and type): the first is the publication, each later one a
    correction, and a withdrawn one also its withdrawal."""
    found: dict[tuple[int, str], Release] = {}
    for run in runs:
        kind = run.organisation_type
        key = (run.year, kind.code)
        release = found.get(key)
        if release is None:
            release = found[key] = Release(run.year, format_year(run.year), kind.code,
                                           _kind(kind.name, kind.plural_name), current=False)
            release.events.append(Event(run.published_at, "Published"))
        else:
            release.events.append(Event(run.published_at, "Corrected", sentence(run.revision_note)))
        if run.is_withdrawn and run.withdrawn_at:
            release.events.append(Event(run.withdrawn_at, "Withdrawn", sentence(run.withdrawal_reason)))
        release.current = release.current or run.current
    for release in found.values():
        release.events.sort(key=lambda event: event.at)
    return sorted(found.values(), key=lambda release: (-release.year, release.type_code))
