"""Demo content: the Beijing government-service Q&A knowledge base, and a
search log replayed from its labelled queries and citizen messages."""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

from dangjian.kb.actions import import_file
from dangjian.kb.models import Entry, SearchLog, UnitReviewTask
from dangjian.kb.search import kb_index
from dangjian.kb.searchlog import normalized_query
from dangjian.orgs.models import Organisation

BUILTIN = "demo_entries.jsonl"
FALLBACK = "市12345政务服务便民热线中心"

# Departments of the Beijing data set → the demo city's units, by keyword.
DEPARTMENT_RULES = [
    ("交通管理", "市公安局交通管理支队"),
    ("交管", "市公安局交通管理支队"),
    ("公积金", "市住房公积金管理中心"),
    ("应急", "市应急管理局"),
    ("规划", "市自然资源局"),
    ("自然资源", "市自然资源局"),
    ("体育", "市文化旅游体育局"),
    ("文物", "市文化旅游体育局"),
    ("人力资源", "市人力资源和社会保障局"),
    ("科委", "市科学技术局"),
    ("交通委", "市交通运输局"),
    ("医保", "市医疗保障局"),
    ("医疗保障", "市医疗保障局"),
    ("城管", "市城市管理综合执法局"),
    ("城市管理", "市住房和城乡建设局"),
    ("金融", "市财政局"),
    ("药监", "市市场监督管理局"),
    ("经济和信息化", "市工业和信息化局"),
    ("计划生育", "市卫生健康委员会"),
    ("卫生", "市卫生健康委员会"),
    ("民政", "市民政局"),
]


# What an entry is about → the demo city's unit that owns that subject, by
# keywords of its question (first match wins: the specific before the
# general). The Beijing department that wrote the answer comes second: a
# 公积金 answer collected by the portal team is the housing fund centre's.
SUBJECT_RULES = [
    (("公积金",), "市住房公积金管理中心"),
    (("医保", "医疗保障", "门诊", "异地就医", "住院报销", "医疗费"), "市医疗保障局"),
    (
        ("社保卡", "社会保障卡", "养老保险", "养老金", "社会保险"),
        "市社会保险事业服务中心",
    ),
    (("失业", "就业", "工伤", "职称", "劳动合同", "人才"), "市人力资源和社会保障局"),
    (
        (
            "驾驶证",
            "驾照",
            "机动车",
            "交通违法",
            "违章",
            "进京证",
            "限行",
            "号牌",
            "车牌",
        ),
        "市公安局交通管理支队",
    ),
    (
        ("养犬", "户口", "户籍", "居住证", "身份证", "出入境", "护照", "签证"),
        "市公安局",
    ),
    (("不动产", "房产证", "房本"), "市不动产登记中心"),
    (("纳税", "个税", "所得税", "增值税", "发票", "加计扣除", "税务"), "市税务局"),
    (("营业执照", "市场主体", "食品", "药品", "药店", "商标"), "市市场监督管理局"),
    (("消防", "火灾"), "市消防救援支队"),
    (
        (
            "地震",
            "防汛",
            "洪水",
            "暴雨",
            "暴雪",
            "大风",
            "雷电",
            "雾霾",
            "逃生",
            "急救",
            "自救",
            "煤气",
            "应急",
        ),
        "市应急管理局",
    ),
    (("公交", "地铁", "出租车", "网约车", "客运"), "市交通运输局"),
    (
        ("低保", "最低生活保障", "救助", "婚姻", "殡葬", "社会组织", "养老服务"),
        "市民政局",
    ),
    (("入学", "学校", "学籍", "教育", "招生"), "市教育局"),
    (
        ("健康宝", "疫情", "核酸", "疫苗", "医院", "卫生", "计划生育"),
        "市卫生健康委员会",
    ),
    (("高新技术", "科技", "研发", "技术合同", "创新中心"), "市科学技术局"),
    (("垃圾", "城管", "占道", "违建"), "市城市管理综合执法局"),
    (("规划", "土地", "测绘"), "市自然资源局"),
    (("文物", "体育", "旅游", "博物馆", "健身"), "市文化旅游体育局"),
    (("残疾",), "市残疾人联合会"),
    (("退役军人",), "市退役军人事务局"),
    (("公租房", "保障房", "物业", "住房"), "市住房和城乡建设局"),
    (("污染", "噪声", "排污", "环境"), "市生态环境局"),
]


def subject_unit(text: str) -> str:
    """The unit that owns the subject of a question, or "" when none fits."""
    for keywords, unit_name in SUBJECT_RULES:
        if any(k in text for k in keywords):
            return unit_name
    return ""


