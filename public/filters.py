"""The browse page's filters (django-filter), with the NHS.UK form classes."""

import django_filters
from django import forms
from django.db.models import Q

from indicators.models import OrganisationType, Region
from ratings.certainty_terms import LIKELY
from ratings.models import Band


class RatingFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Organisation name or code")
    type = django_filters.ModelChoiceFilter(
        field_name="organisation__type", to_field_name="code", queryset=OrganisationType.objects.order_by("code"),
        empty_label="All types", label="Type of organisation")
    region = django_filters.ModelChoiceFilter(
        field_name="organisation__region", to_field_name="code", queryset=Region.objects.order_by("name"),
        empty_label="All regions", label="Region")
    band = django_filters.ChoiceFilter(choices=Band.choices, empty_label="All bands", label="Band")
    uncertain = django_filters.BooleanFilter(
        method="filter_uncertain", label="Show uncertain ratings only",
        widget=forms.CheckboxInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.form.fields.items():
            form_field.widget.attrs["class"] = {"name": "nhsuk-input", "uncertain": "nhsuk-checkboxes__input"}.get(
                name, "nhsuk-select")

    def filter_uncertain(self, queryset, name, value):
        return queryset.filter(certainty__lt=LIKELY) if value else queryset

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(organisation__name__icontains=value) | Q(organisation__code__iexact=value))
