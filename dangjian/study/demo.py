"""Demo study content: the report's sections as articles, a short video, a plan
for 市委宣传部, group sessions with attendance, points, a spot check and this
year's assessment scheme. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.utils import timezone
from django.utils.html import escape

from dangjian.lib.demo import DemoContext
from dangjian.lib.demo_files import demo_document
from dangjian.lib.site import home_page
from dangjian.orgs.models import Membership, Role
from dangjian.study import actions, notices
from dangjian.study.assessment import do_run_assessment
from dangjian.study.models import (
    AssessmentScheme,
    Indicator,
    MaterialAttachment,
    MaterialPage,
    PlanItem,
    SpotCheck,
    StudyPlan,
    StudySession,
    Topic,
    Video,
)
from dangjian.study.search import index_plan_materials

MEDIA = Path(__file__).parent / "demo_media"
UNIT = "市委宣传部"
BRANCH = "市委宣传部机关第一党支部"

# Used when the real data set is absent: short texts written for the demo.
BUILTIN_SECTIONS = [
    (
        "学习贯彻党的二十大精神",
        [
            "党的二十大是在全党全国各族人民迈上全面建设社会主义现代化国家新征程的关键时刻召开的一次十分重要的大会。",
            "各级党组织要把学习宣传贯彻党的二十大精神作为当前和今后一个时期的首要政治任务。",
        ],
    ),
    (
        "全面从严治党",
        [
            "坚持以严的基调强化正风肃纪，锲而不舍落实中央八项规定精神。",
            "增强党组织政治功能和组织功能，把基层党组织建设成为有效实现党的领导的坚强战斗堡垒。",
        ],
    ),
    (
        "以人民为中心的发展思想",
        [
            "为民造福是立党为公、执政为民的本质要求。",
            "坚持在发展中保障和改善民生，鼓励共同奋斗创造美好生活。",
        ],
    ),
]


def read_sections(ctx: DemoContext) -> list[tuple[str, list[str]]]:
    path = ctx.data_file("report20/paragraphs.jsonl")
    if path is None:
        return BUILTIN_SECTIONS
    sections: dict[int, tuple[str, list[str]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["kind"] != "paragraph":
                continue
            title, paragraphs = sections.setdefault(
                row["section_no"], (row["section_title"], [])
            )
            text = row["text"]
            if row.get("subsection"):
                text = f"<b>{row['subsection']}</b>{text}"
            paragraphs.append(text)
    return [sections[k] for k in sorted(sections)]


def ensure_materials(ctx, section, admin) -> list[MaterialPage]:
    materials = []
    new = []
    existing = {m.title: m for m in MaterialPage.objects.child_of(section)}
    for order, (title, paragraphs) in enumerate(read_sections(ctx)):
        topic, _ = Topic.objects.get_or_create(
            name=title.split("、", 1)[-1][:100], defaults={"sort_order": order}
        )
        page_title = f"二十大报告学习｜{title}"[:255]
        material = existing.get(page_title)
        if material is None:
            body = "".join(
                f"<p>{p if p.startswith('<b>') else escape(p)}</p>" for p in paragraphs
            )
            material = MaterialPage(
                title=page_title,
                slug=f"report20-{order}",
                kind=MaterialPage.Kind.ARTICLE,
                topic=topic,
                summary=paragraphs[0].replace("<b>", "").replace("</b>", "")[:120],
                body=body,
                visibility=(
                    MaterialPage.Visibility.PUBLIC
                    if order == 0
                    else MaterialPage.Visibility.MEMBERS
                ),
                # A short demo minimum so a visitor can finish one quickly.
                min_seconds=20,
            )
            new.append(material)
        materials.append(material)
    actions.do_import_materials(section, new, acting_user=admin)
    return materials


def ensure_video(section, admin, unit) -> MaterialPage:
    material = MaterialPage.objects.child_of(section).filter(slug="video-demo").first()
    if material is not None:
        return material
    video = Video.objects.filter(title="学习短视频（示例）").first()
    if video is None:
        # The duration is read from the file on save.
        video = Video(title="学习短视频（示例）")
        video.owner = unit
        with (MEDIA / "demo-video.webm").open("rb") as handle:
            video.file.save("demo.webm", File(handle), save=False)
        with (MEDIA / "demo-poster.png").open("rb") as handle:
            video.poster_file.save("demo-poster.png", File(handle), save=False)
        video.save()
    topic = Topic.objects.order_by("sort_order", "pk").first()
    material = MaterialPage(
        title="微党课：八秒钟看懂学习档案",
        slug="video-demo",
        kind=MaterialPage.Kind.VIDEO,
        topic=topic,
        summary="一段示例短视频：看完即记入学习档案并获得积分。",
        video=video,
        visibility=MaterialPage.Visibility.PLAN,
    )
    actions.do_import_materials(section, [material], acting_user=admin)
    return material


def ensure_plan(unit, materials, video) -> StudyPlan:
    plan = StudyPlan.objects.filter(title="学习贯彻党的二十大精神专题学习计划").first()
    if plan is not None:
        return plan
    today = timezone.localdate()
    plan = StudyPlan.objects.create(
        title="学习贯彻党的二十大精神专题学习计划",
        description="宣传部全体党员在截止日期前学完以下资料。",
        owner=unit,
        include_descendants=True,
        starts_on=today - dt.timedelta(days=30),
        deadline=today + dt.timedelta(days=30),
    )
    plan.audience.set([unit])
    plan.save()  # a ParentalManyToManyField is written by save()
    for order, material in enumerate([*materials[:5], video]):
        PlanItem.objects.create(plan=plan, material=material, sort_order=order)

    index_plan_materials(plan)
    return plan


GUIDE_TITLE = "学习辅导材料：党的二十大报告重点解读（党内）"
GUIDE_PARAGRAPHS = [
    "一、深刻领会新时代十年的伟大变革，坚定历史自信、增强历史主动。",
    "二、准确把握以中国式现代化全面推进中华民族伟大复兴的使命任务。",
    "三、坚持以党的自我革命引领社会革命，全面从严治党永远在路上。",
    "本材料供学习计划内党员学习使用，请勿外传。",
]


def ensure_guide(section, admin, plan) -> MaterialPage:
    """A study guide for the plan's audience only, with a PDF attachment: the
    demo's restricted file, served only through the checked document view."""
    material = MaterialPage.objects.child_of(section).filter(slug="guide-demo").first()
    if material is None:
        document = demo_document(GUIDE_TITLE, "xuexi-fudao.pdf", GUIDE_PARAGRAPHS)
        material = MaterialPage(
            title=GUIDE_TITLE,
            slug="guide-demo",
            kind=MaterialPage.Kind.DOCUMENT,
            topic=Topic.objects.order_by("sort_order", "pk").first(),
            summary="重点解读（PDF 附件），供学习计划内党员学习。",
            body="".join(f"<p>{escape(p)}</p>" for p in GUIDE_PARAGRAPHS[:3]),
            visibility=MaterialPage.Visibility.PLAN,
            min_seconds=20,
        )
        material.attachments = [
            MaterialAttachment(document=document, caption="重点解读（PDF）")
        ]
        actions.do_import_materials(section, [material], acting_user=admin)
    if not plan.items.filter(material=material).exists():
        PlanItem.objects.create(
            plan=plan, material=material, sort_order=plan.items.count()
        )

        index_plan_materials(plan)
    return material


