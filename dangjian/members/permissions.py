"""Who reaches which member records: the one "own unit" rule of orgs.

A member's record belongs to their branch; the unit admins of that branch
(its secretary) and of every organisation above it manage it
(``orgs.permissions.register_unit_policy``, registered in wagtail_hooks).
Pages, the API and the export all ask here, through the same policy.
"""

from __future__ import annotations

from django.db.models import QuerySet

from dangjian.members.models import MemberProfile, Transfer
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.orgs.scope import managed_organisations

MANAGING_ROLES = [Role.UNIT_ADMIN]


def profile_policy() -> UnitPermissionPolicy:
    return UnitPermissionPolicy.for_model(MemberProfile)


def managed_units(user) -> QuerySet[Organisation]:
    """Organisations whose members the person manages (all for superusers)."""
    return managed_organisations(user, MANAGING_ROLES)


def manages(user, organisation_id: int) -> bool:
    return managed_units(user).filter(pk=organisation_id).exists()


def profiles_for(user) -> QuerySet[MemberProfile]:
    """The member records the person manages."""
    return profile_policy().reachable(user, MemberProfile.objects.all())


def may_see_full_record(user, profile: MemberProfile) -> bool:
    """The full ID number: the member's own unit admins (and platform admins)."""
    return profile_policy().is_reachable(user, profile)


def transfers_for(user) -> QuerySet[Transfer]:
    """Transfers the person may see: their own, and those out of or into an
    organisation they manage."""
    if user is None or not user.is_authenticated:
        return Transfer.objects.none()
    if user.is_superuser:
        return Transfer.objects.all()
    mine = Transfer.objects.filter(profile__person=user)
    managed = Transfer.objects.touching(managed_units(user))
    return (mine | managed).distinct()
