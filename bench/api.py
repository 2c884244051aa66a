"""Benchmark: the public API at national scale, uncached.

The database is the one bench/public_pages.py builds (one type of N
organisations, 40 indicators, 2 years, both published); it is served by
gunicorn (2 sync workers, production settings, page cache and rate limit
off) and each endpoint is requested in turn, printing each figure with its
target beside it:

- a list of 1,000 ratings (one page of page_size=1000), first and last page,
  filtered and sorted: under 100 ms;
- an organisation's report card as data: under 30 ms;
- the other endpoints, for scale (no target of their own beyond the site's 150 ms).

    .venv/bin/python bench/api.py [--database sqlite|postgres|both] [--organisations 10000]
    .venv/bin/python bench/api.py --database-url URL   # an already built and published database
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._django import ROOT, POSTGRES_SERVER, _recreate_postgres_database, start_gunicorn  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8105"))
REQUESTS = 20  # per endpoint, after one to warm
LIST_TARGET_MS = 100
CARD_TARGET_MS = 30
OTHER_TARGET_MS = 150


def endpoints() -> dict[str, tuple[str, int]]:
    """{name: (path, target in ms)}."""
    import django

    django.setup()
    from ratings.models import Rating

    rating = (Rating.objects.filter(run__year=2000, run__status="published", rank__isnull=False)
              .select_related("organisation").order_by("rank").first())
    code = rating.organisation.code
    # The last page of 1,000 (a page number from 1; page 1 when there are fewer than 1,000).
    pages = max(1, -(-Rating.objects.filter(run__year=2000, run__status="published").count() // 1000))
    return {
        "trivial view (robots.txt), for scale": ("/robots.txt", OTHER_TARGET_MS),
        "ratings: 1,000, first page": ("/api/v1/ratings/?year=2000-01&page_size=1000", LIST_TARGET_MS),
        "ratings: 1,000, last page": (f"/api/v1/ratings/?year=2000-01&page_size=1000&page={pages}", LIST_TARGET_MS),
        "ratings: 1,000, by score, 2nd page": ("/api/v1/ratings/?year=2000-01&sort=-score&page_size=1000&page=2",
                                                LIST_TARGET_MS),
        "ratings: 1,000, all years, by name": ("/api/v1/ratings/?sort=name&page_size=1000&page=3", LIST_TARGET_MS),
        "ratings: yellow in a region": (f"/api/v1/ratings/?year=2000-01&band=yellow&region="
                                        f"{rating.organisation.region.code}&page_size=1000", LIST_TARGET_MS),
        "report card": (f"/api/v1/organisations/{code}/report-cards/2000-01/", CARD_TARGET_MS),
        "organisation": (f"/api/v1/organisations/{code}/", OTHER_TARGET_MS),
        "organisations: 1,000": ("/api/v1/organisations/?page_size=1000&page=5", OTHER_TARGET_MS),
        "organisations: search": (f"/api/v1/organisations/?q={rating.organisation.name[:5]}", OTHER_TARGET_MS),
        "years": ("/api/v1/years/", OTHER_TARGET_MS),
        "indicators": ("/api/v1/indicators/", OTHER_TARGET_MS),
        "results: 1,000 of an organisation's years": (f"/api/v1/results/?organisation={code}&page_size=1000",
                                                      OTHER_TARGET_MS),
        "results: 1,000, first cursor page": ("/api/v1/results/?year=2000-01&page_size=1000", OTHER_TARGET_MS),
        "runs": ("/api/v1/runs/", OTHER_TARGET_MS),
        "publications": ("/api/v1/publications/", OTHER_TARGET_MS),
        "releases": ("/api/v1/releases/", OTHER_TARGET_MS),
    }


def fetch(path: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=120) as response:
        assert response.status == 200, path
        size = len(response.read())
    return time.perf_counter() - start, size


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by a process and its children
    alive now (gunicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def measure(organisations: int) -> None:
    paths = endpoints()
    os.environ["API_RATE_LIMIT"] = ""
    server = start_gunicorn(PORT, cache_seconds=0)
    try:
        print(f"\n{os.environ.get('BENCH_DATABASE', 'given database')}, {organisations:,} organisations: gunicorn "
              f"2 sync workers, uncached, {REQUESTS} requests per endpoint one after another; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'endpoint':42} {'median':>8} {'p90':>8} {'CPU':>8} {'size':>9}  target  "
              f"(CPU: the server's process CPU time a request, mean)")
        for name, (path, target) in paths.items():
            fetch(path)
            cpu = process_tree_cpu(server.pid)
            times = sorted(fetch(path)[0] for _ in range(REQUESTS))
            cpu = (process_tree_cpu(server.pid) - cpu) / REQUESTS * 1000
            median, p90 = statistics.median(times) * 1000, times[int(0.9 * len(times)) - 1] * 1000
            size = fetch(path)[1]
            verdict = "met" if median < target else "MISSED"
            print(f"{name:42} {median:6.1f}ms {p90:6.1f}ms {cpu:6.1f}ms {size / 1000:7.0f}kB  median < {target} ms: "
                  f"{verdict}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def child(organisations: int) -> None:
    if os.environ.get("BENCH_BUILD") == "True":
        from bench.public_pages import build

        start = time.perf_counter()
        build(organisations)
        print(f"built {organisations:,} organisations in {time.perf_counter() - start:.0f} s", flush=True)
    measure(organisations)


def run(organisations: int, database: str) -> None:
    env = dict(os.environ, BENCH_DATABASE=database, BENCH_BUILD="True", DJANGO_SETTINGS_MODULE="trafficlights.settings",
               SECRET_KEY="bench-only", DEBUG="False", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        else:
            _recreate_postgres_database("trafficlights_bench_api")
            env["DATABASE_URL"] = f"{POSTGRES_SERVER}/trafficlights_bench_api"
        subprocess.run([sys.executable, __file__, "--child", str(organisations)], env=env, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--organisations", type=int, default=10000)
    parser.add_argument("--database-url", help="Measure an already built and published database instead.")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    if args.database_url:
        os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="trafficlights.settings",
                          SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only"), DEBUG="False")
        import django

        django.setup()
        from bench.public_pages import analyse
        from ratings.models import Rating

        analyse()
        return measure(Rating.objects.filter(run__year=2000, run__status="published").count())
    for database in (["sqlite", "postgres"] if args.database == "both" else [args.database]):
        run(args.organisations, database)


if __name__ == "__main__":
    main()
