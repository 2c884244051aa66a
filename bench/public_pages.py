"""Benchmark: every public page and download at national scale, uncached.

Builds one type of N organisations, 40 indicators, 2 years (`generate_demo
--types TRUST --organisations N --indicators 40 --years 2`, loaded with
`load_demo` and both years recalculated and published), serves it with
gunicorn (2 sync workers, production settings, page cache off) and requests
every page type in turn, then every download, printing each figure with its
target beside it:

- every page (home, browse first and last page with filters and sorts, region,
  report card, indicator, fairness, methodology, search) under 150 ms;
- every download streamed, the serving process's peak memory under 100 MB,
  the ratings file under 5 s at 10,000 organisations;
- downloads growing close to linearly with the organisations (time and memory).

    .venv/bin/python bench/public_pages.py [--database sqlite|postgres|both] [--sizes 1000,10000] [--with-100000]
    .venv/bin/python bench/public_pages.py --database-url URL   # an already built and published database

The 100,000 point is opt-in (--with-100000): building it takes a long while.
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

PORT = int(os.environ.get("BENCH_PORT", "8104"))
REQUESTS = 15  # per page, after one to warm
PAGE_TARGET_MS = 150
MEMORY_TARGET_MB = 100
RATINGS_FILE_TARGET_S = 5


def build(organisations: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    quiet = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        call_command("generate_demo", "--output", folder, "--types", "TRUST", "--organisations", str(organisations),
                     "--indicators", "40", "--years", "2", stdout=quiet)
        call_command("load_demo", folder, stdout=quiet)
    for year in ("1999-00", "2000-01"):
        call_command("recalculate_ratings", "--year", year, "--publish", stdout=quiet)
    call_command("collectstatic", "--noinput", verbosity=0)
    analyse()


def analyse() -> None:
    """Fresh planner statistics, as autovacuum would soon give a bulk-loaded
    database (without them PostgreSQL chose plans 10 to 30 times slower)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def urls() -> dict[str, str]:
    import django

    django.setup()
    from indicators.models import Indicator, Region
    from ratings.models import Rating

    rating = (Rating.objects.filter(run__year=2000, run__status="published", rank__isnull=False)
              .select_related("organisation").order_by("rank").first())
    indicator = Indicator.objects.filter(kind="performance").order_by("code").first()
    region = Region.objects.order_by("code").first()
    return {
        "trivial view (robots.txt), for scale": "/robots.txt",
        "home": "/",
        "search": f"/search/?q={rating.organisation.name[:4]}",
        "browse, first page": "/ratings/2000-01/",
        "browse, last page, filtered, by score": "/ratings/2000-01/?type=TRUST&band=yellow&sort=-score&page=9999",
        "browse, by name, middle page": "/ratings/2000-01/?sort=organisation&page=50",
        "region": f"/regions/{region.code}/2000-01/",
        "region, last page": f"/regions/{region.code}/2000-01/?page=9999",
        "report card": f"/organisations/{rating.organisation.code}/2000-01/",
        "indicator": f"/indicators/{indicator.code}/2000-01/",
        "fairness": "/fairness/2000-01/",
        "methodology": "/methodology/2000-01/",
        "indicator list": "/indicators/",
        "downloads page": "/downloads/",
        "datapackage.json": "/downloads/datapackage.json",
    }


DOWNLOADS = ["ratings.csv", "ratings.json", "results.csv", "results.json"]


def serve() -> subprocess.Popen:
    return start_gunicorn(PORT, cache_seconds=0, extra_args=("--timeout", "300"))


def workers_peak_mb(server: subprocess.Popen) -> float:
    """The largest peak resident memory (VmHWM) of the server's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def workers_cpu_seconds(server: subprocess.Popen) -> float:
    """User and system CPU time of the server's worker processes so far (wall time is
    inflated when the machine is shared; this is not)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def fetch(path: str) -> tuple[float, int]:
    start = time.perf_counter()
    size = 0
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=600) as response:
        assert response.status == 200, path
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - start, size


