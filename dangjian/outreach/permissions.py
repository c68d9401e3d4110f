"""Who reaches which outreach rows: the shared "own unit only" policy
(``dangjian.orgs.permissions``), registered in wagtail_hooks. A team, venue
or grid belongs to its unit; lecturers and events to their team's unit;
grid workers, pushes and visits to their grid's unit; ratings to their
event's team's unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitPermissionPolicy, scoped_queryset
from dangjian.orgs.scope import managed_organisations
from dangjian.outreach.models import (
    Event,
    Grid,
    GridWorker,
    Lecturer,
    LectureTeam,
    Push,
    Rating,
    Venue,
    Visit,
)

ROLES = [Role.UNIT_ADMIN, Role.EDITOR]

UNIT_FIELDS: dict[type[Model], str] = {
    LectureTeam: "unit",
    Lecturer: "team__unit",
    Venue: "unit",
    Event: "team__unit",
    Rating: "event__team__unit",
    Grid: "unit",
    GridWorker: "grid__unit",
    Push: "grid__unit",
    Visit: "grid__unit",
}


class ReadOnlyPolicy(UnitPermissionPolicy):
    """Rows that residents and grid workers write; staff only read them."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action != "view":
            return False
        return super().user_has_permission(user, action)


def policies() -> list[UnitPermissionPolicy]:
    read_only = {Rating, Push, Visit}
    return [
        (ReadOnlyPolicy if model in read_only else UnitPermissionPolicy)(
            model, unit_field=field, roles=ROLES
        )
        for model, field in UNIT_FIELDS.items()
    ]


def can_see_figures(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or managed_organisations(user, ROLES).exists()


def scoped(user: Any, model: type[Model]) -> QuerySet:
    """The rows of ``model`` the person's units own (all for superusers)."""
    return scoped_queryset(user, model)
