"""Benchmark: band certainty (issue 15, `ratings.simulation`), targets printed beside the figures.

1. The demo's national year 2000-01 (about 800 organisations in three types,
   read through the adapter from a throwaway SQLite database), 2,000 draws:
   target under 60 s on one worker. Also the significance of its band
   changes from 1999-00 (no target), and its count of uncertain ratings per type.
2. A synthetic type of 10,000 organisations x 40 indicators over two years
   (`bench._data.synthetic_engine_inputs`: no database), 2,000 draws computed
   in chunks and combined, as workers would: target under 10 minutes on one
   worker and peak memory under 2 GB.

Each case runs with one worker, then two (`--workers 1,2`): worker processes
(forked, as `db_worker` processes on one machine) share the chunks, chunk i to
worker i mod N, and the parent adds each chunk's counts as it comes in, as the
last chunk's worker does. Printed per worker: wall time, CPU time, peak
resident memory (getrusage) and peak traced memory (tracemalloc); overall:
wall time, CPU seconds of all processes, the load average (the machine is
shared: wall time is inflated by whatever else runs), and the estimate on a
quiet machine: the busiest worker's CPU seconds plus the combination's, and
all CPU seconds / cores available.

    .venv/bin/python bench/certainty.py [--draws 2000] [--chunk 250] [--workers 1,2] [--organisations 10000]
        [--indicators 40] [--skip-demo] [--skip-synthetic]
"""

import argparse
import io
import multiprocessing
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import run_per_database, setup  # noqa: E402

DEMO_TARGET_SECONDS = 60
SYNTHETIC_TARGET_SECONDS = 600
MEMORY_TARGET_MB = 2000
# What a forked worker computes from: set before the fork, so the inputs are not pickled to it.
_WORK = {}


def peak_resident_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def chunks(draws: int, size: int) -> list[range]:
    return [range(start, min(start + size, draws)) for start in range(0, draws, size)]


def _worker(pieces: list[range]) -> dict:
    """One worker's share of the chunks (in a forked process): its counts
    and figures. tracemalloc sees numpy's arrays, so its peak is the
    simulation's own memory, beside the resident set's."""
    from ratings import simulation

    inputs, params = _WORK["inputs"], _WORK["params"]
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    counts = [simulation.certainty_counts(inputs, params, piece) for piece in pieces]
    return {"counts": counts, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "rss": peak_resident_mb(), "traced": tracemalloc.get_traced_memory()[1] / 2**20,
            "chunks": len(pieces)}


def simulate_on_workers(inputs, params, draws: int, chunk: int, workers: int) -> dict:
    """The draws' counts computed by `workers` processes and combined here; the figures."""
    from ratings import simulation

    _WORK.update(inputs=inputs, params=params)
    pieces = chunks(draws, chunk)
    shares = [pieces[w::workers] for w in range(workers)]
    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), time.process_time()
    combining = 0.0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        reports = pool.map(_worker, shares, chunksize=1)
        started = time.process_time()
        combined = {}
        for report in reports:
            for counts in report.pop("counts"):
                combined = simulation.combine_counts([combined, counts])
        table = simulation.certainty_table(inputs, params, combined)
        combining = time.process_time() - started
    return {"wall": time.perf_counter() - wall, "parent_cpu": time.process_time() - cpu, "combining": combining,
            "children_cpu": sum(r["cpu"] for r in reports), "workers": reports, "table": table,
            "load": (load_before, os.getloadavg()), "parent_rss": peak_resident_mb()}


def print_figures(label: str, figures: dict, workers: int, target_seconds: float | None) -> None:
    cores = os.cpu_count() or 1
    busiest = max(r["cpu"] for r in figures["workers"])
    total_cpu = figures["children_cpu"] + figures["parent_cpu"]
    quiet = busiest + figures["combining"]
    (b1, b5, _), (a1, a5, _) = figures["load"]
    print(f"  {label}, {workers} worker(s): wall {figures['wall']:6.1f} s; CPU {total_cpu:6.1f} s in all "
          f"(workers {figures['children_cpu']:.1f} s, combining {figures['combining']:.1f} s); "
          f"load average {b1:.1f}/{b5:.1f} before, {a1:.1f}/{a5:.1f} after")
    for number, report in enumerate(figures["workers"], start=1):
        print(f"    worker {number}: {report['chunks']} chunks, wall {report['wall']:6.1f} s, "
              f"CPU {report['cpu']:6.1f} s, peak resident {report['rss']:.0f} MB, peak traced {report['traced']:.0f} MB")
    verdict = ""
    if target_seconds is not None:
        verdict = (f"   target < {target_seconds} s: {'met' if quiet < target_seconds else 'MISSED'} "
                   "(on a quiet machine)")
    print(f"    estimate on a quiet machine: {quiet:.1f} s (busiest worker's CPU + combining); "
          f"all CPU / cores available = {total_cpu:.1f} / {min(workers, cores)} = "
          f"{total_cpu / min(workers, cores):.1f} s{verdict}")
    print(f"    combining process peak resident {figures['parent_rss']:.0f} MB")


