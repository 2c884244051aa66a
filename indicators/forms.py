from django import forms

from .years import format_year


class UploadForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Year of the figures")
    file = forms.FileField(label="Return file", help_text="CSV or Excel (.xlsx), in the return format.")

    def __init__(self, *args, years: list[int], initial_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, format_year(year)) for year in years]
        self.fields["year"].initial = initial_year if initial_year in years else years[0] if years else None
