"""Demo notifications: the events the capabilities' demos raised (a study
plan's deadline, a coming session, a contest opening, an item waiting for
its reviewer) fanned out at once, so the inbox has them without a task
worker; a welcome from the platform for every demo login."""

from __future__ import annotations

from dangjian.lib.demo import DemoContext
from dangjian.notify.delivery import fan_out
from dangjian.notify.models import Dispatch, Notification
from dangjian.notify.service import notify


def load(ctx: DemoContext) -> str:
    people = [p for p in ctx.people.values() if p is not None]
    if people:
        notify(
            "notify.announcement",
            people,
            {
                "title": "欢迎使用党建云通知中心",
                "body": "学习提醒、会议通知、竞赛和待办事项都会在这里提醒您。",
                "url": "/notifications/settings/",
            },
            "demo:welcome",
        )
    for pk in Dispatch.objects.filter(fanned_out_at=None).values_list("pk", flat=True):
        fan_out(pk)
    member = ctx.people.get("member")
    unread = Notification.objects.for_person(member).unread().count() if member else 0
    return f"通知 {Notification.objects.count()} 条，member 未读 {unread} 条"
