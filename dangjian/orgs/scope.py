"""A person's scope: the organisations they belong to, computed in one place.

Disclosure items, study plans and votes are addressed to organisations,
"with or without their sub-organisations". A person is in the audience of

* an organisation they belong to directly (``member_of``), and
* any ancestor of such an organisation, when the audience includes
  sub-organisations (``within``).

Managers see the other way round: a unit admin of a department manages the
department and every branch below it (``managed_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from dangjian.orgs.models import Membership, Organisation

CACHE_ATTR = "_dangjian_scope"


@dataclass(frozen=True)
class Scope:
    person_id: int | None
    member_of: frozenset[int]
    within: frozenset[int]
    roles: frozenset[tuple[int, str]]

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None

    def reaches(
        self, organisation_ids: Iterable[int], include_descendants: bool
    ) -> bool:
        """Returns True when an audience of these organisations includes the person."""
        pool = self.within if include_descendants else self.member_of
        return not pool.isdisjoint(organisation_ids)

    def audience_q(
        self,
        orgs_field: str = "audience",
        descendants_field: str = "include_descendants",
    ) -> Q:
        """A filter for rows whose audience (an M2M to organisations) includes the person.

        Use with ``.distinct()``, because the join can repeat a row.
        """
        if self.is_anonymous:
            return Q(pk__in=[])
        return Q(**{f"{orgs_field}__in": self.member_of}) | Q(
            **{f"{orgs_field}__in": self.within, descendants_field: True}
        )

    def has_role(self, organisation_id: int, role: str) -> bool:
        return (organisation_id, role) in self.roles


EMPTY = Scope(None, frozenset(), frozenset(), frozenset())


def ancestor_paths(path: str, steplen: int = Organisation.steplen) -> list[str]:
    return [path[:i] for i in range(steplen, len(path), steplen)]


def scope_for(person) -> Scope:
    """Returns the person's scope, cached on the person object for the request."""
    if person is None or not person.is_authenticated or not person.is_active:
        return EMPTY
    cached = getattr(person, CACHE_ATTR, None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.active()
        .filter(person=person)
        .values_list("organisation_id", "organisation__path", "role")
    )
    member_of = frozenset(org_id for org_id, _path, _role in rows)
    paths = {p for _org, path, _role in rows for p in ancestor_paths(path)}
    ancestors = (
        set(Organisation.objects.filter(path__in=paths).values_list("id", flat=True))
        if paths
        else set()
    )
    scope = Scope(
        person_id=person.pk,
        member_of=member_of,
        within=frozenset(member_of | ancestors),
        roles=frozenset((org_id, role) for org_id, _path, role in rows),
    )
    setattr(person, CACHE_ATTR, scope)
    return scope


def forget_scope(person) -> None:
    if hasattr(person, CACHE_ATTR):
        delattr(person, CACHE_ATTR)


def managed_organisations(person, roles: Iterable[str]):
    """Organisations the person manages in one of these roles, with their descendants.

    Superusers manage every organisation.
    """
    if person is None or not person.is_authenticated:
        return Organisation.objects.none()
    if person.is_superuser:
        return Organisation.objects.all()
    paths = list(
        Membership.objects.active()
        .filter(person=person, role__in=list(roles))
        .values_list("organisation__path", flat=True)
    )
    if not paths:
        return Organisation.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Organisation.objects.filter(condition)
