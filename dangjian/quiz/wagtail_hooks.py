from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from dangjian.quiz.models import Attempt, PaperTemplate
from dangjian.quiz.views_admin import (
    QuizViewSetGroup,
    import_template_view,
    import_view,
)


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


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("quiz.add_question")


@hooks.register("register_admin_menu_item")
def register_quiz_import_menu_item():
    return ImportMenuItem(
        _("导入试题"), reverse("quiz_import"), icon_name="upload", order=510
    )


@hooks.register("register_log_actions")
def register_quiz_log_actions(actions):
    actions.register_action("dangjian.quiz.import", _("导入试题"), _("导入试题"))
    actions.register_action("dangjian.quiz.review", _("试题审核"), _("更改试题状态"))


@hooks.register("dangjian_my_page_panels")
def quiz_my_page_panel(request):
    """Today's daily quiz and the person's latest results on "my page"."""
    if not request.user.is_authenticated:
        return None
    today = timezone.localdate()
    daily = PaperTemplate.objects.for_mode("daily").order_by("id").first()
    done = (
        daily is not None
        and Attempt.objects.finished()
        .filter(person=request.user, template=daily, day=today)
        .exists()
    )
    recent = list(
        Attempt.objects.finished()
        .for_person(request.user)
        .select_related("template", "contest")[:3]
    )
    html = render_to_string(
        "quiz/_my_panel.html",
        {"daily": daily, "done": done, "recent": recent},
        request=request,
    )
    return {"title": "答题", "html": html}


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_participation_figures")
def quiz_participation_figures():
    from dangjian.quiz.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_quiz_results")
def quiz_results():
    from dangjian.quiz.interface import results

    return results
