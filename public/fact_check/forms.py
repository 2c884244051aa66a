from django import forms

from ratings.fact_checks import ATTACHMENT_MAX_BYTES


class ChallengeForm(forms.Form):
    """A challenge's shape; what it may say is checked by the action
    (`ratings.actions.make_challenge`), which names any problem."""

    KINDS = [("figure", "A figure"), ("statement", "A statement")]

    kind = forms.ChoiceField(label="What do you challenge?", choices=KINDS, widget=forms.RadioSelect)
    indicator = forms.ChoiceField(label="Indicator", required=False)
    figure_year = forms.TypedChoiceField(label="Year of the figure", coerce=int, required=False, empty_value=None)
    proposed_value = forms.FloatField(label="What the figure should be", required=False)
    statement = forms.CharField(label="The statement, as the card says it", required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="Why it is wrong", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label="Evidence (optional): PDF, CSV, XLSX, PNG or JPEG, up to 5 MB",
                                 required=False)

    def __init__(self, *args, indicators: list[tuple[str, str]], years: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "Choose an indicator"), *indicators]
        self.fields["figure_year"].choices = [("", "Choose a year"), *years]

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > ATTACHMENT_MAX_BYTES:  # before reading it
            raise forms.ValidationError(f"{upload.name}: the file is {upload.size / 1048576:.1f} MB; attachments "
                                        f"may be at most 5 MB.", code="too_large")
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") == "figure":
            for name in ("indicator", "figure_year", "proposed_value"):
                if data.get(name) in (None, ""):
                    self.add_error(name, forms.ValidationError("Give it, for a challenged figure.", code="required"))
        elif data.get("kind") == "statement" and not data.get("statement", "").strip():
            self.add_error("statement", forms.ValidationError("Quote the statement you challenge.", code="required"))
        return data
