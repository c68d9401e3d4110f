"""Who may do what with knowledge entries: only their own unit's entries.

The rule is the shared "own unit only" policy (``dangjian.orgs.permissions``);
knowledge entries narrow it to units that maintain the 12345 knowledge base.
Everything else in the app (forms, actions, views, the admin) asks here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dangjian.kb.models import Entry
from dangjian.orgs.models import Organisation, Person, Role
from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.orgs.scope import managed_organisations

EDITING_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


def editable_units(person: Person | AnonymousUser) -> QuerySet[Organisation]:
    """Units whose entries this person may edit: their own units (all for admins)."""
    return managed_organisations(person, EDITING_ROLES).filter(maintains_kb=True)


def check_can_edit_entry(person: Person | AnonymousUser, entry: Entry) -> None:
    if not editable_units(person).filter(pk=entry.owner_id).exists():
        raise PermissionDenied(_("只能编辑本单位的知识条目。"))


class EntryPermissionPolicy(UnitPermissionPolicy):
    """Model permissions from the person's role groups, narrowed to entries
    owned by a unit the person manages (platform admins: every unit)."""

    def __init__(self, model: type[Entry], **kwargs: Any) -> None:
        super().__init__(model, unit_field="owner", roles=EDITING_ROLES, **kwargs)

    def managed_units(self, user: Person | AnonymousUser) -> QuerySet[Organisation]:
        return editable_units(user)
