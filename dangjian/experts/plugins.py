"""What the policy experts hand to stats (through the hooks registered in
wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count, F

from dangjian.lib import plugins


def _questions(window: plugins.Window) -> dict[str, dict[int, int]]:
    """Questions submitted in the period, by the unit of the expert they went
    to; in time when first answered by their due time."""
    from dangjian.experts.models import Question

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
