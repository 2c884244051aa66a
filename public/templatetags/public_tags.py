"""Template helpers for the public pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators.years import format_year
from ratings.models import Band

from .. import charts
from ..presenters import band_word

register = template.Library()
TAG_COLOURS = {Band.GREEN: "green", Band.YELLOW: "yellow", Band.RED: "red"}


@register.simple_tag
def band_tag(band, words=None):
    """A band as an NHS tag: the word and a shape, never colour alone."""
    colour = TAG_COLOURS.get(band, "grey")
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{} app-band-tag">{} {}</strong>', colour,
                       mark_safe(charts.band_icon(band)), words or band_word(band))


@register.filter
def financial_year(year):
    return format_year(year)
