from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from wagtail import hooks

from dangjian.orgs.auth import member_auth
from dangjian.orgs.models import Membership, Organisation
from dangjian.orgs.scope import scope_for

router = Router(tags=["组织与人员"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int
    maintains_kb: bool


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str
    title: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_superuser: bool
    memberships: list[MembershipOut]
    member_of: list[int]
    within: list[int]
    # Added by capabilities through the ``dangjian_me_profile`` hook (members:
    # the party-member record, ID number masked); null when none applies.
    member_profile: dict[str, Any] | None = None


@router.get("/orgs", response=list[OrganisationOut], summary="组织树（按路径排序）")
def list_organisations(request):
    orgs = list(Organisation.objects.filter(is_active=True))
    by_path = {org.path: org.id for org in orgs}
    steplen = Organisation.steplen
    return [
        {
            "id": org.id,
            "name": org.name,
            "kind": org.kind,
            "parent_id": by_path.get(org.path[:-steplen]) if org.depth > 1 else None,
            "depth": org.depth,
            "maintains_kb": org.maintains_kb,
        }
        for org in orgs
    ]


@router.get("/me", response=MeOut, auth=member_auth, summary="当前用户及其组织范围")
def me(request):
    person = request.user
    scope = scope_for(person)
    memberships = Membership.objects.filter(person=person).select_related(
        "organisation"
    )
    extra: dict[str, Any] = {}
    for fn in hooks.get_hooks("dangjian_me_profile"):
        extra.update(fn(person) or {})
    return {
        **extra,
        "id": person.pk,
        "username": person.username,
        "name": person.get_full_name(),
        "is_superuser": person.is_superuser,
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "role": m.role,
                "title": m.title,
            }
            for m in memberships
        ],
        "member_of": sorted(scope.member_of),
        "within": sorted(scope.within),
    }
