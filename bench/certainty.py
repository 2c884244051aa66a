"""Benchmark: band certainty (issue 15, `ratings.simulation`), targets printed beside the figures.

1. The demo's national year 2000-01 (about 800 organisations in three types,
   read through the adapter from a throwaway SQLite database), 2,000 draws in
   one process: target under 60 s. Also the significance of its band changes
   from 1999-00 (no target), and its count of uncertain ratings per type.
2. A synthetic type of 10,000 organisations x 40 indicators over two years
   (`bench._data.synthetic_engine_inputs`: no database), 2,000 draws computed
   in chunks and combined, as workers would: target under 10 minutes and peak
   memory under 2 GB (the process's peak resident memory, from getrusage).

    .venv/bin/python bench/certainty.py [--draws 2000] [--chunk 250] [--skip-demo] [--skip-synthetic]
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import run_per_database, setup  # noqa: E402

DEMO_TARGET_SECONDS = 60
SYNTHETIC_TARGET_SECONDS = 600
MEMORY_TARGET_MB = 2000


def peak_resident_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def chunks(draws: int, size: int) -> list[range]:
    return [range(start, min(start + size, draws)) for start in range(0, draws, size)]


def demo(draws: int) -> None:
    setup()
    from django.core.management import call_command

    from indicators.models import OrganisationType
    from ratings import simulation
    from ratings.engine import SchemeParameters
    from ratings.inputs import load_engine_inputs

    call_command("load_demo", "fixtures/demo", stdout=io.StringIO())
    types = sorted(OrganisationType.objects.values_list("code", flat=True))
    inputs = load_engine_inputs(year=2000, type_codes=types, deprivation_code="DEPRIVATION")
    before = load_engine_inputs(year=1999, type_codes=types, deprivation_code="DEPRIVATION")
    params = SchemeParameters(uncertainty_draws=draws)
    active = int(inputs.organisations["active"].sum())

    start = time.perf_counter()
    counts = simulation.certainty_counts(inputs, params, range(draws))
    table = simulation.certainty_table(inputs, params, counts)
    seconds = time.perf_counter() - start
    print(f"Demo 2000-01: {active} organisations ({', '.join(types)}), "
          f"{len(inputs.indicators)} indicators, {draws:,} draws, one process")
    print(f"  certainty: {seconds:6.1f} s ({1000 * seconds / draws:.1f} ms a draw)"
          f"   target < {DEMO_TARGET_SECONDS} s: {'met' if seconds < DEMO_TARGET_SECONDS else 'MISSED'}")
    rated = table[table["band"] != "not_rated"]
    for code, of_type in rated.groupby("type"):
        words = of_type["words"].str.split(" ").str[0].str.rstrip(":")
        print(f"  {code}: {len(of_type)} rated, {(words == 'very').sum()} very likely, "
              f"{(words == 'likely').sum()} likely, {(words == 'uncertain').sum()} uncertain; "
              f"median certainty {of_type['certainty'].median():.2f}, "
              f"median rank interval width {(of_type['rank_high'] - of_type['rank_low']).median():.0f}")

    start = time.perf_counter()
    change = simulation.change_table(simulation.change_counts(before, params, inputs, params, range(draws)))
    seconds = time.perf_counter() - start
    print(f"  band changes from 1999-00: {len(change)} organisations, {seconds:.1f} s (no target; "
          f"{(change['words'] == 'a real change').sum()} a real change, "
          f"{(change['words'] == 'could be chance').sum()} could be chance)")
    print(f"  peak resident memory {peak_resident_mb():.0f} MB")


def synthetic(draws: int, chunk: int, organisations: int, indicators: int) -> None:
    from bench._data import synthetic_engine_inputs
    from ratings import simulation
    from ratings.engine import SchemeParameters

    inputs = synthetic_engine_inputs(organisations, indicators)
    params = SchemeParameters(uncertainty_draws=draws)
    baseline = peak_resident_mb()
    start = time.perf_counter()
    combined = {}
    for number, piece in enumerate(chunks(draws, chunk), start=1):
        # Each chunk's counts added as it comes in, as the last worker would add the stored ones.
        combined = simulation.combine_counts([combined, simulation.certainty_counts(inputs, params, piece)])
        print(f"  draws {piece.start}-{piece.stop - 1}: {time.perf_counter() - start:6.1f} s so far", flush=True)
    table = simulation.certainty_table(inputs, params, combined)
    seconds = time.perf_counter() - start
    peak = peak_resident_mb()
    print(f"Synthetic: {organisations:,} organisations x {indicators} indicators x {draws:,} draws, "
          f"{number} chunks of {chunk}, one process")
    print(f"  certainty: {seconds:6.1f} s ({1000 * seconds / draws:.0f} ms a draw)"
          f"   target < {SYNTHETIC_TARGET_SECONDS} s: {'met' if seconds < SYNTHETIC_TARGET_SECONDS else 'MISSED'}")
    print(f"  peak resident memory {peak:.0f} MB (inputs alone {baseline:.0f} MB)"
          f"   target < {MEMORY_TARGET_MB} MB: {'met' if peak < MEMORY_TARGET_MB else 'MISSED'}")
    words = table["words"].str.split(" ").str[0].str.rstrip(":")
    print(f"  {(words == 'uncertain').sum():,} uncertain ratings of {len(table):,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=250, help="draws a chunk (synthetic)")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    if os.environ.get("BENCH_DATABASE"):  # the child with a throwaway database
        demo(args.draws)
        return
    status = 0
    if not args.skip_demo:
        status = run_per_database(__file__, ["sqlite"], ["--draws", str(args.draws)])
    if not args.skip_synthetic:
        synthetic(args.draws, args.chunk, args.organisations, args.indicators)
    sys.exit(status)


if __name__ == "__main__":
    main()
