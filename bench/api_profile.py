"""Profile: where an API answer's time goes, in one process (no HTTP, no
gunicorn), on a database bench/api.py (or bench/public_pages.py) built
(at least 2,000 ratings in 2000-01: it reads a second page of 1,000).

For the 1,000-rating list and the report card: wall and process CPU time per
request (median of N), the time inside the database driver (SQL), and what is
left (DRF, serializer, renderer); then cProfile's top functions by own time.

    DATABASE_URL=postgres://.../db .venv/bin/python bench/api_profile.py [--requests 20] [--profile]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficlights.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "False")
    os.environ.update(PUBLIC_CACHE_SECONDS="0", API_RATE_LIMIT="", ALLOWED_HOSTS="testserver")
    import django

    django.setup()


def paths() -> dict[str, str]:
    from ratings.models import Rating

    rating = (Rating.objects.filter(run__year=2000, run__status="published", rank__isnull=False)
              .select_related("organisation").order_by("rank").first())
    pages = max(1, Rating.objects.filter(run__year=2000, run__status="published").count() // 1000)
    return {
        "ratings: 1,000, first page": "/api/v1/ratings/?year=2000-01&page_size=1000",
        "ratings: 1,000, last page": f"/api/v1/ratings/?year=2000-01&page_size=1000&page={pages}",
        "ratings: 1,000, by score, 2nd page": "/api/v1/ratings/?year=2000-01&sort=-score&page_size=1000&page=2",
        "report card": f"/api/v1/organisations/{rating.organisation.code}/report-cards/2000-01/",
    }


class SQLTimer:
    """Time spent executing SQL and fetching its rows (Django's execute wrapper)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="Also print cProfile's top functions.")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    print(f"{connection.vendor}; {args.requests} requests each after one to warm; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'endpoint':36} {'wall':>8} {'CPU':>8} {'SQL':>8} {'rest':>8}  (medians, ms)")
    for name, path in paths().items():
        assert client.get(path).status_code == 200, path
        walls, cpus, sqls = [], [], []
        for _ in range(args.requests):
            timer = SQLTimer()
            with connection.execute_wrapper(timer):
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            assert response.status_code == 200
            sqls.append(timer.seconds)
        wall, cpu, sql = (statistics.median(v) * 1000 for v in (walls, cpus, sqls))
        print(f"{name:36} {wall:6.1f}ms {cpu:6.1f}ms {sql:6.1f}ms {wall - sql:6.1f}ms", flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(path)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
