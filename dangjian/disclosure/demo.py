"""Demo disclosure items in every state, driven through the real workflow.

Bodies are paragraphs of the report to the 20th Party Congress
(``report20/paragraphs.jsonl``), read from the shared data folder, or the
short built-in texts below when it is absent. Titles are the project's own.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TypedDict
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import escape

from dangjian.disclosure import actions
from dangjian.disclosure.models import (
    DisclosureAttachment,
    DisclosureCategory,
    DisclosureItemPage,
    DisclosureSectionPage,
    PressConference,
    ReleasePlan,
    ReleaseRecord,
)
from dangjian.disclosure.search import INDEX, feed_all
from dangjian.lib.demo import DemoContext
from dangjian.lib.demo_files import demo_document
from dangjian.lib.site import home_page
from dangjian.orgs.models import Organisation
from dangjian.search import get_index

SHANGHAI = ZoneInfo("Asia/Shanghai")

BUILTIN_PARAGRAPHS = [
    "全面从严治党永远在路上，党的自我革命永远在路上。各级党组织要坚持以党的政治建设为统领，"
    "把严的基调、严的措施、严的氛围长期坚持下去。",
    "坚持以人民为中心的发展思想，着力解决好人民群众急难愁盼问题，"
    "健全基本公共服务体系，提高公共服务水平。",
    "加强理论武装，推动学习贯彻往深里走、往心里走、往实里走，"
    "把学习成效转化为推动高质量发展的实际行动。",
    "坚持和加强党的全面领导，坚决维护党中央权威和集中统一领导，"
    "把党的领导落实到各领域各方面各环节。",
    "建设堪当民族复兴重任的高素质干部队伍，坚持新时代好干部标准，"
    "坚持德才兼备、以德为先、五湖四海、任人唯贤。",
    "锲而不舍落实中央八项规定精神，持续深化纠治“四风”，重点纠治形式主义、官僚主义。",
    "增强党组织政治功能和组织功能，坚持大抓基层的鲜明导向，"
    "把基层党组织建设成为有效实现党的领导的坚强战斗堡垒。",
    "推进文化自信自强，铸就社会主义文化新辉煌，广泛践行社会主义核心价值观。",
]

# Released items that go through the workflow in the demo (the others are imported).
THROUGH_WORKFLOW = {"d03", "d07", "d12"}

PROP = "市委宣传部"
PROP_BRANCH = "市委宣传部机关第一党支部"
POLICE = "市公安局"

# (slug, unit, title, category, scope, audience, descendants, state, extra)


class Extra(TypedDict, total=False):
    """What an item of ITEMS says beyond its columns."""

    days: int  # released this many days ago
    go_live_days: int  # scheduled this many days ahead
    method: str
    emergency: bool
    plan: tuple[str, str]  # (release plan title, period)
    interprets: str  # the slug of the item it interprets
    extra: str  # a paragraph added to the body (the scan's test cases)
    reason: str  # of a rejection or withdrawal
    note: str  # of a correction


# (slug, unit, title, category number, scope, audience units, include
# descendants, state, extra)
Item = tuple[str, str, str, int, str, list[str], bool, str, Extra]

ITEMS: list[Item] = [
    (
        "d01",
        PROP,
        "市委宣传部2026年度工作要点",
        1,
        "public",
        [],
        True,
        "released",
        {"days": 300},
    ),
    (
        "d02",
        PROP,
        "关于开展学习贯彻党的二十大精神专题研讨的通知",
        2,
        "internal",
        [PROP],
        True,
        "released",
        {"days": 200},
    ),
    (
        "d03",
        PROP,
        "市委宣传部机关第一党支部2026年第三季度党费收缴情况",
        9,
        "internal",
        [PROP_BRANCH],
        False,
        "released",
        {"days": 40},
    ),
    (
        "d04",
        PROP,
        "干部任前公示（2026年第5批）",
        5,
        "public",
        [],
        True,
        "released",
        {"days": 60, "method": "portal"},
    ),
    (
        "d05",
        PROP,
        "市委宣传部2025年度党风廉政建设责任制落实情况报告",
        6,
        "public",
        [],
        True,
        "released",
        {"days": 330},
    ),
    (
        "d06",
        PROP,
        "市委宣传部2026年9月工作动态",
        1,
        "public",
        [],
        True,
        "released",
        {"days": 52, "plan": ("月度工作动态", "2026-09")},
    ),
    (
        "d07",
        PROP,
        "市委宣传部2026年10月工作动态",
        1,
        "public",
        [],
        True,
        "released",
        {"days": 22, "plan": ("月度工作动态", "2026-10")},
    ),
    (
        "d08",
        PROP,
        "关于表彰2025年度优秀共产党员和优秀党务工作者的决定",
        8,
        "public",
        [],
        True,
        "released",
        {"days": 240},
    ),
    (
        "d09",
        PROP,
        "《市委宣传部2026年度工作要点》政策解读",
        11,
        "public",
        [],
        True,
        "released",
        {"days": 299, "interprets": "d01"},
    ),
    (
        "d10",
        PROP,
        "2026年第二季度理论学习中心组学习情况",
        2,
        "internal",
        [PROP],
        True,
        "released",
        {"days": 120},
    ),
    (
        "d11",
        PROP,
        "宣传部机关党委2026年度党员发展计划",
        10,
        "internal",
        [PROP],
        True,
        "released",
        {"days": 90},
    ),
    (
        "d12",
        PROP,
        "全市文化场所疫情防控新闻发布会（第12场）实录",
        12,
        "public",
        [],
        True,
        "released",
        {"days": 15, "method": "press", "emergency": True},
    ),
    (
        "d13",
        PROP,
        "关于调整部分干部职务的通知",
        4,
        "public",
        [],
        True,
        "withdrawn",
        {"days": 70, "reason": "文件依据已更新，待修订后重新发布。"},
    ),
    (
        "d14",
        PROP,
        "2026年上半年意识形态工作情况通报",
        1,
        "internal",
        [PROP],
        True,
        "corrected",
        {"days": 100, "note": "第二段数据有误，已按最新统计更正。"},
    ),
    (
        "d15",
        PROP,
        "市委宣传部2026年11月工作动态",
        1,
        "public",
        [],
        True,
        "draft",
        {"plan": ("月度工作动态", "2026-11")},
    ),
    (
        "d16",
        PROP,
        "关于2026年度民主评议党员工作的安排",
        2,
        "internal",
        [PROP],
        True,
        "in_review",
        {"extra": "联系人：王晓东，联系电话：13912345678。"},
    ),
    (
        "d17",
        PROP,
        "主题党日活动报名名单",
        2,
        "internal",
        [PROP_BRANCH],
        False,
        "in_review",
        {
            "extra": "报名人：张伟，身份证号：110101199003077571，家庭住址：海勃湾区滨河路18号3栋2单元501室。"
        },
    ),
    (
        "d18",
        PROP,
        "2026年第三季度党费使用情况说明",
        9,
        "internal",
        [PROP],
        True,
        "rejected",
        {"reason": "附表数据与财务台账不一致，请核对后重新提交。"},
    ),
    (
        "d19",
        PROP,
        "干部任前公示（2026年第6批）",
        5,
        "public",
        [],
        True,
        "scheduled",
        {"go_live_days": 3},
    ),
    (
        "d20",
        PROP,
        "市委宣传部关于网络意识形态工作的内部通报",
        6,
        "internal",
        [PROP],
        True,
        "draft",
        {},
    ),
    (
        # Passed 保密审查 (its flag judged publishable): waits for the approver.
        "d21",
        PROP,
        "2026年度市委宣传部优秀共产党员拟表彰名单公示",
        9,
        "public",
        [],
        True,
        "awaiting_approval",
        {"extra": "公示期间如有异议，请拨打监督电话：0471-3961234。"},
    ),
    (
        "p01",
        POLICE,
        "市公安局2026年度党建工作要点",
        1,
        "public",
        [],
        True,
        "released",
        {"days": 280},
    ),
    (
        "p02",
        POLICE,
        "市公安局机关党委关于2026年第三季度党费收缴情况的通报",
        9,
        "internal",
        [POLICE],
        True,
        "released",
        {"days": 35},
    ),
    (
        "p03",
        POLICE,
        "市公安局2025年度表彰先进集体和先进个人的决定",
        8,
        "public",
        [],
        True,
        "released",
        {"days": 360},
    ),
    (
        "p04",
        POLICE,
        "市公安局领导班子2025年度民主生活会情况通报",
        6,
        "public",
        [],
        True,
        "released",
        {"days": 400},
    ),
    (
        "p06",
        POLICE,
        "市公安局2026年第二季度纪律处分情况通报",
        7,
        "internal",
        [POLICE],
        True,
        "released",
        {"days": 130},
    ),
    (
        "p08",
        POLICE,
        "市公安局关于开展警示教育月活动的通知",
        6,
        "internal",
        [POLICE],
        True,
        "in_review",
        {},
    ),
    (
        "x01",
        "市住房公积金管理中心",
        "市住房公积金管理中心2026年度党建工作计划",
        1,
        "public",
        [],
        True,
        "released",
        {"days": 250},
    ),
    (
        "x02",
        "市住房公积金管理中心",
        "住房公积金中心党支部2026年上半年党费收缴情况",
        9,
        "internal",
        ["市住房公积金管理中心"],
        True,
        "released",
        {"days": 140},
    ),
    (
        "x05",
        "市民政局",
        "市民政局2026年度表彰优秀社区工作者的决定",
        8,
        "public",
        [],
        True,
        "released",
        {"days": 95},
    ),
]


# Attachments (small PDFs made on the spot), on 党内 items and one public item:
# slug -> (title, file name, paragraphs).
ATTACHMENTS = {
    "d01": (
        "市委宣传部2026年度工作要点（全文）",
        "gongzuo-yaodian-2026.pdf",
        [
            "一、坚持以学铸魂，深入学习贯彻党的二十大精神。",
            "二、坚持守正创新，做好新闻宣传和网络宣传工作。",
            "三、坚持固本培元，加强基层党组织建设。",
        ],
    ),
    "d02": (
        "专题研讨安排表",
        "zhuanti-yantao-anpai.pdf",
        [
            "第一阶段：个人自学，通读党的二十大报告原文。",
            "第二阶段：各党支部分别组织专题研讨，每名党员交流发言。",
            "第三阶段：部机关党委汇总研讨情况，形成学习报告。",
        ],
    ),
    "d03": (
        "第三季度党费收缴明细",
        "dangfei-2026q3.pdf",
        [
            "本支部应交党费党员全部按月足额交纳，无欠交情况。",
            "收缴党费已按规定全额上缴上级党委，收缴明细存支部备查。",
        ],
    ),
    "p02": (
        "市公安局机关党委党费收缴情况（附表）",
        "gongan-dangfei-2026q3.pdf",
        [
            "局机关各党支部第三季度党费均已按时收缴。",
            "各支部收缴情况经支部委员会核对，已报局机关党委备案。",
        ],
    ),
}


def _attachment(title: str, filename: str, paragraphs: list[str]):
    document = demo_document(title, filename, paragraphs)
    return DisclosureAttachment(document=document, caption=title)


def _paragraphs(ctx: DemoContext) -> list[str]:
    path = ctx.data_file("report20/paragraphs.jsonl")
    if path is None:
        return BUILTIN_PARAGRAPHS
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            text = json.loads(line).get("text", "")
            if len(text) >= 40:
                rows.append(text)
    return rows or BUILTIN_PARAGRAPHS


def _body(paragraphs: list[str], n: int, extra: str = "") -> str:
    chosen = [paragraphs[(n * 3 + i) % len(paragraphs)] for i in range(3)]
    if extra:
        chosen.insert(1, extra)
    return "".join(f"<p>{escape(p)}</p>" for p in chosen)


def _org(ctx: DemoContext, name: str) -> Organisation | None:
    return ctx.units.get(name) or Organisation.objects.filter(name=name).first()


def _plans(
    ctx: DemoContext, categories: dict[int, DisclosureCategory]
) -> dict[str, ReleasePlan]:
    unit = _org(ctx, PROP)
    owner = ctx.people.get("editor")
    plans: dict[str, ReleasePlan] = {}
    if unit is None or owner is None:
        return plans
    specs = [
        ("月度工作动态", ReleasePlan.Frequency.MONTHLY, 1, 10),
        ("干部任前公示汇总", ReleasePlan.Frequency.QUARTERLY, 5, 15),
        ("党费收缴情况", ReleasePlan.Frequency.QUARTERLY, 9, 20),
        ("年度党风廉政建设报告", ReleasePlan.Frequency.YEARLY, 6, 28),
    ]
    for title, frequency, category, due_day in specs:
        plan, _ = ReleasePlan.objects.get_or_create(
            organisation=unit,
            title=title,
            defaults={
                "category": categories[category],
                "frequency": frequency,
                "due_day": due_day,
                "owner": owner,
                "starts_on": dt.date(2026, 1, 1),
            },
        )
        plans[title] = plan
    return plans


def _act(page, people, *, reject_reason: str = ""):
    """Drives the current step of the workflow as that step's person."""
    task_state = actions.current_task_state(page)
    if task_state is None:
        return None
    task = task_state.task.specific
    role_user = people[task.role]
    if task.role == "reviewer":
        for flag in actions.pending_flags(page, task_state.revision):
            actions.do_decide_flag(
                flag,
                decision="redact" if reject_reason else "publishable",
                reason=reject_reason or "经核实为单位公开联系方式",
                acting_user=role_user,
            )
    actions.do_task_action(
        task_state,
        action="reject" if reject_reason else "approve",
        comment=reject_reason,
        acting_user=role_user,
    )
    return task_state


