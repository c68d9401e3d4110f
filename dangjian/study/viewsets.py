"""Wagtail admin viewsets for study: topics, videos, plans, sessions, point
rules, the ledger (read only) and assessment schemes.

Unit staff see and edit the rows of the units they manage; point rules and
assessment schemes are platform settings for superusers. The permission
policies are declared here, before the viewsets that rely on them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.study.models import (
    AssessmentScheme,
    PointEntry,
    PointRule,
    StudyPlan,
    StudySession,
    Topic,
    Video,
)
from dangjian.study.search import index_plan_materials

STAFF = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


# Unit staff keep the videos, plans and study sessions of their units.
register_unit_policy(Video, unit_field="owner", roles=STAFF)
register_unit_policy(StudyPlan, unit_field="owner", roles=STAFF)
register_unit_policy(StudySession, unit_field="organisation", roles=STAFF)
# The ledger is append-only: no one adds, edits or deletes lines in the admin.
register_permission_policy(PointEntry, ReadOnlyPolicy(PointEntry))


def reindex_plan_on_commit(plan: StudyPlan) -> None:
    """Who may find a plan-only material in search follows the plan's
    audience, so its materials are indexed again once the plan is saved."""
    transaction.on_commit(lambda: index_plan_materials(plan))


class PlanCreateView(CreateView):
    def save_instance(self) -> StudyPlan:
        plan = super().save_instance()
        reindex_plan_on_commit(plan)
        return plan


class PlanEditView(EditView):
    def save_instance(self) -> StudyPlan:
        plan = super().save_instance()
        reindex_plan_on_commit(plan)
        return plan


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("学习专题")
    list_display = ["name", "sort_order"]
    form_fields = ["name", "description", "sort_order"]
    copy_view_enabled = False


class VideoViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Video
    icon = "media"
    menu_label = _("学习视频")
    list_display = ["title", "duration_seconds", "owner", "created_at"]
    copy_view_enabled = False


class PlanViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = StudyPlan
    icon = "list-ol"
    menu_label = _("学习计划")
    list_display = ["title", "owner", "starts_on", "deadline", "is_active"]
    list_filter = ["is_active"]
    copy_view_enabled = False
    add_view_class = PlanCreateView
    edit_view_class = PlanEditView


class SessionViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = StudySession
    icon = "group"
    menu_label = _("学习会")
    list_display = ["title", "type", "organisation", "starts_at"]
    list_filter = ["type"]
    search_fields = ["title"]
    copy_view_enabled = False


class PointRuleViewSet(ModelViewSet):
    model = PointRule
    icon = "pick"
    menu_label = _("积分规则")
    list_display = ["name", "kind", "points", "daily_cap", "is_active"]
    copy_view_enabled = False


class LedgerViewSet(ModelViewSet):
    """The ledger is read only here: corrections are new entries written by
    the correction form (``views_admin.correct_points``), never edits."""

    model = PointEntry
    icon = "list-ul"
    menu_label = _("积分记录")
    list_display = ["person", "rule", "label", "points", "day", "corrects"]
    list_filter = ["rule", "day"]
    search_fields = ["label", "person__name", "person__username"]
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["person", "rule", "source", "label", "points", "day"]


class SchemeViewSet(ModelViewSet):
    model = AssessmentScheme
    icon = "table"
    menu_label = _("考核方案")
    list_display = ["name", "year"]
    copy_view_enabled = False


class StudyViewSetGroup(ViewSetGroup):
    menu_label = _("学习")
    menu_icon = "doc-full"
    menu_order = 450
    items = (
        TopicViewSet("study_topics"),
        VideoViewSet("study_videos"),
        PlanViewSet("study_plans"),
        SessionViewSet("study_sessions"),
        PointRuleViewSet("study_point_rules"),
        LedgerViewSet("study_ledger"),
        SchemeViewSet("study_schemes"),
    )
