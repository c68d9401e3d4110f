from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from dangjian.study.models import PointEntry
from dangjian.study.views_admin import ReadOnlyPolicy, StudyViewSetGroup

# The ledger is append-only: no one adds, edits or deletes lines in the admin.
register_permission_policy(PointEntry, ReadOnlyPolicy(PointEntry))


@hooks.register("register_admin_viewset")
def register_study_viewsets():
    return StudyViewSetGroup()


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
