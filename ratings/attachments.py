"""A fact-check challenge's attachment, served only by views that have
checked who is asking (the organisation's staff, admins), never from a
public media URL."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from .fact_checks import ATTACHMENT_TYPES, Challenge


def attachment_response(challenge: Challenge) -> HttpResponse:
    """The attachment as a download, never shown in the browser; 404 without one."""
    content = Challenge.objects.filter(pk=challenge.pk).values_list("attachment", flat=True).first()
    if content is None:
        raise Http404("This challenge has no attachment.")
    name = challenge.attachment_name
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    response = HttpResponse(bytes(content), content_type=ATTACHMENT_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
