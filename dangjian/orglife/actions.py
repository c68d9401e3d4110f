"""Changes to organisation life: ``check_`` validates, ``do_`` applies.

Every ``do_`` is atomic and logged (Wagtail's log, ``dangjian.orglife.*``);
notices go through the notifications service after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib.text import has_control_chars
from dangjian.orglife import dues, notices
from dangjian.orglife.models import (
    Attendance,
    DuesDeclaration,
    DuesPayment,
    Meeting,
    MeetingKind,
)
from dangjian.orgs.models import Organisation
from dangjian.orgs.scope import people_in

MAX_TEXT = 200


def members_of(branch: Organisation) -> set[int]:
    """Ids of the people with an active membership in the branch."""
    return set(people_in([branch.pk], include_descendants=False))


def _clean_text(value: str, field: str, label: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if has_control_chars(value):
        raise ValidationError(
            {field: _("%(label)s含有不可见的控制字符") % {"label": label}}
        )
    if len(value) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": limit}}
        )
    return value


# 三会一课 ---------------------------------------------------------------------------


def check_plan_meeting(
    branch: Organisation, kind: str, topic: str, planned_on: dt.date
) -> str:
    if not branch.is_branch:
        raise ValidationError(_("只有党支部可以安排三会一课"))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("请选择会议类型")})
    topic = _clean_text(topic, "topic", _("主题"))
    if not topic:
        raise ValidationError({"topic": _("请填写会议主题")})
    if not dt.date(2000, 1, 1) <= planned_on <= dt.date(2100, 12, 31):
        raise ValidationError({"planned_on": _("计划日期超出范围")})
    return topic


@transaction.atomic
def do_plan_meeting(
    branch: Organisation,
    kind: str,
    topic: str,
    planned_on: dt.date,
    *,
    place: str = "",
    acting_user=None,
    send_notice: bool = True,
) -> Meeting:
    """Plans a meeting and tells the branch's members (an inbox entry and
    the channels they chose)."""
    topic = check_plan_meeting(branch, kind, topic, planned_on)
    place = _clean_text(place, "place", _("地点"), 100)
    meeting = Meeting.objects.create(
        branch=branch, kind=kind, topic=topic, planned_on=planned_on, place=place
    )
    log(meeting, "dangjian.orglife.plan", user=acting_user)
    if send_notice:
        notices.meeting_notice(meeting)
        meeting.notice_sent_at = timezone.now()
        meeting.save(update_fields=["notice_sent_at"])
    return meeting


@dataclass
class AttendanceRow:
    person_id: int
    status: str
    leave_reason: str = ""


def check_record_meeting(
    meeting: Meeting,
    held_on: dt.date,
    rows: Iterable[AttendanceRow],
    today: dt.date | None = None,
) -> list[AttendanceRow]:
    today = today or timezone.localdate()
    if meeting.cancelled:
        raise ValidationError(_("会议已取消，不能登记"))
    if meeting.held_on is not None:
        raise ValidationError(_("这次会议已经登记过了"))
    if held_on > today:
        raise ValidationError({"held_on": _("召开日期不能晚于今天")})
    if held_on < meeting.period_start:
        raise ValidationError(
            {
                "held_on": _("召开日期早于会议所属周期（%(start)s 起）")
                % {"start": meeting.period_start.isoformat()}
            }
        )
    members = members_of(meeting.branch)
    cleaned = []
    seen = set()
    for row in rows:
        if row.person_id not in members:
            raise ValidationError(_("出席名单中有不属于本支部的人员"))
        if row.person_id in seen:
            raise ValidationError(_("同一党员登记了两次"))
        seen.add(row.person_id)
        if row.status not in Attendance.Status.values:
            raise ValidationError(_("出席情况无效"))
        reason = _clean_text(row.leave_reason, "leave_reason", _("请假事由"))
        if row.status == Attendance.Status.LEAVE and not reason:
            raise ValidationError(_("请假须填写事由"))
        cleaned.append(AttendanceRow(row.person_id, row.status, reason))
    if not any(r.status == Attendance.Status.PRESENT for r in cleaned):
        raise ValidationError(_("至少要有一名党员出席"))
    return cleaned


def do_record_meeting(
    meeting: Meeting,
    held_on: dt.date,
    rows: Iterable[AttendanceRow],
    *,
    minutes: str = "",
    acting_user=None,
) -> Meeting:
    """Records that the meeting was held, with everyone's attendance.

    The meeting row is locked, so two secretaries submitting at once record
    it once; the second is told it is already recorded.
    """
    minutes = _clean_text(minutes, "minutes", _("会议记录"), 20000)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        cleaned = check_record_meeting(locked, held_on, rows)
        locked.held_on = held_on
        locked.minutes = minutes
        locked.recorded_by = acting_user
        locked.save(update_fields=["held_on", "minutes", "recorded_by"])
        Attendance.objects.bulk_create(
            [
                Attendance(
                    meeting=locked,
                    person_id=r.person_id,
                    status=r.status,
                    leave_reason=r.leave_reason if r.status == "leave" else "",
                )
                for r in cleaned
            ]
        )
        log(locked, "dangjian.orglife.record", user=acting_user)
    return locked


@transaction.atomic
def do_record_make_up(
    attendance: Attendance, on: dt.date, note: str, *, acting_user=None
) -> Attendance:
    """补学: a member who missed the meeting studied its content later."""
    if attendance.status == Attendance.Status.PRESENT:
        raise ValidationError(_("出席会议的党员无需补学"))
    held_on = attendance.meeting.held_on
    if held_on is None or on < held_on:
        raise ValidationError({"made_up_on": _("补学日期不能早于会议召开日期")})
    if on > timezone.localdate():
        raise ValidationError({"made_up_on": _("补学日期不能晚于今天")})
    note = _clean_text(note, "made_up_note", _("补学内容"))
    if not note:
        raise ValidationError({"made_up_note": _("请填写补学内容")})
    attendance.made_up_on = on
    attendance.made_up_note = note
    attendance.save(update_fields=["made_up_on", "made_up_note"])
    log(attendance.meeting, "dangjian.orglife.make_up", user=acting_user)
    return attendance


# 党费 ------------------------------------------------------------------------------


@transaction.atomic
def do_declare_base(
    person,
    branch: Organisation,
    year: int,
    kind: str,
    base: object,
    *,
    starts_on: dt.date | None = None,
    chosen: Decimal | None = None,
    confirm: bool = False,
    acting_user=None,
) -> DuesDeclaration:
    """A member's base for the year (declared again until it is confirmed).

    ``confirm``: the branch enters and confirms it in one step.
    """
    kind = dues.parse_kind(kind)
    amount = dues.parse_base(base)
    quote = dues.quote(amount, kind, chosen)
    starts_on = (starts_on or dt.date(year, 1, 1)).replace(day=1)
    if starts_on.year != year:
        raise ValidationError({"starts_on": _("起缴月份须在申报年度内")})
    existing = (
        DuesDeclaration.objects.select_for_update()
        .filter(person=person, year=year)
        .first()
    )
    if existing is not None and existing.confirmed_at and not confirm:
        raise ValidationError(_("本年度党费基数已由支部确认，如需变更请联系支部"))
    declaration = existing or DuesDeclaration(person=person, year=year)
    declaration.branch = branch
    declaration.kind = kind
    declaration.base = amount
    declaration.monthly = quote.monthly
    declaration.starts_on = starts_on
    declaration.declared_at = timezone.now()
    if confirm:
        declaration.confirmed_at = timezone.now()
        declaration.confirmed_by = acting_user
    declaration.save()
    log(declaration, "dangjian.orglife.declare", user=acting_user)
    return declaration


@transaction.atomic
def do_confirm_declaration(declaration: DuesDeclaration, *, acting_user=None):
    declaration.confirmed_at = timezone.now()
    declaration.confirmed_by = acting_user
    declaration.save(update_fields=["confirmed_at", "confirmed_by"])
    log(declaration, "dangjian.orglife.confirm", user=acting_user)
    return declaration


def do_record_payment(
    declaration: DuesDeclaration,
    months: Iterable[dt.date],
    method: str,
    *,
    reference: str = "",
    acting_user=None,
) -> list[DuesPayment]:
    """Dues paid for these months at the declared monthly amount. A month
    already paid is refused, and nothing is recorded."""
    if declaration.confirmed_at is None:
        raise ValidationError(_("党费基数尚未经支部确认"))
    if method not in DuesPayment.Method.values:
        raise ValidationError({"method": _("缴纳方式无效")})
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        raise ValidationError({"months": _("请选择缴纳的月份")})
    for month in months:
        if month.year != declaration.year or month < declaration.starts_on:
            raise ValidationError(
                {
                    "months": _("%(month)s 不在本年度的缴纳月份内")
                    % {"month": f"{month:%Y-%m}"}
                }
            )
    try:
        with transaction.atomic():
            payments = DuesPayment.objects.bulk_create(
                [
                    DuesPayment(
                        person_id=declaration.person_id,
                        branch_id=declaration.branch_id,
                        month=month,
                        amount=declaration.monthly,
                        method=method,
                        reference=reference,
                        recorded_by=acting_user,
                    )
                    for month in months
                ]
            )
            log(declaration, "dangjian.orglife.payment", user=acting_user)
    except IntegrityError:
        raise ValidationError({"months": _("所选月份中有已缴纳的月份")}) from None
    return payments
