"""Shared by the benchmarks: run a function once per database, each in a
fresh process with its own throwaway database, since Django's settings are
fixed per process."""

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def run_per_database(script: str, databases: list[str], extra_args: list[str]) -> int:
    """Re-run `script` once for each database with BENCH_DATABASE set."""
    status = 0
    for database in databases:
        env = dict(os.environ, BENCH_DATABASE=database, DJANGO_SETTINGS_MODULE="trafficlights.settings",
                   SECRET_KEY="bench-only", DEBUG="False", PYTHONPATH=str(ROOT))
        with tempfile.TemporaryDirectory() as folder:
            if database == "sqlite":
                env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            else:
                name = os.environ.get("BENCH_DATABASE_NAME", "trafficlights_bench")
                _recreate_postgres_database(name)
                env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{name}"
            status |= subprocess.run([sys.executable, script, *extra_args], env=env, cwd=ROOT).returncode
    return status


def _recreate_postgres_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES_SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def setup() -> None:
    """Start Django and create the schema in the throwaway database."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def timed(figures: dict, name: str, memory: bool = False):
    """Record the seconds of a block, or with memory=True its peak traced MB."""
    if memory:
        # tracemalloc slows the block several times over: record only memory.
        tracemalloc.start()
        yield
        figures[f"{name} peak MB"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    else:
        start = time.perf_counter()
        yield
        figures[name] = time.perf_counter() - start


def start_gunicorn(port: int, *, cache_seconds: int, extra_args: tuple[str, ...] = ()) -> subprocess.Popen:
    """The site under gunicorn (2 sync workers, production settings) on
    127.0.0.1:port, returned once it answers."""
    import socket
    import urllib.request

    # A server already on the port would answer for ours, and be timed instead of it.
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"Port {port} is already in use: stop what serves it, or choose another port.")
    env = dict(os.environ, PUBLIC_CACHE_SECONDS=str(cache_seconds), ALLOWED_HOSTS="127.0.0.1",
               SECURE_COOKIES="False")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "trafficlights.wsgi",
                               "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
                               *extra_args], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")
