"""Organisation life's notifications (through notify): meeting notices,
reminders of meetings due, and dues owed.

Registered in ``wagtail_hooks.py``: the kinds under
``dangjian_notification_kinds`` and ``remind`` under
``dangjian_notification_reminders``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.notify.kinds import INBOX, WECHAT, NotificationKind
from dangjian.notify.service import Audience, notify

MEETING_NOTICE = "orglife.meeting_notice"
MEETING_DUE = "orglife.meeting_due"
DUES_OWED = "orglife.dues_owed"


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=MEETING_NOTICE,
            label="三会一课通知",
            title="%(kind)s通知：%(topic)s",
            body="%(branch)s定于 %(date)s 召开%(kind)s，地点 %(place)s。不能参加的请向支部请假。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse("orglife:mine"),
        ),
        NotificationKind(
            key=MEETING_DUE,
            label="三会一课到期提醒（支部书记）",
            title="%(branch)s本周期还有 %(n)s 项三会一课未召开",
            body="%(kinds)s，周期截止 %(end)s。",
            channels=(INBOX,),
            link=lambda context: reverse(
                "orglife:branch", args=[context.get("branch_id", 0)]
            ),
        ),
        NotificationKind(
            key=DUES_OWED,
            label="党费欠缴提醒",
            title="您有 %(n)s 个月的党费尚未缴纳",
            body="共 %(owed)s 元，请及时向支部缴纳。",
            channels=(INBOX, WECHAT),
            link=lambda context: reverse("orglife:mine"),
        ),
    ]


def meeting_notice(meeting) -> None:
    context = {
        "id": meeting.pk,
        "kind": meeting.get_kind_display(),
        "topic": meeting.topic,
        "branch": meeting.branch.name,
        "date": meeting.planned_on.isoformat(),
        "place": meeting.place or "另行通知",
    }
    audience = Audience.of([meeting.branch], include_descendants=False)
    notify(MEETING_NOTICE, audience, context, f"{MEETING_NOTICE}:{meeting.pk}")


# Days before a period's end on which a secretary hears of meetings still due.
DUE_DAYS = (7, 2)


def remind_due_meetings(now: dt.datetime) -> int:
    """Secretaries of branches with meetings still due, a week and two days
    before the period ends."""
    from dangjian.orglife import compliance
    from dangjian.orglife.models import MeetingKind
    from dangjian.orgs.models import Membership, Organisation, Role

    today = timezone.localdate(now)
    sent = 0
    behind = [
        b
        for b in compliance.compute(Organisation.objects.branches(), today.year, today)
        if b.due
    ]
    for branch in behind:
        cells = [
            c
            for c in branch.cells
            if c.state == compliance.DUE and (c.period_end - today).days in DUE_DAYS
        ]
        if not cells:
            continue
        secretaries = list(
            Membership.objects.active()
            .filter(organisation_id=branch.branch_id, role=Role.UNIT_ADMIN)
            .values_list("person_id", flat=True)
        )
        if not secretaries:
            continue
        end = min(c.period_end for c in cells)
        context = {
            "branch_id": branch.branch_id,
            "branch": branch.name,
            "n": len(cells),
            "kinds": "、".join(str(MeetingKind(c.kind).label) for c in cells),
            "end": end.isoformat(),
        }
        key = f"{MEETING_DUE}:{branch.branch_id}:{today.isoformat()}"
        sent += notify(MEETING_DUE, secretaries, context, key) is not None
    return sent


def remind(now: dt.datetime) -> int:
    return remind_due_meetings(now)
