"""Template helpers for the public pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators.years import format_year
from ratings import bands

from .. import charts

register = template.Library()


@register.simple_tag
def band_tag(band, words=None):
    """A band as an NHS tag: the word and a shape, never colour alone."""
    terms = bands.of(band)
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{} app-band-tag">{} {}</strong>', terms.tag,
                       mark_safe(charts.band_icon(band)), words or terms.word)


@register.simple_tag
def rated_bands():
    """The bands a rated organisation can be in, in order: `{% rated_bands as bands %}`."""
    return bands.RATED


@register.filter
def financial_year(year):
    return format_year(year)
