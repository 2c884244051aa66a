"""Returns pages and files hold figures not yet public: no shared cache may
keep them, nor the browser once closed. A middleware rather than a view
decorator, so that every response under /returns/ carries it: the sign-in
redirect, 403s and 404s included."""

from django.urls import reverse
from django.utils.cache import patch_cache_control


class PrivateReturnsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("returns:home")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefix):
            patch_cache_control(response, private=True, no_store=True)
        return response
