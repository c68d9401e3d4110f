"""The demo's hotline: the ``operator`` login (a 话务员 of the city's 12345
centre), dispatch rules from the data set's domains to the city's units, a
classifier trained on the real citizen messages, and a few hundred tickets
from those messages in every state over the last month (``importer``)."""

from __future__ import annotations

import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dangjian.lib.demo import DEMO_PASSWORD, DemoContext
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.demo import ensure_person
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.roles import sync_person_groups
from dangjian.tickets import actions
from dangjian.tickets.classifier import Example, read_messages, train
from dangjian.tickets.importer import import_history, rule_units
from dangjian.tickets.models import DispatchModel, DispatchRule, Status, Ticket
from dangjian.tickets.operators import do_make_operator
from dangjian.tickets.routing import store

CENTRE = "市12345政务服务便民热线中心"
DEMO_TICKETS = 300

# The data set's domains → the demo city's units.
DOMAIN_RULES = {
    "城建": "市住房和城乡建设局",
    "交通": "市交通运输局",
    "教育": "市教育局",
    "政务": "市政务服务与数据管理局",
    "企业": "市市场监督管理局",
    "治安": "市公安局",
    "环保": "市生态环境局",
    "就业": "市人力资源和社会保障局",
    "医疗": "市卫生健康委员会",
    "三农": "市农牧局",
    "文娱": "市文化旅游体育局",
    "旅游": "市文化旅游体育局",
    "金融": "市财政局",
}
# Keywords that name the unit better than the domain does.
KEYWORD_RULES = {
    "公积金": "市住房公积金管理中心",
    "燃气,煤气,天然气": "市燃气公司",
    "暖气,供暖,供热": "市热力公司",
    "停水,自来水,水压": "市供水公司",
    "停电,电费,供电": "市供电公司",
    "公交车,公交线路,公交站": "市公交公司",
    "医保": "市医疗保障局",
    "社保,养老保险": "市社会保险事业服务中心",
    "交警,违章,驾驶证,驾照": "市公安局交通管理支队",
    "不动产,房产证": "市不动产登记中心",
}

# Without the real data set: a handful of messages so the console still works.
BUILTIN = [
    ("小区{n}号楼房屋漏水，物业一直不维修", "城建", "投诉/求助"),
    ("老旧小区{n}加装电梯怎么申请", "城建", "咨询"),
    ("建议在{n}路口增设红绿灯", "交通", "建言"),
    ("{n}路公交车经常不按时到站", "交通", "投诉/求助"),
    ("孩子{n}岁，幼儿园插班怎么办理", "教育", "咨询"),
    ("建议学校{n}延长课后服务时间", "教育", "建言"),
    ("晚上{n}点有人在街上打架", "治安", "投诉/求助"),
    ("小区{n}门口电动车被盗", "治安", "投诉/求助"),
    ("工厂{n}夜间排放废气刺鼻", "环保", "投诉/求助"),
    ("失业{n}个月，失业金怎么领取", "就业", "咨询"),
]


def _builtin() -> list[Example]:
    return [
        Example(text.format(n=n), domain, kind)
        for text, domain, kind in BUILTIN
        for n in range(1, 25)
    ]


def ensure_rules() -> int:
    made = 0
    for domain, unit in rule_units(DOMAIN_RULES).items():
        _rule, created = DispatchRule.objects.get_or_create(
            domain=domain, keywords="", defaults={"unit": unit}
        )
        made += created
    for keywords, unit in rule_units(KEYWORD_RULES).items():
        _rule, created = DispatchRule.objects.get_or_create(
            keywords=keywords, defaults={"unit": unit, "priority": 5}
        )
        made += created
    return made


def _handlers(password_hash: str) -> Any:
    """One handler (承办人, an editor) per unit, made when first needed;
    ``chengban`` handles for 市住房和城乡建设局."""
    cache: dict[int, Any] = {}

    def handler_for(unit: Organisation) -> Any:
        if unit.pk not in cache:
            username = (
                "chengban" if unit.name == DOMAIN_RULES["城建"] else f"cb{unit.pk:04d}"
            )
            person = ensure_person(username, f"{unit.name}承办人", password_hash)
            do_grant_role(person, unit, Role.EDITOR)
            sync_person_groups(person)
            cache[unit.pk] = person
        return cache[unit.pk]

    return handler_for


def load(ctx: DemoContext) -> str:
    password_hash = make_password(DEMO_PASSWORD)
    operator = ensure_person("operator", "12345话务员", password_hash)
    centre = Organisation.objects.filter(name=CENTRE).first()
    if centre is not None:
        do_grant_role(operator, centre, Role.MEMBER)
    do_make_operator(operator)
    ctx.logins.append(("operator", "12345 热线话务员：受理、派单、回访"))
    rules = ensure_rules()
    handler_for = _handlers(password_hash)
    if rule_units({"城建": DOMAIN_RULES["城建"]}):
        handler_for(rule_units({"城建": DOMAIN_RULES["城建"]})["城建"])
        ctx.logins.append(("chengban", "市住房和城乡建设局 承办人：签收、答复工单"))

    path = ctx.data_file("hotline_kb_bj/messages.jsonl")
    rows = read_messages(path) if path else _builtin()
    source = "真实留言" if path else "自带示例"
    if not DispatchModel.objects.exists():
        trained = train(rows)
        store(trained)
    if Ticket.objects.exists():
        return f"派单规则 {rules} 条（新增），已有工单，跳过"
    sample = random.Random(19).sample(rows, min(DEMO_TICKETS, len(rows)))
    summary = import_history(
        sample, operator=operator, handler_for=handler_for, now=timezone.now()
    )
    escalated = actions.escalate_overdue()
    states = "，".join(
        f"{Status(k).label} {v}" for k, v in sorted(summary.by_status.items())
    )
    return (
        f"派单规则新增 {rules} 条；{source}工单 {summary.created} 件（{states}），"
        f"督办 {escalated} 件"
    )
