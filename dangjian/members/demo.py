"""Demo: every member of the demo city gets a full record, through the
roster importer, from a roster generated with a fixed seed (dates consistent
with the category, about 5% 预备党员), and a few transfers in every state.

The ``member`` login (张党员) has no transfer in progress, so it can request
one; ``admin`` approves it on the transfer dashboard.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from stdnum.cn import ric

from dangjian.lib.demo import DemoContext
from dangjian.members import transfers
from dangjian.members.importer import COLUMNS, import_roster
from dangjian.members.models import MemberProfile, Transfer
from dangjian.orgs.models import Membership, Role

# Region codes that existed for every birth year used below (1955–2000).
REGIONS = ["150121", "150122", "150221", "150222", "110101", "110102"]
ETHNICITIES = ["汉族"] * 17 + ["蒙古族", "回族", "满族"]
EDUCATION = ["大学本科"] * 5 + ["研究生"] * 2 + ["大学专科"] * 2 + ["高中"]
POSITIONS = ["科员"] * 4 + ["副科长", "科长", "支部书记", "支部委员", "干部", ""]


def _id_number(person_id: int, born: dt.date) -> str:
    # From the person's id: the same number on every load (a re-import
    # updates), and distinct numbers for distinct people.
    region = REGIONS[(person_id // 1000) % len(REGIONS)]
    body = f"{region}{born:%Y%m%d}{person_id % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def roster(today: dt.date) -> list[list[str]]:
    """One row per member of a branch (the people the orgs loader made)."""
    members = (
        Membership.objects.filter(role=Role.MEMBER, organisation__kind="branch")
        .select_related("person", "organisation")
        .order_by("organisation__path", "person__username")
    )
    rows, seen, people = [], set(), set()
    for m in members:
        key = (m.organisation_id, m.person.name)
        if key in seen or m.person_id in people or not m.person.name:
            # Two people of one name in a branch are left to the branch; a
            # person in two branches is registered in the first one.
            continue
        seen.add(key)
        people.add(m.person_id)
        rng = random.Random(f"20260701:{m.person.username}")
        born = dt.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
        probationary = rng.random() < 0.05 or m.person.username == "m0001"
        if probationary:
            joined = today - dt.timedelta(days=rng.randint(30, 330))
            full = None
        else:
            age = rng.randint(22, max(23, min(45, today.year - born.year - 2)))
            joined = dt.date(born.year + age, rng.randint(1, 12), rng.randint(1, 28))
            joined = min(joined, today - dt.timedelta(days=400))
            full = joined + dt.timedelta(days=365)
        rows.append(
            [
                m.person.name,
                "男" if rng.random() < 0.55 else "女",
                rng.choice(ETHNICITIES),
                born.isoformat(),
                _id_number(m.person_id, born),
                f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
                rng.choice(EDUCATION),
                joined.isoformat(),
                full.isoformat() if full else "",
                "预备党员" if probationary else "正式党员",
                m.organisation.name,
                rng.choice(POSITIONS),
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _transfers(admin, member_username: str) -> int:
    if Transfer.objects.exists():
        return 0
    today = timezone.localdate()
    profiles = list(
        MemberProfile.objects.exclude(person__username=member_username)
        .select_related("branch")
        .order_by("pk")[:40]
    )
    branches = sorted({p.branch for p in profiles}, key=lambda b: b.path)
    if len(branches) < 2:
        return 0
    made = 0
    plan = ["requested", "requested", "approved", "accepted", "completed"]
    plan += ["refused", "refused", "cancelled", "overdue"]
    for state, profile in zip(plan, profiles[::4], strict=False):
        to = next(b for b in branches if b.pk != profile.branch_id)
        days = 0 if state == "completed" else 10
        transfer = transfers.do_request_transfer(
            profile,
            to,
            effective_on=today + dt.timedelta(days=days),
            reason="工作调动",
            acting_user=admin,
        )
        if state in ("approved", "accepted", "completed", "refused"):
            transfer = transfers.do_approve_transfer(transfer, acting_user=admin)
        if state in ("accepted", "completed"):
            transfer = transfers.do_accept_transfer(transfer, acting_user=admin)
        if state == "refused":
            transfers.do_refuse_transfer(
                transfer, reason="接收党组织暂不具备接收条件", acting_user=admin
            )
        if state == "cancelled":
            transfers.do_cancel_transfer(transfer, acting_user=admin)
        if state == "overdue":
            Transfer.objects.filter(pk=transfer.pk).update(
                deadline=today - dt.timedelta(days=3),
                requested_at=timezone.now() - dt.timedelta(days=33),
            )
        made += 1
    return made


def load(ctx: DemoContext) -> str:
    admin = ctx.people.get("admin")
    if admin is None:
        return "跳过（没有平台管理员）"
    if MemberProfile.objects.exists():
        # Loaded before: a second load changes nothing (the transfers made
        # then have moved people, and an import would be logged again).
        return f"已有 {MemberProfile.objects.count()} 份党员档案，未重复导入"
    rows = roster(timezone.localdate())
    result = import_roster("demo-roster.csv", _csv(rows), user=admin)
    made = _transfers(admin, "member")
    probationary = MemberProfile.objects.filter(category="预备党员").count()
    return (
        f"{MemberProfile.objects.count()} 份党员档案（新登记 {result.created}，"
        f"更新 {result.updated}；预备党员 {probationary}），组织关系转接 {made} 件"
    )
