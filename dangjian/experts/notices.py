"""The notices a change sends once it has committed.

Actions hand them over here (``actions`` imports this module, never
``tasks``): the enterprise's and the expert's notices are background tasks
(django-tasks), the escalation e-mail is sent at once. The messages
themselves are written in ``notify``.
"""

from __future__ import annotations

from django_tasks import task

from dangjian.experts import notify
from dangjian.experts.models import Question


@task()
def notify_enterprise_of_answer(question_id: int, first: bool = True) -> list[str]:
    return notify.enterprise_answered(Question.objects.get(pk=question_id), first)


@task()
def notify_expert_of_question(question_id: int) -> bool:
    question = Question.objects.select_related("expert__person").get(pk=question_id)
    return notify.expert_assigned(question)


def send_escalation_notice(question_id: int, emails: list[str]) -> bool:
    return notify.escalated(Question.objects.get(pk=question_id), emails)
