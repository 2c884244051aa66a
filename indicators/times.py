"""Moments as the whole site writes them: one UK format with the zone, in
UK time (GMT in winter, BST in summer), "1 March 2001, 09:30 GMT", or the
clock alone, "23:30 GMT". Templates use the `uk_time` filter
(indicators/templatetags/uk_times.py, also in public_tags); messages built in
Python call `uk_time` here. Dates without a time stay "1 March 2001"."""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, timezone

FORMATS = {"datetime": "j F Y, H:i", "clock": "H:i"}


def uk_time(moment: datetime | None, part: str = "datetime") -> str:
    """'1 March 2001, 09:30 GMT' (part "datetime") or '09:30 BST' (part
    "clock"), in the site's zone (Europe/London); empty for no moment."""
    if moment is None or moment == "":
        return ""
    local = timezone.localtime(moment)
    # The zone's name from the moment itself (its `fold`): Django's "T" gives
    # nothing in the hour that repeats when the clocks go back (01:30 happens
    # twice, BST then GMT).
    return f"{dateformat.format(local, FORMATS[part])} {local.tzname()}"