def load(ctx: DemoContext) -> str:
    home = home_page()
    if home is None:
        return "未找到首页，跳过"
    column = actions.do_ensure_column(home)
    # Sections for the units with demo content; ``manage.py
    # ensure_disclosure_sections`` gives every other unit its section.
    names = {spec[1] for spec in ITEMS}
    for named in filter(None, (_org(ctx, name) for name in sorted(names))):
        actions.do_ensure_section(named, column)
    existing = set(
        DisclosureItemPage.objects.filter(slug__in=[s[0] for s in ITEMS]).values_list(
            "slug", flat=True
        )
    )
    categories = {
        i + 1: c
        for i, c in enumerate(DisclosureCategory.objects.order_by("sort_order"))
    }
    plans = _plans(ctx, categories)
    paragraphs = _paragraphs(ctx)
    admin = ctx.people.get("admin")
    prop_people = {
        "editor": ctx.people.get("editor"),
        "reviewer": ctx.people.get("reviewer"),
        "approver": ctx.people.get("approver"),
    }
    created = 0
    now = timezone.now()
    by_slug = {
        p.slug: p
        for p in DisclosureItemPage.objects.filter(slug__in=[s[0] for s in ITEMS])
    }
    for n, (
        slug,
        unit_name,
        title,
        cat,
        scope,
        audience,
        desc,
        state,
        extra,
    ) in enumerate(ITEMS):
        if slug in existing:
            continue
        unit = _org(ctx, unit_name)
        if unit is None or admin is None:
            continue
        section = actions.do_ensure_section(unit, column)
        people = (
            prop_people
            if unit_name == PROP and all(prop_people.values())
            else {"editor": admin, "reviewer": admin, "approver": admin}
        )
        plan = plans.get(extra["plan"][0]) if "plan" in extra else None
        go_live = None
        if state == "scheduled":
            day = timezone.localdate() + dt.timedelta(days=extra["go_live_days"])
            go_live = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)
        page = DisclosureItemPage(
            title=title,
            slug=slug,
            subject_unit=unit,
            category=categories[cat],
            summary=title + "。",
            body=_body(paragraphs, n, extra.get("extra", "")),
            scope=scope,
            include_descendants=desc,
            method=extra.get("method", "portal"),
            is_emergency=extra.get("emergency", False),
            release_plan=plan,
            plan_period=extra["plan"][1] if plan else "",
            go_live_at=go_live,
            interprets=by_slug.get(extra.get("interprets", "")),
            live=False,
            owner=people["editor"],
        )
        page.audience = [o for o in (_org(ctx, a) for a in audience) if o]
        if slug in ATTACHMENTS:
            page.attachments = [_attachment(*ATTACHMENTS[slug])]
        if state == "released" and slug not in THROUGH_WORKFLOW:
            # Earlier items come from the units' previous sites, as an archive;
            # the recent ones below went through this platform's workflow.
            released = now - dt.timedelta(days=extra["days"], hours=n % 7)
            actions.do_import_released_item(
                section, page, released_at=released, acting_user=admin
            )
            by_slug[slug] = page
            created += 1
            continue
        section.add_child(instance=page)
        page.save_revision(user=people["editor"])
        created += 1
        by_slug[slug] = page
        if state == "draft":
            continue
        actions.do_submit_item(page, acting_user=people["editor"])
        if state == "in_review":
            continue
        if state == "rejected":
            _act(page, people, reject_reason=extra["reason"])
            continue
        if state == "awaiting_approval":
            _act(page, people)  # 保密审查 passes; 单位审批 waits
            continue
        _act(page, people)  # 保密审查
        _act(page, people)  # 审批 → release (or schedule)
        if state == "scheduled":
            continue
        released = now - dt.timedelta(days=extra.get("days", 1), hours=n % 7)
        DisclosureItemPage.objects.filter(pk=page.pk).update(
            first_published_at=released, last_published_at=released
        )
        ReleaseRecord.objects.filter(page=page).update(released_at=released)
        if state == "withdrawn":
            actions.do_withdraw_item(
                page, reason=extra["reason"], acting_user=people["approver"]
            )
        elif state == "corrected":
            page = DisclosureItemPage.objects.get(pk=page.pk)
            page.body = page.body.replace("</p>", "（已更正）</p>", 1)
            page.correction_note = extra["note"]
            page.save_revision(user=people["editor"])
            actions.do_submit_item(page, acting_user=people["editor"])
            _act(page, people)
            _act(page, people)
    actions.bump_generation()

    get_index(INDEX).rebuild(feed_all())
    total = DisclosureItemPage.objects.count()
    released = DisclosureItemPage.objects.released().count()
    sections = DisclosureSectionPage.objects.count()
    press = _press_conferences(ctx)
    return (
        f"公开事项 {total} 条（新增 {created}，已发布 {released}），"
        f"单位专栏 {sections} 个，新闻发布会 {press} 场"
    )


