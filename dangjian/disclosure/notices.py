"""Disclosure's notifications (through notify): an item waiting for its
reviewer or approver (an emergency item at once, by SMS, in quiet hours
too), and a withdrawn item's editors told why.

The workflow's tasks call ``item_waiting`` when a human step starts; this
module takes plain values and imports no model of the app (models.py
imports the workflow, which imports this module).
"""

from __future__ import annotations

from django.urls import reverse

from dangjian.notify.kinds import INBOX, SMS, WECHAT, NotificationKind
from dangjian.notify.service import notify
from dangjian.orgs.models import Membership, Role

WAITING = "disclosure.waiting"
WAITING_EMERGENCY = "disclosure.waiting_emergency"
WITHDRAWN = "disclosure.withdrawn"


def _edit_link(context) -> str:
    return reverse("wagtailadmin_pages:edit", args=[context.get("item", 0)])


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=WAITING,
            label="待审事项",
            title="待您%(step)s：%(title)s",
            body="%(unit)s提交的公开事项等待您办理。",
            channels=(INBOX, WECHAT),
            link=_edit_link,
        ),
        NotificationKind(
            key=WAITING_EMERGENCY,
            label="紧急事项待审",
            title="【紧急】待您%(step)s：%(title)s",
            body="%(unit)s的紧急公开事项等待您立即办理。",
            channels=(INBOX, SMS, WECHAT),
            link=_edit_link,
            is_emergency=True,
        ),
        NotificationKind(
            key=WITHDRAWN,
            label="事项被撤回",
            title="您编辑的事项已撤回：%(title)s",
            body="撤回理由：%(reason)s",
            channels=(INBOX,),
            link=_edit_link,
        ),
    ]


def item_waiting(item, task_state, role: str) -> None:
    """Tells the subject unit's holders of ``role`` that the item waits for them."""
    people = list(
        Membership.objects.active()
        .filter(organisation_id=item.subject_unit_id, role=role)
        .values_list("person_id", flat=True)
    )
    if not people:
        return
    step = "保密审查" if role == Role.REVIEWER else "审批"
    notify(
        WAITING_EMERGENCY if item.is_emergency else WAITING,
        people,
        {
            "item": item.pk,
            "title": item.title,
            "step": step,
            "unit": item.subject_unit.name,
        },
        f"disclosure.waiting:{task_state.pk}",
    )


def item_withdrawn(item, reason: str) -> None:
    """Tells the item's owner and the author of its latest revision why."""
    revision = item.get_latest_revision()
    people = {item.owner_id, getattr(revision, "user_id", None)} - {None}
    if not people:
        return
    notify(
        WITHDRAWN,
        sorted(people),
        {"item": item.pk, "title": item.title, "reason": reason},
        f"disclosure.withdrawn:{item.pk}:{item.withdrawn_at.isoformat()}",
    )
