"""What tickets registers with Wagtail: the unit policies and admin
viewsets, log actions, a menu link to the console, and the hooks the
aggregators and notify read (dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry
from wagtail.permissions import register_permission_policy

from dangjian.orgs.permissions import register_unit_policy
from dangjian.tickets import actions, figures, notices
from dangjian.tickets.models import Action, DispatchModel
from dangjian.tickets.permissions import ViewOnlyPolicy, may_use_desk, policies
from dangjian.tickets.viewsets import TicketsViewSetGroup

# The policies first: the viewsets' unit guards read them.
for policy in policies():
    register_unit_policy(policy.model, policy)
register_permission_policy(DispatchModel, ViewOnlyPolicy(DispatchModel))


@hooks.register("register_admin_viewset")
def register_tickets_viewsets() -> TicketsViewSetGroup:
    return TicketsViewSetGroup()


class DeskMenuItem(MenuItem):
    def is_shown(self, request):  # type: ignore[no-untyped-def]
        return may_use_desk(request.user)


@hooks.register("register_admin_menu_item")
def register_desk_menu_item() -> MenuItem:
    return DeskMenuItem(
        _("12345 工单台"), reverse("tickets:desk"), icon_name="mail", order=570
    )


@hooks.register("register_log_actions")
def register_tickets_log_actions(registry: LogActionRegistry) -> None:
    for action in Action:
        label = _("工单%(step)s") % {"step": action.label}
        registry.register_action(f"dangjian.tickets.{action.value}", label, label)


hooks.register("dangjian_notification_kinds", notices.notification_kinds)
hooks.register("dangjian_notification_reminders", actions.remind)
hooks.register("dangjian_participation_figures", figures.participation_figures)
