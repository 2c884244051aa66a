"""Who may upload which region's returns: every region given or taken is
written to the audit log."""

from __future__ import annotations

from django.db import transaction

from .. import hooks
from ..models import Region, RegionMembership


@transaction.atomic
def grant_region_membership(*, member, region: Region, user=None) -> RegionMembership:
    """Let `member` upload the returns of `region` (and see its uploads); audited.
    Granting a region the member already has changes nothing and writes no entry."""
    membership, created = RegionMembership.objects.get_or_create(user=member, region=region)
    if created:
        _audit_membership(action="membership_granted", member=member, region=region, user=user,
                          description=f"Gave {member.get_username()} the returns of {region.name} ({region.code}).")
    return membership


@transaction.atomic
def remove_region_membership(*, member, region: Region, user=None) -> bool:
    """Take `region` from `member`, at once: every returns page checks the
    regions held at the time of asking. Audited; False if they did not have it."""
    removed = RegionMembership.objects.filter(user=member, region=region).delete()[0] > 0
    if removed:
        _audit_membership(action="membership_removed", member=member, region=region, user=user,
                          description=f"Took the returns of {region.name} ({region.code}) from "
                                      f"{member.get_username()}.")
    return removed


@transaction.atomic
def remove_every_region_membership(*, member, user=None) -> int:
    """Take all of a person's regions (before their account is deleted), each audited."""
    regions = [m.region for m in RegionMembership.objects.filter(user=member).select_related("region")]
    return sum(remove_region_membership(member=member, region=region, user=user) for region in regions)


def _audit_membership(*, action: str, member, region: Region, user, description: str) -> None:
    hooks.audit(action=action, user=user, description=description,
                details={"member": member.get_username(), "member_id": member.pk, "region": region.code})
