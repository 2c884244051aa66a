"""The band vocabulary in the admin's templates: the bands in order, and a
run's or a group's count of each, so no template lists the bands itself."""

from django import template

from ratings import bands

register = template.Library()


@register.simple_tag
def band_terms():
    """Every band in order (see ratings/bands.py): `{% band_terms as bands %}`."""
    return bands.BANDS


@register.filter
def band_count(counted, code: str):
    """A run's count of a band, as annotated on it (ratings/queries.py `runs_of`)."""
    return getattr(counted, code)
