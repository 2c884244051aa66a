"""Indicator definitions by year (spec, "Words"): what an indicator means for
rating in a year. Effective-dated: a definition applies from its `from_year`
until a later definition of the same indicator replaces it. Pure; its SQL twin
is `IndicatorDefinition.objects.in_force`, tested to agree.

"From the start" is `FROM_THE_START` (the first year this service can hold, so
no figure is older): a plain year rather than NULL keeps one definition per
indicator and year a plain unique constraint and "the latest `from_year` not
after Y" free of NULL cases."""

from __future__ import annotations

from typing import Iterable, Protocol, TypeVar

from .years import FIRST_YEAR, format_year

FROM_THE_START = FIRST_YEAR

# The fields of a definition, in the order files, forms and frozen copies list them.
DEFINITION_FIELDS = ("kind", "domain", "direction", "weight", "adjust_for_deprivation", "core_threshold",
                     "measure", "multiplier")


class Dated(Protocol):
    indicator_id: int
    from_year: int


D = TypeVar("D", bound=Dated)


def in_force(definitions: Iterable[D], year: int) -> dict[int, D]:
    """Each indicator's definition in force in `year`, by indicator id: the one
    with the latest `from_year` not after `year`. An indicator whose first
    definition is later than `year` has none (it did not exist for rating then)."""
    chosen: dict[int, D] = {}
    for definition in definitions:
        if definition.from_year > year:
            continue
        held = chosen.get(definition.indicator_id)
        if held is None or definition.from_year > held.from_year:
            chosen[definition.indicator_id] = definition
    return chosen


def format_from_year(from_year: int) -> str:
    """`from the start`, or the financial year a definition applies from."""
    return "from the start" if from_year == FROM_THE_START else f"from {format_year(from_year)}"
