"""The ratings actions' one way of writing the audit log."""

from ..models import AuditEntry


def audit(*, user, action, description, year=None, run=None, details=None) -> AuditEntry:
    return AuditEntry.objects.create(user=user, action=action, year=year, run=run, description=description,
                                     details=details or {})
