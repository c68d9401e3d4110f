"""What the member registry registers with Wagtail: the unit policy and
viewset of member records, admin URLs and menu items, log actions, the
``dangjian_me_profile`` hook of ``GET /api/me`` and the transfer
notifications (kinds and reminders, ``notices.py``)."""

from __future__ import annotations

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry

from dangjian.members import admin_views, notices, plugins
from dangjian.members.models import MemberProfile
from dangjian.members.permissions import MANAGING_ROLES, managed_units
from dangjian.members.viewsets import MemberProfileViewSet
from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.orgs.permissions import register_unit_policy

# The policy first: the viewset's unit guard reads it.
register_unit_policy(MemberProfile, unit_field="branch", roles=MANAGING_ROLES)


@hooks.register("register_admin_viewset")
def register_members_viewset() -> MemberProfileViewSet:
    return MemberProfileViewSet("member_profiles")


@hooks.register("register_admin_urls")
def register_members_admin_urls() -> list[URLPattern]:
    return [
        path("members/import/", admin_views.import_members, name="members_import"),
        path("members/export.xlsx", admin_views.export_members, name="members_export"),
        path(
            "members/record/<int:profile_id>/",
            admin_views.record,
            name="members_record",
        ),
        path(
            "members/record/<int:profile_id>/full/",
            admin_views.full_record,
            name="members_full",
        ),
        path(
            "members/record/<int:profile_id>/status/",
            admin_views.change_status,
            name="members_status",
        ),
        path(
            "members/record/<int:profile_id>/account/<str:action>/",
            admin_views.account,
            name="members_account",
        ),
        path(
            "members/record/<int:profile_id>/transfer/",
            admin_views.request_transfer,
            name="members_transfer_request",
        ),
        path(
            "members/record/<int:profile_id>/letter/",
            admin_views.issue_letter,
            name="members_letter_issue",
        ),
        path(
            "members/letters/<int:letter_id>.pdf",
            admin_views.letter_pdf,
            name="members_letter_pdf",
        ),
        path(
            "members/letters/<int:letter_id>/receipt/",
            admin_views.record_receipt,
            name="members_letter_receipt",
        ),
        path(
            "members/arrivals/new/",
            admin_views.register_arrival,
            name="members_arrival",
        ),
        path(
            "members/transfers/",
            admin_views.transfer_dashboard,
            name="members_transfers",
        ),
        path(
            "members/transfers/<int:transfer_id>/<str:step>/",
            admin_views.transfer_step,
            name="members_transfer_step",
        ),
    ]


class ManagersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return managed_units(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_members_import_menu_item() -> MenuItem:
    return ManagersMenuItem(
        _("党员名册导入"), reverse("members_import"), icon_name="upload", order=811
    )


@hooks.register("register_admin_menu_item")
def register_members_transfers_menu_item() -> MenuItem:
    return ManagersMenuItem(
        _("组织关系转接"),
        reverse("members_transfers"),
        icon_name="arrows-up-down",
        order=812,
    )


@hooks.register("register_admin_menu_item")
def register_members_arrival_menu_item() -> MenuItem:
    return ManagersMenuItem(
        _("市外转入登记"), reverse("members_arrival"), icon_name="user", order=813
    )


@hooks.register("register_log_actions")
def register_members_log_actions(actions: LogActionRegistry) -> None:
    for action, label in [
        ("import", _("导入党员名册")),
        ("status", _("变更党籍状态")),
        ("disable", _("停用党员账号")),
        ("enable", _("恢复党员账号")),
        ("reset", _("重置党员账号")),
        ("activate", _("党员激活账号")),
        ("sms_login", _("党员短信验证码登录")),
        ("view_full", _("查看完整档案")),
        ("transfer.request", _("申请组织关系转接")),
        ("transfer.approve", _("转出党组织同意转接")),
        ("transfer.accept", _("转入党组织接收")),
        ("transfer.refuse", _("拒绝组织关系转接")),
        ("transfer.cancel", _("撤回组织关系转接")),
        ("transfer.complete", _("组织关系转接生效")),
        ("letter", _("开具市外转出介绍信")),
        ("arrival", _("登记市外转入党员")),
        ("receipt", _("登记介绍信回执")),
    ]:
        actions.register_action(f"dangjian.members.{action}", label, label)


hooks.register("dangjian_me_profile", plugins.me_profile)
hooks.register(KINDS_HOOK, notices.notification_kinds)
hooks.register(REMINDERS_HOOK, notices.remind)
