"""The one format for moments in templates: {{ moment|uk_time }} gives
'1 March 2001, 09:30 GMT', {{ moment|uk_time:"clock" }} '09:30 BST'."""

from django import template

from ..times import uk_time as format_uk_time

register = template.Library()


@register.filter
def uk_time(moment, part="datetime"):
    return format_uk_time(moment, part)
