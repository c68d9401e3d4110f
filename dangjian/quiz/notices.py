"""Quiz's notifications (through notify): a contest opening, told to the
members of its eligible organisations and their sub-organisations."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.notify.kinds import INBOX, WECHAT, NotificationKind
from dangjian.notify.service import Audience, notify
from dangjian.quiz.models import Contest

CONTEST_OPEN = "quiz.contest_open"
# A contest that opened longer ago than this is not announced any more.
ANNOUNCE_WITHIN = dt.timedelta(days=1)


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=CONTEST_OPEN,
            label="知识竞赛开始",
            title="知识竞赛《%(title)s》开始了",
            body="答题截止 %(ends)s，每人可答 %(tries)s 次。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse("quiz:contest", args=[context.get("id", 0)]),
        )
    ]


def remind(now: dt.datetime) -> int:
    sent = 0
    contests = (
        Contest.objects.open_at(now)
        .filter(starts_at__gte=now - ANNOUNCE_WITHIN)
        .prefetch_related("eligible")
    )
    for contest in contests:
        eligible = [o.pk for o in contest.eligible.all()]
        if not eligible:
            continue
        context = {
            "id": contest.pk,
            "title": contest.title,
            "ends": timezone.localtime(contest.ends_at).strftime("%Y-%m-%d %H:%M"),
            "tries": contest.max_attempts,
        }
        key = f"{CONTEST_OPEN}:{contest.pk}:{contest.starts_at.isoformat()}"
        sent += (
            notify(CONTEST_OPEN, Audience.of(eligible, True), context, key) is not None
        )
    return sent
