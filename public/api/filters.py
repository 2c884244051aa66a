"""The API's query parameters (django-filter), each documented in the schema
from its help text. A year is written 2000-01; a parameter that cannot be
read is refused with a 400 naming it."""

import re

import django_filters
from django import forms
from django.db.models import F, Q

from indicators.years import FinancialYearConverter, parse_year
from ratings.certainty_terms import LIKELY
from ratings.models import Band

YEAR_HELP = "A financial year, written 2000-01."
YEAR = re.compile(FinancialYearConverter.regex, re.ASCII)


class FinancialYearFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if not YEAR.fullmatch(value):
            raise forms.ValidationError("Write a financial year as 2000-01.", code="invalid")
        try:
            return parse_year(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class FinancialYearFilter(django_filters.CharFilter):
    field_class = FinancialYearFormField


class RatingFilter(django_filters.FilterSet):
    year = FinancialYearFilter(field_name="run__year", help_text=YEAR_HELP)
    # A rating's type is its run's: read there, with no join to the organisations.
    type = django_filters.CharFilter(field_name="run__organisation_type__code", help_text="An organisation type's code.")
    region = django_filters.CharFilter(field_name="organisation__region__code", help_text="A region's code.")
    band = django_filters.ChoiceFilter(choices=Band.choices, help_text="The band.")
    organisation = django_filters.CharFilter(field_name="organisation__code", help_text="An organisation's code.")
    uncertain = django_filters.BooleanFilter(
        method="filter_uncertain",
        help_text="true: only ratings whose band is uncertain (certainty under 0.80, as the site's \"Show "
                  "uncertain ratings only\"); false: only those likely or very likely (0.80 or more). Ratings "
                  "without certainty (not rated, or none simulated) are in neither.")
    sort = django_filters.ChoiceFilter(
        method="sort_by", choices=[(name, name) for name in ("rank", "-rank", "score", "-score", "organisation",
                                                              "-organisation", "name", "-name", "year", "-year",
                                                              "certainty", "-certainty")],
        help_text="The order: a name, or - and a name for the reverse. Without it: newest year first, then by "
                  "type and rank. Ratings without the key (a score, rank or certainty) come last either way.")

    # The sort keys, each ended by the rating's id so the pages are stable.
    SORTS = {"rank": "rank", "score": "score", "organisation": "organisation__code", "name": "organisation__name",
             "year": "run__year", "certainty": "certainty"}

    def filter_uncertain(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(certainty__lt=LIKELY) if value else queryset.filter(certainty__gte=LIKELY)

    def sort_by(self, queryset, name, value):
        field = self.SORTS[value.lstrip("-")]
        descending = value.startswith("-")
        key = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return queryset.order_by(key, "pk")


def ordered_ratings(queryset):
    """The ratings' order without `sort`: by year, type and rank, with no join
    to the organisations (sorting through them doubled the time of a page at
    10,000 organisations on SQLite)."""
    return queryset.order_by("-run__year", "run__organisation_type__code", F("rank").asc(nulls_last=True), "pk")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100,
                                  help_text="Part of the organisation's name, or its whole code.")
    type = django_filters.CharFilter(field_name="type__code", help_text="An organisation type's code.")
    region = django_filters.CharFilter(field_name="region__code", help_text="A region's code.")
    open_in = FinancialYearFilter(method="filter_open_in", help_text="Only those open in this financial year (2000-01).")
    successor = django_filters.CharFilter(field_name="successor__code",
                                          help_text="Only those whose work this organisation took over.")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value)) if value else queryset

    def filter_open_in(self, queryset, name, value):
        return queryset.open_in(value)


class ResultFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__code", help_text="An organisation's code.")
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="An indicator's code.")
    year = FinancialYearFilter(field_name="year", help_text=YEAR_HELP)


class RunFilter(django_filters.FilterSet):
    year = FinancialYearFilter(field_name="year", help_text=YEAR_HELP)
    type = django_filters.CharFilter(field_name="organisation_type__code", help_text="An organisation type's code.")