def demo(draws: int, chunk: int, workers: list[int]) -> None:
    setup()
    from django.core.management import call_command

    from indicators.models import OrganisationType
    from ratings import simulation
    from ratings.engine import SchemeParameters
    from ratings.inputs import load_engine_inputs

    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())
    types = sorted(OrganisationType.objects.values_list("code", flat=True))
    start = time.perf_counter()
    inputs = load_engine_inputs(year=2000, type_codes=types, deprivation_code="DEPRIVATION")
    reading = time.perf_counter() - start
    before = load_engine_inputs(year=1999, type_codes=types, deprivation_code="DEPRIVATION")
    params = SchemeParameters(uncertainty_draws=draws)
    active = int(inputs.organisations["active"].sum())
    print(f"Demo 2000-01: {active} organisations ({', '.join(types)}), {len(inputs.indicators)} indicators, "
          f"{draws:,} draws in chunks of {chunk}; reading the inputs (once a chunk on the workers) {reading:.2f} s")
    for count in workers:
        figures = simulate_on_workers(inputs, params, draws, chunk, count)
        print_figures("certainty", figures, count, DEMO_TARGET_SECONDS if count == 1 else None)
    table = figures["table"]
    rated = table[table["band"] != "not_rated"]
    for code, of_type in rated.groupby("type"):
        words = of_type["words"].str.split(" ").str[0].str.rstrip(":")
        print(f"  {code}: {len(of_type)} rated, {(words == 'very').sum()} very likely, "
              f"{(words == 'likely').sum()} likely, {(words == 'uncertain').sum()} uncertain; "
              f"median certainty {of_type['certainty'].median():.2f}, "
              f"median rank interval width {(of_type['rank_high'] - of_type['rank_low']).median():.0f}")

    start, cpu = time.perf_counter(), time.process_time()
    change = simulation.change_table(simulation.change_counts(before, params, inputs, params, range(draws)))
    print(f"  band changes from 1999-00: {len(change)} organisations, wall {time.perf_counter() - start:.1f} s, "
          f"CPU {time.process_time() - cpu:.1f} s, one process (no target; "
          f"{(change['words'] == 'a real change').sum()} a real change, "
          f"{(change['words'] == 'could be chance').sum()} could be chance)")


def synthetic(draws: int, chunk: int, organisations: int, indicators: int, workers: list[int]) -> None:
    from bench._data import synthetic_engine_inputs
    from ratings.engine import SchemeParameters

    inputs = synthetic_engine_inputs(organisations, indicators)
    params = SchemeParameters(uncertainty_draws=draws)
    print(f"Synthetic: {organisations:,} organisations x {indicators} indicators x {draws:,} draws, chunks of "
          f"{chunk}; the inputs alone {peak_resident_mb():.0f} MB resident")
    for count in workers:
        figures = simulate_on_workers(inputs, params, draws, chunk, count)
        print_figures("certainty", figures, count, SYNTHETIC_TARGET_SECONDS if count == 1 else None)
        peak = max([r["rss"] for r in figures["workers"]] + [figures["parent_rss"]])
        print(f"    peak resident memory of any process {peak:.0f} MB   target < {MEMORY_TARGET_MB} MB: "
              f"{'met' if peak < MEMORY_TARGET_MB else 'MISSED'}")
    words = figures["table"]["words"].str.split(" ").str[0].str.rstrip(":")
    print(f"  {(words == 'uncertain').sum():,} uncertain ratings of {len(figures['table']):,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=250, help="draws a chunk")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    workers = [int(count) for count in args.workers.split(",")]
    print(f"{os.cpu_count()} cores; load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if os.environ.get("BENCH_DATABASE"):  # the child with a throwaway database
        demo(args.draws, args.chunk, workers)
        return
    status = 0
    if not args.skip_demo:
        status = run_per_database(__file__, ["sqlite"], ["--draws", str(args.draws), "--chunk", str(args.chunk),
                                                         "--workers", args.workers])
    if not args.skip_synthetic:
        synthetic(args.draws, args.chunk, args.organisations, args.indicators, workers)
    sys.exit(status)


if __name__ == "__main__":
    main()
