"""Caching of rendered public pages.

Published data changes only at publication, so pages are served from the
cache. The key holds every published run visible *now* (one small query per
request): a run published, scheduled, withdrawn or superseded changes the key
at once, in every process, so a cached page can never show a run before its
publication time or after its withdrawal. Other edits (names, consequences,
corrections to figures) show within PUBLIC_CACHE_SECONDS.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timezone as dt_timezone
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ratings.models import RatingRun

KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def publication_state() -> str:
    """A fingerprint of the runs visible now. Runs on every request, so the SQL
    of `RatingRun.objects.published()` is compiled once and only the time changes:
    building the query through the ORM each time cost more than the query."""
    sql, params, time_positions = _published_runs_sql()
    params = list(params)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for position in time_positions:
        params[position] = now
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        runs = cursor.fetchall()
    return hashlib.sha256(repr(runs).encode()).hexdigest()[:16]


# A time no real parameter can equal, to find where "now" goes in the compiled SQL.
_MARKER_TIME = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt_timezone.utc)


@functools.cache
def _published_runs_sql() -> tuple[str, tuple, tuple[int, ...]]:
    runs = RatingRun.objects.published(at=_MARKER_TIME).order_by("pk").values_list("pk", "published_at")
    sql, params = runs.query.get_compiler(using=runs.db).as_sql()
    marker = connection.ops.adapt_datetimefield_value(_MARKER_TIME)
    positions = tuple(i for i, value in enumerate(params) if value == marker)
    if not positions:
        raise RuntimeError("The publication time is missing from the compiled published() query.")
    return sql, tuple(params), positions


def page_key(request) -> str:
    page = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{page}:{publication_state()}"


def public_page(view):
    """GET/HEAD only; the rendered response cached under the publication state."""
    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PUBLIC_CACHE_SECONDS
        if not seconds or request.method != "GET":
            return view(request, *args, **kwargs)
        key = page_key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}),
                      seconds)
        return response
    return wrapper
