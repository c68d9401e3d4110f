"""Registers quiz with Wagtail: admin viewsets (``viewsets.py``), the import
views (``views_admin.py``), audit log actions, and the hooks other apps read
(``plugins.py``, ``interface.py``)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.quiz import interface, notices, plugins
from dangjian.quiz.views_admin import (
    ImportMenuItem,
    import_template_view,
    import_view,
)
from dangjian.quiz.viewsets import QuizViewSetGroup

hooks.register(KINDS_HOOK, notices.notification_kinds)
hooks.register(REMINDERS_HOOK, notices.remind)


@hooks.register("register_admin_viewset")
def register_quiz_viewsets():
    return QuizViewSetGroup()


@hooks.register("register_admin_urls")
def register_quiz_admin_urls():
    return [
        path("quiz/import/", import_view, name="quiz_import"),
        path(
            "quiz/import/template.csv",
            import_template_view,
            name="quiz_import_template",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_quiz_import_menu_item():
    return ImportMenuItem(
        _("导入试题"), reverse("quiz_import"), icon_name="upload", order=510
    )


@hooks.register("register_log_actions")
def register_quiz_log_actions(actions):
    actions.register_action("dangjian.quiz.import", _("导入试题"), _("导入试题"))
    actions.register_action("dangjian.quiz.review", _("试题审核"), _("更改试题状态"))


# What the aggregators, the portal and study read of this app
# (dangjian/README.md, "Hooks"); the logic lives in plugins.py and interface.py.
hooks.register("dangjian_my_page_panels", plugins.my_page_panel)
hooks.register("dangjian_participation_figures", plugins.participation_figures)


@hooks.register("dangjian_quiz_results")
def quiz_results():
    return interface.results


hooks.register("dangjian_home_sections", plugins.home_sections)
