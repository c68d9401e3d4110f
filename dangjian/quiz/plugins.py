"""What the quiz app hands to stats and the portal (through the hooks
registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from dangjian.lib import plugins
from dangjian.quiz.models import Attempt, Contest, PaperTemplate


def _attempts(window: plugins.Window) -> dict[str, dict[int, int]]:
    rows = Attempt.objects.finished().filter(
        submitted_at__gte=window.start, submitted_at__lt=window.end
    )
    return {
        "quiz_attempts": dict(rows.values_list("person_id").annotate(n=Count("id")))
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(plugins.Metric("quiz_attempts", "答题参与人次", 50),),
            per="person",
            count=_attempts,
        )
    ]


def my_page_panel(request) -> dict[str, str] | None:
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


# Portal sections (the home page): published contests open now; their pages
# are public (taking part needs an eligible membership).


def home_sections() -> list[plugins.PortalSection]:
    contests = Contest.objects.open_at(timezone.now()).order_by("ends_at", "pk")[:6]
    return [
        plugins.PortalSection(
            "contests",
            _("正在进行的知识竞赛"),
            tuple(
                plugins.SectionItem(
                    c.title,
                    reverse("quiz:contest", args=[c.pk]),
                    _("截止 %(day)s") % {"day": f"{localdate(c.ends_at):%m-%d}"},
                )
                for c in contests
            ),
            reverse("quiz:index"),
            order=60,
        )
    ]
