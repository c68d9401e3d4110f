"""Demo content: 海南区理论宣讲团 with past and upcoming events at a few practice
centres, and grid workers in several communities with a month of pushes,
the views their links brought, and door-to-door visits.

Everything goes through the app's actions and is seeded, so a run is
deterministic; a second run adds nothing. Without the real city (no 海南区)
the first district of the built-in city is used.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.lib.demo import DEMO_PASSWORD, DemoContext
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Person, Role
from dangjian.outreach.actions import (
    check_rate_event,
    do_log_visit,
    do_push_item,
    grid_views,
    public_item,
    record_grid_view,
    share_link,
    shareable_items,
)
from dangjian.outreach.identity import keyed_hash
from dangjian.outreach.models import (
    Event,
    Grid,
    GridWorker,
    Lecturer,
    LectureTeam,
    ResidentQuestion,
    Venue,
)

TOPICS = [
    ("学习贯彻党的二十大精神", Event.Format.LECTURE),
    ("中国式现代化的乌海实践", Event.Format.LECTURE_ARTS),
    ("铸牢中华民族共同体意识", Event.Format.LECTURE_ARTS),
    ("乡村振兴政策百姓谈", Event.Format.QA),
    ("基层治理与网格服务", Event.Format.SEMINAR),
    ("法治乌海·民法典进万家", Event.Format.QA),
    ("生态优先、绿色发展", Event.Format.LECTURE),
    ("医保与养老保险政策解读", Event.Format.QA),
    ("红色家风故事会", Event.Format.LECTURE_ARTS),
    ("党的创新理论进万家", Event.Format.LECTURE),
]
QUESTIONS = [
    ("城乡居民医保今年什么时候缴费？", "每年9月至12月集中缴费，可在社区或线上办理。"),
    ("老人在家门口能享受哪些养老服务？", "社区日间照料中心提供助餐、助浴和健康咨询。"),
    ("村里的人居环境整治还有补贴吗？", "按区里的实施方案，验收合格后按户给予奖补。"),
]
COMMUNITIES = ["兴隆社区", "红旗社区", "公乌素社区", "团结社区", "民主社区", "友谊社区"]
VISIT_TOPICS = ["医保缴费政策", "防范电信诈骗", "养老服务", "垃圾分类", "就业帮扶"]


def _district(ctx: DemoContext) -> Organisation | None:
    wanted = ctx.units.get("海南区") if ctx.units else None
    if wanted is not None:
        return wanted
    return (
        Organisation.objects.filter(name="海南区").first()
        or Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).first()
    )


def _person(username: str, name: str, password: str) -> Person:
    person, _created = Person.objects.get_or_create(
        username=username, defaults={"name": name, "password": password}
    )
    return person


def load(ctx: DemoContext) -> str:
    district = _district(ctx)
    if district is None:
        return "没有区级组织，跳过"
    team_name = f"{district.name}理论宣讲团"
    if LectureTeam.objects.filter(unit=district, name=team_name).exists():
        return "已载入"
    rng = random.Random(20221016)
    password = make_password(DEMO_PASSWORD)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    subdistricts = list(
        district.get_children().filter(kind=Organisation.Kind.SUBDISTRICT)
    ) or [district]

    admin = _person("xuanjiang", f"{district.name}宣传干事", password)
    do_grant_role(admin, district, Role.UNIT_ADMIN)
    ctx.logins.append(("xuanjiang", f"{district.name}单位管理员：宣讲与网格统计"))

    team = LectureTeam.objects.create(
        unit=district,
        name=team_name,
        description="由党员干部、理论骨干和文艺志愿者组成，深入社区、村和公园开展理论宣讲。",
    )
    Lecturer.objects.create(team=team, person=admin, title="宣讲团秘书长")
    for name, phone, title in (
        ("李文华", "13904730001", "区委党校讲师"),
        ("高晓燕", "13904730002", "文艺志愿者"),
        ("张建军", "13904730003", "老党员志愿者"),
    ):
        Lecturer.objects.create(team=team, name=name, phone=phone, title=title)

    venues = [
        Venue.objects.create(
            unit=district,
            district=district,
            kind=Venue.Kind.CENTRE,
            name=f"{district.name}新时代文明实践中心",
        )
    ]
    for sub in subdistricts[:3]:
        venues.append(
            Venue.objects.create(
                unit=district,
                district=district,
                kind=Venue.Kind.INSTITUTE,
                name=f"{sub.name}新时代文明实践所",
            )
        )
    venues.append(
        Venue.objects.create(
            unit=district,
            district=district,
            kind=Venue.Kind.PARK,
            name=f"{district.name}人民公园",
        )
    )

    events = 0
    for index, (topic, fmt) in enumerate(TOPICS):
        # Six past events over the last six weeks, four in the next three.
        offset = dt.timedelta(days=(index - 6) * 7 + rng.randint(0, 3))
        starts = (now + offset).replace(hour=9 + index % 3 * 3)
        event = Event.objects.create(
            team=team,
            topic=topic,
            format=fmt,
            venue=venues[index % len(venues)],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            summary=f"{team_name}走进基层，围绕“{topic}”开展宣讲，欢迎居民参加。",
        )
        events += 1
        if event.ends_at < timezone.now():
            event.people_reached = rng.randint(40, 260)
            event.report = "宣讲结合群众身边事，现场互动热烈。"
            event.save(update_fields=["people_reached", "report"])
            question, answer = QUESTIONS[index % len(QUESTIONS)]
            ResidentQuestion.objects.create(
                event=event, question=question, answer=answer
            )
            for n in range(rng.randint(5, 15)):
                check_rate_event(
                    event,
                    score=rng.choice([5, 5, 5, 4, 4, 3]),
                    comment="",
                    device_hash=keyed_hash("device", f"demo-{event.pk}-{n}"),
                )

    items = [
        i for i in shareable_items(per_kind=6) if i["kind"] in ("disclosure", "kb")
    ]
    workers = []
    for index, community in enumerate(COMMUNITIES):
        sub = subdistricts[index % len(subdistricts)]
        grid = Grid.objects.create(unit=sub, community=community, name="第一网格")
        person = _person(f"grid{index + 1:02d}", f"{community}网格员", password)
        workers.append(GridWorker.objects.create(grid=grid, person=person))
    ctx.logins.append(("grid01", "网格员：推送公开内容、登记入户走访"))

    pushes = visits = 0
    today = timezone.localdate()
    for worker in workers:
        for days_ago in range(30, -1, -1):
            day = today - dt.timedelta(days=days_ago)
            if items and rng.random() < 0.6:
                item = items[rng.randrange(len(items))]
                source, obj = public_item(item["kind"], item["object_id"])
                publication = source.describe(obj)
                at = timezone.make_aware(
                    dt.datetime.combine(day, dt.time(8 + rng.randint(0, 10)))
                )
                do_push_item(
                    worker,
                    kind=item["kind"],
                    object_id=obj.pk,
                    title=publication.title[:300],
                    url=share_link(publication.url, worker.grid, "wechat"),
                    channel="wechat",
                    created_at=min(at, timezone.now()),
                )
                pushes += 1
                type_id = ContentType.objects.get_for_model(source.model).pk
                for _view in range(rng.randint(0, 12)):
                    record_grid_view(str(worker.grid_id), type_id, obj.pk, day)
            if rng.random() < 0.4:
                do_log_visit(
                    worker,
                    day=day,
                    households=rng.randint(3, 25),
                    topics=rng.choice(VISIT_TOPICS),
                    note="",
                )
                visits += 1
    grid_views.flush()
    return (
        f"{team_name}：{events} 场活动；{len(workers)} 名网格员，"
        f"{pushes} 次推送，{visits} 次走访"
    )
