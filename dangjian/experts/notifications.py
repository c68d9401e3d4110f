"""The expert's own notifications (through notify): a question assigned to
them, and one near its deadline. The enterprise's SMS and e-mail notices
stay in ``notify.py``/``notices.py``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.experts.models import Question
from dangjian.notify.kinds import INBOX, SMS, WECHAT, NotificationKind
from dangjian.notify.service import notify

ASSIGNED = "experts.assigned"
DUE_SOON = "experts.due_soon"
# An unanswered question is brought back to its expert this long before its deadline.
DUE_SOON_WITHIN = dt.timedelta(hours=12)


def _link(context) -> str:
    return reverse("experts:inbox-detail", args=[context.get("id", 0)])


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=ASSIGNED,
            label="企业提问待答复",
            title="新的企业提问待您答复（%(domain)s）",
            body="请在 %(due)s 前答复。",
            channels=(INBOX, SMS, WECHAT),
            link=_link,
        ),
        NotificationKind(
            key=DUE_SOON,
            label="企业提问即将超时",
            title="企业提问即将超时（%(domain)s）",
            body="答复时限 %(due)s，请尽快答复。",
            channels=(INBOX, WECHAT),
            link=_link,
        ),
    ]


def _context(question: Question) -> dict:
    return {
        "id": question.pk,
        "domain": question.domain.name if question.domain_id else "",
        "due": timezone.localtime(question.due_at).strftime("%Y-%m-%d %H:%M"),
    }


def question_assigned(question: Question) -> None:
    expert = question.expert
    if expert is None or expert.person_id is None or question.assigned_at is None:
        return
    notify(
        ASSIGNED,
        [expert.person_id],
        _context(question),
        f"{ASSIGNED}:{question.pk}:{expert.pk}:{question.assigned_at.isoformat()}",
    )


def remind(now: dt.datetime) -> int:
    sent = 0
    soon = Question.objects.filter(
        status=Question.Status.ASSIGNED,
        due_at__gt=now,
        due_at__lte=now + DUE_SOON_WITHIN,
        expert__person__isnull=False,
    ).select_related("expert", "domain")
    for question in soon:
        key = f"{DUE_SOON}:{question.pk}:{question.expert_id}:{question.due_at.isoformat()}"
        dispatch = notify(
            DUE_SOON, [question.expert.person_id], _context(question), key
        )
        sent += dispatch is not None
    return sent
