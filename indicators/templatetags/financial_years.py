"""Financial years in templates: 2000 shown as 2000-01."""

from django import template

from ..years import format_year

register = template.Library()


@register.filter
def financial_year(year):
    return format_year(year)
