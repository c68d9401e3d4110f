"""What tickets tell people (``dangjian_notification_kinds``): a ticket
dispatched to a unit, an overdue ticket escalated (督办) to the unit's
leaders, the hotline's decision on an extension, a ticket reopened after an
unsatisfied follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from dangjian.notify.kinds import INBOX, SMS, WECHAT, NotificationKind

DISPATCHED = "tickets.dispatched"
ESCALATED = "tickets.escalated"
EXTENSION = "tickets.extension"
REOPENED = "tickets.reopened"


def context(ticket: Any) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "type": ticket.message_type,
        "domain": ticket.domain or "-",
        "sign_due": str(ticket.sign_due or ""),
        "reply_due": str(ticket.reply_due or ""),
        "summary": ticket.text[:60],
    }


def _link(context: Mapping[str, Any]) -> str:
    return reverse("tickets:detail", args=[context.get("id", 0)])


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=DISPATCHED,
            label="12345 工单派单",
            title="新工单 %(number)s（%(type)s）待签收",
            body="%(summary)s 签收期限 %(sign_due)s，办理期限 %(reply_due)s。",
            channels=(INBOX, SMS),
            link=_link,
        ),
        NotificationKind(
            key=ESCALATED,
            label="12345 工单督办",
            title="督办：工单 %(number)s %(what)s",
            body="%(summary)s 请督促承办人尽快办理。",
            channels=(INBOX, SMS, WECHAT),
            link=_link,
        ),
        NotificationKind(
            key=EXTENSION,
            label="12345 工单延期审批",
            title="工单 %(number)s：%(decision)s",
            body="办理期限 %(reply_due)s。",
            channels=(INBOX,),
            link=_link,
        ),
        NotificationKind(
            key=REOPENED,
            label="12345 工单重办",
            title="工单 %(number)s 回访不满意，请重新办理",
            body="%(summary)s 办理期限 %(reply_due)s。",
            channels=(INBOX, SMS),
            link=_link,
        ),
    ]
