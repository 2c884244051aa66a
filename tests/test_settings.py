"""The settings module fails loudly rather than guessing. Each case runs in a
fresh interpreter, since settings are read once per process."""

import os
import subprocess
import sys

import pytest

PRINT_DATABASE = ("from django.conf import settings; d = settings.DATABASES['default']; "
                  "print(d['ENGINE'], d['NAME'], d.get('HOST', ''), d.get('PORT', ''), d.get('USER', ''))")


def settings_process(code: str, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="trafficlights.settings")
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                          env=clean, capture_output=True, text=True)


def test_refuses_to_start_with_debug_off_and_no_secret_key():
    process = settings_process("pass", DEBUG="False")
    assert process.returncode != 0
    assert "SECRET_KEY is not set" in process.stderr


def test_debug_on_needs_no_secret_key():
    assert settings_process("pass", DEBUG="True").returncode == 0


def test_refuses_an_unclear_boolean():
    process = settings_process("pass", DEBUG="yes please", SECRET_KEY="x")
    assert "DEBUG must be True or False, not 'yes please'" in process.stderr


def test_sqlite_file_by_default():
    process = settings_process(PRINT_DATABASE, SECRET_KEY="x")
    engine, name, *_ = process.stdout.split()
    assert engine == "django.db.backends.sqlite3" and name.endswith("db.sqlite3")


@pytest.mark.parametrize("url, expected", [
    ("postgres://postgres@db.example:5433/ratings", "django.db.backends.postgresql ratings db.example 5433 postgres"),
    ("sqlite:////tmp/other.sqlite3", "django.db.backends.sqlite3 /tmp/other.sqlite3"),
])
def test_database_url(url, expected):
    process = settings_process(PRINT_DATABASE, SECRET_KEY="x", DATABASE_URL=url)
    assert process.stdout.split() == expected.split()


def test_page_cache_is_per_process_memory_by_default_or_redis_by_url():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    assert settings_process(code, SECRET_KEY="x").stdout.strip().endswith("LocMemCache")
    redis = settings_process(code, SECRET_KEY="x", CACHE_URL="redis://127.0.0.1:6379/1")
    assert redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_refuses_an_unknown_cache_url():
    process = settings_process("pass", SECRET_KEY="x", CACHE_URL="memcached://x")
    assert "CACHE_URL must be locmem:// or redis://host:port/db, not 'memcached://x'" in process.stderr


def test_deployment_checklist_passes_with_production_settings():
    process = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**{k: v for k, v in os.environ.items()
                if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
             "SECRET_KEY": "x" * 30 + "-production-like-secret-key-1234567890",
             "ALLOWED_HOSTS": "ratings.example", "SECURE_SSL_REDIRECT": "True", "SECURE_HSTS_SECONDS": "31536000",
             "DJANGO_SETTINGS_MODULE": "trafficlights.settings"},
        capture_output=True, text=True)
    assert process.returncode == 0, process.stderr


PRINT_EMAIL = ("from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, "
               "settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL)")


def test_email_goes_to_the_console_by_default_and_through_smtp_when_set():
    assert settings_process(PRINT_EMAIL, SECRET_KEY="x").stdout.split() == [
        "django.core.mail.backends.console.EmailBackend", "localhost", "25", "False", "ratings@localhost"]
    smtp = settings_process(PRINT_EMAIL, SECRET_KEY="x", EMAIL_BACKEND="smtp", EMAIL_HOST="mail.example",
                            EMAIL_PORT="587", EMAIL_USE_TLS="True", DEFAULT_FROM_EMAIL="ratings@nhs.example")
    assert smtp.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "mail.example", "587", "True",
                                   "ratings@nhs.example"]


@pytest.mark.parametrize("env, message", [
    ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND must be one of console, smtp, locmem, not 'pigeon'"),
    ({"EMAIL_BACKEND": "smtp"}, "EMAIL_BACKEND=smtp needs EMAIL_HOST."),
    ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number, not 'twenty-five'"),
    ({"EMAIL_USE_TLS": "yes"}, "EMAIL_USE_TLS must be True or False, not 'yes'"),
])
def test_refuses_unclear_email_settings(env, message):
    process = settings_process("pass", SECRET_KEY="x", **env)
    assert process.returncode != 0 and message in process.stderr
