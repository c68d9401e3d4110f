"""Transfer notifications (through notify): who must act, deadlines, decisions.

Registered in ``wagtail_hooks.py``: the kinds under
``dangjian_notification_kinds`` and ``remind`` under
``dangjian_notification_reminders`` (``manage.py send_reminders``).

* A transfer waiting for the sending organisation's approval, or the
  receiving one's acceptance, is announced to the unit admins who must act:
  those of the organisation itself or, when it has none, of the nearest
  organisation above it that has (a branch secretary before the unit's
  admins). Sent when the step begins (``transfers.py``) and, as a reminder,
  once more within ``SOON_DAYS`` of the deadline.
* A transfer past its deadline is announced once per step to the same
  people and to the admins one level above (the escalation).
* The member is told of each decision: approved, accepted, refused,
  withdrawn by a manager, in effect.

Every event key names the transfer and its step, so the reminder pass may run
as often as wished, and the step actions and the pass never notify twice.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from dangjian.members.models import Transfer
from dangjian.notify.kinds import INBOX, SMS, WECHAT, NotificationKind
from dangjian.notify.service import notify
from dangjian.orgs.models import Membership, Organisation, Role

TO_APPROVE = "members.transfer_to_approve"
TO_ACCEPT = "members.transfer_to_accept"
OVERDUE = "members.transfer_overdue"
DECISION = "members.transfer_decision"
# Days before a step's deadline on which those who must act are reminded.
SOON_DAYS = 3

_DECISIONS: dict[str, str] = {
    Transfer.Status.APPROVED: "转出党组织已同意您的组织关系转接，待%(to)s接收。",
    Transfer.Status.ACCEPTED: "%(to)s已接收您的组织关系，将于 %(effective)s 生效。",
    Transfer.Status.REFUSED: "您的组织关系转接未获同意，理由：%(reason)s。",
    Transfer.Status.CANCELLED: "您的组织关系转接已由党组织撤回。",
    Transfer.Status.COMPLETED: "您的组织关系已转入%(to)s，自 %(effective)s 起生效。",
}


def _dashboard(context) -> str:
    return reverse("members_transfers")


def _my_page(context) -> str:
    return reverse("portal:me")


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            key=TO_APPROVE,
            label="组织关系转接待审批",
            title="请审批组织关系转接：%(member)s",
            body="%(member)s 申请由%(from)s转入%(to)s，请在 %(deadline)s 前办理（%(left)s）。",
            channels=(INBOX, WECHAT),
            link=_dashboard,
        ),
        NotificationKind(
            key=TO_ACCEPT,
            label="组织关系转接待接收",
            title="请接收组织关系转接：%(member)s",
            body="%(member)s 由%(from)s转入%(to)s，转出党组织已同意，请在 %(deadline)s 前办理（%(left)s）。",
            channels=(INBOX, WECHAT),
            link=_dashboard,
        ),
        NotificationKind(
            key=OVERDUE,
            label="组织关系转接超期",
            title="组织关系转接已超期：%(member)s",
            body="%(member)s 由%(from)s转入%(to)s，办理期限 %(deadline)s 已过，仍%(step)s。",
            channels=(INBOX, SMS, WECHAT),
            link=_dashboard,
        ),
        NotificationKind(
            key=DECISION,
            label="组织关系转接办理结果",
            title="组织关系转接：%(decision)s",
            body="%(text)s",
            channels=(INBOX, SMS, WECHAT),
            link=_my_page,
        ),
    ]


def managers_of(organisation: Organisation, levels: int = 1) -> list[int]:
    """The unit admins of the organisation or, when it has none, of the
    nearest organisation above it that has; ``levels=2`` adds the next level
    up that has admins. Platform admins are not among them."""
    path = organisation.path
    steplen = Organisation.steplen
    paths = [path[:i] for i in range(len(path), 0, -steplen)]
    rows = (
        Membership.objects.active()
        .filter(role=Role.UNIT_ADMIN, organisation__path__in=paths)
        .values_list("organisation__path", "person_id")
    )
    by_path: dict[str, set[int]] = {}
    for org_path, person_id in rows:
        by_path.setdefault(org_path, set()).add(person_id)
    found: set[int] = set()
    used = 0
    for p in paths:  # nearest first
        if p in by_path:
            found |= by_path[p]
            used += 1
            if used == levels:
                break
    return sorted(found)


def _context(transfer: Transfer, today: dt.date) -> dict:
    left = (transfer.deadline - today).days
    return {
        "member": transfer.profile.name,
        "from": transfer.from_branch.name,
        "to": transfer.to_branch.name,
        "deadline": transfer.deadline.isoformat(),
        "effective": transfer.effective_on.isoformat(),
        "left": f"还有 {left} 天"
        if left > 0
        else "今天到期"
        if left == 0
        else "已超期",
        "step": (
            "待转出党组织审批"
            if transfer.status == Transfer.Status.REQUESTED
            else "待转入党组织接收"
        ),
    }


def _acting_side(transfer: Transfer) -> tuple[str, Organisation] | None:
    if transfer.status == Transfer.Status.REQUESTED:
        return TO_APPROVE, transfer.from_branch
    if transfer.status == Transfer.Status.APPROVED:
        return TO_ACCEPT, transfer.to_branch
    return None


def announce_step(transfer: Transfer, *, acting_user=None) -> int:
    """Those who must act on the transfer's current step; the member of a
    decision taken by someone else. Called by each step, in its transaction."""
    today = timezone.localdate()
    context = _context(transfer, today)
    sent = 0
    side = _acting_side(transfer)
    if side is not None:
        kind, organisation = side
        people = managers_of(organisation)
        if people:
            key = f"{kind}:{transfer.pk}"
            sent += notify(kind, people, context, key) is not None
    text = _DECISIONS.get(transfer.status)
    own = transfer.profile.person_id == getattr(acting_user, "pk", None)
    if text is not None and not own:
        decision = {
            **context,
            "decision": transfer.get_status_display(),
            "reason": transfer.refusal_reason,
        }
        decision["text"] = text % decision
        key = f"{DECISION}:{transfer.pk}:{transfer.status}"
        sent += (
            notify(DECISION, [transfer.profile.person_id], decision, key) is not None
        )
    return sent


def remind(now: dt.datetime) -> int:
    """Waiting steps not yet announced, deadlines near, deadlines passed."""
    today = timezone.localdate(now)
    sent = 0
    waiting = Transfer.objects.filter(
        status__in=[Transfer.Status.REQUESTED, Transfer.Status.APPROVED]
    ).select_related("profile", "from_branch", "to_branch")
    for transfer in waiting:
        kind, organisation = _acting_side(transfer) or (
            TO_APPROVE,
            transfer.from_branch,
        )
        context = _context(transfer, today)
        people = managers_of(organisation)
        if not people:
            continue
        sent += notify(kind, people, context, f"{kind}:{transfer.pk}") is not None
        left = (transfer.deadline - today).days
        if 0 <= left <= SOON_DAYS:
            key = f"{kind}:{transfer.pk}:soon"
            sent += notify(kind, people, context, key) is not None
        elif left < 0:
            escalated = managers_of(organisation, levels=2)
            key = f"{OVERDUE}:{transfer.pk}:{transfer.status}"
            sent += notify(OVERDUE, escalated, context, key) is not None
    return sent
