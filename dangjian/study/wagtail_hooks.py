from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from dangjian.study.models import PointEntry
from dangjian.study.views_admin import (
    ReadOnlyPolicy,
    StudyViewSetGroup,
    can_correct_points,
    correct_points,
)

# The ledger is append-only: no one adds, edits or deletes lines in the admin.
register_permission_policy(PointEntry, ReadOnlyPolicy(PointEntry))


@hooks.register("register_admin_viewset")
def register_study_viewsets():
    return StudyViewSetGroup()


@hooks.register("register_admin_urls")
def register_study_admin_urls():
    return [path("study/points/correct/", correct_points, name="study_correct_points")]


class CorrectionMenuItem(MenuItem):
    def is_shown(self, request):
        return can_correct_points(request.user)


@hooks.register("register_admin_menu_item")
def register_correction_menu_item():
    return CorrectionMenuItem(
        _("积分更正"), reverse("study_correct_points"), icon_name="pick", order=451
    )


@hooks.register("before_serve_document")
def guard_study_attachments(document, request):
    """Attachments of study materials follow the materials' audience.

    A document attached to (or linked from) a study material is served only
    to someone who may open one of those materials; otherwise it is a 404,
    so a shared or guessed /documents/ link reveals nothing. Documents no
    material uses are left to other apps' hooks.
    """
    from django.http import Http404

    from dangjian.lib.documents import pages_using_document
    from dangjian.study.actions import can_open_material
    from dangjian.study.models import MaterialAttachment, MaterialPage

    page_ids = pages_using_document(document, MaterialAttachment, MaterialPage)
    if not page_ids:
        return None
    for material in MaterialPage.objects.filter(pk__in=page_ids):
        if can_open_material(material, request):
            return None
    raise Http404


@hooks.register("register_log_actions")
def register_study_log_actions(actions):
    for action, label in [
        ("dangjian.study.correct_points", _("更正积分")),
        ("dangjian.study.create_session", _("创建学习会")),
        ("dangjian.study.record_attendance", _("登记出席")),
        ("dangjian.study.save_minutes", _("保存会议记录")),
        ("dangjian.study.draw_spot_check", _("抽取抽查对象")),
        ("dangjian.study.record_spot_result", _("记录抽查结果")),
        ("dangjian.study.run_assessment", _("计算量化考核")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("dangjian_my_page_panels")
def study_my_page_panel(request):
    """Plan progress, points, sessions and a link to the archive."""
    from dangjian.orgs.models import Role
    from dangjian.orgs.scope import managed_organisations
    from dangjian.study.archive import plan_progress
    from dangjian.study.models import PointEntry, Progress

    user = request.user
    today = timezone.localdate()
    ledger = PointEntry.objects.for_person(user)
    html = render_to_string(
        "study/my_panel.html",
        {
            "today_points": ledger.on_day(today).total(),
            "year_points": ledger.in_year(today.year).total(),
            "sessions": user.study_attendances.filter(
                session__starts_at__year=today.year
            ).count(),
            "completed": Progress.objects.for_person(user)
            .completed()
            .filter(completed_at__year=today.year)
            .count(),
            "plans": plan_progress(user),
            "manages": managed_organisations(user, [Role.UNIT_ADMIN]).exists(),
        },
        request=request,
    )
    return {"title": "学习", "html": html}


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_publicity_sources")
def study_publicity_sources():
    from dangjian.study.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def study_participation_figures():
    from dangjian.study.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_viewed_kinds")
def study_viewed_kinds():
    from dangjian.study.plugins import viewed_kinds

    return viewed_kinds()
