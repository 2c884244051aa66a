"""The API's rate limit per client address (DRF's anonymous throttle, counted
in the default cache). Its rate is read from settings at each request, not
frozen at import as DRF's own rates are, so `API_RATE_LIMIT` (empty: off,
for a reverse proxy to limit instead) applies wherever it is set."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class ClientAddressThrottle(AnonRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT or None
