"""Background work (django-tasks): notifications and the service-level sweep."""

from __future__ import annotations

from django_tasks import task


@task()
def notify_enterprise_of_answer(question_id: int, first: bool = True) -> list[str]:
    from dangjian.experts import notify
    from dangjian.experts.models import Question

    return notify.enterprise_answered(Question.objects.get(pk=question_id), first)


@task()
def notify_expert_of_question(question_id: int) -> bool:
    from dangjian.experts import notify
    from dangjian.experts.models import Question

    question = Question.objects.select_related("expert__person").get(pk=question_id)
    return notify.expert_assigned(question)


@task()
def escalate_expert_questions() -> int:
    """Escalates overdue questions; schedule it (e.g. hourly) next to db_worker."""
    from dangjian.experts.actions import escalate_overdue

    return len(escalate_overdue())
