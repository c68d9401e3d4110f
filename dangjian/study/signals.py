"""Receivers: quiz points from finished attempts; the search index follows
publication. Each hands over to an action or the index at once."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from dangjian.lib.events import attempt_finished
from dangjian.lib.plugins import QUIZ_RESULTS, provided
from dangjian.study.actions.points import do_award_points
from dangjian.study.models import MaterialPage, PointRule
from dangjian.study.search import index_materials_on_commit


@receiver(attempt_finished)
def award_daily_quiz_points(sender, attempt, person, **kwargs):
    quiz = provided(QUIZ_RESULTS)
    if quiz is None or not quiz.is_daily(attempt):
        return
    do_award_points(
        person,
        PointRule.Kind.DAILY_QUIZ,
        source=f"attempt:{attempt.pk}",
        label=f"每日答题 {attempt.score}/{attempt.max_score} 分",
        at=attempt.submitted_at,
    )


def _reindex(sender, instance, **kwargs):
    index_materials_on_commit([instance.pk])


page_published.connect(_reindex, sender=MaterialPage)
page_unpublished.connect(_reindex, sender=MaterialPage)
post_delete.connect(_reindex, sender=MaterialPage)
