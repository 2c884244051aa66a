"""A year's indicator definitions, edited by an admin from the ratings
workflow's year page: refused for what `import_indicators` refuses, in its
words (`reference_files`' rules), and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import hooks
from ..definitions import DEFINITION_FIELDS, format_from_year
from ..models import Indicator, IndicatorDefinition
from ..reference_files import (context_scored_problem, domain_problem, measure_problem, multiplier_problem,
                               weight_problem)
from .reference_data import mirror_latest_definition


def definition_problems(*, kind: str, domain: str, weight: float | None, core_threshold: float | None,
                        adjust_for_deprivation: bool, measure: str, multiplier: float | None,
                        **ignored) -> dict[str, list[tuple[str, str]]]:
    """(message, code)s by field: the rules a file's row keeps."""
    problems: dict[str, list[tuple[str, str]]] = {}
    for field, broken in (
        ("domain", domain_problem(kind or "", domain or "")),
        ("weight", weight_problem(weight)),
        ("core_threshold" if core_threshold is not None else "adjust_for_deprivation",
         context_scored_problem(kind or "", core_threshold, adjust_for_deprivation)),
        ("measure", measure_problem(measure or "")),
        ("multiplier", multiplier_problem(measure or "", multiplier)),
    ):
        if broken is not None:
            problems.setdefault(field, []).append(broken)
    return problems


@transaction.atomic
def define_for_year(*, indicator: Indicator, year: int, values: dict, organisation_types, user
                    ) -> IndicatorDefinition | None:
    """Make `values` (every field of `DEFINITION_FIELDS`) and `organisation_types`
    the indicator's definition for `year`: the definition from `year` is changed
    if there is one, otherwise a new one applies from `year` on (until a later
    one; earlier years keep theirs). Nothing is written when they are what is in
    force already (None is returned). Ratings already computed keep the
    definitions they froze."""
    problems = definition_problems(**values)
    if problems:
        raise ValidationError({field: [ValidationError(message, code=code) for message, code in broken]
                               for field, broken in problems.items()})
    in_force = (IndicatorDefinition.objects.in_force(year).filter(indicator=indicator)
                .prefetch_related("organisation_types").first())
    wanted_types = sorted(t.code for t in organisation_types)
    before = _shown(in_force) if in_force is not None else None
    after = {**{name: values[name] for name in DEFINITION_FIELDS}, "organisation_types": wanted_types}
    if before == after:
        return None
    if in_force is not None and in_force.from_year == year:
        definition = in_force
    else:
        definition = IndicatorDefinition(indicator=indicator, from_year=year)
    for name in DEFINITION_FIELDS:
        setattr(definition, name, values[name])
    definition.full_clean(exclude=["organisation_types", "indicator"])
    definition.save()
    definition.organisation_types.set(organisation_types)
    mirror_latest_definition(indicator)
    changes = {name: [None if before is None else before[name], value] for name, value in after.items()
               if before is None or before[name] != value}
    listed = "; ".join(f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items())
    hooks.audit(action="definition_changed", user=user,
                description=f"Defined the indicator {indicator.code} {format_from_year(year)}: {listed}.",
                details={"code": indicator.code, "from_year": year, "changes": changes,
                         "replaced_from_year": None if in_force is None else in_force.from_year})
    return definition


def _shown(definition: IndicatorDefinition) -> dict:
    return {**{name: getattr(definition, name) for name in DEFINITION_FIELDS},
            "organisation_types": sorted(t.code for t in definition.organisation_types.all())}
