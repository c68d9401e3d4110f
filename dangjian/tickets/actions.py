"""Every change to a ticket: one guarded, audited transition each.

``check_*`` validates the person and the input, then applies; each step
writes the ticket's timeline (``TicketEvent``) and the audit log (Wagtail's
``log``) in the same transaction, and notifies after commit
(``notify()`` records its dispatch in the transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib import plugins
from dangjian.lib.keyed import digits_only, mask_phone, purpose_hash
from dangjian.lib.text import has_control_chars
from dangjian.lib.workdays import add_workdays
from dangjian.notify.service import notify
from dangjian.orgs.models import Membership, Organisation
from dangjian.tickets import notices
from dangjian.tickets.models import (
    CONSULT,
    MAX_TEXT,
    TYPES,
    Action,
    Channel,
    Deadline,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
)
from dangjian.tickets.permissions import (
    HANDLER_ROLES,
    LEADER_ROLES,
    handles,
    is_operator,
)
from dangjian.tickets.routing import route

MAX_SEND_BACKS = 2
MAX_REOPENS = 1
MAX_EXTENSION_DAYS = 10
MAX_REPLY = 4000
MAX_REASON = 300
DEFAULT_DEADLINES = {"咨询": (1, 1), "投诉/求助": (1, 5), "建言": (1, 10)}
CALLER_KEY_SETTING = "DANGJIAN_TICKETS_CALLER_KEY"


class Conflict(ValidationError):
    """The ticket is not in a state for this step, or a limit is reached
    (the API answers 409)."""


_clock: ContextVar[dt.datetime | None] = ContextVar("tickets_clock", default=None)


def current_time() -> dt.datetime:
    """Now, or the moment an import replays (``happening_at``)."""
    return _clock.get() or timezone.now()


@contextmanager
def happening_at(moment: dt.datetime) -> Iterator[None]:
    """Steps taken inside happen at ``moment`` (the demo's history import)."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def today() -> dt.date:
    return timezone.localdate(current_time())


def caller_hash(phone: str) -> str:
    """The keyed hash a caller's number is found by (never the number)."""
    digits = digits_only(phone)
    if not digits:
        return ""
    return purpose_hash("tickets.caller", digits, setting=CALLER_KEY_SETTING)


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 3)


def deadlines(message_type: str) -> tuple[int, int]:
    row = Deadline.objects.filter(message_type=message_type).first()
    if row is not None:
        return row.sign_days, row.reply_days
    return DEFAULT_DEADLINES.get(message_type, (1, 5))


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("不能为空。")})
    if len(text) > limit:
        raise ValidationError({field: _("不能超过 %(n)d 个字。") % {"n": limit}})
    if has_control_chars(text):
        raise ValidationError({field: _("含有不可见的控制字符，请删除后重试。")})
    return text


def _record(
    ticket: Ticket,
    action: str,
    *,
    user: Any,
    note: str = "",
    unit: Organisation | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        created_at=current_time(),
        action=action,
        actor=user if getattr(user, "is_authenticated", False) else None,
        unit=unit or ticket.unit,
        note=note,
    )
    log(
        ticket,
        f"dangjian.tickets.{action}",
        user=user if getattr(user, "is_authenticated", False) else None,
        data={"status": ticket.status, "unit": ticket.unit_id, "note": note[:200]},
    )
    return event


def _people(unit_id: int | None, roles: Iterable[str]) -> list[int]:
    """Ids of the unit's active people in these roles (its handlers or leaders)."""
    if unit_id is None:
        return []
    return sorted(
        set(
            Membership.objects.active()
            .filter(organisation_id=unit_id, role__in=roles)
            .values_list("person_id", flat=True)
        )
    )


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _require_operator(user: Any) -> None:
    if not is_operator(user):
        raise PermissionDenied(_("只有 12345 热线话务员可以办理此环节。"))


def _require_handler(user: Any, ticket: Ticket) -> None:
    if not handles(user, ticket):
        raise PermissionDenied(_("只有承办单位的工作人员可以办理此环节。"))


def _require_status(ticket: Ticket, *statuses: str) -> None:
    if ticket.status not in statuses:
        raise Conflict(
            _("工单当前状态为“%(s)s”，不能办理此环节。")
            % {"s": ticket.get_status_display()}
        )


