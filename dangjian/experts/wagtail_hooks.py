from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.experts.views_admin import ExpertsViewSetGroup


@hooks.register("register_admin_viewset")
def register_experts_viewsets():
    return ExpertsViewSetGroup()


@hooks.register("register_log_actions")
def register_experts_log_actions(actions):
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
def experts_my_page_panel(request):
    """Experts see their waiting questions; unit admins a link to the statistics."""
    from dangjian.experts.models import Expert, Question
    from dangjian.experts.stats import can_see_stats

    user = request.user
    is_expert = Expert.objects.filter(person=user).exists()
    admin = can_see_stats(user)
    if not is_expert and not admin:
        return None
    waiting = Question.objects.for_expert(user).open()
    html = render_to_string(
        "experts/my_panel.html",
        {
            "is_expert": is_expert,
            "waiting": waiting.count(),
            "overdue": waiting.overdue().count(),
            "admin": admin,
        },
        request=request,
    )
    return {"title": "政策专员", "html": html}


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_participation_figures")
def experts_participation_figures():
    from dangjian.experts.plugins import participation_figures

    return participation_figures()
