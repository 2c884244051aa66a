"""Template helpers for the public pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators.templatetags.financial_years import financial_year
from indicators.templatetags.uk_times import uk_time
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


# One definition, shared with the pages of the apps below.
register.filter("financial_year", financial_year)
register.filter("uk_time", uk_time)
