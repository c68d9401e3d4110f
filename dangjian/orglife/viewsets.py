"""Wagtail admin of organisation life (registered in wagtail_hooks).

The rule tables (三会一课 rules, dues bands, holiday overrides) are the
platform's: only people holding their model permissions (platform admins)
edit them. A branch's meetings, dues, recruits and reviews are scoped to
the person's units (``UnitScopedViewSetMixin``): a secretary sees their
branch, a unit admin their subtree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orglife.models import (
    DuesDeclaration,
    DuesPayment,
    DuesRule,
    EvaluationCampaign,
    HolidayOverride,
    Meeting,
    MeetingRule,
    Recruit,
)
from dangjian.orgs.permissions import UnitScopedViewSetMixin


class MeetingRuleViewSet(ModelViewSet):
    model = MeetingRule
    icon = "list-ul"
    menu_label = _("三会一课规则")
    copy_view_enabled = False
    list_display = ["kind", "period", "min_count", "is_active"]
    form_fields = ["kind", "period", "min_count", "is_active"]


class DuesRuleViewSet(ModelViewSet):
    model = DuesRule
    icon = "list-ul"
    menu_label = _("党费标准")
    copy_view_enabled = False
    list_display = ["kind", "above", "up_to", "rate", "fixed_min", "fixed_max"]
    list_filter = ["kind"]
    form_fields = ["kind", "above", "up_to", "rate", "fixed_min", "fixed_max"]


class HolidayOverrideViewSet(ModelViewSet):
    model = HolidayOverride
    icon = "date"
    menu_label = _("节假日调整")
    copy_view_enabled = False
    list_display = ["day", "is_workday", "note"]
    form_fields = ["day", "is_workday", "note"]


class MeetingViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Meeting
    icon = "date"
    menu_label = _("三会一课")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["topic", "branch", "kind", "planned_on", "held_on"]
    list_filter = ["kind", "cancelled"]
    search_fields = ["topic"]
    form_fields = [
        "branch",
        "kind",
        "topic",
        "planned_on",
        "place",
        "held_on",
        "minutes",
        "cancelled",
    ]


class DuesDeclarationViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = DuesDeclaration
    icon = "doc-full"
    menu_label = _("党费基数")
    copy_view_enabled = False
    list_display = [
        "person",
        "branch",
        "year",
        "kind",
        "base",
        "monthly",
        "confirmed_at",
    ]
    list_filter = ["year", "kind"]
    # Read-only here (permissions.ReadOnlyPolicy): bases are declared and
    # confirmed on the branch's pages, through the dues rules.
    form_fields = ["kind", "base", "starts_on"]


class DuesPaymentViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = DuesPayment
    icon = "doc-full"
    menu_label = _("党费缴纳")
    copy_view_enabled = False
    list_display = ["person", "branch", "month", "amount", "method", "paid_at"]
    list_filter = ["method"]
    form_fields = ["method", "reference"]


class RecruitViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Recruit
    icon = "user"
    menu_label = _("发展党员")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "branch", "stage", "applied_on"]
    list_filter = ["stage"]
    search_fields = ["name"]
    form_fields = ["branch", "name", "birth_date", "applied_on"]


class EvaluationCampaignViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = EvaluationCampaign
    icon = "tasks"
    menu_label = _("民主评议")
    copy_view_enabled = False
    list_display = ["branch", "year", "status"]
    list_filter = ["year", "status"]
    form_fields = ["branch", "year"]


class OrglifeViewSetGroup(ViewSetGroup):
    menu_label = _("组织生活")
    menu_icon = "group"
    menu_order = 570
    items = (
        MeetingViewSet("orglife_meetings"),
        DuesDeclarationViewSet("orglife_declarations"),
        DuesPaymentViewSet("orglife_payments"),
        RecruitViewSet("orglife_recruits"),
        EvaluationCampaignViewSet("orglife_campaigns"),
        MeetingRuleViewSet("orglife_meeting_rules"),
        DuesRuleViewSet("orglife_dues_rules"),
        HolidayOverrideViewSet("orglife_holidays"),
    )
