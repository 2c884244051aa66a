"""Building small engine inputs by hand, for the engine's tests."""

import numpy as np
import pandas as pd

from ratings.engine import EngineInputs


def indicator(code, domain="quality", direction="higher_better", weight=1.0, adjust=False, core=None,
              types=("HA",)):
    return dict(indicator=code, domain=domain, direction=direction, weight=weight, adjust_for_deprivation=adjust,
                core_threshold=np.nan if core is None else core, types=types)


def make_inputs(*, year=2000, organisations, indicators, results, deprivation=()):
    """organisations: (key, type[, active]); results: (organisation, indicator, year, value);
    deprivation: (organisation, year, value)."""
    orgs = pd.DataFrame([(o[0], o[1], o[2] if len(o) > 2 else True) for o in organisations],
                        columns=["organisation", "type", "active"])
    table = pd.DataFrame(indicators)
    applicability = table[["indicator", "types"]].explode("types").rename(columns={"types": "type"})
    return EngineInputs(
        year=year,
        organisations=orgs,
        indicators=table.drop(columns="types"),
        applicability=applicability.reset_index(drop=True),
        results=pd.DataFrame(list(results), columns=["organisation", "indicator", "year", "value"]).astype(
            {"value": float, "year": int}),
        deprivation=pd.DataFrame(list(deprivation), columns=["organisation", "year", "value"]).astype(
            {"value": float, "year": int}),
    )
