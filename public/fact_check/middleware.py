"""Fact-check pages show ratings before their release: no shared cache may
keep them, nor the browser once closed, and no search engine may index them.
A middleware, so that every response under /fact-check/ carries it: the
sign-in redirect, 403s and 404s included."""

from django.urls import reverse
from django.utils.cache import patch_cache_control


class PrivateFactCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("fact_check:home")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefix):
            patch_cache_control(response, private=True, no_store=True)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
