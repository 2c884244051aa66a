from django import forms
from django.forms.models import fields_for_model

from .definitions import DEFINITION_FIELDS
from .models import IndicatorDefinition, OrganisationType
from .years import format_year


class UploadForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Year of the figures")
    file = forms.FileField(label="Return file", help_text="CSV or Excel (.xlsx), in the return format.")

    def __init__(self, *args, years: list[int], initial_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, format_year(year)) for year in years]
        self.fields["year"].initial = initial_year if initial_year in years else years[0] if years else None


class DefinitionForm(forms.Form):
    """An indicator's definition for a year, as the workflow's year page edits it.
    A plain form (not a ModelForm, whose constraint checks would speak first and
    in other words): `actions.define_for_year` validates with the importer's
    rules and words, and its errors are put on these fields."""

    organisation_types = forms.ModelMultipleChoiceField(
        queryset=OrganisationType.objects.order_by("code"), widget=forms.CheckboxSelectMultiple,
        help_text="The types it applies to.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {**fields_for_model(IndicatorDefinition, fields=DEFINITION_FIELDS), **self.fields}

    @classmethod
    def of(cls, definition: IndicatorDefinition, data=None) -> "DefinitionForm":
        """The form filled with `definition` (the one in force), or bound to `data`."""
        initial = {name: getattr(definition, name) for name in DEFINITION_FIELDS}
        initial["organisation_types"] = list(definition.organisation_types.all())
        return cls(data, initial=initial)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEFINITION_FIELDS}