def _new_number(day: dt.date) -> str:
    prefix = day.strftime("%Y%m%d")
    last = (
        Ticket.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


# --- intake ---------------------------------------------------------------------


@dataclass
class Intake:
    text: str
    channel: str = Channel.PHONE
    caller_name: str = ""
    caller_phone: str = ""
    domain: str | None = None
    message_type: str | None = None
    unit_id: int | None = None
    kb_entry_id: int | None = None
    answer: str = ""


def check_receive(
    data: Intake, *, user: Any, when: dt.datetime | None = None
) -> Ticket:
    """Takes a call or message in (受理).

    With ``kb_entry_id`` a 咨询 is answered from that entry and closed at
    once; with ``unit_id`` the ticket is dispatched at once; otherwise it
    waits for dispatch. The suggestion is kept beside what the operator
    chose, so a correction teaches the next training.
    """
    if when is not None:
        with happening_at(when):
            return check_receive(data, user=user)
    _require_operator(user)
    text = _text(data.text, "text", limit=MAX_TEXT)
    if data.channel not in Channel.values:
        raise ValidationError({"channel": _("来源渠道无效。")})
    name = _text(data.caller_name, "caller_name", limit=40, required=False)
    phone = _text(data.caller_phone, "caller_phone", limit=30, required=False)
    if phone and not 5 <= len(digits_only(phone)) <= 13:
        raise ValidationError({"caller_phone": _("号码应为 5 到 13 位数字。")})
    suggestion = route(text)
    p = suggestion.prediction
    message_type = data.message_type or (p.message_type if p else CONSULT)
    if message_type not in TYPES:
        raise ValidationError({"message_type": _("类型应为咨询、投诉/求助或建言。")})
    domain = _text(
        data.domain if data.domain is not None else (p.domain if p else ""),
        "domain",
        limit=40,
        required=False,
    )
    unit = None
    if data.unit_id is not None:
        unit = Organisation.objects.filter(pk=data.unit_id, is_active=True).first()
        if unit is None:
            raise ValidationError({"unit_id": _("承办单位不存在或已停用。")})
    entry = None
    if data.kb_entry_id is not None:
        if message_type != CONSULT:
            raise ValidationError(
                {"kb_entry_id": _("只有咨询类诉求可以直接引用知识条目答复办结。")}
            )
        kb = plugins.provided(plugins.KNOWLEDGE_BASE)
        entry = kb.entry(data.kb_entry_id) if kb else None
        if entry is None:
            raise ValidationError({"kb_entry_id": _("知识条目不存在或已失效。")})
    answer = _text(data.answer, "answer", limit=MAX_REPLY, required=False)
    now = current_time()
    day = timezone.localdate(now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    number=_new_number(day),
                    channel=data.channel,
                    caller_name=mask_name(name),
                    caller_phone=mask_phone(phone) if phone else "",
                    caller_hash=caller_hash(phone),
                    text=text,
                    domain=domain,
                    message_type=message_type,
                    suggested_domain=p.domain if p else "",
                    suggested_type=p.message_type if p else "",
                    suggested_unit=suggestion.unit,
                    confidence=suggestion.confidence if p else None,
                    model_version=suggestion.version,
                    received_on=day,
                    created_by=user,
                    created_at=now,
                )
                break
        except IntegrityError:
            continue  # Two operators took the same number: take the next.
    else:  # pragma: no cover - five collisions in a row
        raise ValidationError(_("工单编号冲突，请重试。"))
    with transaction.atomic():
        _record(ticket, Action.RECEIVE, user=user, note=ticket.get_channel_display())
        if entry is not None:
            ticket.kb_entry_id = entry.id
            ticket.kb_entry_title = entry.matter[:300]
            ticket.reply = answer or _("已依据知识条目《%(t)s》答复来电人。") % {
                "t": entry.matter
            }
            ticket.status = Status.CLOSED
            ticket.closed_at = now
            ticket.save(
                update_fields=[
                    "kb_entry_id",
                    "kb_entry_title",
                    "reply",
                    "status",
                    "closed_at",
                    "updated_at",
                ]
            )
            _record(ticket, Action.ANSWER, user=user, note=entry.matter)
        elif unit is not None:
            _dispatch(ticket, unit, user=user, now=now)
    return ticket


def similar_callers(phone: str, *, exclude: int | None = None) -> list[Ticket]:
    """The caller's earlier tickets, found by the keyed hash of the number."""
    digest = caller_hash(phone)
    if not digest:
        return []
    rows = Ticket.objects.filter(caller_hash=digest).select_related("unit")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("-created_at")[:10])


# --- dispatch and handling --------------------------------------------------------


def _dispatch(
    ticket: Ticket, unit: Organisation, *, user: Any, now: dt.datetime
) -> None:
    sign_days, reply_days = deadlines(ticket.message_type)
    day = timezone.localdate(now)
    ticket.unit = unit
    ticket.status = Status.DISPATCHED
    ticket.dispatched_at = now
    ticket.sign_due = add_workdays(day, sign_days)
    ticket.reply_due = add_workdays(day, reply_days)
    ticket.signed_at = None
    ticket.escalated_at = None
    ticket.save(
        update_fields=[
            "unit",
            "status",
            "dispatched_at",
            "sign_due",
            "reply_due",
            "signed_at",
            "escalated_at",
            "updated_at",
        ]
    )
    _record(ticket, Action.DISPATCH, user=user, note=unit.name)
    notify(
        notices.DISPATCHED,
        _people(unit.pk, HANDLER_ROLES),
        notices.context(ticket),
        f"tickets:dispatch:{ticket.pk}:{ticket.events.count()}",
    )


