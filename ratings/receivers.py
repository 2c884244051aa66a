"""What ratings answers for indicators, which never imports it: the audit log
that indicators' actions write to, and which years and types are published.
Connected once, when the app starts (`RatingsConfig.ready`)."""

from indicators import hooks

from .models import AuditEntry, RatingRun


def write_audit_entry(sender, *, action: str, user, description: str, details: dict, **kwargs) -> None:
    AuditEntry.objects.create(user=user, action=AuditEntry.Action(action), description=description, details=details)


def published_year_types(years: set[int]) -> set[tuple[int, str]]:
    """(year, organisation type code) of the published runs among these years: one query."""
    return set(RatingRun.objects.published().filter(year__in=years).values_list("year", "organisation_type__code"))


def connect() -> None:
    hooks.audited.connect(write_audit_entry, dispatch_uid="ratings.write_audit_entry")
    hooks.read_published_with(published_year_types)
