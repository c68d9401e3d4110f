"""Who may see which figures.

* The leaders' dashboard (the whole city): platform admins (superusers) and
  the city's leaders, that is unit admins and approvers of a root
  organisation (the city committee).
* A unit dashboard: the unit admins of that unit see it and every
  organisation below it; city leaders see every unit.
"""

from __future__ import annotations

from dangjian.orgs.models import Membership, Organisation, Role

LEADER_ROLES = (Role.UNIT_ADMIN, Role.APPROVER)


def is_city_leader(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        Membership.objects.active()
        .filter(person=user, role__in=LEADER_ROLES, organisation__depth=1)
        .exists()
    )


def managed_roots(user) -> list[Organisation]:
    """The organisations whose dashboards the user may open, highest first."""
    if is_city_leader(user):
        return list(Organisation.get_root_nodes())
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    orgs = list(
        Organisation.objects.filter(
            memberships__in=Membership.objects.active().filter(
                person=user, role=Role.UNIT_ADMIN
            )
        ).distinct()
    )
    # An organisation below another one the user manages adds nothing.
    return [
        o for o in orgs if not any(o.path.startswith(p.path) and o != p for p in orgs)
    ]


def can_see(user, organisation: Organisation) -> bool:
    return any(organisation.path.startswith(r.path) for r in managed_roots(user))
