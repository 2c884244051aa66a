"""Caching of rendered public pages.

Published data changes only at publication, so pages are served from the
cache. The key holds every published run visible *now* (one small query per
request): a run published, scheduled, withdrawn or superseded changes the key
at once, in every process, so a cached page can never show a run before its
publication time or after its withdrawal. A report card's revision history
(corrections, withdrawal notices, earlier versions) changes only with these
too: a run becomes public, superseded or withdrawn only by leaving or
reaching the candidates. Other edits (names, consequences, corrections to
figures) show within PUBLIC_CACHE_SECONDS.
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
    """A fingerprint that changes whenever the set of runs visible now could:
    every publication candidate (published or scheduled) and which of them
    have reached their time. `published()` is a function of exactly these, so
    a cached page can never outlive its runs' visibility. Runs on every
    request: the SQL is compiled once (building it through the ORM each time
    cost more than the query) and has no parameter that changes."""
    sql, params = _candidates_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        runs = cursor.fetchall()
    now = timezone.now()
    reached = [pk for pk, published_at in runs if _aware(published_at) <= now]
    return hashlib.sha256(repr((runs, reached)).encode()).hexdigest()[:16]


def _aware(moment: datetime) -> datetime:
    # A raw cursor on SQLite gives naive UTC datetimes; PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)


@functools.cache
def _candidates_sql() -> tuple[str, tuple]:
    runs = RatingRun.objects.publication_candidates().order_by("pk").values_list("pk", "published_at")
    sql, params = runs.query.get_compiler(using=runs.db).as_sql()
    return sql, tuple(params)


def page_key(request) -> str:
    # The full address, scheme and host too: a page carries its own address (printed, and in its sharing
    # tags), which must be the one it was asked for, never another request's.
    page = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
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
