"""Who may see and upload what: regional staff their own regions, admins all.
Every returns view asks here first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import RegionMembership, ReturnImport


def is_admin(user) -> bool:
    return user.is_active and user.is_superuser


def allowed_regions(user) -> set[str] | None:
    """The region codes a user may upload for; None for an admin (all of them)."""
    if is_admin(user):
        return None
    return set(RegionMembership.objects.filter(user=user).values_list("region__code", flat=True))


def require_uploader(user) -> set[str] | None:
    regions = allowed_regions(user)
    if regions is not None and not regions:
        raise PermissionDenied("You are not registered as staff of any regional office.")
    return regions


def visible_uploads(user):
    """Uploads the user may see: those of their regions (or all, for an admin)."""
    uploads = ReturnImport.objects.filter(channel=ReturnImport.Channel.UPLOAD)
    if is_admin(user):
        return uploads
    return uploads.filter(regions__memberships__user=user).distinct()


def upload_or_404(user, pk: int) -> ReturnImport:
    """An upload the user may see; 404 (not 403) for any other, so that ids
    of other regions' uploads cannot be probed."""
    return get_object_or_404(visible_uploads(user), pk=pk)
