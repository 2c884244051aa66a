"""The real background worker (`manage.py db_worker`) in a process of its own,
on the test database, for the tests that kill it or run two at once.

Run as `python -m tests.ratings.worker_process [db_worker options]`. With
SLOW_ENGINE_SECONDS set, each engine pass first sleeps that long (with
SLOW_CERTAINTY_SECONDS, each chunk of band-certainty draws): a test-only way
to have the work deterministically in the middle when the test kills the
worker."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(*options: str, slow_engine_seconds: float = 0, heartbeat_seconds: int = 1,
          slow_certainty_seconds: float = 0, chunk_stale_seconds: int = 120) -> subprocess.Popen:
    """Start a worker on the database the test runs on (its connection settings)."""
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{Path(database['NAME']).resolve()}"
    else:
        url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
               f"{database['NAME']}")
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="trafficlights.settings",
               SECRET_KEY="test-only-secret-key", DEBUG="False", CONN_MAX_AGE="0", PYTHONPATH=str(ROOT),
               RECALCULATION_HEARTBEAT_SECONDS=str(heartbeat_seconds), SLOW_ENGINE_SECONDS=str(slow_engine_seconds),
               SLOW_CERTAINTY_SECONDS=str(slow_certainty_seconds),
               CERTAINTY_CHUNK_STALE_SECONDS=str(chunk_stale_seconds),
               TASKS_BACKEND="database")
    return subprocess.Popen([sys.executable, "-m", "tests.ratings.worker_process", "--no-startup-delay",
                             "--no-reload", "--interval", "0.2", *options], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@contextmanager
def killed_at_the_end(worker: subprocess.Popen):
    """Yield the worker; however the block ends, it is dead afterwards
    (SIGKILL, as a crash would leave it: no clean shutdown)."""
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=10)


def slowed(module, name: str, variable: str) -> None:
    """Make `module.name` sleep first for the seconds the environment variable gives (none: unchanged)."""
    seconds = float(os.environ.get(variable) or 0)
    if seconds:
        original = getattr(module, name)

        def slow(*args, **kwargs):
            time.sleep(seconds)
            return original(*args, **kwargs)

        setattr(module, name, slow)


def main() -> None:
    import django

    django.setup()
    from ratings import certainty_runs, engine

    slowed(engine, "rate", "SLOW_ENGINE_SECONDS")
    slowed(certainty_runs, "simulate_chunk", "SLOW_CERTAINTY_SECONDS")
    from django.core.management import call_command

    call_command("db_worker", *sys.argv[1:])


if __name__ == "__main__":
    main()
