"""Who may see and touch what: regional staff their own regions, admins all.
Every returns view and the upload actions ask here.

An upload belongs to the regions of its rows (organisation -> region), never
to the regions of the person who sent it. A non-admin may see or confirm an
upload only when every one of its row regions is one of theirs, read from the
database at that moment: viewing needs the whole file's regions too, because
the file, the problems and the preview show every row's figures. A rejected
upload wrote nothing and its file may hold anything, so besides admins only
its sender sees it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import OrganisationMembership, Region, RegionMembership, ReturnImport


def is_admin(user) -> bool:
    return user.is_active and user.is_superuser


def allowed_regions(user) -> set[str] | None:
    """The region codes a user belongs to now; None for an admin (all of them)."""
    if is_admin(user):
        return None
    if not user.is_authenticated:
        return set()
    return set(RegionMembership.objects.filter(user=user).values_list("region__code", flat=True))


def require_uploader(user) -> set[str] | None:
    regions = allowed_regions(user)
    if regions is not None and not regions:
        raise PermissionDenied("You are not registered as staff of any regional office.")
    return regions


def upload_regions(upload: ReturnImport) -> set[str]:
    """The regions of the upload's rows."""
    return set(upload.regions.values_list("code", flat=True))


def may_act_for(regions: set[str] | None, row_regions: set[str]) -> bool:
    """Whether someone of `regions` (None: an admin) may see or apply figures of
    every region in `row_regions`. An upload of no region is an admin's alone."""
    return regions is None or bool(row_regions) and row_regions <= regions


def visible_uploads(user):
    """Uploads the user may see now: every one for an admin; for staff, those
    whose row regions are all theirs, and the rejected ones they sent."""
    uploads = ReturnImport.objects.filter(channel=ReturnImport.Channel.UPLOAD)
    if is_admin(user):
        return uploads
    if not user.is_authenticated:
        return uploads.none()
    other_regions = Region.objects.exclude(memberships__user=user)
    of_own_regions = (uploads.exclude(status=ReturnImport.Status.REJECTED).filter(regions__isnull=False)
                      .exclude(regions__in=other_regions))
    return uploads.filter(Q(pk__in=of_own_regions.values("pk"))
                          | Q(status=ReturnImport.Status.REJECTED, created_by=user))


def upload_or_404(user, pk: int) -> ReturnImport:
    """An upload the user may see; 404 (not 403) for any other, so that ids
    of other regions' uploads cannot be probed."""
    return get_object_or_404(visible_uploads(user), pk=pk)


def staff_organisation_ids(user) -> set[int]:
    """The organisations a user is staff of now (admins are staff of none: they
    see every draft through the admin). Read at the moment of asking."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(OrganisationMembership.objects.filter(user=user).values_list("organisation_id", flat=True))
