"""Benchmark: the public site under load, as served in production.

Loads the demo data set, computes and publishes every year, then runs the
site under gunicorn (2 sync workers, production settings) on 127.0.0.1 and
drives it with wrk from the same 2-core machine: requests per second and
p50/p99 latency for the home page, a browse page and a report card, beside a
trivial view (robots.txt: no database, no template) on the same server as the
ceiling. Twice: with the page cache (the publication-day setting) and without.
Targets: report card and browse at least half the trivial view's throughput
once warm; at least 100 requests per second uncached for the report card.

    .venv/bin/python bench/load.py [--database sqlite|postgres|both] [--seconds 10] [--connections 10]

Needs wrk (apt-get install -y wrk).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import ROOT, run_per_database, setup, start_gunicorn  # noqa: E402

PORT = 8765
YEARS = ["1997-98", "1998-99", "1999-00", "2000-01"]


def prepare() -> dict[str, str]:
    setup()
    from django.core.management import call_command

    from ratings.models import Rating

    call_command("load_demo", str(ROOT / "fixtures" / "demo"), stdout=open(os.devnull, "w"))
    for year in YEARS:
        call_command("recalculate_ratings", "--year", year, "--publish", stdout=open(os.devnull, "w"))
    call_command("collectstatic", "--noinput", verbosity=0)
    # The report card with the most indicators: the heaviest page of its kind.
    rating = max(Rating.objects.filter(run__year=2000, run__status="published", rank__isnull=False)
                 .select_related("organisation"), key=lambda r: (len(r.indicator_scores), -r.rank))
    return {"trivial view (robots.txt)": "/robots.txt", "home": "/", "browse": "/ratings/2000-01/?type=PCG",
            "report card": f"/organisations/{rating.organisation.code}/2000-01/"}


def serve(cache_seconds: int) -> subprocess.Popen:
    return start_gunicorn(PORT, cache_seconds=cache_seconds)


def wrk(path: str, seconds: int, connections: int) -> dict:
    url = f"http://127.0.0.1:{PORT}{path}"
    for _ in range(20):  # warm: caches, connections, lazy imports
        urllib.request.urlopen(url, timeout=10).read()
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": percentiles.get("50"), "p99": percentiles.get("99"),
            "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if "BENCH_DATABASE" not in os.environ:
        if not shutil.which("wrk"):
            raise SystemExit("wrk is not installed: apt-get install -y wrk")
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        raise SystemExit(run_per_database(__file__, databases,
                                          ["--seconds", str(args.seconds), "--connections", str(args.connections)]))

    urls = prepare()
    print(f"\n{os.environ['BENCH_DATABASE']}: gunicorn 2 sync workers, wrk 2 threads, {args.connections} "
          f"connections, {args.seconds} s per URL, on this machine's {os.cpu_count()} cores")
    for label, seconds in (("cached (publication day)", 300), ("uncached", 0)):
        server = serve(seconds)
        try:
            figures = {name: wrk(path, args.seconds, args.connections) for name, path in urls.items()}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        ceiling = figures["trivial view (robots.txt)"]["rps"]
        print(f"\n{label}")
        print(f"{'page':28} {'req/s':>8} {'of trivial':>10} {'p50':>9} {'p99':>9} {'non-2xx':>8}")
        for name, figure in figures.items():
            print(f"{name:28} {figure['rps']:8.0f} {figure['rps'] / ceiling:10.0%} {figure['p50']:>9} "
                  f"{figure['p99']:>9} {figure['errors']:8d}")
    print(f"\nreport card: {urls['report card']}")


if __name__ == "__main__":
    main()
