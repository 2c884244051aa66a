"""Who may upload which region's returns, and who is staff of which
organisation (for the fact-check window): every grant and removal is
written to the audit log."""

from __future__ import annotations

from django.db import transaction

from .. import hooks
from ..models import Organisation, OrganisationMembership, Region, RegionMembership


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


@transaction.atomic
def grant_organisation_membership(*, member, organisation: Organisation, user=None) -> OrganisationMembership:
    """Make `member` staff of `organisation`: in a fact-check window they see its
    draft report card and may challenge its figures. Audited; granting it again
    changes nothing and writes no entry."""
    membership, created = OrganisationMembership.objects.get_or_create(user=member, organisation=organisation)
    if created:
        _audit_organisation(action="org_membership_granted", member=member, organisation=organisation,
                            user=user, description=f"Made {member.get_username()} staff of {organisation.name} "
                                               f"({organisation.code}).")
    return membership


@transaction.atomic
def remove_organisation_membership(*, member, organisation: Organisation, user=None) -> bool:
    """Take `organisation` from `member`, at once (every fact-check page reads the
    memberships held at the time of asking). Audited; False if they were not its staff."""
    removed = OrganisationMembership.objects.filter(user=member, organisation=organisation).delete()[0] > 0
    if removed:
        _audit_organisation(action="org_membership_removed", member=member, organisation=organisation,
                            user=user, description=f"{member.get_username()} is no longer staff of "
                                               f"{organisation.name} ({organisation.code}).")
    return removed


@transaction.atomic
def remove_every_organisation_membership(*, member, user=None) -> int:
    """Take all of a person's organisations (before their account is deleted), each audited."""
    organisations = [m.organisation for m in
                     OrganisationMembership.objects.filter(user=member).select_related("organisation")]
    return sum(remove_organisation_membership(member=member, organisation=organisation, user=user)
               for organisation in organisations)


def _audit_organisation(*, action: str, member, organisation: Organisation, user, description: str) -> None:
    hooks.audit(action=action, user=user, description=description,
                details={"member": member.get_username(), "member_id": member.pk,
                         "organisation": organisation.code})
