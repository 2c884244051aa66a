"""A year's method (its rating scheme) and what each band means (its
consequences): validated and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.years import format_year

from ..models import AuditEntry, BandConsequence, RatingRun, RatingScheme
from .audit import audit
from .errors import RecalculationError, describe_error


@transaction.atomic
def update_scheme(*, year: int, values: dict, user=None) -> RatingScheme:
    """Set some of a year's method parameters (the spec's names), validated and audited."""
    unknown = set(values) - set(RatingScheme.PARAMETER_NAMES)
    if unknown:
        raise ValidationError(f"Unknown parameter(s): {', '.join(sorted(unknown))}. The parameters are: "
                              f"{', '.join(RatingScheme.PARAMETER_NAMES)}.", code="unknown_parameter")
    scheme, _ = RatingScheme.objects.select_for_update().get_or_create(year=year)
    before = scheme.parameter_values()
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.full_clean()
    scheme.save()
    changes = {name: [before[name], value] for name, value in scheme.parameter_values().items()
               if before[name] != value}
    if changes:
        audit(user=user, action=AuditEntry.Action.SCHEME_CHANGED, year=year, details=changes,
              description=f"{format_year(year)} method: " + "; ".join(
                  f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items()))
    return scheme


@transaction.atomic
def copy_scheme(*, from_year: int, to_year: int, user=None) -> RatingScheme:
    """Give a year the same method parameters as another (usually the year before)."""
    source = RatingScheme.objects.filter(year=from_year).first()
    if source is None:
        raise RecalculationError(f"There are no method parameters for {format_year(from_year)} to copy.")
    scheme = update_scheme(year=to_year, values=source.parameter_values(), user=user)
    audit(user=user, action=AuditEntry.Action.SCHEME_COPIED, year=to_year,
          description=f"{format_year(to_year)} method copied from {format_year(from_year)}.",
          details={"from_year": from_year})
    return scheme


class SchemeInUse(RecalculationError):
    """The year's method cannot be deleted: ratings computed with it have been published."""


@transaction.atomic
def delete_scheme(*, year: int, user=None) -> None:
    """Delete a year's method parameters, audited; refused when any of the
    year's runs was ever published (published, scheduled, superseded or
    withdrawn): published ratings never lose the method they were rated by."""
    scheme = RatingScheme.objects.select_for_update().filter(year=year).first()
    if scheme is None:
        raise RecalculationError(f"{format_year(year)} has no method parameters to delete.")
    published = RatingRun.objects.filter(year=year).exclude(status=RatingRun.Status.DRAFT).count()
    if published:
        raise SchemeInUse(f"The {format_year(year)} method cannot be deleted: {published} run"
                          f"{'' if published == 1 else 's'} of {format_year(year)} rated by it "
                          f"{'has' if published == 1 else 'have'} been published, and published ratings keep "
                          f"their method. Change its parameters instead: that affects only new recalculations.")
    before = scheme.parameter_values()
    scheme.delete()
    audit(user=user, action=AuditEntry.Action.SCHEME_DELETED, year=year, details=before,
          description=f"{format_year(year)} method deleted: recalculations use the method's defaults until it is set.")


def checked_scheme(year: int) -> RatingScheme:
    """The year's scheme (the spec's defaults if it has none yet), or
    RecalculationError saying what is wrong with it."""
    scheme, _ = RatingScheme.objects.get_or_create(year=year)
    try:
        scheme.full_clean()
    except ValidationError as error:
        raise RecalculationError(describe_error(error)) from None
    return scheme


CONSEQUENCE_FIELDS = ["band", "consecutive_years", "title", "description", "position"]


@transaction.atomic
def save_consequence(*, consequence: BandConsequence, user=None) -> BandConsequence:
    """Add or change one of the things a band means (a freedom of green, a step
    of the red ladder), validated and audited: report cards show them."""
    before = (BandConsequence.objects.select_for_update().filter(pk=consequence.pk).values(*CONSEQUENCE_FIELDS)
              .first() if consequence.pk else None)
    consequence.full_clean()
    consequence.save()
    after = {name: getattr(consequence, name) for name in CONSEQUENCE_FIELDS}
    if before is None:
        changes = {name: [None, value] for name, value in after.items()}
        description = f"Added to what {consequence.get_band_display().lower()} means: {consequence}."
    else:
        changes = {name: [before[name], value] for name, value in after.items() if before[name] != value}
        if not changes:
            return consequence
        description = f"Changed {consequence}: " + "; ".join(
            f"{name} {old!r} → {new!r}" for name, (old, new) in changes.items())
    audit(user=user, action=AuditEntry.Action.CONSEQUENCE_CHANGED, description=description, details=changes)
    return consequence


@transaction.atomic
def delete_consequence(*, consequence: BandConsequence, user=None) -> None:
    audit(user=user, action=AuditEntry.Action.CONSEQUENCE_DELETED, description=f"Removed {consequence}.",
          details={name: getattr(consequence, name) for name in CONSEQUENCE_FIELDS})
    consequence.delete()
