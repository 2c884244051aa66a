"""The one settings module. Everything that differs between machines comes
from environment variables, read by strict helpers that refuse to guess."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value in ("True", "true", "1"):
        return True
    if value in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    if value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or set DEBUG=True for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "trafficlights.apps.SignInLockoutsConfig",  # axes
    "django_filters",
    "django_tables2",
    "django_tasks",
    "trafficlights.apps.BackgroundTasksConfig",  # django_tasks_db
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "indicators",
    "ratings",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer (CommonMiddleware): CORS headers, for /api/ only (CORS_URLS_REGEX).
    "corsheaders.middleware.CorsMiddleware",
    "indicators.middleware.PrivateReturnsMiddleware",
    "public.fact_check.middleware.PrivateFactCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/returns/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # a working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Sign-in throttling (django-axes). By user name and address together, with a
# cool-off: a regional office shares one address, and one person mistyping a
# password must not lock out the rest, nor lock anyone out for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "trafficlights.urls"
WSGI_APPLICATION = "trafficlights.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default so a checkout just runs; DATABASE_URL for anything else
# (postgres://user@host:port/name, sqlite:////absolute/path.sqlite3).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections (per thread, so safe for SQLite too): opening one
        # per request cost 0.6 ms, more than serving a cached page (bench/load.py).
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Tests on a file, not shared-cache memory, so concurrent writers wait on
    # the lock as in production instead of failing at once.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The admin's moments in the site's one format, with the zone (trafficlights/formats/en_GB/formats.py).
FORMAT_MODULE_PATH = ["trafficlights.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security settings from Django's deployment checklist; relaxed only in DEBUG.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Asking browsers to preload HSTS is the domain owner's decision (it is slow to undo), not this app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere
# but the NHS font host (the CSS falls back to Arial without it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "https://assets.nhs.uk"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Cache for rendered public pages: locmem:// (default, per process), or
# redis://host:port/db to share one cache between processes and servers.
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be locmem:// or redis://host:port/db, not {CACHE_URL!r}")
# How long a rendered public page is kept. Publication and withdrawal show at
# once whatever this is (see public/cache.py); 0 turns the cache off.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)

# The public API (/api/v1/, public/api/): Django REST framework, read-only and
# anonymous, JSON only (no browsable pages: the documentation page is the
# site's own), its OpenAPI 3 schema generated by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["public.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "public.api.schema.PublicAPISchema",
    "DEFAULT_THROTTLE_CLASSES": ["public.api.throttling.ClientAddressThrottle"],
    # The client's address is REMOTE_ADDR, unless API_NUM_PROXIES trusted
    # proxies stand in front and add theirs to X-Forwarded-For.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "EXCEPTION_HANDLER": "public.api.errors.exception_handler",
}
# Requests a client address may make, e.g. 300/minute (per second, minute, hour
# or day), counted in the cache (CACHE_URL: shared between processes with
# Redis, per process with locmem). Empty turns it off, for a reverse proxy to
# limit instead.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300/minute")
# How long API clients (and proxies) may reuse a response before asking again;
# each response carries an ETag, so asking again costs a 304.
API_CLIENT_CACHE_SECONDS = env_int("API_CLIENT_CACHE_SECONDS", 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "NHS performance ratings API",
    "DESCRIPTION": "Read-only JSON: the published traffic-light ratings, the figures behind them, the method's "
                   "parameters and every publication with its corrections and withdrawals. Nothing of a draft "
                   "or a scheduled run is ever served.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enum names stay stable whichever field first names the choices.
    "ENUM_NAME_OVERRIDES": {"Band": "ratings.models.Band", "CertaintyWord": "public.api.serializers.CERTAINTY_WORDS",
                            "ChangeReason": "public.api.serializers.CHANGE_REASON_CHOICES"},
    # The <year:...> converter of every app's URLs (indicators/years.py): 2000-01.
    "PATH_CONVERTER_OVERRIDES": {"year": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2000-01"}},
}
# CORS (django-cors-headers): any origin may read the API; nothing else is shared.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# Background work (recalculating a year's ratings) is queued in the database and
# run by `manage.py db_worker`, beside the web server: no other service needed.
# TASKS_BACKEND=immediate runs each task inside the request instead (no worker;
# the admin then waits for the result).
TASKS_BACKENDS = {"database": "django_tasks_db.DatabaseBackend",
                  "immediate": "django_tasks.backends.immediate.ImmediateBackend"}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}, not {TASKS_BACKEND!r}")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}
# While the worker runs a recalculation or a what-if, a thread beats every
# RECALCULATION_HEARTBEAT_SECONDS; one silent for RECALCULATION_STALE_MINUTES
# is taken to have died with its worker and no longer holds up its year. One
# that no worker has started after RECALCULATION_QUEUED_MINUTES is given up
# (the workers may be busy with others: a longer wait).
RECALCULATION_HEARTBEAT_SECONDS = env_int("RECALCULATION_HEARTBEAT_SECONDS", 20)
RECALCULATION_STALE_MINUTES = env_int("RECALCULATION_STALE_MINUTES", 2)
RECALCULATION_QUEUED_MINUTES = env_int("RECALCULATION_QUEUED_MINUTES", 30)
# Band certainty is simulated in chunks of this many draws, each a task of its
# own (several workers share a run); a chunk that fails is tried this many
# times in all before the run's certainty is marked failed.
CERTAINTY_CHUNK_DRAWS = env_int("CERTAINTY_CHUNK_DRAWS", 250)
CERTAINTY_CHUNK_ATTEMPTS = env_int("CERTAINTY_CHUNK_ATTEMPTS", 3)
# A chunk's worker beats every RECALCULATION_HEARTBEAT_SECONDS while it computes;
# a running chunk silent for CERTAINTY_CHUNK_STALE_SECONDS is taken to have died
# with its worker (killed, out of memory, machine lost) and is queued again, an
# attempt like a failure's. The workers look for such chunks every
# CERTAINTY_CHUNK_STALE_SECONDS while a run's certainty is pending.
CERTAINTY_CHUNK_STALE_SECONDS = env_int("CERTAINTY_CHUNK_STALE_SECONDS", 120)
if CERTAINTY_CHUNK_STALE_SECONDS < 2 * RECALCULATION_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("CERTAINTY_CHUNK_STALE_SECONDS must be at least twice RECALCULATION_HEARTBEAT_SECONDS, "
                               "or a live chunk between two heartbeats would be taken for dead")

# Largest indicator return accepted, in bytes.
RETURNS_MAX_UPLOAD_BYTES = env_int("RETURNS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Most data rows accepted in one return (a national return is about 36,000).
RETURNS_MAX_ROWS = env_int("RETURNS_MAX_ROWS", 200_000)

# Email (the fact-check window's notices: ratings/notifications.py). The
# console backend prints them by default; EMAIL_BACKEND=smtp sends them through
# EMAIL_HOST. Sent after the change they report has been saved.
EMAIL_BACKENDS = {"console": "django.core.mail.backends.console.EmailBackend",
                  "smtp": "django.core.mail.backends.smtp.EmailBackend",
                  "locmem": "django.core.mail.backends.locmem.EmailBackend"}
_email_backend = os.environ.get("EMAIL_BACKEND", "console")
if _email_backend not in EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"EMAIL_BACKEND must be one of {', '.join(EMAIL_BACKENDS)}, not {_email_backend!r}")
EMAIL_BACKEND = EMAIL_BACKENDS[_email_backend]
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ratings@localhost")
if _email_backend == "smtp" and not os.environ.get("EMAIL_HOST"):
    raise ImproperlyConfigured("EMAIL_BACKEND=smtp needs EMAIL_HOST.")
# The site's address, for links in emails (no trailing slash needed).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
