"""Registers study with Wagtail: admin viewsets (``viewsets.py``), the point
correction view (``views_admin.py``), audit log actions, and the hooks other
apps read (``plugins.py``)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.orgs.permissions import register_choice_scope
from dangjian.study import notices, plugins
from dangjian.study.choice import narrow_to_choosable_materials
from dangjian.study.models import MaterialPage
from dangjian.study.views_admin import CorrectionMenuItem, correct_points
from dangjian.study.viewsets import StudyViewSetGroup

hooks.register(KINDS_HOOK, notices.notification_kinds)
hooks.register(REMINDERS_HOOK, notices.remind)

# Choosers and related fields offer only the materials a person may pick.
register_choice_scope(MaterialPage, narrow_to_choosable_materials)


@hooks.register("register_admin_viewset")
def register_study_viewsets():
    return StudyViewSetGroup()


@hooks.register("register_admin_urls")
def register_study_admin_urls():
    return [path("study/points/correct/", correct_points, name="study_correct_points")]


@hooks.register("register_admin_menu_item")
def register_correction_menu_item():
    return CorrectionMenuItem(
        _("积分更正"), reverse("study_correct_points"), icon_name="pick", order=451
    )


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


# What the aggregators, the portal and the document view read of this app
# (dangjian/README.md, "Hooks"); the logic lives in plugins.py.
hooks.register("before_serve_document", plugins.guard_attachment)
hooks.register("dangjian_my_page_panels", plugins.my_page_panel)
hooks.register("dangjian_publicity_sources", plugins.publicity_sources)
hooks.register("dangjian_participation_figures", plugins.participation_figures)
hooks.register("dangjian_viewed_kinds", plugins.viewed_kinds)
hooks.register("dangjian_home_sections", plugins.home_sections)
