"""Wagtail admin for study: topics, videos, plans, sessions, point rules,
the ledger (read only), notes and assessment schemes.

Unit staff see and edit the rows of the units they manage; point rules and
assessment schemes are platform settings for superusers.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.orgs.scope import managed_organisations
from dangjian.study.models import (
    AssessmentScheme,
    PointEntry,
    PointRule,
    StudyPlan,
    StudySession,
    Topic,
    Video,
)

STAFF = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


# Unit staff keep the videos, plans and study sessions of their units.
register_unit_policy(Video, unit_field="owner", roles=STAFF)
register_unit_policy(StudyPlan, unit_field="owner", roles=STAFF)
register_unit_policy(StudySession, unit_field="organisation", roles=STAFF)


class PlanSavedMixin:
    def save_instance(self):
        from dangjian.study.search import index_plan_materials

        instance = super().save_instance()
        transaction.on_commit(lambda: index_plan_materials(instance))
        return instance


class PlanCreateView(PlanSavedMixin, CreateView):
    pass


class PlanEditView(PlanSavedMixin, EditView):
    pass


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


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
    the correction form (``correct_points``), never edits."""

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


# --- Point corrections ---------------------------------------------------------------


class CorrectionForm(forms.Form):
    """A correction to a member's points, written as a new ledger line."""

    person = forms.ModelChoiceField(
        queryset=None,
        label=_("人员"),
        error_messages={"invalid_choice": _("只能更正本单位党员的积分")},
    )
    rule = forms.ModelChoiceField(
        queryset=PointRule.objects.all(), label=_("积分项目"), empty_label=None
    )
    points = forms.IntegerField(
        label=_("更正分值"),
        help_text=_("加分填正数，扣分填负数，例如 -5"),
    )
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，记入积分记录和操作日志"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.get_full_name() or p.username}（{p.username}）"
        )


def can_correct_points(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or managed_organisations(user, [Role.UNIT_ADMIN]).exists()
    )


def correct_points(request):
    """The unit admin's form for a point correction (积分更正).

    The form only offers the unit's own members; the action checks again,
    so a forged person id is refused the same way.
    """
    from dangjian.study.actions import check_add_point_correction, correctable_people

    if not can_correct_points(request.user):
        raise PermissionDenied
    people = correctable_people(request.user)
    if request.method == "POST":
        form = CorrectionForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = check_add_point_correction(
                    data["person"],
                    data["rule"],
                    data["points"],
                    data["reason"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                for field, errors in getattr(
                    exc, "message_dict", {"__all__": exc.messages}
                ).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except PermissionDenied as exc:
                form.add_error("person", str(exc))
            else:
                total = PointEntry.objects.for_person(entry.person).total()
                messages.success(
                    request,
                    _("已为 %(name)s 记入更正 %(points)+d 分，现累计 %(total)d 分。")
                    % {
                        "name": entry.person.get_full_name() or entry.person.username,
                        "points": entry.points,
                        "total": total,
                    },
                )
                return redirect("study_correct_points")
    else:
        initial = {}
        person = request.GET.get("person")
        if person and person.isdigit():
            initial["person"] = int(person)
        form = CorrectionForm(initial=initial, people=people)
    recent = (
        PointEntry.objects.filter(created_by__isnull=False, person__in=people)
        .select_related("person", "rule", "created_by")
        .order_by("-created_at", "-pk")[:20]
    )
    return TemplateResponse(
        request,
        "study/admin/correct_points.html",
        {"form": form, "recent": recent},
    )
