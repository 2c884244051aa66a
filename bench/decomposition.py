"""Benchmark: why a band changed (issue 16, `ratings.decomposition`), targets printed beside the figures.

1. The demo's 2000-01, all types (read through the adapter from a throwaway
   SQLite database, 1998-99 and 1999-00 published first): the decomposition
   of every organisation rated in both 1999-00 and 2000-01, as the worker
   computes it after the bands (`change_explanations.load_previous` and
   `with_explanations`), one process: target under 60 s. Then the whole
   recalculation with it, and the demo's counts of band changes by main
   reason, per type.
2. A synthetic type of 10,000 organisations x 40 indicators
   (`bench._data.synthetic_engine_inputs`, no database; last year's method
   the same), every organisation
   decomposed, one process: target under 15 minutes (wall and CPU time
   printed, with the load average: other work on the machine inflates the
   wall time). Then how many of the "own figures" swaps the updated sums
   decided (`ratings.one_row_swaps`) and how many went to the full engine. With `--sample N`, only
   N organisations, and the whole estimated from them (said so).

    .venv/bin/python bench/decomposition.py [--organisations 10000] [--sample N] [--skip-demo] [--skip-synthetic]
"""

import argparse
import io
import os
import resource
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import run_per_database, setup  # noqa: E402

DEMO_TARGET_SECONDS = 60
SYNTHETIC_TARGET_SECONDS = 15 * 60


def demo() -> None:
    setup()
    from django.core.management import call_command

    from indicators.models import OrganisationType
    from ratings import actions, change_explanations
    from ratings.actions.schemes import checked_scheme
    from ratings.counterfactuals import rate_with_counterfactuals
    from ratings.inputs import load_engine_inputs

    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())
    for year in (1998, 1999):
        actions.recalculate(year=year, publish=True)
    types = sorted(OrganisationType.objects.values_list("code", flat=True))
    params = checked_scheme(2000).parameters()
    inputs = load_engine_inputs(year=2000, type_codes=types, deprivation_code=params.deprivation_indicator)
    result = rate_with_counterfactuals(inputs, params)

    start, cpu = time.perf_counter(), process_seconds()
    previous = change_explanations.load_previous(year=2000, inputs=inputs, params=params, type_codes=types)
    explained = change_explanations.with_explanations(result, inputs=inputs, params=params, previous=previous)
    seconds, cpu = time.perf_counter() - start, process_seconds() - cpu
    ratings = explained.ratings
    decomposed = ratings[ratings["decomposition"].notna()]
    print(f"Demo 2000-01 against 1999-00: {len(decomposed)} organisations rated in both ({', '.join(types)}), "
          f"one process")
    print(f"  decomposition: {seconds:6.1f} s wall, {cpu:.1f} s CPU   target < {DEMO_TARGET_SECONDS} s: "
          f"{'met' if seconds < DEMO_TARGET_SECONDS else 'MISSED'}   (load average {load()})")
    print(f"  \"own figures\" swaps decided from the updated sums: {demo_swaps_decided(previous, inputs, params)}")
    start = time.perf_counter()
    actions.recalculate(year=2000)
    print(f"  the whole recalculation of 2000-01 with it: {time.perf_counter() - start:.1f} s")
    print("  band changes by main reason:")
    for type_code, of_type in decomposed.groupby("type"):
        counts = Counter(of_type.loc[of_type["change_reason"] != "", "change_reason"])
        print(f"    {type_code}: {sum(counts.values())} of {len(of_type)} changed band: "
              + ", ".join(f"{reason} {count}" for reason, count in counts.most_common()))


def demo_swaps_decided(previous, inputs, params) -> str:
    """How many of the demo's "own figures" swaps (each type, either year's method, either way round)
    `one_row_swaps` decided, of how many."""
    import numpy as np

    from ratings import batch_engine, decomposition, one_row_swaps
    from ratings.inputs import run_method

    this_method = decomposition.Method(params=params, indicators=inputs.indicators, applicability=inputs.applicability)
    decided = total = 0
    for type_code, run in sorted(previous.runs.items()):
        for method in (run_method(run), this_method):
            arrays = [batch_engine.type_arrays(decomposition.combination_inputs(
                own=state, others=state, method=method, organisation=None, year=2000,
                type_code=type_code))[type_code] for state in previous.figures]
            for base, own in (arrays, arrays[::-1]):
                rows = np.flatnonzero(base.active & own.active)
                decided += int(one_row_swaps.SwapRater(base, method.params).rate(own, rows).exact.sum())
                total += len(rows)
    return f"{decided:,} of {total:,}"


