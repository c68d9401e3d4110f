"""Demo votes: an open city-wide campaign with some votes, and an ended one with
published final results. Candidates are demo branch members; their records
are written here. Votes are loaded through the replay importer."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from dangjian.lib.demo import DemoContext
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.voting.actions import do_finalise_campaign
from dangjian.voting.chain import seal_all
from dangjian.voting.identity import keyed_hash, member_hash
from dangjian.voting.models import Campaign, Candidate, Ledger, Vote, campaign_day
from dangjian.voting.replay import replay_ballots

OPEN_TITLE = "晒党建、晒成绩——优秀基层党组织书记评选"
ENDED_TITLE = "“我身边的好党员”网络推选"

DEEDS = [
    "带领支部推行“三会一课”清单化管理，支部组织生活规范率达到百分之百。",
    "牵头建立党员志愿服务队，常态化开展社区帮扶、助老助残活动。",
    "推动“支部建在项目上”，组织党员攻坚重点任务，按期完成年度目标。",
    "创新开展“党建+政务服务”，窗口办件满意率持续提升。",
    "组织“微党课”进一线，把理论学习与业务工作紧密结合。",
    "带头走访困难群众，协调解决群众急难愁盼问题数十件。",
    "建立党员先锋岗和责任区，支部在年度考核中被评为先进。",
    "推行党务公开常态化，按期公开支部重要事项，接受群众监督。",
]
GROUPS = ["机关组", "基层组"]


def _candidates_source(ctx: DemoContext, count: int) -> list[tuple]:
    """(person name, branch) pairs from demo branch members, stable across runs."""
    rows = (
        Membership.objects.filter(
            role=Role.MEMBER,
            organisation__kind=Organisation.Kind.BRANCH,
            # Generated demo members only, not the fixed logins.
            person__username__regex=r"^m[0-9]+$",
        )
        .select_related("person", "organisation")
        .order_by("organisation__path", "person__username")
    )
    seen_branches = set()
    picked = []
    for m in rows:
        if m.organisation_id in seen_branches or not m.person.name:
            continue
        seen_branches.add(m.organisation_id)
        picked.append((m.person.name, m.organisation))
        if len(picked) == count:
            break
    return picked


def _ensure_campaign(title: str, city, *, starts_at, ends_at, **fields) -> Campaign:
    campaign = Campaign.objects.filter(title=title).first()
    if campaign is not None:
        return campaign
    campaign = Campaign(
        title=title, organisation=city, starts_at=starts_at, ends_at=ends_at, **fields
    )
    campaign.save()
    campaign.eligible_organisations.set([city])
    campaign.save()
    return campaign


def _fill_candidates(campaign: Campaign, source: list[tuple], title: str) -> None:
    if campaign.candidates.exists():
        return
    for number, (name, branch) in enumerate(source, 1):
        unit = branch.get_parent()
        Candidate.objects.create(
            campaign=campaign,
            sort_order=number,
            number=number,
            name=name,
            group=GROUPS[number % 2],
            organisation=branch,
            title=title,
            record=(
                f"{name}同志任{branch.name}{title}以来，"
                f"{DEEDS[number % len(DEEDS)]}"
                f"{DEEDS[(number * 3 + 1) % len(DEEDS)]}"
                f"所在单位{unit.name if unit else ''}对其工作给予充分肯定。"
            ),
        )


def _ballots(campaign: Campaign, voters: list[str], start, days: int, seed: int):
    """Plausible ballots: each voter votes on some days, for one to three candidates."""
    rng = random.Random(seed)
    ids = list(campaign.candidates.order_by("number").values_list("pk", flat=True))
    weights = [1.0 / (i + 1) ** 0.7 for i in range(len(ids))]
    ballots = []
    for day in range(days):
        for voter in voters:
            if rng.random() < 0.5:
                continue
            base = start + dt.timedelta(days=day, hours=8 + rng.random() * 12)
            for k, candidate in enumerate(
                set(rng.choices(ids, weights=weights, k=rng.randint(1, 3)))
            ):
                cast_at = base + dt.timedelta(seconds=40 * k + rng.random() * 30)
                net = keyed_hash("network", f"10.{rng.randint(0, 40)}.0.0/24", 16)
                ballots.append((candidate, voter, cast_at, net, voter[:16], "wechat"))
    ballots.sort(key=lambda b: b[2])
    return ballots


def load(ctx: DemoContext) -> str:
    city = Organisation.get_root_nodes().first()
    if city is None:
        return "无组织，跳过"
    now = timezone.now()
    source = _candidates_source(ctx, 20)
    people = list(ctx.people.values()) or []
    voters = [member_hash(p.pk) for p in people] + [
        keyed_hash("voter", f"m:1380000{i:04d}") for i in range(60)
    ]

    open_campaign = _ensure_campaign(
        OPEN_TITLE,
        city,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=14),
        description=(
            "为展示基层党建工作成效，评选一批优秀基层党组织书记。"
            "党员登录、社会公众验证手机号后均可投票。"
        ),
        open_to_public=True,
        votes_per_day=5,
        votes_per_candidate_per_day=1,
        votes_total=0,
        results_visible=True,
    )
    _fill_candidates(open_campaign, source, "党支部书记")
    ended = _ensure_campaign(
        ENDED_TITLE,
        city,
        starts_at=now - dt.timedelta(days=40),
        ends_at=now - dt.timedelta(days=30),
        description="推选身边的优秀共产党员。投票已结束，最终结果与账本摘要已公布。",
        open_to_public=True,
        votes_per_day=3,
        votes_per_candidate_per_day=1,
        votes_total=20,
        results_visible=False,
    )
    _fill_candidates(ended, source[::-1][:12], "党员")

    added = 0
    for campaign, start, days, seed in (
        (open_campaign, open_campaign.starts_at, 3, 1),
        (ended, ended.starts_at, 10, 2),
    ):
        if not campaign.live:
            campaign.save_revision().publish()
        if not Vote.objects.filter(campaign=campaign).exists():
            # The demo member keeps today's votes: the ballots end before today.
            today = campaign_day(now)
            ballots = [
                b
                for b in _ballots(campaign, voters, start, days, seed)
                if campaign_day(b[2]) < today
            ]
            added += replay_ballots(campaign.pk, ballots).accepted
    seal_all(ended.pk)
    ledger = Ledger.objects.get(campaign=ended)
    if not ledger.finalised_at:
        do_finalise_campaign(ended, acting_user=ctx.people.get("admin"))
    total = Vote.objects.filter(campaign__in=[open_campaign, ended]).count()
    return (
        f"2 个投票活动，{open_campaign.candidates.count()} + {ended.candidates.count()}"
        f" 名候选人，{total} 票（新增 {added}）"
    )
