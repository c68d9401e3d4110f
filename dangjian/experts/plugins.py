"""What the policy experts hand to stats and the portal (through the hooks
registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count, F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.experts.models import Expert, Question
from dangjian.experts.stats import can_see_stats
from dangjian.lib import plugins


def _questions(window: plugins.Window) -> dict[str, dict[int, int]]:
    """Questions submitted in the period, by the unit of the expert they went
    to; in time when first answered by their due time."""
    rows = Question.objects.filter(
        submitted_at__gte=window.start,
        submitted_at__lt=window.end,
        expert__isnull=False,
    )
    return {
        "questions": dict(rows.values_list("expert__unit_id").annotate(n=Count("id"))),
        "questions_in_time": dict(
            rows.filter(
                first_answered_at__isnull=False, first_answered_at__lte=F("due_at")
            )
            .values_list("expert__unit_id")
            .annotate(n=Count("id"))
        ),
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("questions", "企业提问", 110),
                plugins.Metric("questions_in_time", "按时答复", 120),
            ),
            per="organisation",
            count=_questions,
        )
    ]


def my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    """Experts see their waiting questions; unit admins a link to the statistics."""
    user = request.user
    if not user.is_authenticated:
        return None
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
    return {"title": _("政策专员"), "html": html}


# Portal sections (unit pages): the unit's experts on duty, as the public
# directory lists them.


def unit_sections(organisation) -> list[plugins.PortalSection]:
    experts = Expert.objects.active().filter(unit=organisation).order_by("name")[:8]
    return [
        plugins.PortalSection(
            "experts",
            _("政策专员"),
            tuple(
                plugins.SectionItem(
                    f"{e.name}（{e.title}）" if e.title else e.name,
                    reverse("experts:index"),
                    e.contact_hours,
                )
                for e in experts
            ),
            reverse("experts:index"),
            order=50,
        )
    ]
