"""The method's parameters and their rules: pure Python, no pandas, so a web
process that only reads stored ratings (the public site) never imports the
engine's numeric libraries. The engine re-exports these."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Mapping

from indicators.choices import DOMAINS


@dataclass(frozen=True)
class SchemeParameters:
    """The method's parameters, with the spec's defaults."""

    green_share: float = 0.25
    red_core_failures: int = 2
    improvement_weight: float = 0.25
    value_added: bool = True
    deprivation_indicator: str = "DEPRIVATION"
    min_coverage: float = 0.5
    clip_z: float = 3.0
    domain_weights: Mapping[str, float] = field(default_factory=lambda: {d: 1.0 for d in DOMAINS})
    missing_core_data: str = "failure"
    # Band certainty: the simulation's draws (0 = none) and the seed of its PCG64 stream.
    uncertainty_draws: int = 2000
    uncertainty_seed: int = 2000

    def __post_init__(self):
        problems = parameter_problems(asdict(self))
        if problems:
            raise ValueError("; ".join(f"{name}: {message}" for name, message in problems.items()))
        # Frozen, and hashable in spirit: keep a plain sorted dict of floats.
        object.__setattr__(self, "domain_weights",
                           {d: float(self.domain_weights.get(d, 1.0)) for d in DOMAINS})

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping) -> "SchemeParameters":
        unknown = set(values) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        return cls(**values)


# How a missing core figure counts (step 3): a failure labelled "no data", or
# not a failure but a bar to green.
MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN = "failure", "not_green"
MISSING_CORE_DATA_CHOICES = (MISSING_CORE_FAILURE, MISSING_CORE_NOT_GREEN)

# Two scores or z-scores this close count as equal (the method's 1e-9): at the
# green cut-off and quota, in ranks, coverage and peer standings. Equal values
# can differ in the last bit with the order they were summed in.
TIE_TOLERANCE = 1e-9


def parameter_problems(values: Mapping) -> dict[str, str]:
    """Every way the parameters break the method's rules, by parameter name."""
    problems = {}

    def number(name):
        value = values.get(name)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    for name in ("green_share", "min_coverage"):
        value = number(name)
        if value is None or not 0 < value <= 1:
            problems[name] = f"must be a share more than 0 and at most 1, not {_shown(values.get(name))}"
    value = number("improvement_weight")
    if value is None or not 0 <= value <= 1:
        problems["improvement_weight"] = f"must be between 0 and 1, not {_shown(values.get('improvement_weight'))}"
    value = values.get("red_core_failures")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        problems["red_core_failures"] = f"must be a whole number, at least 1, not {_shown(value)}"
    value = number("clip_z")
    if value is None or not (value > 0 and math.isfinite(value)):
        problems["clip_z"] = f"must be a number more than 0, not {_shown(values.get('clip_z'))}"
    if not isinstance(values.get("value_added"), bool):
        problems["value_added"] = "must be true or false"
    if not isinstance(values.get("deprivation_indicator"), str) or not values.get("deprivation_indicator"):
        problems["deprivation_indicator"] = "must be an indicator code"
    if values.get("missing_core_data") not in MISSING_CORE_DATA_CHOICES:
        problems["missing_core_data"] = (f"must be {' or '.join(MISSING_CORE_DATA_CHOICES)}, "
                                         f"not {_shown(values.get('missing_core_data'))}")
    for name in ("uncertainty_draws", "uncertainty_seed"):
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems[name] = f"must be a whole number, 0 or more, not {_shown(value)}"
    weights = values.get("domain_weights")
    if not isinstance(weights, Mapping):
        problems["domain_weights"] = f"must map some of {', '.join(DOMAINS)} to weights"
    elif set(weights) - set(DOMAINS):
        unknown = ", ".join(repr(name) for name in sorted(set(weights) - set(DOMAINS)))
        problems["domain_weights"] = f"unknown domain {unknown}: the domains are {', '.join(DOMAINS)}"
    elif any(not isinstance(w, (int, float)) or isinstance(w, bool) or not 0 <= w < math.inf
             for w in weights.values()):
        problems["domain_weights"] = "weights must be numbers of 0 or more"
    elif sum(weights.get(d, 1.0) for d in DOMAINS) <= 0:
        problems["domain_weights"] = "at least one domain must have a weight above 0"
    return problems


def _shown(value) -> str:
    """A refused value as the person typed it: 1.5, not 1.5e+00 or '1.5'."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    return f"{value:g}" if isinstance(value, float) else str(value)
