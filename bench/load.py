"""Benchmark: the public site under load, as served in production.

Loads the demo data set, computes and publishes every year, then runs the
site under gunicorn (2 sync workers, production settings) on 127.0.0.1 and
drives it with wrk from the same 2-core machine: requests per second and
p50/p99 latency for the home page, a browse page and a report card, beside a
trivial view (robots.txt: no database, no template) on the same server as the
ceiling. Twice: with the page cache (the publication-day setting) and without.
Targets, printed beside each figure: report card and browse at least half
the trivial view's throughput once warm; at least 100 requests per second
uncached for both.

    .venv/bin/python bench/load.py [--database sqlite|postgres|both] [--seconds 10] [--connections 10] [--processes 2]

With `--processes 2`, two web processes (each gunicorn with 2 workers, on
ports 8765 and 8766) share one Redis page cache (database 5, flushed first),
driven at once by one wrk each: requests per second summed.

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


# With several web processes, the page cache they share (as in production: README, *Scaling out*).
SHARED_CACHE = "redis://127.0.0.1:6379/5"


def serve(cache_seconds: int, processes: int) -> list[subprocess.Popen]:
    if processes > 1:
        os.environ["CACHE_URL"] = SHARED_CACHE
        import redis
        redis.Redis.from_url(SHARED_CACHE).flushdb()
    return [start_gunicorn(PORT + i, cache_seconds=cache_seconds) for i in range(processes)]


def wrk(path: str, seconds: int, connections: int, processes: int) -> dict:
    """One wrk per web process, at once, each with its share of the
    connections: requests per second summed, latency of the first."""
    urls = [f"http://127.0.0.1:{PORT + i}{path}" for i in range(processes)]
    for url in urls:
        for _ in range(20):  # warm: caches, connections, lazy imports
            urllib.request.urlopen(url, timeout=10).read()
    runs = [subprocess.Popen(["wrk", "-t2" if processes == 1 else "-t1", f"-c{max(1, connections // processes)}",
                              f"-d{seconds}s", "--latency", url], stdout=subprocess.PIPE, text=True)
            for url in urls]
    outputs = [run.communicate()[0] for run in runs]
    rps = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)) for output in outputs)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", outputs[0], re.MULTILINE))
    errors = sum(int(found.group(1)) for output in outputs
                 if (found := re.search(r"Non-2xx or 3xx responses: (\d+)", output)))
    return {"rps": rps, "p50": percentiles.get("50"), "p99": percentiles.get("99"), "errors": errors}


def target(name: str, cached: bool, figure: dict, ceiling: float) -> str:
    """The page's target and whether it is met: cached, browse and report card at least half the
    trivial view's throughput; uncached, browse and report card at least 100 requests a second."""
    if name not in ("browse", "report card"):
        return ""
    if cached:
        met = figure["rps"] >= 0.5 * ceiling
        return f">= 50% of trivial: {'met' if met else 'MISSED'}"
    return f">= 100 req/s: {'met' if figure['rps'] >= 100 else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--processes", type=int, default=1,
                        help="web processes (gunicorn, 2 workers each) sharing one Redis page cache")
    args = parser.parse_args()
    if "BENCH_DATABASE" not in os.environ:
        if not shutil.which("wrk"):
            raise SystemExit("wrk is not installed: apt-get install -y wrk")
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        raise SystemExit(run_per_database(__file__, databases,
                                          ["--seconds", str(args.seconds), "--connections", str(args.connections),
                                           "--processes", str(args.processes)]))

    urls = prepare()
    print(f"\n{os.environ['BENCH_DATABASE']}: {args.processes} web process(es) of gunicorn 2 sync workers"
          f"{' sharing a Redis page cache' if args.processes > 1 else ''}, wrk, {args.connections} "
          f"connections, {args.seconds} s per URL, on this machine's {os.cpu_count()} cores")
    for label, seconds in (("cached (publication day)", 300), ("uncached", 0)):
        servers = serve(seconds, args.processes)
        try:
            figures = {name: wrk(path, args.seconds, args.connections, args.processes) for name, path in urls.items()}
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=10)
        ceiling = figures["trivial view (robots.txt)"]["rps"]
        print(f"\n{label}")
        print(f"{'page':28} {'req/s':>8} {'of trivial':>10} {'p50':>9} {'p99':>9} {'non-2xx':>8}  target")
        for name, figure in figures.items():
            print(f"{name:28} {figure['rps']:8.0f} {figure['rps'] / ceiling:10.0%} {figure['p50']:>9} "
                  f"{figure['p99']:>9} {figure['errors']:8d}  {target(name, seconds > 0, figure, ceiling)}")
    print(f"\nreport card: {urls['report card']}")


if __name__ == "__main__":
    main()