def owner_resolver():
    units = {o.name: o for o in Organisation.objects.maintaining_kb()}
    fallback = units.get(FALLBACK) or next(iter(units.values()), None)

    def resolve(department: str):
        if department in units:
            return units[department]
        for keyword, unit_name in DEPARTMENT_RULES:
            if keyword in (department or "") and unit_name in units:
                return units[unit_name]
        return fallback

    return resolve


def real_rows(path) -> bytes:
    """The data set's rows in the importer's shape (ids kept for re-import)."""
    today = timezone.localdate()
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        if not raw["body"].strip():
            continue  # a question without an answer is not an entry
        title = raw["title"] or raw["body"][:60]
        row = {
            "external_id": raw["id"],
            # Some "titles" are whole letters: keep them as the question.
            "matter": title if len(title) <= 80 else title[:78] + "…",
            "question": title if len(title) > 80 else "",
            "answer": raw["body"],
            "owner": subject_unit(title) or raw.get("department") or "",
            "category": raw.get("question_type") or raw.get("source_sheet") or "",
            "keywords": "，".join(raw.get("keywords") or []),
        }
        # A few of the housing-fund centre's entries near expiry, two expired,
        # so the near-expiry list has something to show.
        if "公积金" in row["owner"] and n % 20 == 0:  # the fund centre's
            row["valid_until"] = str(today + datetime.timedelta(days=5 + n % 25))
        out.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(out).encode()


def load(ctx) -> str:
    admin = ctx.people["admin"]
    path = ctx.data_file("hotline_kb_bj/kb.jsonl")
    if path is not None:
        name, data = "hotline_kb_bj/kb.jsonl", real_rows(path)
    else:
        name = BUILTIN
        data = (Path(__file__).with_name(BUILTIN)).read_bytes()
    result = import_file(
        name,
        data,
        user=admin,
        resolve_owner=owner_resolver(),
        reindex=False,
        record_unchanged=False,
    )
    # Index once, from the database (visible inside this transaction); a
    # re-run that changed nothing keeps an index that already holds it all.
    index = kb_index()
    count = Entry.objects.searchable().count()
    if result.created or result.updated or index.count() != count:
        count = index.rebuild()
    logged = replay_search_log(ctx)
    ensure_review_workflow()
    return f"{result.created} 条新增、{result.updated} 条更新，索引 {count} 条，检索日志 {logged} 条"


def ensure_review_workflow():
    """Every change to an entry goes through its own unit's review before it is live."""
    workflow, _ = Workflow.objects.get_or_create(name="12345 知识条目审核")
    task = UnitReviewTask.objects.filter(name="本单位审核").first()
    if task is None:
        task = UnitReviewTask.objects.create(name="本单位审核")
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowContentType.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Entry),
        defaults={"workflow": workflow},
    )


def replay_search_log(ctx) -> int:
    """Searches of the last month, from the labelled queries and messages."""
    if SearchLog.objects.exists():
        return 0
    queries = []
    qpath = ctx.data_file("hotline_kb_bj/queries.jsonl")
    mpath = ctx.data_file("hotline_kb_bj/messages.jsonl")
    if qpath:
        queries += [
            json.loads(line)["query"]
            for line in qpath.read_text(encoding="utf-8").splitlines()
        ]
    if mpath:
        rng = random.Random(12345)
        messages = [
            json.loads(line)["text"]
            for line in mpath.read_text(encoding="utf-8").splitlines()
        ]
        queries += [
            m.replace("*", "")[:40]
            for m in rng.sample(messages, min(150, len(messages)))
        ]
    if not queries:
        queries = [
            "公积金提取",
            "暖气不热",
            "社保转移",
            "居住证",
            "失业金",
            "低保",
            "加装电梯",
            "门诊报销",
            "宠物狗办证",
            "宠物狗办证",
        ]
    index = kb_index()
    owners = dict(Entry.objects.values_list("pk", "owner_id"))
    now = timezone.now()
    rng = random.Random(7)
    logs = []
    for q in queries:
        res = index.search(q, limit=1, snippet_fields=[])
        top = int(res.hits[0].id) if res.hits else None
        # Popular questions repeat; more of them in the last week.
        h = int(hashlib.md5(q.encode()).hexdigest(), 16)
        repeats = 1 + h % 6
        for r in range(repeats):
            days = rng.random() * (6 if (h >> 8) % 3 == 0 else 30)
            logs.append(
                SearchLog(
                    query=q[:200],
                    normalized=normalized_query(q),
                    result_count=res.total,
                    channel=SearchLog.Channel.CONSOLE
                    if r % 2
                    else SearchLog.Channel.CITIZEN,
                    routed_unit_id=owners.get(top) if top else None,
                    clicked_entry_id=top if top and rng.random() < 0.6 else None,
                    created_at=now - datetime.timedelta(days=days),
                )
            )
    SearchLog.objects.bulk_create(logs, batch_size=1000)
    return len(logs)
