"""Benchmark: import a 100,000-row indicator return.

Times reading, validating and storing separately, with the peak memory of
each, on SQLite and PostgreSQL; and the floor, a bare bulk insert of the same
rows. Target: the whole import within 5x the floor and under 30 s.

    .venv/bin/python bench/import_returns.py [--rows 100000] [--database sqlite|postgres|both]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import make_return_files  # noqa: E402
from bench._django import run_per_database, setup, timed  # noqa: E402


def bench(rows: int) -> None:
    setup()
    from django.db import connection

    from indicators import actions, queries
    from indicators.models import Indicator, Organisation, Result, ReturnImport
    from indicators.reference_files import validate_indicators, validate_organisations
    from indicators.returns import validate_return
    from indicators.spreadsheets import read_table

    as_bytes = make_return_files(rows, years=(1999, 2000))
    organisations, problems = validate_organisations(read_table(as_bytes["organisations"], "o.csv"),
                                                     **queries.organisation_file_context())
    assert not problems, problems[:3]
    actions.import_organisations(rows=organisations)
    indicators, problems = validate_indicators(read_table(as_bytes["indicators"], "i.csv"),
                                               type_codes=queries.organisation_type_codes())
    assert not problems, problems[:3]
    actions.import_indicators(rows=indicators)

    figures: dict[str, float] = {}
    content = as_bytes["returns"]
    for memory in (False, True):  # timings without tracemalloc's overhead, then memory
        Result.objects.all().delete()
        ReturnImport.objects.all().delete()
        with timed(figures, "read", memory):
            table = read_table(content, "returns.csv")
        with timed(figures, "validate", memory):
            parsed = validate_return(table, queries.returns_reference())
        assert parsed.ok, [str(p) for p in parsed.problems[:3]]
        with timed(figures, "store", memory):
            summary = actions.apply_return(rows=parsed.rows, filename="returns.csv")
        assert summary.new == rows, summary

    # The floor: the same rows inserted with nothing checked.
    Result.objects.all().delete()
    org_ids = dict(Organisation.objects.values_list("code", "id"))
    ind_ids = dict(Indicator.objects.values_list("code", "id"))
    batch = ReturnImport.objects.create(filename="floor.csv", channel="command")
    with timed(figures, "floor"):
        Result.objects.bulk_create(
            [Result(organisation_id=org_ids[r.organisation_code], indicator_id=ind_ids[r.indicator_code],
                    year=r.year, value=r.value, source_import=batch) for r in parsed.rows],
            batch_size=actions.BATCH_SIZE)

    # A second import of the same file with 10% of the values changed.
    Result.objects.all().delete()
    actions.apply_return(rows=parsed.rows, filename="returns.csv")
    changed = [r.__class__(r.line, r.organisation_code, r.indicator_code, r.year, r.value + 1, None, None)
               if i % 10 == 0 else r for i, r in enumerate(parsed.rows)]
    with timed(figures, "store with 10% changed"):
        summary = actions.apply_return(rows=changed, filename="returns2.csv")
    assert summary.changed == len(range(0, rows, 10)), summary

    total = figures["read"] + figures["validate"] + figures["store"]
    print(f"\n{connection.vendor}: {rows:,} rows ({len(content) / 1e6:.1f} MB of CSV)")
    for name in ("read", "validate", "store"):
        print(f"  {name:<10} {figures[name]:6.2f} s   peak {figures[f'{name} peak MB']:6.1f} MB")
    print(f"  {'total':<10} {total:6.2f} s")
    print(f"  {'floor':<10} {figures['floor']:6.2f} s   (bare bulk insert of the same rows)")
    print(f"  ratio      {total / figures['floor']:6.2f} x the floor (target: within 5x, and under 30 s)")
    print(f"  re-import with 10% changed: {figures['store with 10% changed']:.2f} s to store")
    print(f"  target met: {total <= 5 * figures['floor'] and total < 30}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if "BENCH_DATABASE" in os.environ:
        bench(args.rows)
    else:
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        sys.exit(run_per_database(__file__, databases, ["--rows", str(args.rows)]))
