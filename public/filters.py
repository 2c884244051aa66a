"""The browse page's filters (django-filter), with the NHS.UK form classes.
There is no "all types": ranks are within a type, and one list of every type
would put "1 Bolton North PCG" beside "1 Islington HA"."""

import django_filters
from django import forms
from django.db.models import Q

from indicators.models import OrganisationType, Region
from ratings.certainty_terms import LIKELY
from ratings.models import Band


class RatingFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Organisation name or code")
    # Its choices, the types rated in the year, are given (`types`): no query to offer or check them.
    type = django_filters.ChoiceFilter(field_name="organisation__type__code", choices=[], empty_label=None,
                                       label="Type of organisation")
    region = django_filters.ModelChoiceFilter(
        field_name="organisation__region", to_field_name="code", queryset=Region.objects.order_by("name"),
        empty_label="All regions", label="Region")
    band = django_filters.ChoiceFilter(choices=Band.choices, empty_label="All bands", label="Band")
    uncertain = django_filters.BooleanFilter(
        method="filter_uncertain", label="Show uncertain ratings only",
        widget=forms.CheckboxInput)

    def __init__(self, *args, types: list[OrganisationType] = (), **kwargs):
        """`types`: the types that can be chosen (those rated in the year)."""
        super().__init__(*args, **kwargs)
        self.form.fields["type"].choices = [(t.code, t.name) for t in types]
        for name, form_field in self.form.fields.items():
            form_field.widget.attrs["class"] = {"name": "nhsuk-input", "uncertain": "nhsuk-checkboxes__input"}.get(
                name, "nhsuk-select")

    def filter_uncertain(self, queryset, name, value):
        return queryset.filter(certainty__lt=LIKELY) if value else queryset

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(organisation__name__icontains=value) | Q(organisation__code__iexact=value))
