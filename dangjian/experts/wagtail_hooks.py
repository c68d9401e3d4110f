"""What the policy-expert service registers with Wagtail: the unit policies
and admin viewsets, log actions, and the hooks the aggregators and the
portal read (dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry

from dangjian.experts import notifications
from dangjian.experts.models import Expert, Question
from dangjian.experts.permissions import QuestionPermissionPolicy
from dangjian.experts.viewsets import ExpertsViewSetGroup
from dangjian.lib import plugins
from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.orgs.models import Role
from dangjian.orgs.permissions import register_unit_policy

# The policies first: the viewsets' unit guards read them.
register_unit_policy(Question, QuestionPermissionPolicy(Question))
hooks.register(KINDS_HOOK, notifications.notification_kinds)
hooks.register(REMINDERS_HOOK, notifications.remind)
# Unit admins keep their units' experts.
register_unit_policy(Expert, unit_field="unit", roles=[Role.UNIT_ADMIN])


@hooks.register("register_admin_viewset")
def register_experts_viewsets() -> ExpertsViewSetGroup:
    return ExpertsViewSetGroup()


@hooks.register("register_log_actions")
def register_experts_log_actions(actions: LogActionRegistry) -> None:
    for action, label in [
        ("dangjian.experts.submit", _("企业提交问题")),
        ("dangjian.experts.route", _("分派专员")),
        ("dangjian.experts.reassign", _("改派专员")),
        ("dangjian.experts.answer", _("专员答复")),
        ("dangjian.experts.rate", _("企业评价")),
        ("dangjian.experts.escalate", _("超时督办")),
        ("dangjian.experts.expert_create", _("登记专员")),
        ("dangjian.experts.expert_edit", _("修改专员")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("dangjian_my_page_panels")
def experts_my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    from dangjian.experts.plugins import my_page_panel

    return my_page_panel(request)


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_participation_figures")
def experts_participation_figures() -> list[plugins.ParticipationFigures]:
    from dangjian.experts.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_unit_page_sections")
def experts_unit_sections(organisation: object) -> list[plugins.PortalSection]:
    from dangjian.experts.plugins import unit_sections

    return unit_sections(organisation)