PRESS = [
    (
        "全市基层党建工作新闻发布会",
        45,
        "市委组织部新闻发布厅",
        "介绍全市基层党组织标准化规范化建设进展，发布党务公开年度目录。",
        "李明｜市委组织部副部长\n王芳｜市委宣传部新闻发言人",
    ),
    (
        "“晒党建、晒成绩”活动情况新闻发布会",
        12,
        "市新闻中心",
        "通报“晒党建、晒成绩”评选活动安排与投票规则，回答记者提问。",
        "王芳｜市委宣传部新闻发言人",
    ),
]


def _press_conferences(ctx: DemoContext) -> int:
    """Two published press conference records, linked to public demo items."""
    host = (
        Organisation.objects.filter(name__contains="宣传部").order_by("depth").first()
        or Organisation.objects.order_by("depth").first()
    )
    if host is None:
        return 0
    others = list(
        Organisation.objects.filter(depth=2).exclude(pk=host.pk).order_by("path")[:2]
    )
    related = list(
        DisclosureItemPage.objects.public().order_by("-first_published_at")[:6]
    )
    now = timezone.now()
    for n, (title, days_ago, venue, summary, speakers) in enumerate(PRESS):
        if PressConference.objects.filter(title=title).exists():
            continue
        conference = PressConference(
            title=title,
            held_at=now - dt.timedelta(days=days_ago),
            venue=venue,
            host_unit=host,
            summary=summary,
            speakers=speakers,
            transcript=_body(BUILTIN_PARAGRAPHS, 4),
        )
        conference.units = others
        conference.related_items = related[n * 3 : n * 3 + 3]
        conference.save()
        conference.save_revision(user=ctx.people.get("admin")).publish(
            user=ctx.people.get("admin")
        )
    return PressConference.objects.count()
