"""Demo: organisation life in the demo city, through the app's own actions.

* A branch secretary login, ``shuji``, for 市委宣传部机关第一党支部 (张党员's
  branch), whose branch has this period's meetings due.
* A year of 三会一课 in a dozen branches, in every compliance state: held on
  time, held late, missing, due now.
* Dues bases declared and confirmed for their members, paid month by
  month, with a few members in arrears.
* Recruits at every stage of the pipeline in the secretary's branch, and
  last year's finished 民主评议 there. Their 公示 are 党务公开 items of the
  column (dated back, brought in as history); 王发展's was published two
  working days ago, so admission still waits, and his 入党申请书 is an
  uploaded (private) document.
* This year's dues collection summary of that branch, submitted to the
  release workflow (in review).

The sample data are generated with fixed seeds (no data set holds real
branch registers); the organisations and people come from the city loader.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from dangjian.lib.demo import DEMO_PASSWORD, DemoContext
from dangjian.lib.demo_files import demo_pdf
from dangjian.lib.workdays import add_workdays
from dangjian.orglife import evaluation as ev
from dangjian.orglife import publish
from dangjian.orglife import recruitment as rc
from dangjian.orglife.actions import (
    AttendanceRow,
    do_declare_base,
    do_plan_meeting,
    do_record_meeting,
    do_record_payment,
    members_of,
)
from dangjian.orglife.models import (
    DuesKind,
    Meeting,
    MeetingKind,
    MeetingRule,
    Recruit,
    periods_of_year,
)
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Person, Role

SECRETARY_BRANCH = "市委宣传部机关第一党支部"
TOPICS = {
    MeetingKind.ASSEMBLY: "学习贯彻党的二十届四中全会精神",
    MeetingKind.COMMITTEE: "研究本月支部工作",
    MeetingKind.GROUP: "交流学习体会",
    MeetingKind.LECTURE: "书记讲党课：坚定理想信念",
    MeetingKind.THEME_DAY: "主题党日：志愿服务进社区",
}
# Per branch: the share of past periods held late and missed.
PROFILES = [(0.0, 0.0), (0.15, 0.0), (0.1, 0.1), (0.0, 0.3)]


def _branches() -> list[Organisation]:
    first = Organisation.objects.filter(name=SECRETARY_BRANCH).first()
    others = list(Organisation.objects.branches().order_by("path")[:12])
    if first is None:
        return others
    return [first] + [b for b in others if b.pk != first.pk][:11]


def _meetings(branch: Organisation, profile, today: dt.date, rng) -> int:
    late_share, missing_share = profile
    people = sorted(members_of(branch))
    if not people:
        return 0
    count = 0
    for rule in MeetingRule.objects.filter(is_active=True):
        for start, end in periods_of_year(rule.period, today.year):
            if start > today:
                break
            planned = min(start + dt.timedelta(days=rng.randint(3, 15)), end)
            current = start <= today <= end
            roll = rng.random()
            if not current and roll < missing_share:
                continue
            meeting = do_plan_meeting(
                branch,
                rule.kind,
                TOPICS[MeetingKind(rule.kind)],
                planned,
                place="党员活动室",
                send_notice=False,
            )
            count += 1
            if current:
                continue  # due: planned, not yet held
            held = planned
            if roll < missing_share + late_share:
                held = min(end + dt.timedelta(days=rng.randint(3, 20)), today)
            rows = [AttendanceRow(pk, "present") for pk in people]
            if len(rows) > 1 and rng.random() < 0.3:
                rows[-1] = AttendanceRow(rows[-1].person_id, "leave", "出差")
            do_record_meeting(meeting, held, rows, minutes="会议按议程进行。")
    return count


def _dues(branch: Organisation, today: dt.date, rng) -> tuple[int, int]:
    kinds = [DuesKind.EMPLOYED] * 4 + [DuesKind.RETIRED, DuesKind.STUDENT]
    declared = owing = 0
    for person in Person.objects.filter(pk__in=members_of(branch)).order_by("pk"):
        kind = rng.choice(kinds)
        base = {
            DuesKind.EMPLOYED: rng.choice([2800, 4500, 6000, 8200, 12000]),
            DuesKind.RETIRED: rng.choice([3800, 5600]),
        }.get(kind, 0)
        declaration = do_declare_base(
            person, branch, today.year, kind, str(base), confirm=True
        )
        declared += 1
        paid_until = today.month - 1
        if rng.random() < 0.15:
            paid_until -= rng.randint(1, 3)  # in arrears
            owing += 1
        months = [dt.date(today.year, m, 1) for m in range(1, paid_until + 1)]
        if months:
            do_record_payment(declaration, months, rng.choice(["cash", "transfer"]))
    return declared, owing


def _recruits(branch: Organisation, today: dt.date, secretary: Person) -> int:
    def applicant(name: str, years_ago: float) -> Recruit:
        applied = today - dt.timedelta(days=int(years_ago * 365))
        return rc.do_register_applicant(branch, name, dt.date(1998, 5, 4), applied)

    applicant("刘晓申", 0.2)
    a = applicant("陈积极", 1.0)
    rc.do_make_activist(a, today - dt.timedelta(days=300), resolution="支委会研究确定")
    rc.do_record_training(a, today - dt.timedelta(days=200))

    def candidate(name: str, years_ago: float) -> Recruit:
        c = applicant(name, years_ago)
        activist = c.applied_on + dt.timedelta(days=90)
        rc.do_make_activist(c, activist, resolution="支委会研究确定")
        rc.do_record_training(c, activist + dt.timedelta(days=60))
        return rc.do_make_candidate(
            c,
            activist + dt.timedelta(days=370),
            resolution="支委会研究，列为发展对象",
            approval="报上级党委备案",
        )

    def notice(r: Recruit, start: dt.date) -> None:
        # Published 公示 items in the disclosure column when it is there
        # (dated back: the demo's history), else the dates only.
        if publish.service() is not None and publish.service().accepts(branch):
            publish.do_record_past_notice(r, start, acting_user=secretary)
        else:
            rc.do_record_notice(r, start, publish.notice_end(start))

    c = candidate("王发展", 1.8)
    assert c.candidate_on is not None
    notice(c, add_workdays(today, -2))
    first_step = c.steps.order_by("on", "pk").first()
    if first_step is not None:
        pdf = demo_pdf("入党申请书", ["敬爱的党组织：", "我志愿加入中国共产党……"])
        publish.do_upload_document(
            first_step,
            "入党申请书",
            ContentFile(pdf, name="入党申请书.pdf"),
            acting_user=secretary,
        )

    def probationary(name: str, years_ago: float, admitted_days_ago: int) -> Recruit:
        p = candidate(name, years_ago)
        admitted = today - dt.timedelta(days=admitted_days_ago)
        notice(p, add_workdays(admitted, -7))
        return rc.do_admit(
            p, admitted, resolution="支部党员大会表决通过", approval="上级党委审批同意"
        )

    probationary("赵预备", 2.6, 200)
    probationary("孙待转正", 3.2, 380)  # probation ended: overdue
    f = probationary("周正式", 3.5, 500)
    assert f.probation_until is not None
    rc.do_make_full(
        f,
        f.probation_until,
        resolution="支部党员大会表决同意按期转正",
        approval="上级党委审批同意",
    )
    x = probationary("吴取消", 3.0, 420)
    rc.do_cancel(x, today - dt.timedelta(days=30), reason="预备期内不履行党员义务")
    return 7


def _evaluation(branch: Organisation, year: int) -> None:
    campaign = ev.do_open_campaign(branch, year)
    people = sorted(members_of(branch))
    for n, pk in enumerate(people):
        person = Person.objects.get(pk=pk)
        ev.do_submit_self(campaign, person, "按时参加组织生活，认真完成学习任务。")
        for other in people:
            if other != pk:
                ev.do_submit_mutual(campaign, person, other, "qualified")
        rating = "excellent" if n == 0 else "qualified"
        ev.do_rate(campaign, pk, rating)
    ev.do_finish(campaign)


def load(ctx: DemoContext) -> str:
    branches = _branches()
    if not branches:
        return "没有党支部，跳过"
    if Meeting.objects.filter(branch=branches[0]).exists():
        return "已载入"
    today = timezone.localdate()
    rng = random.Random(20260701)

    secretary, _created = Person.objects.get_or_create(
        username="shuji",
        defaults={"name": "党支部书记", "password": make_password(DEMO_PASSWORD)},
    )
    do_grant_role(secretary, branches[0], Role.UNIT_ADMIN)
    do_grant_role(secretary, branches[0], Role.MEMBER)
    ctx.logins.append(("shuji", f"{branches[0].name} 书记：三会一课、党费、发展党员"))

    meetings = 0
    for n, branch in enumerate(branches):
        profile = PROFILES[0] if n == 0 else PROFILES[n % len(PROFILES)]
        meetings += _meetings(branch, profile, today, rng)
    declared = owing = 0
    for branch in branches:
        d, o = _dues(branch, today, rng)
        declared, owing = declared + d, owing + o
    recruits = _recruits(branches[0], today, secretary)
    # This year's dues collection summary, submitted for 党务公开 review.
    summary = ""
    if publish.service() is not None and publish.service().accepts(branches[0]):
        publish.do_propose_dues_summary(branches[0], today.year, acting_user=secretary)
        summary = "，党费收缴情况已提交党务公开审核"
    _evaluation(branches[0], today.year - 1)
    return (
        f"{len(branches)} 个党支部，{meetings} 次三会一课，"
        f"{declared} 人申报党费（{owing} 人欠缴），{recruits} 名发展对象，1 次民主评议{summary}"
    )
