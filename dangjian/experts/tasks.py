"""Background work (django-tasks) run on a schedule: the service-level sweep.

The notices a change sends are tasks too; they live in ``notices``, which
the actions use, so that this module can use the actions. They are named
here as well so that tasks queued under this module's path still run.
"""

from __future__ import annotations

from django_tasks import task

from dangjian.experts.actions import escalate_overdue
from dangjian.experts.notices import (
    notify_enterprise_of_answer,
    notify_expert_of_question,
)

__all__ = [
    "escalate_expert_questions",
    "notify_enterprise_of_answer",
    "notify_expert_of_question",
]


@task()
def escalate_expert_questions() -> int:
    """Escalates overdue questions; schedule it (e.g. hourly) next to db_worker."""
    return len(escalate_overdue())