def measure(organisations: int) -> None:
    pages = urls()
    server = serve()
    try:
        baseline = workers_peak_mb(server)
        print(f"\n{os.environ.get('BENCH_DATABASE', 'given database')}, {organisations:,} organisations: gunicorn 2 sync "
              f"workers, uncached, {REQUESTS} requests per page one after another "
              f"(worker memory after start: {baseline:.0f} MB)")
        print(f"{'idle worker memory (after one request)':40} {baseline:6.0f}MB  < {MEMORY_TARGET_MB} MB: "
              f"{'met' if baseline < MEMORY_TARGET_MB else 'MISSED'} (the site imports no pandas or numpy)")
        print(f"{'page':40} {'median':>8} {'p90':>8} {'size':>9}  target")
        for name, path in pages.items():
            fetch(path)
            times = sorted(fetch(path)[0] for _ in range(REQUESTS))
            median, p90 = statistics.median(times) * 1000, times[int(0.9 * len(times)) - 1] * 1000
            size = fetch(path)[1]
            verdict = "met" if p90 < PAGE_TARGET_MS else "MISSED"
            print(f"{name:40} {median:6.0f}ms {p90:6.0f}ms {size / 1000:7.0f}kB  p90 < {PAGE_TARGET_MS} ms: {verdict}")
        pages_peak = workers_peak_mb(server)
        print(f"{'worker peak memory after the pages':40} {pages_peak:6.0f}MB  < {MEMORY_TARGET_MB} MB: "
              f"{'met' if pages_peak < MEMORY_TARGET_MB else 'MISSED'} (+{pages_peak - baseline:.0f} MB over the idle "
              f"worker)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'download':40} {'time':>8} {'CPU':>8} {'size':>9} {'peak MB':>8}  target   "
          f"(load average {' '.join(f'{load:.1f}' for load in os.getloadavg())})")
    for name in DOWNLOADS:
        server = serve()  # fresh workers: each peak is this download's
        try:
            baseline, cpu_before = workers_peak_mb(server), workers_cpu_seconds(server)
            seconds, size = fetch(f"/downloads/2000-01/{name}")
            peak, cpu = workers_peak_mb(server), workers_cpu_seconds(server) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
        targets = (f"memory < {MEMORY_TARGET_MB} MB: {'met' if peak < MEMORY_TARGET_MB else 'MISSED'} "
                   f"(+{peak - baseline:.0f} MB over the idle worker)")
        if name == "ratings.csv" and organisations >= 10000:
            targets += f"; < {RATINGS_FILE_TARGET_S} s at 10,000: " + (
                "met" if seconds < RATINGS_FILE_TARGET_S * organisations / 10000 else "MISSED")
        print(f"{name:40} {seconds:7.2f}s {cpu:7.2f}s {size / 1e6:7.1f}MB {peak:7.0f}  {targets}")
        print(f"RESULT {organisations} {name} {seconds:.3f} {peak - baseline:.1f}", flush=True)


def child(organisations: int) -> None:
    if os.environ.get("BENCH_BUILD") == "True":
        start = time.perf_counter()
        build(organisations)
        print(f"built {organisations:,} organisations in {time.perf_counter() - start:.0f} s", flush=True)
    measure(organisations)


def run(organisations: int, database: str) -> list[str]:
    env = dict(os.environ, BENCH_DATABASE=database, BENCH_BUILD="True", DJANGO_SETTINGS_MODULE="trafficlights.settings",
               SECRET_KEY="bench-only", DEBUG="False", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        else:
            _recreate_postgres_database("trafficlights_bench_public")
            env["DATABASE_URL"] = f"{POSTGRES_SERVER}/trafficlights_bench_public"
        output = subprocess.run([sys.executable, __file__, "--child", str(organisations)], env=env, cwd=ROOT,
                                capture_output=True, text=True)
    sys.stdout.write("".join(line + "\n" for line in output.stdout.splitlines() if not line.startswith("RESULT")))
    sys.stderr.write(output.stderr[-3000:] if output.returncode else "")
    return [line for line in output.stdout.splitlines() if line.startswith("RESULT")]


def growth(results: list[str]) -> None:
    figures: dict[str, dict[int, tuple[float, float]]] = {}
    for line in results:
        _, size, name, seconds, peak = line.split()
        figures.setdefault(name, {})[int(size)] = (float(seconds), float(peak))
    print("\ngrowth of each download (target: time close to linear in organisations; memory flat)")
    for name, by_size in figures.items():
        sizes = sorted(by_size)
        steps = [f"{b // a}x organisations: {by_size[b][0] / by_size[a][0]:.1f}x time, "
                 f"{by_size[b][1] - by_size[a][1]:+.0f} MB" for a, b in zip(sizes, sizes[1:])]
        print(f"{name:14} " + "; ".join(steps))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--with-100000", action="store_true", help="Also 100,000 organisations (slow to build).")
    parser.add_argument("--database-url", help="Measure an already built database instead of building one.")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    if args.database_url:
        os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="trafficlights.settings",
                          SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only"), DEBUG="False")
        import django

        django.setup()
        from django.core.management import call_command

        from ratings.models import Rating
        call_command("collectstatic", "--noinput", verbosity=0)
        analyse()
        return measure(Rating.objects.filter(run__year=2000, run__status="published").count())
    sizes = [int(size) for size in args.sizes.split(",")] + ([100000] if args.with_100000 else [])
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        growth([line for size in sizes for line in run(size, database)])


if __name__ == "__main__":
    main()
