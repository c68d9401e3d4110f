"""The hotline centre's operators (话务员): one Django group carrying
``tickets.operate_hotline`` (every unit's tickets, ``orgs.permissions``'s
``every_unit_permission``) and the admin of the dispatch rules and
deadlines."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

OPERATOR_GROUP = "12345热线话务员"
OPERATOR_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "tickets.operate_hotline",
    "tickets.view_ticket",
    "tickets.view_ticketevent",
    "tickets.view_dispatchrule",
    "tickets.add_dispatchrule",
    "tickets.change_dispatchrule",
    "tickets.delete_dispatchrule",
    "tickets.view_deadline",
    "tickets.change_deadline",
    "tickets.view_dispatchmodel",
)


def ensure_operator_group() -> Group:
    group, _created = Group.objects.get_or_create(name=OPERATOR_GROUP)
    condition = Q(pk__in=[])
    for code in OPERATOR_PERMISSIONS:
        app_label, codename = code.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(condition))
    return group


def do_make_operator(person: Any) -> None:
    person.groups.add(ensure_operator_group())
    for name in list(vars(person)):
        if name.startswith("_perm_cache") or name.startswith("_user_perm_cache"):
            delattr(person, name)
