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

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

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


def people_in(organisation_ids: Iterable[int], include_descendants: bool) -> QuerySet:
    """Ids of the active people an audience of these organisations includes.

    The same rule as ``Scope.reaches``, seen from the audience: people with
    an active membership in one of the organisations, or, with
    ``include_descendants``, in any organisation of their subtrees.
    Notifications resolve audiences and check 党内 scopes with it.
    """
    ids = list(organisation_ids)
    memberships = Membership.objects.active()
    if not ids:
        return memberships.none().values_list("person_id", flat=True)
    if include_descendants:
        condition = Q()
        for path in Organisation.objects.filter(pk__in=ids).values_list(
            "path", flat=True
        ):
            condition |= Q(organisation__path__startswith=path)
        if not condition:
            return memberships.none().values_list("person_id", flat=True)
        memberships = memberships.filter(condition)
    else:
        memberships = memberships.filter(organisation_id__in=ids)
    return memberships.values_list("person_id", flat=True).distinct()


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


# Audience tokens -------------------------------------------------------------------
#
# Search indexes and exports mark each restricted document with tokens of its
# audience, and a query passes the tokens of the person asking: the engine then
# never returns, counts or snippets a document outside the person's scope. The
# two sides are written here once, so every index agrees on the spelling.

PUBLIC_TOKEN = "public"
MEMBERS_TOKEN = "members"


def item_audience_tokens(
    organisation_ids: Iterable[int], include_descendants: bool
) -> list[str]:
    """The tokens of an audience of these organisations: ``tree:<id>`` when
    their sub-organisations are included, else ``org:<id>``."""
    prefix = "tree" if include_descendants else "org"
    return [f"{prefix}:{pk}" for pk in sorted(set(organisation_ids))]


def audience_tokens(person) -> list[str]:
    """The tokens of every audience that includes the person.

    ``public`` for anyone; with an active membership also ``members``,
    ``org:<id>`` for each organisation the person belongs to and
    ``tree:<id>`` for each of those and their ancestors (the same rule as
    ``Scope.reaches``).
    """
    scope = scope_for(person)
    tokens = [PUBLIC_TOKEN]
    if scope.member_of:
        tokens.append(MEMBERS_TOKEN)
        tokens += [f"org:{pk}" for pk in sorted(scope.member_of)]
        tokens += [f"tree:{pk}" for pk in sorted(scope.within)]
    return tokens


# Names of restricted objects in aggregates ----------------------------------------


def name_only_in_scope(
    rows: list[dict],
    may_see: Callable[[dict], bool],
    *,
    group: Callable[[dict], str],
    hidden_label: Callable[[str, int], str],
    sums: Iterable[str] = (),
    name_keys: Iterable[str] = ("title",),
    hide_keys: Iterable[str] = (),
) -> list[dict]:
    """Rows that name objects (most viewed, exports), fit for one person.

    Aggregates may count objects the person is outside the scope of, but
    their titles and links reach only people in scope. Every row the person
    may not see (``may_see(row)`` false) is folded with the other hidden rows
    of its group into one anonymous row: its ``name_keys`` say
    ``hidden_label(group, n)`` (such as "党内事项 2 项"), its ``sums`` are
    added up and its ``hide_keys`` (ids, URLs) are None. Rows keep their
    order; an anonymous row takes the place of the first row it folds.
    """
    name_keys, sums, hide_keys = tuple(name_keys), tuple(sums), tuple(hide_keys)
    result: list[dict] = []
    folded: dict[str, tuple[dict, int]] = {}
    for row in rows:
        if may_see(row):
            result.append(row)
            continue
        key = group(row)
        if key in folded:
            anonymous, n = folded[key]
            for name in sums:
                anonymous[name] = (anonymous.get(name) or 0) + (row.get(name) or 0)
            folded[key] = (anonymous, n + 1)
            continue
        anonymous = dict(row)
        for name in hide_keys:
            anonymous[name] = None
        anonymous["hidden"] = True
        folded[key] = (anonymous, 1)
        result.append(anonymous)
    for key, (anonymous, n) in folded.items():
        for name in name_keys:
            anonymous[name] = hidden_label(key, n)
    return result