@transaction.atomic
def check_dispatch(ticket: Ticket, unit_id: Any, *, user: Any) -> Ticket:
    _require_operator(user)
    ticket = _lock(ticket)
    _require_status(ticket, Status.NEW)
    unit = Organisation.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationError({"unit_id": _("承办单位不存在或已停用。")})
    _dispatch(ticket, unit, user=user, now=current_time())
    return ticket


@transaction.atomic
def check_sign(ticket: Ticket, *, user: Any) -> Ticket:
    ticket = _lock(ticket)
    _require_handler(user, ticket)
    _require_status(ticket, Status.DISPATCHED)
    ticket.status = Status.SIGNED
    ticket.signed_at = current_time()
    ticket.save(update_fields=["status", "signed_at", "updated_at"])
    _record(ticket, Action.SIGN, user=user)
    return ticket


@transaction.atomic
def check_send_back(ticket: Ticket, reason: Any, *, user: Any) -> Ticket:
    """The unit returns a ticket that is not theirs to the hotline (退回)."""
    ticket = _lock(ticket)
    _require_handler(user, ticket)
    _require_status(ticket, Status.DISPATCHED, Status.SIGNED)
    reason = _text(reason, "reason", limit=MAX_REASON)
    if ticket.send_backs >= MAX_SEND_BACKS:
        raise Conflict(
            _("本工单已退回 %(n)d 次，不能再退回；请办理或与热线协商。")
            % {"n": ticket.send_backs}
        )
    unit = ticket.unit
    ticket.send_backs += 1
    ticket.status = Status.NEW
    ticket.unit = None
    ticket.sign_due = ticket.reply_due = None
    ticket.extension_days = None
    ticket.extension_reason = ""
    ticket.save(
        update_fields=[
            "send_backs",
            "status",
            "unit",
            "sign_due",
            "reply_due",
            "extension_days",
            "extension_reason",
            "updated_at",
        ]
    )
    _record(ticket, Action.SEND_BACK, user=user, note=reason, unit=unit)
    return ticket


@transaction.atomic
def check_request_extension(
    ticket: Ticket, days: Any, reason: Any, *, user: Any
) -> Ticket:
    ticket = _lock(ticket)
    _require_handler(user, ticket)
    _require_status(ticket, Status.SIGNED)
    try:
        n = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": _("延期天数应为整数。")}) from None
    if not 1 <= n <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {
                "days": _("延期天数应在 1 到 %(n)d 个工作日之间。")
                % {"n": MAX_EXTENSION_DAYS}
            }
        )
    reason = _text(reason, "reason", limit=MAX_REASON)
    if ticket.extension_pending:
        raise Conflict(_("已有一项延期申请等待热线审批。"))
    ticket.extension_days = n
    ticket.extension_reason = reason
    ticket.save(update_fields=["extension_days", "extension_reason", "updated_at"])
    _record(
        ticket,
        Action.EXTEND_ASK,
        user=user,
        note=_("延期 %(n)d 个工作日：%(r)s") % {"n": n, "r": reason},
    )
    return ticket


@transaction.atomic
def check_decide_extension(ticket: Ticket, approve: bool, *, user: Any) -> Ticket:
    _require_operator(user)
    ticket = _lock(ticket)
    if not ticket.extension_pending:
        raise Conflict(_("没有待审批的延期申请。"))
    n = ticket.extension_days or 0
    if approve and ticket.reply_due is not None:
        ticket.reply_due = add_workdays(ticket.reply_due, n)
    ticket.extension_days = None
    ticket.save(update_fields=["reply_due", "extension_days", "updated_at"])
    action = Action.EXTEND_OK if approve else Action.EXTEND_NO
    note = (
        _("办理期限延至 %(d)s") % {"d": ticket.reply_due}
        if approve
        else ticket.extension_reason
    )
    event = _record(ticket, action, user=user, note=note)
    notify(
        notices.EXTENSION,
        _people(ticket.unit_id, HANDLER_ROLES),
        {**notices.context(ticket), "decision": event.get_action_display()},
        f"tickets:extension:{event.pk}",
    )
    return ticket


@transaction.atomic
def check_reply(ticket: Ticket, text: Any, *, user: Any) -> Ticket:
    ticket = _lock(ticket)
    _require_handler(user, ticket)
    _require_status(ticket, Status.SIGNED)
    ticket.reply = _text(text, "reply", limit=MAX_REPLY)
    ticket.status = Status.REPLIED
    ticket.replied_at = current_time()
    ticket.extension_days = None
    ticket.save(
        update_fields=["reply", "status", "replied_at", "extension_days", "updated_at"]
    )
    _record(ticket, Action.REPLY, user=user, note=ticket.reply)
    return ticket


