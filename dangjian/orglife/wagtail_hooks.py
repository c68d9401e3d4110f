"""What organisation life registers with Wagtail: unit policies and admin
viewsets, log actions, a menu link, and the hooks the aggregators, the
portal, notify, study's assessment and ``lib.workdays`` read
(dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry

from dangjian.lib.plugins import EVALUATION_RESULTS
from dangjian.lib.workdays import OVERRIDES_HOOK
from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.orglife import notices, plugins
from dangjian.orglife.permissions import managed, policies
from dangjian.orglife.viewsets import OrglifeViewSetGroup
from dangjian.orgs.permissions import register_unit_policy

# The policies first: the viewsets' unit guards read them.
for policy in policies():
    register_unit_policy(policy.model, policy)


@hooks.register("register_admin_viewset")
def register_orglife_viewsets() -> OrglifeViewSetGroup:
    return OrglifeViewSetGroup()


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):  # type: ignore[no-untyped-def]
        return managed(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item() -> MenuItem:
    return ComplianceMenuItem(
        _("三会一课落实情况"), reverse("orglife:index"), icon_name="table", order=571
    )


@hooks.register("register_log_actions")
def register_orglife_log_actions(registry: LogActionRegistry) -> None:
    for action, label in [
        ("plan", _("安排三会一课")),
        ("record", _("登记三会一课")),
        ("make_up", _("登记补学")),
        ("declare", _("申报党费基数")),
        ("confirm", _("确认党费基数")),
        ("payment", _("登记党费缴纳")),
        ("recruit", _("发展党员步骤")),
        ("evaluation", _("民主评议")),
    ]:
        registry.register_action(f"dangjian.orglife.{action}", label, label)


hooks.register(KINDS_HOOK, notices.notification_kinds)
hooks.register(REMINDERS_HOOK, notices.remind)
hooks.register("dangjian_participation_figures", plugins.participation_figures)
hooks.register("dangjian_my_page_panels", plugins.my_page_panel)
hooks.register(OVERRIDES_HOOK, plugins.workday_overrides)
hooks.register(EVALUATION_RESULTS, lambda: plugins.evaluation_results)