SESSIONS = [
    ("专题研讨：学习二十大报告第一部分", StudySession.Type.SEMINAR, -20, True),
    ("读书分享会：《习近平谈治国理政》", StudySession.Type.READING, -10, True),
    ("支部党员大会：三季度党费收缴", StudySession.Type.BRANCH_ASSEMBLY, -5, False),
    ("专题辅导：全面从严治党", StudySession.Type.LECTURE, 3, False),
]


def ensure_sessions(ctx, branch) -> int:
    organiser = ctx.people["approver"]
    member = ctx.people["member"]
    others = list(
        Membership.objects.filter(organisation=branch, role=Role.MEMBER)
        .exclude(person=member)
        .select_related("person")[:4]
    )
    created = 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for title, kind, days, member_attended in SESSIONS:
        if StudySession.objects.filter(title=title, organisation=branch).exists():
            continue
        starts = now + dt.timedelta(days=days)
        session = actions.do_create_session(
            acting_user=organiser,
            title=title,
            type=kind,
            organisation=branch,
            organiser=organiser,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place="宣传部三楼会议室",
            agenda="一、集中学习\n二、交流发言\n三、总结部署",
            minutes="会议由支部书记主持，与会党员逐一交流学习体会。"
            if days < 0
            else "",
        )
        created += 1
        if days >= 0:
            continue
        attendees = [m.person for m in others] + ([member] if member_attended else [])
        for person in attendees:
            actions.do_record_attendance(
                session,
                person,
                method="organiser",
                acting_user=organiser,
                at=starts + dt.timedelta(minutes=5),
            )
    return created


