"""What the quiz app hands to stats (through the hooks registered in
wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count

from dangjian.lib import plugins


def _attempts(window: plugins.Window) -> dict[str, dict[int, int]]:
    from dangjian.quiz.models import Attempt

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
