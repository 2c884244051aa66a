"""Two web processes (gunicorn) on one Redis page cache: a page one renders the
other serves from the cache, and a publication shows on both at once. Skips
when Redis cannot be reached, unless REQUIRE_REDIS=True (then it fails)."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
PORTS = (8105, 8106)


def redis_missing_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        reason = f"Redis at {REDIS_URL} cannot be reached ({error})"
        if os.environ.get("REQUIRE_REDIS") == "True":
            pytest.fail(reason)
        return reason
    return None


@pytest.fixture
def environment(tmp_path):
    reason = redis_missing_reason()
    if reason:
        pytest.skip(reason)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {**os.environ, "DEBUG": "True", "DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3",
           "CACHE_URL": REDIS_URL, "PUBLIC_CACHE_SECONDS": "300", "TASKS_BACKEND": "immediate",
           "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = lambda *args: subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: E731
                                          capture_output=True)
    manage("migrate")
    manage("generate_demo", "--output", str(tmp_path / "demo"), "--organisations", "12", "--types", "HA",
           "--indicators", "3", "--years", "2")
    manage("load_demo", str(tmp_path / "demo"))
    manage("recalculate_ratings", "--year", "1999-00", "--publish")
    yield env, manage
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def servers(environment):
    env, manage = environment
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes = [subprocess.Popen([gunicorn, "trafficlights.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for port in PORTS]
    try:
        for port in PORTS:
            wait_for(port)
        yield manage
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/robots.txt")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} did not start")


def get(port: int, path: str) -> str:
    # One Host for both processes, as behind a reverse proxy: the page cache is keyed by the full address
    # (a page carries its own), so two hosts would be two pages.
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "127.0.0.1"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def test_two_web_processes_share_the_page_cache_and_see_a_publication_at_once(servers):
    manage = servers
    first, second = PORTS
    assert "Ratings for 1999-00" in get(first, "/")
    assert "Renamed organisation" not in get(first, "/ratings/1999-00/")
    manage("shell", "-c", "from indicators.models import Organisation; "
                          "Organisation.objects.update(name='Renamed organisation')")
    # The second process has never rendered this page: it serves the first's from Redis.
    assert "Renamed organisation" not in get(second, "/ratings/1999-00/")
    assert "Ratings for 1999-00" in get(second, "/")

    manage("recalculate_ratings", "--year", "2000-01", "--publish")
    # One publication changes the cache key everywhere: both show it on their next request.
    for port in PORTS:
        assert "Ratings for 2000-01" in get(port, "/"), port
        assert "Renamed organisation" in get(port, "/ratings/1999-00/"), port