def ensure_history(ctx, materials) -> None:
    """Past study of the demo member and a few colleagues (points included)."""
    member = ctx.people["member"]
    now = timezone.now()
    for days, material in zip((9, 6, 2), materials[1:4], strict=False):
        actions.do_record_past_study(
            member, material, seconds=300, at=now - dt.timedelta(days=days)
        )
    colleagues = (
        Membership.objects.filter(
            organisation__name=BRANCH,
            role=Role.MEMBER,
            person__username__startswith="m",
        )
        .select_related("person")
        .order_by("person__username")[:6]
    )
    for index, membership in enumerate(colleagues):
        for material in materials[: index % 5 + 1]:
            actions.do_record_past_study(
                membership.person,
                material,
                seconds=240,
                at=now - dt.timedelta(days=index + 1),
            )


def ensure_spot_check(ctx, unit) -> None:
    if SpotCheck.objects.filter(organisation=unit).exists():
        return
    today = timezone.localdate()
    check = actions.check_create_spot_check(
        unit,
        title=f"{today.year} 年学习档案抽查",
        period_start=dt.date(today.year, 1, 1),
        period_end=today,
        percent=20,
        seed=20221016,
        acting_user=ctx.people["admin"],
    )
    first = check.items.order_by("pk").first()
    if first:
        actions.check_record_spot_result(
            first, "pass", "档案完整", acting_user=ctx.people["admin"]
        )


def ensure_scheme() -> AssessmentScheme:
    year = timezone.localdate().year
    scheme, created = AssessmentScheme.objects.get_or_create(
        year=year, defaults={"name": f"{year} 年度党员学习量化考核"}
    )
    if created:
        for order, (kind, weight, target) in enumerate(
            [
                (Indicator.Kind.POINTS, 30, 100),
                (Indicator.Kind.PLAN_COMPLETION, 30, 100),
                (Indicator.Kind.SESSIONS, 15, 6),
                (Indicator.Kind.QUIZ_AVERAGE, 15, 100),
                (Indicator.Kind.SPOT_CHECK, 10, 60),
            ]
        ):
            Indicator.objects.create(
                scheme=scheme,
                kind=kind,
                weight=Decimal(weight),
                target=Decimal(target),
                sort_order=order,
            )
    return scheme


def load(ctx: DemoContext) -> str:
    home = home_page()
    if home is None:
        return "跳过（没有首页）"
    unit = ctx.units[UNIT]
    branch = ctx.units[BRANCH]
    admin = ctx.people["admin"]
    column = actions.do_ensure_column(home)
    section = actions.do_ensure_section(unit, column)
    outsider_unit = ctx.units.get("市公安局")
    if outsider_unit is not None:
        actions.do_ensure_section(outsider_unit, column)
    fresh = not MaterialPage.objects.exists()
    materials = ensure_materials(ctx, section, admin)
    video = ensure_video(section, admin, unit)
    plan = ensure_plan(unit, materials, video)
    ensure_guide(section, admin, plan)
    sessions = ensure_sessions(ctx, branch)
    # The reminder pass, as it runs on the morning three days before the
    # plan's deadline and today (notices of the coming sessions).
    morning = dt.datetime.combine(
        plan.deadline - dt.timedelta(days=3),
        dt.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    notices.remind_plan_deadlines(morning)
    notices.remind_sessions(timezone.now())
    if fresh:
        ensure_history(ctx, materials)
    ensure_spot_check(ctx, unit)
    scheme = ensure_scheme()
    if fresh:
        do_run_assessment(scheme, acting_user=admin)
    return (
        f"{len(materials)} 篇文章、1 个视频、1 份辅导材料，学习计划《{plan.title}》，"
        f"新增学习会 {sessions} 次，考核方案 {scheme.year}"
    )
