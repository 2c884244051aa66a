"""What an upload's preview page shows: its stored codes turned into the
names a person recognises. Pure: the stored preview and the names in, rows
for the template out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Named:
    code: str
    name: str | None  # None when the code is no longer held

    def __str__(self):
        return f"{self.name} ({self.code})" if self.name else self.code


@dataclass(frozen=True, slots=True)
class ChangedValue:
    organisation: Named
    indicator: Named
    year: int
    held: float
    in_file: float


@dataclass(frozen=True, slots=True)
class NewValue:
    organisation: Named
    indicator: Named
    year: int
    value: float


@dataclass(frozen=True, slots=True)
class OrganisationCounts:
    organisation: Named
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class Preview:
    changes: list[ChangedValue]
    new_values: list[NewValue]
    organisations: list[OrganisationCounts]


def codes_in(preview: dict, *, shown_changes: int, shown_new: int) -> tuple[set[str], set[str]]:
    """The organisation and indicator codes the page will name."""
    rows = [*preview.get("changes", [])[:shown_changes], *preview.get("new", [])[:shown_new]]
    organisations = {row[0] for row in rows} | set(preview.get("organisations", {}))
    return organisations, {row[1] for row in rows}


def present(preview: dict, *, organisation_names: dict[str, str], indicator_names: dict[str, str],
            shown_changes: int, shown_new: int) -> Preview:
    """Changed values, then new values, then counts by organisation (by name)."""
    def organisation(code):
        return Named(code, organisation_names.get(code))

    def indicator(code):
        return Named(code, indicator_names.get(code))

    counts = [OrganisationCounts(organisation(code), *counts)
              for code, counts in preview.get("organisations", {}).items()]
    return Preview(
        changes=[ChangedValue(organisation(org), indicator(ind), year, held, in_file)
                 for org, ind, year, held, in_file in preview.get("changes", [])[:shown_changes]],
        new_values=[NewValue(organisation(org), indicator(ind), year, value)
                    for org, ind, year, value in preview.get("new", [])[:shown_new]],
        organisations=sorted(counts, key=lambda c: (c.organisation.name or c.organisation.code).casefold()),
    )
