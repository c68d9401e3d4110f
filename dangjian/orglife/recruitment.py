"""发展党员: 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员.

Each step is a guarded transition that records a ``RecruitStep`` (date,
branch resolution, higher committee approval, documents) and checks the
statutory rules:

* an application is made after the 18th birthday;
* at least one year as 积极分子, with the training completed, before
  becoming a 发展对象;
* a 公示 of at least five working days (weekends and public holidays not
  counted, 调休 days counted: ``lib.workdays``) before admission, published
  as a 党务公开 item through the disclosure workflow and counted from its
  publication (``publish.py``);
* a probation year before full membership; it may be extended once, by
  at most a year, or the probationary membership cancelled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib import plugins
from dangjian.lib.workdays import add_workdays, covered, workdays_between
from dangjian.orglife.models import Recruit, RecruitNotice, RecruitStep, Stage
from dangjian.orgs.models import Organisation

NOTICE_WORKDAYS = 5


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_after(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    target = dt.date(day.year + year, month + 1, 1)
    last = (target.replace(day=28) + dt.timedelta(days=4)).replace(
        day=1
    ) - dt.timedelta(days=1)
    return target.replace(day=min(day.day, last.day))


def notice_workdays(start: dt.date, end: dt.date) -> int:
    """Working days of a 公示 from ``start`` to ``end``, both included."""
    return workdays_between(start - dt.timedelta(days=1), end)


def _guard(recruit: Recruit, *stages: str) -> None:
    if recruit.stage not in stages:
        raise ValidationError(
            _("当前阶段为“%(stage)s”，不能进行这一步")
            % {"stage": recruit.get_stage_display()}
        )


def _text(value: str, label: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s不能超过 %(n)d 个字") % {"label": label, "n": limit}
        )
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValidationError(_("%(label)s含有不可见的控制字符") % {"label": label})
    return value


def _not_future(on: dt.date) -> None:
    if on > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天"))


def _step(
    recruit: Recruit,
    stage: str,
    on: dt.date,
    *,
    resolution: str = "",
    approval: str = "",
    documents: str = "",
    note: str = "",
    acting_user=None,
) -> RecruitStep:
    step = RecruitStep.objects.create(
        recruit=recruit,
        stage=stage,
        on=on,
        resolution=_text(resolution, _("支部决议")),
        approval=_text(approval, _("上级党委审批")),
        documents=_text(documents, _("材料"), 300),
        note=_text(note, _("说明"), 300),
        recorded_by=acting_user,
    )
    log(recruit, "dangjian.orglife.recruit", user=acting_user)
    return step


@transaction.atomic
def do_register_applicant(
    branch: Organisation,
    name: str,
    birth_date: dt.date,
    applied_on: dt.date,
    *,
    person=None,
    acting_user=None,
) -> Recruit:
    if not branch.is_branch:
        raise ValidationError(_("入党申请须向党支部提出"))
    name = _text(name, _("姓名"), 50)
    if not name:
        raise ValidationError(_("请填写姓名"))
    _not_future(applied_on)
    if applied_on < years_after(birth_date, 18):
        raise ValidationError(_("递交入党申请时须年满十八岁"))
    recruit = Recruit.objects.create(
        branch=branch,
        person=person,
        name=name,
        birth_date=birth_date,
        applied_on=applied_on,
    )
    _step(recruit, Stage.APPLICANT, applied_on, acting_user=acting_user)
    return recruit


def _locked(recruit: Recruit) -> Recruit:
    return Recruit.objects.select_for_update().get(pk=recruit.pk)


@transaction.atomic
def do_make_activist(
    recruit: Recruit, on: dt.date, *, resolution: str = "", acting_user=None
) -> Recruit:
    recruit = _locked(recruit)
    _guard(recruit, Stage.APPLICANT)
    _not_future(on)
    if on < recruit.applied_on:
        raise ValidationError(_("确定积极分子的日期不能早于递交申请书的日期"))
    recruit.stage = Stage.ACTIVIST
    recruit.activist_on = on
    recruit.save(update_fields=["stage", "activist_on"])
    _step(recruit, Stage.ACTIVIST, on, resolution=resolution, acting_user=acting_user)
    return recruit


@transaction.atomic
def do_record_training(recruit: Recruit, on: dt.date, *, acting_user=None) -> Recruit:
    recruit = _locked(recruit)
    _guard(recruit, Stage.ACTIVIST)
    _not_future(on)
    assert recruit.activist_on is not None
    if on < recruit.activist_on:
        raise ValidationError(_("培训结业日期不能早于确定为积极分子的日期"))
    recruit.trained_on = on
    recruit.save(update_fields=["trained_on"])
    _step(recruit, Stage.ACTIVIST, on, note=_("培训结业"), acting_user=acting_user)
    return recruit


@transaction.atomic
def do_make_candidate(
    recruit: Recruit,
    on: dt.date,
    *,
    resolution: str = "",
    approval: str = "",
    acting_user=None,
) -> Recruit:
    recruit = _locked(recruit)
    _guard(recruit, Stage.ACTIVIST)
    _not_future(on)
    assert recruit.activist_on is not None
    eligible = years_after(recruit.activist_on, 1)
    if on < eligible:
        raise ValidationError(
            _("确定为积极分子满一年（%(date)s）后才能列为发展对象")
            % {"date": eligible.isoformat()}
        )
    if recruit.trained_on is None or recruit.trained_on > on:
        raise ValidationError(_("积极分子须经培训结业后才能列为发展对象"))
    recruit.stage = Stage.CANDIDATE
    recruit.candidate_on = on
    recruit.save(update_fields=["stage", "candidate_on"])
    _step(
        recruit,
        Stage.CANDIDATE,
        on,
        resolution=resolution,
        approval=approval,
        acting_user=acting_user,
    )
    return recruit


@transaction.atomic
def do_record_notice(
    recruit: Recruit, start: dt.date, end: dt.date, *, acting_user=None
) -> Recruit:
    """The 公示 before admission, from ``start`` to ``end`` inclusive."""
    recruit = _locked(recruit)
    _guard(recruit, Stage.CANDIDATE)
    assert recruit.candidate_on is not None
    if start < recruit.candidate_on:
        raise ValidationError(_("公示不能早于列为发展对象的日期"))
    if end < start:
        raise ValidationError(_("公示结束日期不能早于开始日期"))
    days = notice_workdays(start, end)
    if days < NOTICE_WORKDAYS:
        raise ValidationError(
            _(
                "公示须不少于 %(need)d 个工作日，%(start)s 至 %(end)s 只有 %(n)d 个工作日"
            )
            % {
                "need": NOTICE_WORKDAYS,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "n": days,
            }
        )
    recruit.notice_from = start
    recruit.notice_to = end
    recruit.save(update_fields=["notice_from", "notice_to"])
    note = _("公示 %(n)d 个工作日") % {"n": days}
    if not covered(end.year):
        note += _("（该年度节假日安排尚未录入，仅扣除周末）")
    _step(recruit, Stage.CANDIDATE, start, note=note, acting_user=acting_user)
    return recruit


@transaction.atomic
def do_admit(
    recruit: Recruit,
    on: dt.date,
    *,
    resolution: str,
    approval: str,
    acting_user=None,
) -> Recruit:
    """接收为预备党员: by the branch assembly, approved by the higher committee."""
    recruit = _locked(recruit)
    _guard(recruit, Stage.CANDIDATE)
    _not_future(on)
    if recruit.notice_from is None or recruit.notice_to is None:
        raise ValidationError(_("接收预备党员前须经过公示"))
    if on <= recruit.notice_to:
        raise ValidationError(_("公示期满后才能接收为预备党员"))
    # The 公示 is a 党务公开 item: published, not withdrawn, period passed.
    check_published_notice(recruit, on)
    if not resolution.strip() or not approval.strip():
        raise ValidationError(_("须填写支部党员大会决议和上级党委审批"))
    recruit.stage = Stage.PROBATIONARY
    recruit.admitted_on = on
    recruit.probation_until = years_after(on, 1)
    recruit.save(update_fields=["stage", "admitted_on", "probation_until"])
    _step(
        recruit,
        Stage.PROBATIONARY,
        on,
        resolution=resolution,
        approval=approval,
        acting_user=acting_user,
    )
    return recruit


@transaction.atomic
def do_extend_probation(
    recruit: Recruit, months: int, *, reason: str, acting_user=None
) -> Recruit:
    recruit = _locked(recruit)
    _guard(recruit, Stage.PROBATIONARY)
    assert recruit.admitted_on is not None and recruit.probation_until is not None
    if recruit.probation_until != years_after(recruit.admitted_on, 1):
        raise ValidationError(_("预备期只能延长一次"))
    if not 1 <= months <= 12:
        raise ValidationError(_("预备期延长不能超过一年"))
    if not reason.strip():
        raise ValidationError(_("请填写延长预备期的理由"))
    recruit.probation_until = months_after(recruit.probation_until, months)
    recruit.save(update_fields=["probation_until"])
    _step(
        recruit,
        Stage.PROBATIONARY,
        timezone.localdate(),
        note=_("延长预备期 %(n)d 个月：%(reason)s") % {"n": months, "reason": reason},
        acting_user=acting_user,
    )
    return recruit


@transaction.atomic
def do_make_full(
    recruit: Recruit,
    on: dt.date,
    *,
    resolution: str,
    approval: str,
    acting_user=None,
) -> Recruit:
    recruit = _locked(recruit)
    _guard(recruit, Stage.PROBATIONARY)
    _not_future(on)
    assert recruit.probation_until is not None
    if on < recruit.probation_until:
        raise ValidationError(
            _("预备期满（%(date)s）后才能转为正式党员")
            % {"date": recruit.probation_until.isoformat()}
        )
    if not resolution.strip() or not approval.strip():
        raise ValidationError(_("须填写支部党员大会决议和上级党委审批"))
    recruit.stage = Stage.FULL
    recruit.full_on = on
    recruit.save(update_fields=["stage", "full_on"])
    _step(
        recruit,
        Stage.FULL,
        on,
        resolution=resolution,
        approval=approval,
        acting_user=acting_user,
    )
    return recruit


@transaction.atomic
def do_cancel(recruit: Recruit, on: dt.date, *, reason: str, acting_user=None):
    """取消预备党员资格."""
    recruit = _locked(recruit)
    _guard(recruit, Stage.PROBATIONARY)
    _not_future(on)
    if not reason.strip():
        raise ValidationError(_("请填写取消资格的理由"))
    recruit.stage = Stage.CANCELLED
    recruit.cancelled_on = on
    recruit.save(update_fields=["stage", "cancelled_on"])
    _step(recruit, Stage.CANCELLED, on, note=reason, acting_user=acting_user)
    return recruit


# The 公示 as a 党务公开 item (proposed in ``publish.py``) -----------------------


def disclosure_service() -> Any:
    """The disclosure column's interface (``dangjian_disclosure``), or None
    when it is not installed."""
    return plugins.provided(plugins.DISCLOSURE)


def notice_end(start: dt.date) -> dt.date:
    """The last day of a 公示 of ``NOTICE_WORKDAYS`` working days from
    ``start`` (included when it is a working day)."""
    return add_workdays(start - dt.timedelta(days=1), NOTICE_WORKDAYS)


def latest_notice(recruit: Recruit) -> RecruitNotice | None:
    return recruit.notices.order_by("-proposed_at", "-pk").first()


def check_published_notice(recruit: Recruit, on: dt.date) -> None:
    """Refuses admission on ``on`` unless the 公示 item is published, not
    withdrawn, and its period counted from publication has passed. Without
    a disclosure column installed, the recorded dates are all there is."""
    disclosure = disclosure_service()
    if disclosure is None:
        return
    notice = latest_notice(recruit)
    if notice is None:
        if not disclosure.accepts(recruit.branch):
            raise ValidationError(
                "本支部及上级单位尚未开设党务公开专栏，公示无法发布，"
                "不能接收为预备党员；请联系平台管理员开设专栏"
            )
        raise ValidationError("接收预备党员前须通过党务公开发布公示，请先发起公示")
    status = disclosure.item_status(notice.item_id)
    if status.status == "withdrawn":
        reason = f"（{status.withdrawn_reason}）" if status.withdrawn_reason else ""
        raise ValidationError(
            f"公示已被撤回{reason}，不能接收为预备党员；请核实后重新发起公示"
        )
    if status.status == "missing":
        raise ValidationError("公示事项已被删除，不能接收为预备党员；请重新发起公示")
    if not status.is_published or status.published_on is None:
        raise ValidationError(
            f"公示尚未发布（{status.label}），发布且公示期满后才能接收为预备党员"
        )
    start = max(status.published_on, notice.starts_on)
    end = notice_end(start)
    if on <= end:
        raise ValidationError(
            f"公示自{start:%Y-%m-%d}起须满{NOTICE_WORKDAYS}个工作日"
            f"（至{end:%Y-%m-%d}），期满后才能接收为预备党员"
        )


@dataclass(frozen=True)
class Deadline:
    recruit: Recruit
    label: str
    on: dt.date
    overdue: bool


def deadlines(recruits, today: dt.date | None = None, within: int = 60):
    """Overdue steps and those coming within ``within`` days, soonest first:
    积极分子 who may become 发展对象, 预备党员 whose probation ends."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within)
    found = []
    for r in recruits.filter(stage__in=[Stage.ACTIVIST, Stage.PROBATIONARY]):
        if r.stage == Stage.ACTIVIST and r.activist_on:
            on = years_after(r.activist_on, 1)
            if on <= horizon:
                label = (
                    _("可列为发展对象") if r.trained_on else _("满一年，尚未培训结业")
                )
                found.append(Deadline(r, str(label), on, False))
        elif r.stage == Stage.PROBATIONARY and r.probation_until:
            if r.probation_until <= horizon:
                found.append(
                    Deadline(
                        r,
                        str(_("预备期满，应讨论转正")),
                        r.probation_until,
                        r.probation_until < today,
                    )
                )
    found.sort(key=lambda d: (not d.overdue, d.on))
    return found
