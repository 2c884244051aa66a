"""Shared by the benchmarks: a demo data set with a return of an exact size."""

import csv
import io

INDICATORS = 20


def make_return_files(rows: int, years: tuple[int, ...]) -> dict[str, bytes]:
    """CSV bytes of the regions, organisations, indicators and a return of
    exactly `rows` rows (trusts, 20 indicators, the given years), from the demo generator."""
    from indicators import demo

    # About 3% of values are missing in the demo: generate a margin, then trim.
    organisations = int(rows / (INDICATORS * len(years)) * 1.1) + 1
    data = demo.generate(organisations={"TRUST": organisations}, indicators_per_type=INDICATORS - 1, years=years)
    data.returns = data.returns[: rows + 1]
    files = {}
    for name in ("regions", "organisations", "indicators", "returns"):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(getattr(data, name))
        files[name] = buffer.getvalue().encode()
    return files


def synthetic_engine_inputs(organisations: int, indicators: int, seed: int = 0, year: int = 2000):
    """Engine inputs of one type (TRUST) with this many organisations and
    performance indicators over two years, built in memory (no database):
    about 60% proportions, 30% rates and 10% other measures, denominators
    from a few hundred to tens of thousands, 3% of figures missing, five core
    targets, a quarter of indicators adjusted for deprivation."""
    import numpy as np
    import pandas as pd

    from indicators.choices import DOMAINS
    from ratings.engine import EngineInputs

    rng = np.random.default_rng(seed)
    keys = np.arange(1, organisations + 1)
    codes = np.arange(1, indicators + 1)
    measure = np.where(codes % 10 == 0, "other", np.where(codes % 3 == 0, "rate", "proportion"))
    multiplier = np.where(measure == "proportion", 100.0, np.where(measure == "rate", 100_000.0, np.nan))
    direction = np.where(codes % 4 == 0, "lower_better", "higher_better")
    share = rng.uniform(0.2, 0.8, indicators)  # each indicator's typical proportion (rates: per 100,000 / 1e5)
    share[measure == "rate"] = rng.uniform(1e-3, 1e-2, (measure == "rate").sum())
    core = np.full(indicators, np.nan)
    core[:5] = multiplier[:5] * share[:5] * 0.9
    table = pd.DataFrame({"indicator": codes, "domain": [DOMAINS[i % len(DOMAINS)] for i in range(indicators)],
                          "direction": direction, "weight": 1.0, "adjust_for_deprivation": codes % 4 == 1,
                          "core_threshold": np.where(direction == "higher_better", core, core * 1.2),
                          "measure": measure, "multiplier": multiplier})
    frames = []
    quality = rng.normal(0, 0.3, organisations)
    size = np.exp(rng.uniform(np.log(300), np.log(30_000), organisations))
    for y in (year - 1, year):
        org, ind = np.meshgrid(keys, codes, indexing="ij")
        p = share[None, :] * np.exp(quality[:, None] * 0.3 + rng.normal(0, 0.1, (organisations, indicators)))
        p = np.clip(p, 1e-4, 0.999)
        denominator = np.round(size[:, None] * rng.uniform(0.8, 1.2, (organisations, indicators)))
        numerator = rng.binomial(denominator.astype(np.int64), p).astype(float)
        value = np.where(measure == "other", rng.normal(50, 10, (organisations, indicators)),
                         multiplier * numerator / denominator)
        drawable = measure != "other"
        numerator, denominator = np.where(drawable, numerator, np.nan), np.where(drawable, denominator, np.nan)
        value[rng.random(value.shape) < 0.03] = np.nan
        frames.append(pd.DataFrame({"organisation": org.ravel(), "indicator": ind.ravel(), "year": y,
                                    "value": value.ravel(), "numerator": numerator.ravel(),
                                    "denominator": denominator.ravel()}))
    results = pd.concat(frames, ignore_index=True)
    deprivation = pd.DataFrame({"organisation": keys, "year": year, "value": rng.uniform(0, 60, organisations)})
    return EngineInputs(
        year=year,
        organisations=pd.DataFrame({"organisation": keys, "type": "TRUST", "active": True}),
        indicators=table,
        applicability=pd.DataFrame({"indicator": codes, "type": "TRUST"}),
        results=results, deprivation=deprivation)
