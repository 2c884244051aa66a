"""The indicator definitions a run used, frozen with it (`RatingRun.definitions`):
their one shape, written by `outputs` and read here alone, so a published
rating's cards, methodology page and downloads never read today's definitions.

Pure: no Django. The shape is `{code: {indicator, from_year, kind, domain,
direction, weight, adjust_for_deprivation, core_threshold, measure,
multiplier, organisation_types}}`, one entry for each indicator whose
definition in force in the run's year applies to the run's type."""

from __future__ import annotations

from dataclasses import asdict, dataclass

PERFORMANCE = "performance"  # `indicators.choices.PERFORMANCE`, spelled as stored


@dataclass(frozen=True)
class FrozenDefinition:
    code: str
    indicator: int  # the indicator's id: its name, unit and description are read live (its identity)
    from_year: int
    kind: str
    domain: str
    direction: str
    weight: float
    adjust_for_deprivation: bool
    core_threshold: float | None
    measure: str
    multiplier: float | None
    organisation_types: tuple[str, ...]

    @property
    def is_performance(self) -> bool:
        return self.kind == PERFORMANCE


def freeze(definitions, *, type_code: str) -> dict:
    """The JSON stored with a run of `type_code`: each of `definitions`, pairs of
    (an `IndicatorDefinition` with its indicator, the type codes it applies to),
    that applies to the type."""
    return {d.indicator.code: {
        "indicator": d.indicator_id, "from_year": d.from_year, "kind": d.kind, "domain": d.domain,
        "direction": d.direction, "weight": d.weight, "adjust_for_deprivation": d.adjust_for_deprivation,
        "core_threshold": d.core_threshold, "measure": d.measure, "multiplier": d.multiplier,
        "organisation_types": sorted(types)} for d, types in definitions if type_code in types}


def run_definitions(run) -> dict[str, FrozenDefinition]:
    """The definitions frozen with `run`, by indicator code, in code order."""
    return definitions_of(run.definitions)


def definitions_of(stored: dict | None) -> dict[str, FrozenDefinition]:
    """`run_definitions` of a run's stored JSON alone (a values query's column)."""
    return {code: FrozenDefinition(code=code, **{**item, "organisation_types": tuple(item["organisation_types"])})
            for code, item in sorted((stored or {}).items())}


def performance_definitions(run) -> list[FrozenDefinition]:
    """The run's performance indicators, in the order a card lists them (domain, then code)."""
    return sorted((d for d in run_definitions(run).values() if d.is_performance), key=lambda d: (d.domain, d.code))


def engine_rows(run) -> tuple[list[dict], list[tuple[int, str]]]:
    """The run's performance definitions as the engine's `indicators` rows and
    `applicability` pairs (the columns `inputs.load_engine_inputs` reads), to
    recompute the run as it was computed (`verify_run`). Only the run's own
    type's applicability was frozen: that is all a run of one type needs."""
    indicators, applicability = [], []
    for definition in run_definitions(run).values():
        if not definition.is_performance:
            continue
        indicators.append({"indicator": definition.indicator, "domain": definition.domain,
                           "direction": definition.direction, "weight": definition.weight,
                           "adjust_for_deprivation": definition.adjust_for_deprivation,
                           "core_threshold": definition.core_threshold, "measure": definition.measure,
                           "multiplier": definition.multiplier})
        applicability.extend((definition.indicator, code) for code in definition.organisation_types)
    return indicators, applicability


def as_dict(definition: FrozenDefinition) -> dict:
    return asdict(definition)
