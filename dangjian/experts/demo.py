"""Demo content: policy domains, a dozen experts across the demo units, and
enterprise questions in every state.

The questions come from real policy Q&A (``policy_qa_covid/qa_pairs.jsonl``,
its ``question`` and ``answer`` fields); without the data set a few questions
written for this project are used. Everything goes through the app's actions,
with notifications suppressed, and is keyed so that a second run adds nothing.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum.cn import uscc

from dangjian.experts.actions import (
    check_answer_question,
    check_rate_question,
    do_save_expert,
    do_submit_question,
    escalate_overdue,
    notifications_suppressed,
)
from dangjian.experts.models import Expert, PolicyDomain, Question
from dangjian.experts.routing import split_keywords, terms_of
from dangjian.lib.demo import DEMO_PASSWORD, DemoContext

DOMAINS = [
    ("税费减免", "税 税收 增值税 所得税 个税 减免 免征 减征 延期 申报 纳税 发票 税务"),
    (
        "社保与就业",
        "社保 社会保险 养老保险 失业保险 稳岗 返还 就业 招聘 工资 用工 职工 劳动",
    ),
    ("金融信贷", "贷款 融资 信贷 贴息 银行 担保 利率 金融 还款 续贷 授信"),
    ("复工复产", "复工 复产 复业 防控 防疫 口罩 物资 生产 停产 开工 产能"),
    ("住房公积金", "公积金 住房公积金 缴存 提取 缓缴 贷款"),
    ("房租减免", "房租 租金 租赁 场租 国有 物业 减免 免收"),
    ("市场监管", "许可 执照 营业执照 登记 注册 价格 食品 药品 医疗器械 认证 检验"),
    ("交通物流", "运输 物流 通行 高速 货运 车辆 快递 司机"),
    ("商贸外贸", "展会 外贸 出口 进口 商贸 电商 消费 零售 餐饮 商场"),
    ("综合政策", "扶持 措施 补贴 奖励 纾困 中小企业 小微企业 营商环境"),
]

# name, preferred unit, title, domains, keywords, contact hours
EXPERTS = [
    (
        "王建华",
        "市税务局",
        "纳税服务科科长",
        ["税费减免"],
        "增值税 小规模纳税人 延期申报",
        "工作日 9:00-12:00",
    ),
    (
        "刘敏",
        "市税务局",
        "政策法规科副科长",
        ["税费减免"],
        "所得税 公益捐赠 扣除",
        "工作日 14:30-17:30",
    ),
    (
        "陈立新",
        "市人力资源和社会保障局",
        "就业促进科科长",
        ["社保与就业"],
        "稳岗返还 就业补贴 招聘",
        "工作日 9:00-17:00",
    ),
    (
        "赵雪梅",
        "市社会保险事业服务中心",
        "征缴科科长",
        ["社保与就业"],
        "社保缓缴 阶段性减免 医疗保险",
        "工作日 9:00-17:00",
    ),
    (
        "孙浩",
        "市财政局",
        "金融科科长",
        ["金融信贷"],
        "贴息 担保 专项再贷款",
        "工作日 9:00-17:00",
    ),
    (
        "周晓燕",
        "市发展和改革委员会",
        "经济运行科副科长",
        ["综合政策", "金融信贷"],
        "中小企业 纾困 专项资金",
        "工作日 9:00-17:00",
    ),
    (
        "吴刚",
        "市工业和信息化局",
        "运行监测科科长",
        ["复工复产"],
        "复工复产 防疫物资 产能",
        "工作日 8:30-17:30",
    ),
    (
        "郑丽",
        "市住房公积金管理中心",
        "归集科科长",
        ["住房公积金"],
        "缓缴 提取 贷款 逾期",
        "工作日 9:00-17:00",
    ),
    (
        "冯国强",
        "市国有资产监督管理委员会",
        "产权管理科科长",
        ["房租减免"],
        "国有房产 租金减免 中小微企业",
        "工作日 9:00-17:00",
    ),
    (
        "何静",
        "市市场监督管理局",
        "登记注册科科长",
        ["市场监管"],
        "营业执照 食品经营 许可 价格",
        "工作日 9:00-17:00",
    ),
    (
        "马骏",
        "市交通运输局",
        "运输管理科科长",
        ["交通物流"],
        "货车 通行证 物流 高速",
        "工作日 9:00-17:00",
    ),
    (
        "林芳",
        "市商务局",
        "商贸流通科科长",
        ["商贸外贸", "房租减免"],
        "展会 外贸 消费券 餐饮",
        "工作日 9:00-17:00",
    ),
]

COMPANIES = [
    "乌海市恒达建材有限公司",
    "海勃湾区鑫源商贸有限公司",
    "乌达区宏远物流有限公司",
    "海南区瑞丰化工有限责任公司",
    "乌海市新创科技有限公司",
    "乌海市黄河湾餐饮管理有限公司",
    "乌海市佳和物业服务有限公司",
    "乌海市金沙湾旅游开发有限公司",
    "乌海市惠民医药连锁有限公司",
    "乌海市诚信汽车运输有限公司",
    "乌海市绿源农牧科技有限公司",
    "乌海市博文教育咨询有限公司",
]
CONTACTS = [
    "张伟",
    "李娜",
    "王磊",
    "刘洋",
    "陈静",
    "杨帆",
    "赵敏",
    "黄勇",
    "周婷",
    "吴强",
]

# Used when the real data set is absent; written for this project.
BUILTIN_QA = [
    (
        "我公司是小规模纳税人，受疫情影响上季度收入大幅下降，增值税能否减免？需要办理什么手续？",
        "小规模纳税人适用3%征收率的应税销售收入，阶段性减按1%征收；无需额外申请，申报时在申报表相应栏次填写即可享受。",
    ),
    (
        "企业没有裁员，听说可以申请稳岗返还，返还比例是多少，去哪里申请？",
        "不裁员或少裁员的参保企业可申请稳岗返还，中小微企业返还比例最高可达上年度实际缴纳失业保险费的90%，可通过人社部门网上服务大厅申请。",
    ),
    (
        "餐饮企业承租国有企业的门面房，房租能不能减免？",
        "承租国有企业经营性房产的服务业小微企业和个体工商户，可按规定减免租金，具体由出租方国有企业审核办理，请携带租赁合同与出租方联系。",
    ),
    (
        "公司资金周转困难，住房公积金可以缓缴吗？缓缴期间职工还能正常贷款吗？",
        "受疫情影响的企业可申请缓缴住房公积金，缓缴期间缴存时间连续计算，不影响职工正常提取和申请住房公积金贷款。",
    ),
    (
        "我们是防疫物资生产企业，扩大产能需要贷款，有没有贴息政策？",
        "列入重点保障名单的防疫物资生产企业，可申请专项再贷款支持，财政按实际贷款利率的50%给予贴息。",
    ),
    (
        "新开一家食品店，营业执照和食品经营许可可以一起网上办理吗？",
        "可以。通过政务服务网“一件事”专区同时申报营业执照和食品经营许可，材料齐全的当场或3个工作日内办结。",
    ),
    (
        "物流公司的货车跨区运输需要办理通行证吗？",
        "保障生产生活物资运输的货车，可通过交通运输部门申领重点物资运输车辆通行证，全程优先通行。",
    ),
    (
        "原定年内举办的展会因疫情暂停，参展的小微企业场租有补贴吗？",
        "年内继续举办且参展中小微企业占比超过一半的展会，可按实际场租的一定比例给予补助，请向商务部门申报。",
    ),
]

RATING_COMMENTS = [
    "答复及时，很清楚",
    "解决了我们的问题",
    "政策讲得很明白",
    "",
    "希望能再具体一些",
]


def _unit_for(ctx: DemoContext, preferred: str, index: int):
    units = ctx.units or {}
    if preferred in units:
        return units[preferred]
    fallback = sorted(
        (org for org in units.values() if not org.is_branch and org.depth > 1),
        key=lambda org: org.path,
    )
    return fallback[index % len(fallback)]


def _domains() -> dict[str, PolicyDomain]:
    found = {}
    for order, (name, keywords) in enumerate(DOMAINS, start=1):
        domain, _created = PolicyDomain.objects.get_or_create(
            name=name, defaults={"keywords": keywords, "sort_order": order * 10}
        )
        found[name] = domain
    return found


def _demo_password_hash(ctx: DemoContext) -> str:
    someone = next(iter(ctx.people.values()), None)
    if someone is not None and someone.check_password(DEMO_PASSWORD):
        return someone.password
    return make_password(DEMO_PASSWORD)


def _experts(ctx: DemoContext, domains: dict) -> list[Expert]:
    Person = get_user_model()
    password = None
    experts = []
    for index, (name, unit_name, title, domain_names, keywords, hours) in enumerate(
        EXPERTS
    ):
        unit = _unit_for(ctx, unit_name, index)
        expert = Expert.objects.filter(unit=unit, name=name).first()
        if expert is None:
            username = "expert" if index == 0 else f"expert{index + 1:02d}"
            # The demo logins share one password; reuse its hash, because
            # hashing is deliberately slow.
            password = password or _demo_password_hash(ctx)
            person, _created = Person.objects.get_or_create(
                username=username, defaults={"name": name, "password": password}
            )
            expert = do_save_expert(
                Expert(
                    name=name,
                    unit=unit,
                    title=title,
                    person=person,
                    keywords=keywords,
                    contact_hours=hours,
                    phone=f"0473-{3100000 + index * 1117}",
                ),
                [domains[d] for d in domain_names],
            )
        experts.append(expert)
    return experts


def _read_qa(ctx: DemoContext, domains: dict, count: int) -> list[tuple]:
    """(question, answer, domain) triples, a few per domain so every domain shows."""
    path = ctx.data_file("policy_qa_covid/qa_pairs.jsonl")
    if path is None:
        return [(q, a, _guess_domain(q, domains)) for q, a in BUILTIN_QA]
    per_domain = max(1, count // len(DOMAINS) + 1)
    taken: dict[str, int] = {}
    triples = []
    with path.open(encoding="utf-8") as handle:
        for line in islice(handle, 3000):
            row = json.loads(line)
            question, answer = row.get("question", ""), row.get("answer", "")
            # Enterprise-style questions with an answer worth reading.
            if len(question) < 12 or len(answer) < 30 or "企业" not in question:
                continue
            domain = _guess_domain(question, domains, fallback=False)
            if domain is None or taken.get(domain.name, 0) >= per_domain:
                continue
            taken[domain.name] = taken.get(domain.name, 0) + 1
            triples.append((question, answer, domain))
            if len(triples) >= count:
                break
    return triples or [(q, a, _guess_domain(q, domains)) for q, a in BUILTIN_QA]


def _guess_domain(text: str, domains: dict, fallback: bool = True):
    """The domain an enterprise would most likely pick for this text."""
    words = terms_of(text)
    best, best_score = None, 0
    for name, keywords in DOMAINS:
        score = sum(
            1
            for k in split_keywords(keywords)
            if k in words or (len(k) > 1 and k in text)
        )
        if score > best_score:
            best, best_score = name, score
    if best is None:
        return domains["综合政策"] if fallback else None
    return domains[best]


def _credit_code(rng: random.Random) -> str:
    body = "9115030" + "".join(rng.choice("0123456789") for _ in range(3))
    body += "MA0" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(4)
    )
    return body + uscc.calc_check_digit(body)


def load(ctx: DemoContext) -> str:
    domains = _domains()
    experts = _experts(ctx, domains)
    pairs = _read_qa(ctx, domains, 36)
    rng = random.Random(20200301)
    now = timezone.now()
    created = 0
    with notifications_suppressed():
        for index, (text, answer, domain) in enumerate(pairs):
            # Spread over the last 90 days, oldest first, so that the monthly
            # figures have several months.
            submitted = now - timedelta(
                hours=(len(pairs) - index) * 60 + rng.randint(0, 40)
            )
            company = COMPANIES[index % len(COMPANIES)]
            credit_code = _credit_code(rng) if index % 3 == 0 else ""
            key = f"demo-{index:03d}"
            # Loaded before: a key replays only for identical content, and the
            # random draws of a second run differ from the first's.
            if Question.objects.filter(submission_key=key).exists():
                continue
            question, is_new = do_submit_question(
                company_name=company,
                credit_code=credit_code,
                contact_name=CONTACTS[index % len(CONTACTS)],
                mobile=f"139{47300000 + index * 7919:08d}"[:11],
                email=f"contact{index}@example.com" if index % 2 == 0 else "",
                domain=domain,
                text=text,
                submission_key=key,
                now=submitted,
            )
            if not is_new:
                continue
            created += 1
            # The newest few stay open; one in six older ones is left
            # unanswered so that escalation has something to do.
            fate = "open" if index >= len(pairs) - 4 or index % 6 == 5 else "answer"
            if fate == "answer" and question.expert and question.expert.person:
                delay = timedelta(hours=rng.choice([2, 5, 20, 30, 44, 70]))
                answered_at = min(submitted + delay, now)
                check_answer_question(
                    question,
                    answer,
                    acting_user=question.expert.person,
                    now=answered_at,
                )
                if index % 4 != 3:
                    check_rate_question(
                        question,
                        rng.choice([5, 5, 4, 4, 3]),
                        rng.choice(RATING_COMMENTS),
                        now=answered_at + timedelta(hours=3),
                    )
        escalated = escalate_overdue(now)
    ctx.logins.append(("expert", f"政策专员（{experts[0].unit.name}）"))
    total = Question.objects.count()
    return (
        f"{len(domains)} 个政策领域，{len(experts)} 名专员，"
        f"{total} 个企业问题（新增 {created}，督办 {len(escalated)}）"
    )
