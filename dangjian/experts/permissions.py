"""Who reaches which questions and experts in the admin.

Both use the shared "own unit only" policy (``dangjian.orgs.permissions``),
registered in wagtail_hooks: unit admins keep their units' experts; a
question belongs to its expert's unit, whose admins oversee it, and the
expert answers their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from dangjian.experts.models import Question
from dangjian.orgs.models import Person, Role
from dangjian.orgs.permissions import UnitPermissionPolicy


class QuestionPermissionPolicy(UnitPermissionPolicy):
    """A question belongs to its expert's unit, whose admins oversee it; the
    expert answers their own. Questions come from enterprises only and are
    never deleted."""

    def __init__(self, model: type[Question], **kwargs: Any) -> None:
        super().__init__(
            model, unit_field="expert__unit", roles=[Role.UNIT_ADMIN], **kwargs
        )

    def scope_q(self, user: Person | AnonymousUser) -> Q:
        return super().scope_q(user) | Q(expert__person=user)

    def user_has_permission(self, user: Person | AnonymousUser, action: str) -> bool:
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)
