"""Who reaches which organisation-life rows: the shared "own unit" policy of
``orgs.permissions``, registered in wagtail_hooks. Everything belongs to a
branch; the branch's secretary (its unit admin) and the unit admins above
it reach it, so a unit admin sees their subtree and a secretary their branch.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from dangjian.orglife.models import (
    Attendance,
    BranchRating,
    DuesDeclaration,
    DuesPayment,
    DuesSummaryDisclosure,
    EvaluationCampaign,
    Meeting,
    Recruit,
    RecruitDocument,
    RecruitNotice,
    RecruitStep,
)
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.orgs.scope import managed_organisations

ROLES = [Role.UNIT_ADMIN]

UNIT_FIELDS: dict[type[Model], str] = {
    Meeting: "branch",
    Attendance: "meeting__branch",
    DuesDeclaration: "branch",
    DuesPayment: "branch",
    Recruit: "branch",
    RecruitStep: "recruit__branch",
    EvaluationCampaign: "branch",
    BranchRating: "campaign__branch",
    RecruitDocument: "step__recruit__branch",
    RecruitNotice: "recruit__branch",
    DuesSummaryDisclosure: "branch",
}


class ReadOnlyPolicy(UnitPermissionPolicy):
    """Rows written only through the app's actions; the admin lists them."""

    def user_has_permission(self, user, action: str) -> bool:
        if action != "view":
            return False
        return super().user_has_permission(user, action)


READ_ONLY = {
    Attendance,
    DuesDeclaration,
    DuesPayment,
    RecruitStep,
    BranchRating,
    RecruitDocument,
    RecruitNotice,
    DuesSummaryDisclosure,
}


def policies() -> list[UnitPermissionPolicy]:
    return [
        (ReadOnlyPolicy if model in READ_ONLY else UnitPermissionPolicy)(
            model, unit_field=field, roles=ROLES
        )
        for model, field in UNIT_FIELDS.items()
    ]


def managed(user) -> QuerySet[Organisation]:
    """Organisations whose organisation life the person keeps (all for
    superusers)."""
    return managed_organisations(user, ROLES)


def managed_branches(user) -> QuerySet[Organisation]:
    return managed(user).filter(kind=Organisation.Kind.BRANCH)


def manages(user, organisation: Organisation) -> bool:
    return managed(user).filter(pk=organisation.pk).exists()
