"""Recomputing a stored run from what it froze (its parameters and indicator
definitions) and the figures as they were when it was computed, and saying
where the stored ratings differ (`manage.py verify_run`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from indicators.models import Organisation, ReturnImport

from .models import RatingRun
from .parameters import SchemeParameters

SCORE_TOLERANCE = 1e-9
# What is compared, as (name in words, stored field, engine column).
COMPARED = (("band", "band", "band"), ("score", "score", "score"), ("rank", "rank", "rank"),
            ("core targets failed", "core_targets_failed", "core_failures"))


@dataclass(frozen=True)
class Difference:
    organisation: str  # its code
    what: str
    stored: object
    recomputed: object

    def __str__(self):
        return f"{self.organisation}: {self.what} stored {self.stored!r}, recomputed {self.recomputed!r}"


@dataclass(frozen=True)
class Verification:
    run: RatingRun
    ratings: int
    differences: list[Difference]
    warnings: list[str]


def verify(run: RatingRun) -> Verification:
    # The engine and its pandas tables only here, as in the recalculation's worker.
    from .counterfactuals import rate_with_counterfactuals
    from .engine import ENGINE_VERSION
    from .inputs import load_engine_inputs_as_of

    moment = run.created_at
    inputs = load_engine_inputs_as_of(run, moment=moment)
    params = SchemeParameters.from_dict(run.parameters)
    recomputed = rate_with_counterfactuals(inputs, params).ratings.set_index("organisation")
    recomputed = recomputed.astype(object).where(recomputed.notna(), None)  # NaN and <NA> as None, as stored
    codes = dict(Organisation.objects.filter(type=run.organisation_type_id).values_list("id", "code"))
    stored = {rating.organisation_id: rating for rating in run.ratings.all()}
    differences = []
    for organisation in sorted(set(stored) | set(recomputed.index), key=lambda o: codes.get(o, "")):
        code = codes.get(organisation, str(organisation))
        if organisation not in recomputed.index or organisation not in stored:
            differences.append(Difference(code, "rating", "held" if organisation in stored else "none",
                                          "computed" if organisation in recomputed.index else "none"))
            continue
        row, rating = recomputed.loc[organisation], stored[organisation]
        for what, field, column in COMPARED:
            if not _same(getattr(rating, field), row[column]):
                differences.append(Difference(code, what, getattr(rating, field), _plain(row[column])))
    differences += _certainty_differences(run, stored, codes)
    warnings = []
    if run.certainty_state in (RatingRun.Certainty.PENDING, RatingRun.Certainty.FAILED):
        warnings.append(f"Its band certainty is {run.get_certainty_state_display().lower()}: not checked.")
    if run.engine_version != ENGINE_VERSION:
        warnings.append(f"The run was computed by engine {run.engine_version}; this is engine {ENGINE_VERSION}: "
                        "differences may come from the engine.")
    reversed_since = ReturnImport.objects.filter(status=ReturnImport.Status.REVERSED, reversed_at__gt=moment,
                                                 applied_at__lte=moment).count()
    if reversed_since:
        warnings.append(f"{reversed_since} upload(s) applied before the run were reversed since: the figures they "
                        "brought are no longer held, so the figures as they were cannot all be recovered.")
    return Verification(run=run, ratings=len(stored), differences=differences, warnings=warnings)


def _certainty_differences(run: RatingRun, stored: dict, codes: dict) -> list[Difference]:
    """The stored band certainty against all the run's draws recomputed in one
    go from its seed (the worker computed them in chunks: the same figures)."""
    if run.certainty_state != RatingRun.Certainty.COMPLETE:
        return []
    from . import certainty_runs

    draws = int(run.parameters.get("uncertainty_draws", 0))
    figures = certainty_runs.combine(run, [certainty_runs.simulate_chunk(run, first_draw=0, stop_draw=draws)])
    recomputed = {int(organisation): index for index, organisation in enumerate(figures.organisations)}
    differences = []
    for organisation in sorted(stored, key=lambda o: codes.get(o, "")):
        rating, index = stored[organisation], recomputed.get(organisation)
        for name in certainty_runs.FIGURE_FIELDS:
            value = None if index is None else _plain(getattr(figures, name)[index])
            if name in ("rank_low", "rank_high") and value is not None:
                value = int(value)
            if not _same(getattr(rating, name), value):
                differences.append(Difference(codes.get(organisation, str(organisation)), name.replace("_", " "),
                                              getattr(rating, name), value))
    return differences


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _same(stored, recomputed) -> bool:
    recomputed = _plain(recomputed)
    if stored is None or recomputed is None:
        return stored is None and recomputed is None
    if isinstance(stored, float) or isinstance(recomputed, float):
        return abs(float(stored) - float(recomputed)) <= SCORE_TOLERANCE
    return stored == recomputed
