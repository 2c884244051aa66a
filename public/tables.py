"""The browse table (django-tables2). Its rendered HTML is cached with the page."""

import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from indicators.years import format_year

from .templatetags.public_tags import band_tag
from .presenters import format_number


def _nulls_last(field):
    def order(table, queryset, is_descending):
        expression = F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        return queryset.order_by(expression, "organisation__name"), True
    return order


class RatingTable(tables.Table):
    rank = tables.Column(verbose_name="Rank", default="–")
    organisation = tables.Column(accessor="organisation__name", verbose_name="Organisation",
                                 order_by=("organisation__name",))
    type = tables.Column(accessor="organisation__type__name", verbose_name="Type", orderable=False)
    region = tables.Column(accessor="organisation__region__name", verbose_name="Region", orderable=False)
    band = tables.Column(verbose_name="Band", orderable=False)
    score = tables.Column(verbose_name="Final score", default="–")
    core_targets_failed = tables.Column(verbose_name="Core targets failed", default="–", orderable=False)

    order_rank = _nulls_last("rank")
    order_score = _nulls_last("score")

    class Meta:
        template_name = "public/_table.html"
        order_by = ("rank",)
        attrs = {"class": "nhsuk-table"}

    def render_organisation(self, value, record):
        url = reverse("public:report_card", args=[record.organisation.code, format_year(record.run.year)])
        return format_html('<a href="{}">{}</a> <span class="nhsuk-u-secondary-text-colour">{}</span>',
                           url, value, record.organisation.code)

    def render_band(self, record):
        # The stored code, not the display label django-tables2 passes as value.
        return band_tag(record.band)

    def render_score(self, value):
        return format_number(value)