@transaction.atomic
def check_follow_up(
    ticket: Ticket, satisfaction: Any, note: Any = "", *, user: Any
) -> Ticket:
    """The hotline's call back to the citizen (回访). 不满意 sends the ticket
    back to the unit once; after that it closes as it stands."""
    _require_operator(user)
    ticket = _lock(ticket)
    _require_status(ticket, Status.REPLIED)
    if satisfaction not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": _("回访结果应为满意、基本满意或不满意。")}
        )
    note = _text(note, "note", limit=MAX_REASON, required=False)
    label = Satisfaction(satisfaction).label
    _record(
        ticket,
        Action.FOLLOW_UP,
        user=user,
        note=f"{label}{'：' + note if note else ''}",
    )
    if satisfaction == Satisfaction.UNSATISFIED and ticket.reopens < MAX_REOPENS:
        _sign_days, reply_days = deadlines(ticket.message_type)
        ticket.reopens += 1
        ticket.status = Status.SIGNED
        ticket.reply_due = add_workdays(today(), reply_days)
        ticket.escalated_at = None
        ticket.save(
            update_fields=[
                "reopens",
                "status",
                "reply_due",
                "escalated_at",
                "updated_at",
            ]
        )
        _record(ticket, Action.REOPEN, user=user, note=note)
        notify(
            notices.REOPENED,
            _people(ticket.unit_id, HANDLER_ROLES),
            notices.context(ticket),
            f"tickets:reopen:{ticket.pk}:{ticket.reopens}",
        )
        return ticket
    ticket.satisfaction = satisfaction
    ticket.status = Status.CLOSED
    ticket.closed_at = current_time()
    ticket.save(update_fields=["satisfaction", "status", "closed_at", "updated_at"])
    _record(ticket, Action.CLOSE, user=user)
    propose_kb_entry(ticket, user=user)
    return ticket


def propose_kb_entry(ticket: Ticket, *, user: Any) -> int | None:
    """A closed 咨询 that no entry answered proposes a draft entry to the
    unit that answered it (the question and the unit's reply), through the
    knowledge base's review workflow."""
    if (
        ticket.message_type != CONSULT
        or ticket.kb_entry_id
        or ticket.kb_proposed
        or ticket.unit_id is None
        or not ticket.reply
    ):
        return None
    kb = plugins.provided(plugins.KNOWLEDGE_BASE)
    # The search is logged (the hot-questions dashboard lists what no entry
    # answers), except when an import replays history: its moment is not now.
    replaying = _clock.get() is not None
    if kb is None or kb.search(ticket.text, limit=1, log=not replaying):
        return None
    entry_id = kb.propose_entry(
        owner_id=ticket.unit_id,
        question=ticket.text,
        answer=ticket.reply,
        source=_("12345 工单 %(n)s") % {"n": ticket.number},
        user=user,
    )
    if entry_id is None:
        return None
    ticket.kb_proposed = True
    ticket.save(update_fields=["kb_proposed", "updated_at"])
    _record(ticket, Action.KB_PROPOSAL, user=user, note=str(entry_id))
    return entry_id


# --- escalation -------------------------------------------------------------------


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalates (督办) each ticket past its signing or answering deadline to
    its unit's leaders, once per deadline; returns how many."""
    now = now or current_time()
    day = timezone.localdate(now)
    overdue = Ticket.objects.filter(escalated_at__isnull=True).filter(
        pk__in=Ticket.objects.sign_overdue(day).values("pk")
    ) | Ticket.objects.filter(escalated_at__isnull=True).filter(
        pk__in=Ticket.objects.reply_overdue(day).values("pk")
    )
    count = 0
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.escalated_at is not None or ticket.unit_id is None:
                continue
            ticket.escalated_at = now
            ticket.save(update_fields=["escalated_at", "updated_at"])
            what = (
                _("超过签收期限 %(d)s") % {"d": ticket.sign_due}
                if ticket.status == Status.DISPATCHED
                else _("超过办理期限 %(d)s") % {"d": ticket.reply_due}
            )
            _record(ticket, Action.ESCALATE, user=None, note=what)
            notify(
                notices.ESCALATED,
                _people(ticket.unit_id, LEADER_ROLES),
                {**notices.context(ticket), "what": what},
                f"tickets:escalate:{ticket.pk}:{ticket.escalated_at.isoformat()}",
            )
            count += 1
    return count


def remind(now: dt.datetime) -> int:
    """``dangjian_notification_reminders``: escalate what is overdue now."""
    return escalate_overdue(now)