def synthetic(organisations: int, indicators: int, sample: int | None) -> None:
    import numpy as np
    import pandas as pd

    from bench._data import synthetic_engine_inputs
    from ratings import batch_engine, decomposition, engine, one_row_swaps
    from ratings.engine import SchemeParameters

    def figures(inputs):
        return decomposition.Figures(year=inputs.year, organisations=inputs.organisations, results=inputs.results,
                                     deprivation={"DEPRIVATION": inputs.deprivation})

    this_year = synthetic_engine_inputs(organisations, indicators, seed=0, year=2000)
    # Last year: this year's 1999-00 figures, and its 2000-01 ones standing in for 1998-99 (one generator
    # run, so that both years share the indicators' typical figures and core targets).
    earlier = this_year.results.assign(year=this_year.results["year"].map({1999: 1999, 2000: 1998}))
    last_year = replace(this_year, year=1999, results=earlier,
                        deprivation=this_year.deprivation.assign(year=1999))
    params = SchemeParameters()
    method = decomposition.Method(params=params, indicators=this_year.indicators,
                                  applicability=this_year.applicability)
    before, after = figures(last_year), figures(this_year)
    rated = [engine.rate_type(inputs, params, "TRUST").ratings.set_index("organisation")
             for inputs in (last_year, this_year)]
    both = rated[0].index[(rated[0]["band"] != "not_rated") & (rated[1]["band"] != "not_rated")]
    if sample:
        both = np.random.default_rng(0).choice(both, size=min(sample, len(both)), replace=False)
    published = {o: decomposition.Published(
        band_before=rated[0].at[o, "band"], margin_before=float(rated[0].at[o, "gap_to_green"]),
        band_after=rated[1].at[o, "band"], margin_after=float(rated[1].at[o, "gap_to_green"]),
        candidate_before=bool(pd.notna(rated[0].at[o, "candidate_position"])),
        candidate_after=bool(pd.notna(rated[1].at[o, "candidate_position"]))) for o in both}
    start, cpu = time.perf_counter(), process_seconds()
    table = decomposition.decompose_type(before=before, after=after, methods=(method, method), type_code="TRUST",
                                         published=published)
    seconds, cpu = time.perf_counter() - start, process_seconds() - cpu
    split = table[table["has_margin"]]
    errors = (split[list(decomposition.PARTS)].astype(float).sum(axis=1) - split["change"]).abs()
    total = len(rated[1].index[(rated[0]["band"] != "not_rated") & (rated[1]["band"] != "not_rated")])
    estimate = seconds * total / len(published)
    print(f"Synthetic: {organisations:,} organisations x {indicators} indicators, "
          f"{len(published):,} of {total:,} decomposed, one process")
    print(f"  decomposition: {seconds:6.1f} s ({1000 * seconds / len(published):.0f} ms an organisation; "
          f"{len(split)} split, largest |parts - change| {errors.max():.1e})")
    label = "estimated for all" if sample else "all"
    print(f"  {label}: {estimate / 60:.1f} min wall, {cpu * total / len(published):.1f} s CPU   "
          f"target < {SYNTHETIC_TARGET_SECONDS / 60:.0f} min: "
          f"{'met' if estimate < SYNTHETIC_TARGET_SECONDS else 'MISSED'}   (load average {load()})")
    # How many "own figures" swaps the updated sums decided, and how many went to the full engine.
    arrays = [batch_engine.type_arrays(decomposition.combination_inputs(
        own=state, others=state, method=method, organisation=None, year=2000, type_code="TRUST"))["TRUST"]
        for state in (before, after)]
    rows = batch_engine.positions(arrays[0].organisations, np.asarray(list(published)))
    exact = sum(int(one_row_swaps.SwapRater(arrays[1 - own], params).rate(arrays[own], rows).exact.sum())
                for own in (0, 1))
    print(f"  swaps decided from the updated sums: {exact:,} of {2 * len(rows):,}; the rest by the full engine")


def process_seconds() -> float:
    """CPU time of this process and its children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return " ".join(f"{figure:.1f}" for figure in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--sample", type=int, default=None, help="decompose only this many (estimate the rest)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if os.environ.get("BENCH_DATABASE"):  # the child with a throwaway database
        demo()
        return
    status = 0
    if not args.skip_demo:
        status = run_per_database(__file__, ["sqlite"], [])
    if not args.skip_synthetic:
        synthetic(args.organisations, args.indicators, args.sample)
    sys.exit(status)


if __name__ == "__main__":
    main()
