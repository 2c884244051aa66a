"""Forms of the admin workflow: publish or schedule, withdraw, and what-if parameters."""

import datetime as dt

from django import forms
from django.utils import timezone

from indicators.models import Indicator

from .parameters import DOMAINS, SchemeParameters, parameter_problems
from .models import RatingScheme


class PublishForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Now"), ("scheduled", "At a set date and time (announced in advance)")],
        widget=forms.RadioSelect, initial="now", label="When should the public see these ratings?")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           help_text="UK date. Nothing of the run is public before then.")
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(9, 30),
                           help_text="UK time (9:30 is the usual release time for official statistics).")
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label="What this corrects",
        help_text="Needed when these ratings replace ones already made public: report cards show "
                  "\"Corrected on (date): (this note)\".")

    def clean(self):
        data = super().clean()
        if data.get("when") != "scheduled":
            data["at"] = None
            return data
        if not data.get("date") or not data.get("time"):
            raise forms.ValidationError("Give both the date and the time of publication.")
        at = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
        if at <= timezone.now():
            raise forms.ValidationError(
                f"{timezone.localtime(at):%d %B %Y %H:%M} has passed: choose a later time, or publish now.")
        data["at"] = at
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the public with the date, in place of the ratings.")


class ParametersForm(forms.Form):
    """A parameter set to try, laid out as the method spec's table."""

    green_share = forms.FloatField(min_value=0, max_value=1, help_text=RatingScheme._meta.get_field(
        "green_share").help_text)
    red_core_failures = forms.IntegerField(min_value=1, help_text=RatingScheme._meta.get_field(
        "red_core_failures").help_text)
    improvement_weight = forms.FloatField(min_value=0, max_value=1, help_text=RatingScheme._meta.get_field(
        "improvement_weight").help_text)
    value_added = forms.BooleanField(required=False, help_text=RatingScheme._meta.get_field(
        "value_added").help_text)
    deprivation_indicator = forms.ChoiceField(help_text=RatingScheme._meta.get_field(
        "deprivation_indicator").help_text)
    min_coverage = forms.FloatField(min_value=0, max_value=1, help_text=RatingScheme._meta.get_field(
        "min_coverage").help_text)
    clip_z = forms.FloatField(help_text=RatingScheme._meta.get_field("clip_z").help_text)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deprivation_indicator"].choices = [
            (code, f"{code}: {name}") for code, name in
            Indicator.objects.filter(kind=Indicator.Kind.CONTEXT).order_by("code").values_list("code", "name")]
        for domain in DOMAINS:
            self.fields[f"weight_{domain}"] = forms.FloatField(
                min_value=0, label=f"Weight of {domain.replace('_', ' ')}", help_text="Weight of the domain in the "
                                                                                      "overall score.")

    @classmethod
    def initial_from(cls, params: SchemeParameters) -> dict:
        values = params.as_dict()
        weights = values.pop("domain_weights")
        return {**values, **{f"weight_{domain}": weights.get(domain, 1.0) for domain in DOMAINS}}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {name: data[name] for name in SchemeParameters.__dataclass_fields__ if name != "domain_weights"}
        values["domain_weights"] = {domain: data[f"weight_{domain}"] for domain in DOMAINS}
        problems = parameter_problems(values)
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        if not problems:
            data["parameters"] = SchemeParameters(**values)
        return data
