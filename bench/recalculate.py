"""Benchmark: recalculate a year's ratings at national scale and beyond.

For 1,000, 10,000 and 100,000 organisations of one type with 40 performance
indicators over two years, times loading the engine's inputs, computing (the
engine twice: with and without the value-added adjustment) and writing the
ratings, and the whole recalculation through `ratings.actions.recalculate`;
with the floor of reading the same result rows into a DataFrame with one raw
query, and the recalculation's peak memory (tracemalloc, a separate run);
then the admin's comparisons: two stored runs, and a what-if (red at 3
failures) computed in memory.
Targets: compute under 2 s at 10,000; the whole recalculation within 3x the
floor; growth close to linear.

    .venv/bin/python bench/recalculate.py [--sizes 1000,10000,100000] [--database sqlite|postgres|both]

Setup (not timed) writes synthetic rows straight into the tables: going
through the import path would take longer than everything measured here.
"""

import argparse
import os
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import run_per_database, setup  # noqa: E402

INDICATORS = 40
YEAR = 2000


def populate(size: int) -> None:
    import numpy as np
    from django.db import connection, transaction

    from indicators.models import (Indicator, Organisation, OrganisationType, Region, Result, ResultRevision,
                                   ReturnImport)
    from ratings.models import AuditEntry, Rating, RatingRun, Recalculation

    with transaction.atomic():
        AuditEntry.objects.all().delete()
        Recalculation.objects.all().delete()
        Rating.objects.all().delete()
        RatingRun.objects.all().delete()
        ResultRevision.objects.all().delete()
        Result.objects.all().delete()
        Organisation.objects.all().delete()
        ReturnImport.objects.all().delete()
        rng = np.random.default_rng(size)
        trust = OrganisationType.objects.get(code="TRUST")
        regions = list(Region.objects.order_by("code"))
        Organisation.objects.bulk_create(
            [Organisation(code=f"B{i:06d}", name=f"Benchmark trust {i}", type=trust, region=regions[i % 8])
             for i in range(size)], batch_size=5000)
        if not Indicator.objects.filter(code="BI00").exists():
            domains = ["quality", "efficiency", "access", "patient_experience"]
            for j in range(INDICATORS):
                indicator = Indicator.objects.create(
                    code=f"BI{j:02d}", name=f"Benchmark indicator {j}", kind="performance", domain=domains[j % 4],
                    direction="higher_better" if j % 2 else "lower_better", adjust_for_deprivation=j % 5 == 0,
                    core_threshold=(-1.5 if j % 2 else 1.5) if j % 8 == 0 else None)
                indicator.organisation_types.set([trust])
            deprivation = Indicator.objects.create(code="DEPRIVATION", name="Deprivation", kind="context")
            deprivation.organisation_types.set([trust])
        batch = ReturnImport.objects.create(filename="bench", channel="command")
        org_ids = np.array(Organisation.objects.order_by("id").values_list("id", flat=True))
        ind_ids = np.array(Indicator.objects.filter(code__startswith="BI").order_by("code").values_list("id", flat=True))
        dep_id = Indicator.objects.get(code="DEPRIVATION").id
        rows = []
        deprivation_score = rng.normal(22, 8, size)
        for year in (YEAR - 1, YEAR):
            rows.append(np.column_stack([org_ids, np.full(size, dep_id), np.full(size, year),
                                         np.round(deprivation_score + rng.normal(0, 0.5, size), 1)]))
            for ind in ind_ids:
                values = np.round(rng.normal(0, 1, size) - 0.03 * (deprivation_score - 22), 2)
                keep = rng.random(size) > 0.03
                rows.append(np.column_stack([org_ids[keep], np.full(keep.sum(), ind), np.full(keep.sum(), year),
                                             values[keep]]))
        table = np.concatenate(rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                import io
                buffer = io.StringIO()
                np.savetxt(buffer, np.column_stack([table, np.full(len(table), batch.id)]),
                           fmt=["%d", "%d", "%d", "%.2f", "%d"], delimiter="\t")
                buffer.seek(0)
                cursor.cursor.copy_from(buffer, "indicators_result", columns=(
                    "organisation_id", "indicator_id", "year", "value", "source_import_id"))
            else:
                cursor.executemany(
                    "INSERT INTO indicators_result (organisation_id, indicator_id, year, value, source_import_id) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [(int(o), int(i), int(y), float(v), batch.id) for o, i, y, v in table])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(table)


def floor_seconds() -> float:
    import pandas as pd
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT organisation_id, indicator_id, year, value FROM indicators_result WHERE year IN (%s, %s)",
                       [YEAR - 1, YEAR])
        pd.DataFrame(cursor.fetchall(), columns=["organisation", "indicator", "year", "value"])
    return time.perf_counter() - start


def measure(size: int) -> dict:
    from django.db import transaction

    from ratings import actions, comparisons, engine
    from ratings.inputs import load_engine_inputs
    from ratings.models import RatingRun, RatingScheme

    figures = {"rows": populate(size)}
    params = RatingScheme.objects.get_or_create(year=YEAR)[0].parameters()
    figures["floor"] = min(floor_seconds() for _ in range(2))

    start = time.perf_counter()
    inputs = load_engine_inputs(year=YEAR, type_codes=["TRUST"], deprivation_code="DEPRIVATION")
    figures["load"] = time.perf_counter() - start
    start = time.perf_counter()
    result = engine.rate(inputs, params)
    unadjusted = engine.rate(inputs, replace(params, value_added=False))
    figures["compute"] = time.perf_counter() - start
    start = time.perf_counter()
    with transaction.atomic():
        actions._store_runs(year=YEAR, params=params, result=result, unadjusted=unadjusted, user=None)
    figures["write"] = time.perf_counter() - start
    start = time.perf_counter()
    actions.recalculate(year=YEAR, type_codes=["TRUST"])
    figures["whole"] = time.perf_counter() - start
    # Memory in a separate run: tracemalloc slows what it watches. It sees
    # Python and numpy allocations, so it is the recalculation's own peak,
    # not the process's (which the setup above dominates).
    tracemalloc.start()
    actions.recalculate(year=YEAR, type_codes=["TRUST"])
    figures["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    # The admin's comparisons: two stored runs, and what-if (the engine four
    # times in memory: two parameter sets, each with and without adjustment).
    older, newer = RatingRun.objects.filter(year=YEAR).order_by("-pk")[:2][::-1]
    start = time.perf_counter()
    comparisons.runs_comparison(before=[older], after=[newer], before_label="older", after_label="newer")
    figures["compare"] = time.perf_counter() - start
    start = time.perf_counter()
    comparisons.what_if(year=YEAR, before=params, after=replace(params, red_core_failures=3), type_codes=["TRUST"])
    figures["what_if"] = time.perf_counter() - start
    return figures


def bench(sizes: list[int]) -> None:
    setup()
    from django.db import connection

    print(f"\n{connection.vendor}: one type, {INDICATORS} indicators, 2 years")
    print(f"{'organisations':>13} {'rows':>10} {'floor':>7} {'load':>7} {'compute':>8} {'write':>7} "
          f"{'whole':>7} {'whole/floor':>11} {'peak memory':>11} {'compare':>8} {'what-if':>8}")
    previous = None
    for size in sorted(sizes):
        f = measure(size)
        growth = "" if previous is None else f"  (x{f['whole'] / previous['whole']:.1f} for x{size / previous['size']:.0f} size)"
        print(f"{size:>13,} {f['rows']:>10,} {f['floor']:>6.2f}s {f['load']:>6.2f}s {f['compute']:>7.2f}s "
              f"{f['write']:>6.2f}s {f['whole']:>6.2f}s {f['whole'] / f['floor']:>10.1f}x {f['peak_mb']:>9.0f}MB"
              f" {f['compare']:>7.2f}s {f['what_if']:>7.2f}s{growth}", flush=True)
        previous = dict(f, size=size)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if "BENCH_DATABASE" in os.environ:
        bench(sizes)
    else:
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        sys.exit(run_per_database(__file__, databases, ["--sizes", args.sizes]))
