"""Benchmark: recalculate a year's ratings at national scale and beyond.

For 1,000 and 10,000 organisations of one type (and 100,000 with
`--sizes 1000,10000,100000`: several minutes and about 3 GB) with 40
performance indicators over two years, times loading the engine's inputs,
computing (the engine twice: with and without the value-added adjustment)
and writing the ratings, and the whole recalculation through
`ratings.actions.recalculate`; against two floors: reading the same result
rows into a DataFrame with one raw query (the whole recalculation's), and a
bare COPY (PostgreSQL) / executemany (SQLite) of the very rows the write
stores, already encoded, into the ratings table, committed (the write's).
Then the recalculation's peak memory (tracemalloc, a separate run), growth
from one size to the next in time and memory, and the admin's comparisons:
two stored runs, and a what-if (red at 3 failures: four engine passes)
with the engine's steps shared across the passes and without.
With `--workers`, the time one and then two `db_worker` processes take to
drain a queue of four recalculations (four years, 10,000 organisations by
default: `--worker-size`).

Targets: the write within 3x its floor; the whole recalculation within 3x
its floor; growth close to linear (time and memory growing at most 1.2x as
fast as the organisations: log(ratio) / log(size ratio) <= 1.2); the what-if
with shared steps at most 0.6x the time without (prototype: 0.49x).

    .venv/bin/python bench/recalculate.py [--sizes 1000,10000] [--database sqlite|postgres|both] [--workers]

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


def populate(size: int, years=(YEAR - 1, YEAR)) -> int:
    import numpy as np
    from django.db import connection, transaction

    from indicators.actions import save_indicator
    from indicators.models import (Indicator, Organisation, OrganisationType, Region, Result, ResultRevision,
                                   ReturnImport)
    from ratings.models import AuditEntry, Rating, RatingRun, Recalculation, WhatIf

    with transaction.atomic():
        AuditEntry.objects.all().delete()
        Recalculation.objects.all().delete()
        WhatIf.objects.all().delete()
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
            # Through the action, which gives each its definition from the start (what the engine reads).
            for j in range(INDICATORS):
                save_indicator(indicator=Indicator(
                    code=f"BI{j:02d}", name=f"Benchmark indicator {j}", kind="performance", domain=domains[j % 4],
                    direction="higher_better" if j % 2 else "lower_better", adjust_for_deprivation=j % 5 == 0,
                    core_threshold=(-1.5 if j % 2 else 1.5) if j % 8 == 0 else None),
                    organisation_types=[trust], user=None)
            save_indicator(indicator=Indicator(code="DEPRIVATION", name="Deprivation", kind="context"),
                           organisation_types=[trust], user=None)
        batch = ReturnImport.objects.create(filename="bench", channel="command")
        org_ids = np.array(Organisation.objects.order_by("id").values_list("id", flat=True))
        ind_ids = np.array(Indicator.objects.filter(code__startswith="BI").order_by("code").values_list("id", flat=True))
        dep_id = Indicator.objects.get(code="DEPRIVATION").id
        rows = []
        deprivation_score = rng.normal(22, 8, size)
        for year in years:
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


def write_floor_seconds(result) -> float:
    """A bare COPY / executemany of exactly the rows the write stores (built
    and encoded beforehand, not timed) into the ratings table, committed
    (then deleted, not timed)."""
    import csv
    import io

    from django.db import connection, transaction

    from indicators.models import Indicator, OrganisationType
    from ratings import engine, outputs, peers, rating_rows
    from ratings.models import Rating, RatingRun

    codes = dict(Indicator.objects.values_list("id", "code"))
    summary = peers.summarise(result.indicator_scores, result.ratings["organisation"], codes)
    rows = list(rating_rows.rating_rows(result, result.ratings, codes, summary))
    table, columns = Rating._meta.db_table, ", ".join(["run_id", *rating_rows.COLUMNS])
    run = RatingRun.objects.create(year=YEAR, organisation_type=OrganisationType.objects.get(code="TRUST"),
                                   parameters={}, engine_version=engine.ENGINE_VERSION)
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows((run.pk, *row) for row in rows)
                text.seek(0)
                start = time.perf_counter()
                with transaction.atomic():
                    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                                       f"({', '.join(outputs.NOT_NULL_TEXT_COLUMNS)}))", text)
            else:
                rows = [(run.pk, *row) for row in rows]
                start = time.perf_counter()
                with transaction.atomic():
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES "
                                       f"({', '.join(['%s'] * (len(rating_rows.COLUMNS) + 1))})", rows)
            # The commit included, as it is in the write this is set against.
            seconds = time.perf_counter() - start
    finally:
        Rating.objects.filter(run=run).delete()
        run.delete()
    return seconds


def measure(size: int) -> dict:
    from django.db import transaction

    from ratings import actions, admin_comparisons, engine, outputs
    from ratings.counterfactuals import rate_with_counterfactuals
    from ratings.inputs import load_engine_inputs
    from ratings.models import RatingRun, RatingScheme

    figures = {"rows": populate(size)}
    params = RatingScheme.objects.get_or_create(year=YEAR)[0].parameters()
    figures["floor"] = min(floor_seconds() for _ in range(2))

    start = time.perf_counter()
    inputs = load_engine_inputs(year=YEAR, type_codes=["TRUST"], deprivation_code="DEPRIVATION")
    figures["load"] = time.perf_counter() - start
    start = time.perf_counter()
    reuse = {}
    result = rate_with_counterfactuals(inputs, params, reuse)
    figures["compute"] = time.perf_counter() - start
    start = time.perf_counter()
    with transaction.atomic():
        outputs.store_runs(year=YEAR, params=params, result=result, user=None,
                           definitions=outputs.definitions_in_force(YEAR), inputs=inputs)
    figures["write"] = time.perf_counter() - start
    figures["write_floor"] = min(write_floor_seconds(result) for _ in range(2))
    del inputs, result, reuse
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
    admin_comparisons.runs_comparison(before=[older], after=[newer], before_label="older", after_label="newer")
    figures["compare"] = time.perf_counter() - start
    tried = replace(params, red_core_failures=3)
    start = time.perf_counter()
    admin_comparisons.what_if(year=YEAR, before=params, after=tried, type_codes=["TRUST"])
    figures["what_if"] = time.perf_counter() - start
    # The same what-if as before it shared anything: each side loads its own
    # inputs, and every engine pass is computed from scratch.
    start = time.perf_counter()
    outcomes = {}
    for side, side_params in (("before", params), ("after", tried)):
        inputs = load_engine_inputs(year=YEAR, type_codes=["TRUST"], deprivation_code=side_params.deprivation_indicator)
        outcomes[side] = admin_comparisons.engine_outcomes(inputs, side_params, reuse=None)
        del inputs
    admin_comparisons.what_if_comparison(year=YEAR, before=params, after=tried, outcomes=outcomes)
    figures["what_if_unshared"] = time.perf_counter() - start
    return figures


def growth(figures: dict, previous: dict | None, key: str) -> str:
    """How fast `key` grew against the organisations: 1.0 is linear."""
    import math
    if previous is None:
        return ""
    exponent = math.log(figures[key] / previous[key]) / math.log(figures["size"] / previous["size"])
    return f"{exponent:.2f} {'met' if exponent <= GROWTH_TARGET else 'MISSED'}"


GROWTH_TARGET = 1.2
RATIO_TARGET = 3.0
WHAT_IF_TARGET = 0.6


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def bench(sizes: list[int]) -> None:
    setup()
    from django.db import connection

    print(f"\n{connection.vendor}: one type, {INDICATORS} indicators, 2 years (target beside each figure)")
    previous = None
    for size in sorted(sizes):
        f = dict(measure(size), size=size)
        write_ratio, whole_ratio = f["write"] / f["write_floor"], f["whole"] / f["floor"]
        shared = f["what_if"] / f["what_if_unshared"]
        print(f"\n{size:,} organisations ({f['rows']:,} result rows)\n"
              f"  load {f['load']:.2f} s, compute {f['compute']:.2f} s (both engine passes)\n"
              f"  write {f['write']:.2f} s; its floor (bare {'COPY' if connection.vendor == 'postgresql' else 'executemany'}"
              f" of the same rows) {f['write_floor']:.2f} s; write / floor {write_ratio:.1f}x "
              f"(target <= {RATIO_TARGET:.0f}x: {verdict(write_ratio, RATIO_TARGET)})\n"
              f"  whole {f['whole']:.2f} s; its floor (reading the result rows) {f['floor']:.2f} s; whole / floor "
              f"{whole_ratio:.1f}x (target <= {RATIO_TARGET:.0f}x: {verdict(whole_ratio, RATIO_TARGET)}); against "
              f"reading and writing floors together ({f['floor'] + f['write_floor']:.2f} s): "
              f"{f['whole'] / (f['floor'] + f['write_floor']):.1f}x (for comparison: no target)\n"
              f"  peak memory {f['peak_mb']:.0f} MB\n"
              f"  compare two runs {f['compare']:.2f} s; what-if {f['what_if']:.2f} s, {f['what_if_unshared']:.2f} s "
              f"with nothing shared (a load per side, every step computed): {shared:.2f}x (target <= {WHAT_IF_TARGET}x: {verdict(shared, WHAT_IF_TARGET)})",
              flush=True)
        if previous:
            print(f"  growth from {previous['size']:,} (exponent; 1.0 is linear, target <= {GROWTH_TARGET}): "
                  f"whole {growth(f, previous, 'whole')}, write {growth(f, previous, 'write')}, "
                  f"memory {growth(f, previous, 'peak_mb')}", flush=True)
        previous = f


def bench_workers(size: int) -> None:
    """One, then two, worker processes draining four queued recalculations."""
    import subprocess

    setup()
    from django.db import connection

    from ratings import actions
    from ratings.models import RatingScheme, Recalculation

    years = [YEAR - 3, YEAR - 2, YEAR - 1, YEAR]
    populate(size, years=[YEAR - 4, *years])
    print(f"\n{connection.vendor}: {len(years)} recalculations queued (one per year), {size:,} organisations, "
          f"drained by db_worker processes (each also starts Django: about a second)")
    timings = {}
    for workers in (1, 2):
        Recalculation.objects.all().delete()
        for year in years:
            RatingScheme.objects.get_or_create(year=year)
            actions.request_recalculation(year=year)
        start = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                                       "--no-reload", "--interval", "0.2", "--verbosity", "0"])
                     for _ in range(workers)]
        for process in processes:
            process.wait()
        timings[workers] = time.perf_counter() - start
        done = Recalculation.objects.filter(status="succeeded").count()
        print(f"  {workers} worker{'s' if workers > 1 else ''}: {timings[workers]:.1f} s ({done} of {len(years)} "
              f"succeeded)", flush=True)
    print(f"  two workers take {timings[2] / timings[1]:.2f}x the time of one (0.5x at best; this machine has "
          f"2 cores, and the database writes are shared)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", action="store_true", help="also time one and two worker processes")
    parser.add_argument("--worker-size", type=int, default=10000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if "BENCH_DATABASE" in os.environ:
        if sizes:
            bench(sizes)
        if args.workers:
            bench_workers(args.worker_size)
    else:
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        extra = ["--sizes", args.sizes] + (["--workers", "--worker-size", str(args.worker_size)] if args.workers
                                           else [])
        sys.exit(run_per_database(__file__, databases, extra))
