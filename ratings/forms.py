"""Forms of the admin workflow: a year's method, publish or schedule, withdraw, and what-if parameters."""

import datetime as dt
import math

from django import forms
from django.utils import timezone

from indicators.models import Indicator
from indicators.times import uk_time

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
    open_challenges_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label="Why publish with fact-check challenges still open",
        help_text="Needed only while challenges of the year and type are open; kept in the audit log.")

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
                f"{uk_time(at)} has passed: choose a later time, or publish now.")
        data["at"] = at
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the public with the date, in place of the ratings.")


def _help(name: str) -> str:
    return RatingScheme._meta.get_field(name).help_text


def _label(name: str) -> str:
    return name.replace("_", " ")


def _number_errors(name: str, kind: str = "a number") -> dict:
    return {"invalid": f"{_label(name).capitalize()} must be {kind}.", "required": f"Give the {_label(name)}."}


class ParametersForm(forms.Form):
    """The method's parameters, laid out as the method spec's table: a what-if
    to try, or (as `SchemeForm`) a year's method. Ranges are checked by
    `parameter_problems`, the engine's own rules, and each error names the
    field and the value refused ("green share must be ... not 1.5")."""

    green_share = forms.FloatField(help_text=_help("green_share"), error_messages=_number_errors("green_share"))
    red_core_failures = forms.IntegerField(help_text=_help("red_core_failures"), error_messages=_number_errors(
        "red_core_failures", "a whole number"))
    missing_core_data = forms.ChoiceField(
        choices=RatingScheme._meta.get_field("missing_core_data").choices, widget=forms.RadioSelect,
        help_text=_help("missing_core_data"))
    improvement_weight = forms.FloatField(help_text=_help("improvement_weight"),
                                          error_messages=_number_errors("improvement_weight"))
    value_added = forms.BooleanField(required=False, help_text=_help("value_added"))
    deprivation_indicator = forms.ChoiceField(help_text=_help("deprivation_indicator"))
    min_coverage = forms.FloatField(help_text=_help("min_coverage"), error_messages=_number_errors("min_coverage"))
    clip_z = forms.FloatField(help_text=_help("clip_z"), error_messages=_number_errors("clip_z"))
    uncertainty_draws = forms.IntegerField(help_text=_help("uncertainty_draws"), error_messages=_number_errors(
        "uncertainty_draws", "a whole number"))
    uncertainty_seed = forms.IntegerField(help_text=_help("uncertainty_seed"), error_messages=_number_errors(
        "uncertainty_seed", "a whole number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deprivation_indicator"].choices = [
            (code, f"{code}: {name}") for code, name in
            Indicator.objects.filter(kind=Indicator.Kind.CONTEXT).order_by("code").values_list("code", "name")]
        # Four number fields, one a domain: no JSON to type, and no domain to misspell.
        for domain in DOMAINS:
            name = f"weight_{domain}"
            self.fields[name] = forms.FloatField(
                label=f"Weight of {_label(domain)}", help_text="Weight of the domain in the overall score.",
                error_messages={"invalid": f"The weight of {_label(domain)} must be a number.",
                                "required": f"Give the weight of {_label(domain)}."})

    @classmethod
    def initial_from(cls, params: SchemeParameters) -> dict:
        values = params.as_dict()
        weights = values.pop("domain_weights")
        return {**values, **{f"weight_{domain}": weights.get(domain, 1.0) for domain in DOMAINS}}

    def clean(self):
        data = super().clean()
        for domain in DOMAINS:
            weight = data.get(f"weight_{domain}")
            if weight is not None and not 0 <= weight < math.inf:
                self.add_error(f"weight_{domain}",
                               f"The weight of {_label(domain)} must be a number of 0 or more, not {weight:g}.")
        values = {name: data.get(name) for name in SchemeParameters.__dataclass_fields__ if name != "domain_weights"}
        values["domain_weights"] = {domain: data.get(f"weight_{domain}", 1.0) for domain in DOMAINS}
        problems = parameter_problems(values)
        # Every field's problem at once; a field that could not be read has said so already.
        for name, message in problems.items():
            if name not in self.fields:  # the domain weights as a whole (all zero)
                if not any(f"weight_{domain}" in self.errors for domain in DOMAINS):
                    self.add_error(None, f"{message.capitalize()}.")
            elif name not in self.errors:
                self.add_error(name, f"{_label(name).capitalize()} {message}.")
        if not self.errors:
            data["parameters"] = SchemeParameters(**values)
        return data


class SchemeForm(ParametersForm):
    """A year's method (the admin's scheme form). The year is the page's, never a field."""


class FactCheckWindowForm(forms.Form):
    """Opening a fact-check window: its closing date and time in UK time, and the types (none: every type)."""

    types = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Organisation types",
        help_text="Leave all unticked to show every type's draft.")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Closing date",
                           help_text="UK date.")
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(17, 0),
                           label="Closing time", help_text="UK time.")

    def __init__(self, *args, type_codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["types"].choices = [(code, code) for code in type_codes]

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["closes_at"] = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
            if data["closes_at"] <= timezone.now():
                raise forms.ValidationError(f"{uk_time(data['closes_at'])} has passed: choose a later closing time.")
        return data


class ResolveChallengeForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept: correct the figure and recalculate as a new draft"),
                                          ("reject", "Reject")], widget=forms.RadioSelect, label="Decision")
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label="Reason",
                                 help_text="The organisation sees it with the decision.")
    numerator = forms.FloatField(required=False,
                                 help_text="For a proportion or rate: the corrected numerator (required).")
    denominator = forms.FloatField(required=False,
                                   help_text="For a proportion or rate: the corrected denominator (required).")
