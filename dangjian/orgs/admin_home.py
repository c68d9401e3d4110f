"""The admin's home and menus as a unit's staff see them (issue 20).

Wagtail's dashboard counts every page, image and document of the site and
links to Wagtail's own (English) editor guide and release notes. A person
who works for a unit sees instead who they are in which unit; each
capability adds its own counts and panels for the person's units through
Wagtail's ``construct_homepage_summary_items`` / ``construct_homepage_panels``
hooks (disclosure: ``dangjian/disclosure/dashboard.py``). Platform admins
(superusers) keep Wagtail's site-wide figures and help menu.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wagtail.admin.site_summary import SummaryItem

from dangjian.orgs.models import Membership
from dangjian.orgs.roles import STAFF_ROLES

#: Main-menu entries only platform admins see: Wagtail's help menu links to
#: its English editor guide and release notes.
SUPERUSER_MENU_ITEMS = frozenset({"help"})


def _is_platform_admin(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def prune_main_menu(request, menu_items) -> None:
    """Drops Wagtail's help menu for everyone but platform admins."""
    if _is_platform_admin(request.user):
        return
    menu_items[:] = [
        item
        for item in menu_items
        if getattr(item, "name", "") not in SUPERUSER_MENU_ITEMS
    ]


def prune_help_menu(request, menu_items) -> None:
    """Wagtail's "what's new" and editor-guide links are for platform admins."""
    if _is_platform_admin(request.user):
        return
    menu_items[:] = [
        item
        for item in menu_items
        if not (getattr(item, "name", "") or "").startswith(
            ("whats-new", "editor-guide")
        )
    ]


def is_site_wide_item(item) -> bool:
    """Wagtail's own summary items count the whole site (pages, images,
    documents of every unit)."""
    return type(item).__module__.startswith("wagtail.")


class MyRolesSummaryItem(SummaryItem):
    """ "市委宣传部 · 编辑": the units and roles the person works in."""

    order = 10
    template_name = "orgs/admin/summary_roles.html"

    def roles(self) -> list[str]:
        rows = (
            Membership.objects.active()
            .filter(person=self.request.user, role__in=STAFF_ROLES)
            .select_related("organisation")
            .order_by("organisation__path", "role")
        )
        return [f"{row.organisation.name} · {row.get_role_display()}" for row in rows]

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None):
        return {"roles": self.roles()}

    def is_shown(self) -> bool:
        return not _is_platform_admin(self.request.user) and bool(self.roles())


def unit_summary_items(request, summary_items) -> None:
    """A unit's staff see their roles, not the site-wide counts.

    Registered late (``order``) so that Wagtail's own items are already in
    the list; capabilities add their unit counts after this.
    """
    if _is_platform_admin(request.user):
        return
    summary_items[:] = [item for item in summary_items if not is_site_wide_item(item)]
    summary_items.append(MyRolesSummaryItem(request))
