"""Study's notifications: plan deadlines and study sessions (through notify).

Registered in ``wagtail_hooks.py``: the kinds under
``dangjian_notification_kinds`` and ``remind`` under
``dangjian_notification_reminders`` (``manage.py send_reminders``).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.notify.kinds import INBOX, WECHAT, NotificationKind
from dangjian.notify.service import Audience, notify
from dangjian.orgs.scope import people_in
from dangjian.study.models import PlanItem, Progress, StudyPlan, StudySession

PLAN_DEADLINE = "study.plan_deadline"
SESSION_NOTICE = "study.session_notice"
SESSION_REMINDER = "study.session_reminder"
# Days before a plan's deadline on which members who have not finished are told.
DEADLINE_DAYS = (3, 1)


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=PLAN_DEADLINE,
            label="学习计划截止提醒",
            title="学习计划《%(plan)s》还有 %(days)s 天截止",
            body="截止日期 %(deadline)s，计划中的 %(total)s 项学习资料您还没有全部学完。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse("study:archive"),
        ),
        NotificationKind(
            key=SESSION_NOTICE,
            label="学习会通知",
            title="%(type)s通知：%(title)s",
            body="时间 %(starts)s，地点 %(place)s。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse(
                "study:session-detail", args=[context.get("id", 0)]
            ),
        ),
        NotificationKind(
            key=SESSION_REMINDER,
            label="学习会前一天提醒",
            title="明天 %(time)s：%(title)s",
            body="地点 %(place)s，请准时参加。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse(
                "study:session-detail", args=[context.get("id", 0)]
            ),
        ),
    ]


def remind_plan_deadlines(now: dt.datetime) -> int:
    """Members of a plan's audience who have not finished it, 3 and 1 day before."""
    today = timezone.localdate(now)
    sent = 0
    for days in DEADLINE_DAYS:
        deadline = today + dt.timedelta(days=days)
        for plan in StudyPlan.objects.active().filter(deadline=deadline):
            materials = set(
                PlanItem.objects.filter(plan=plan).values_list("material_id", flat=True)
            )
            if not materials:
                continue
            audience = list(plan.audience.values_list("pk", flat=True))
            people = set(people_in(audience, plan.include_descendants))
            done: dict[int, int] = {}
            for person_id in (
                Progress.objects.completed()
                .filter(material_id__in=materials, person_id__in=people)
                .values_list("person_id", flat=True)
            ):
                done[person_id] = done.get(person_id, 0) + 1
            unfinished = sorted(pk for pk in people if done.get(pk, 0) < len(materials))
            if not unfinished:
                continue
            dispatch = notify(
                PLAN_DEADLINE,
                unfinished,
                {
                    "plan": plan.title,
                    "days": days,
                    "deadline": deadline.isoformat(),
                    "total": len(materials),
                },
                f"{PLAN_DEADLINE}:{plan.pk}:{deadline.isoformat()}:{days}d",
            )
            sent += dispatch is not None
    return sent


def _session_context(session: StudySession) -> dict:
    starts = timezone.localtime(session.starts_at)
    return {
        "id": session.pk,
        "title": session.title,
        "type": session.get_type_display(),
        "starts": starts.strftime("%Y-%m-%d %H:%M"),
        "time": starts.strftime("%H:%M"),
        "place": session.place or session.online_url or "另行通知",
    }


def remind_sessions(now: dt.datetime) -> int:
    """A notice of every coming session, and a reminder the day before."""
    sent = 0
    coming = StudySession.objects.filter(
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=30)
    ).select_related("organisation")
    for session in coming:
        audience = Audience.of([session.organisation], include_descendants=True)
        context = _session_context(session)
        stamp = session.starts_at.isoformat()
        sent += (
            notify(SESSION_NOTICE, audience, context, f"{SESSION_NOTICE}:{session.pk}")
            is not None
        )
        if session.starts_at <= now + dt.timedelta(days=1):
            key = f"{SESSION_REMINDER}:{session.pk}:{stamp}"
            sent += notify(SESSION_REMINDER, audience, context, key) is not None
    return sent


def remind(now: dt.datetime) -> int:
    return remind_plan_deadlines(now) + remind_sessions(now)
