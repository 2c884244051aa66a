"""The API's caching: the public site's page cache (public/cache.py), keyed
by the publication state so a publication or withdrawal shows at once, and
headers for clients and proxies (Cache-Control, and an ETag that
`conditional_page` turns into a 304 for a client that already holds it).

Inside DRF's request cycle, after its throttle: a cached answer still counts
against the client's rate limit."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from rest_framework.response import Response

from ..cache import page_key

KEPT_HEADERS = ("Content-Type", "Allow", "Vary")


class CachedPage(Exception):
    """Raised once the throttle has let a request through and its answer is in the cache."""

    def __init__(self, response):
        self.response = response


class PublishedPageCache:
    """A mixin for the API's views: their GET answers cached under the publication state."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the throttle, for cached answers too
        self.cache_key = None
        if settings.PUBLIC_CACHE_SECONDS and request.method == "GET":
            self.cache_key = "api:" + page_key(request)
            cached = cache.get(self.cache_key)
            if cached is not None:
                content, headers, status = cached
                response = HttpResponse(content, status=status)
                for name, value in headers.items():
                    response[name] = value
                raise CachedPage(response)

    def handle_exception(self, exc):
        if isinstance(exc, CachedPage):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code < 500 and response.status_code != 429:
            patch_cache_control(response, public=True, max_age=settings.API_CLIENT_CACHE_SECONDS)
        key = getattr(self, "cache_key", None)
        # A 404 or 410 is cached too: it changes only with the publication state.
        if key and response.status_code in (200, 404, 410) and isinstance(response, Response):
            response.render()
            cache.set(key, (response.content, {h: response[h] for h in KEPT_HEADERS if response.has_header(h)},
                            response.status_code), settings.PUBLIC_CACHE_SECONDS)
        return response
