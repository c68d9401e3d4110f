"""What outreach registers with Wagtail: the unit policies and admin
viewsets, log actions, a menu link to the figures, and the hooks the
aggregators and the portal read (dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry

from dangjian.orgs.permissions import register_unit_policy
from dangjian.outreach import actions, figures, plugins
from dangjian.outreach.permissions import can_see_figures, policies
from dangjian.outreach.viewsets import OutreachViewSetGroup

# The policies first: the viewsets' unit guards read them.
for policy in policies():
    register_unit_policy(policy.model, policy)


@hooks.register("register_admin_viewset")
def register_outreach_viewsets() -> OutreachViewSetGroup:
    return OutreachViewSetGroup()


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):  # type: ignore[no-untyped-def]
        return can_see_figures(request.user)


@hooks.register("register_admin_menu_item")
def register_figures_menu_item() -> MenuItem:
    return FiguresMenuItem(
        _("宣讲与网格统计"), reverse("outreach:figures"), icon_name="table", order=560
    )


@hooks.register("register_log_actions")
def register_outreach_log_actions(registry: LogActionRegistry) -> None:
    registry.register_action("dangjian.outreach.push", _("网格员推送"), _("网格员推送"))
    registry.register_action(
        "dangjian.outreach.visit", _("网格员入户走访"), _("网格员入户走访")
    )


hooks.register("dangjian_participation_figures", figures.participation_figures)
hooks.register("dangjian_viewed_kinds", plugins.viewed_kinds)
hooks.register("dangjian_my_page_panels", plugins.my_page_panel)
hooks.register("dangjian_view_tags", actions.view_tags)
