"""Caching of rendered public pages.

Published data changes only at publication, so pages are served from the
cache. The key holds every published run visible *now* (one small query per
request): a run published, scheduled, withdrawn or superseded changes the key
at once, in every process, so a cached page can never show a run before its
publication time or after its withdrawal. Other edits (names, consequences,
corrections to figures) show within PUBLIC_CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from ratings.models import RatingRun

KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def publication_state() -> str:
    runs = RatingRun.objects.published().order_by("pk").values_list("pk", "published_at")
    return hashlib.sha256(repr(list(runs)).encode()).hexdigest()[:16]


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
