"""Demo city: organisations from city/units.json, branches, members, fixed logins."""

from __future__ import annotations

import json
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from dangjian.lib.demo import DEMO_PASSWORD, DemoContext
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.demo_city import BUILTIN_UNITS, GIVEN, SURNAMES
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.orgs.roles import sync_person_groups

BRANCH_SUFFIXES = ["机关第一党支部", "机关第二党支部", "离退休干部党支部"]
MEMBERS_PER_BRANCH = 2

# username, name, (unit, role) or (branch of unit, role), description
FIXED_LOGINS = [
    ("editor", "宣传部编辑", "市委宣传部", Role.EDITOR, "市委宣传部 编辑"),
    ("reviewer", "宣传部审查员", "市委宣传部", Role.REVIEWER, "市委宣传部 保密审查员"),
    (
        "approver",
        "宣传部审批人",
        "市委宣传部",
        Role.APPROVER,
        "市委宣传部 审批人（单位领导）",
    ),
    (
        "member",
        "张党员",
        "市委宣传部机关第一党支部",
        Role.MEMBER,
        "市委宣传部机关第一党支部 党员",
    ),
    (
        "outsider",
        "李群众",
        "市公安局机关第一党支部",
        Role.MEMBER,
        "市公安局机关第一党支部 党员（他单位）",
    ),
    (
        "kbeditor",
        "公积金编辑",
        "市住房公积金管理中心",
        Role.EDITOR,
        "市住房公积金管理中心 编辑",
    ),
]


# Names of the party-led people's organisations (群团组织). units.json lists
# them under the government, as 政府部门; they are not.
MASS_ORGANISATION_MARKERS = (
    "总工会",
    "团市委",
    "共青团",
    "妇联",
    "妇女联合会",
    "红十字会",
    "残疾人联合会",
    "残联",
    "工商业联合会",
    "科学技术协会",
    "文学艺术界联合会",
)


def unit_kind(unit: dict) -> str:
    """The kind of a unit of units.json, with 群团组织 recognised by name."""
    if unit["kind"] == Organisation.Kind.GOVERNMENT_DEPARTMENT and any(
        marker in unit["name"] for marker in MASS_ORGANISATION_MARKERS
    ):
        return Organisation.Kind.MASS_ORGANISATION
    return str(unit["kind"])


def read_units(ctx: DemoContext) -> list[dict]:
    path = ctx.data_file("city/units.json")
    units = (
        BUILTIN_UNITS if path is None else json.loads(path.read_text(encoding="utf-8"))
    )
    return [{**unit, "kind": unit_kind(unit)} for unit in units]


def build_tree(units: list[dict]) -> dict[str, Organisation]:
    """Creates missing organisations, parents before children; returns them by name."""
    existing = {org.name: org for org in Organisation.objects.all()}
    pending = list(units)
    while pending:
        progressed = False
        for unit in list(pending):
            parent_name = unit["parent"]
            if parent_name and parent_name not in existing:
                continue
            org = existing.get(unit["name"])
            if org is not None and org.kind != unit["kind"]:
                # A city loaded before its kinds were corrected.
                Organisation.objects.filter(pk=org.pk).update(kind=unit["kind"])
                org.kind = unit["kind"]
            if unit["name"] not in existing:
                fields = {
                    "name": unit["name"],
                    "kind": unit["kind"],
                    "maintains_kb": bool(unit.get("maintains_kb")),
                }
                if parent_name:
                    parent = Organisation.objects.get(pk=existing[parent_name].pk)
                    org = parent.add_child(**fields)
                else:
                    org = Organisation.add_root(**fields)
                existing[org.name] = org
            pending.remove(unit)
            progressed = True
        if not progressed:
            names = ", ".join(u["name"] for u in pending)
            raise ValueError(f"units with unknown parents: {names}")
    return existing


def build_branches(units: dict[str, Organisation]) -> list[Organisation]:
    branches = []
    existing = set(Organisation.objects.branches().values_list("name", flat=True))
    for name in sorted(n for n, o in units.items() if not o.is_branch):
        for suffix in BRANCH_SUFFIXES:
            branch_name = f"{name}{suffix}"
            if branch_name not in existing:
                parent = Organisation.objects.get(pk=units[name].pk)
                parent.add_child(name=branch_name, kind=Organisation.Kind.BRANCH)
    for org in Organisation.objects.branches():
        units[org.name] = org
        branches.append(org)
    return sorted(branches, key=lambda o: o.name)


def build_members(branches: list[Organisation], password_hash: str) -> int:
    """A fixed number of members per branch, with names from a seeded generator."""
    Person = get_user_model()
    rng = random.Random(20221016)
    wanted = []
    for index, branch in enumerate(branches):
        for n in range(MEMBERS_PER_BRANCH):
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            wanted.append((f"m{index:03d}{n}", name, branch))
    existing = set(
        Person.objects.filter(username__in=[w[0] for w in wanted]).values_list(
            "username", flat=True
        )
    )
    new = [
        Person(username=username, name=name, password=password_hash)
        for username, name, _branch in wanted
        if username not in existing
    ]
    Person.objects.bulk_create(new)
    people = {
        p.username: p
        for p in Person.objects.filter(username__in=[w[0] for w in wanted])
    }
    # A person who is a member somewhere already keeps their branch: a
    # second load does not undo a transfer made since the first.
    placed = set(
        Membership.objects.filter(
            role=Role.MEMBER, person__in=people.values()
        ).values_list("person__username", flat=True)
    )
    Membership.objects.bulk_create(
        [
            Membership(person=people[username], organisation=branch, role=Role.MEMBER)
            for username, _name, branch in wanted
            if username not in placed
        ]
    )
    return len(new)


def ensure_person(username: str, name: str, password_hash: str, **flags):
    Person = get_user_model()
    person, created = Person.objects.get_or_create(
        username=username, defaults={"name": name, "password": password_hash, **flags}
    )
    return person


def load(ctx: DemoContext) -> str:
    password_hash = make_password(DEMO_PASSWORD)
    units = build_tree(read_units(ctx))
    branches = build_branches(units)
    created = build_members(branches, password_hash)

    admin = ensure_person(
        "admin", "平台管理员", password_hash, is_superuser=True, is_staff=True
    )
    ctx.logins.append(("admin", "平台管理员"))
    ctx.people["admin"] = admin
    for username, name, org_name, role, description in FIXED_LOGINS:
        person = ensure_person(username, name, password_hash)
        do_grant_role(person, units[org_name], role)
        if (
            role != Role.MEMBER
            and not person.memberships.filter(role=Role.MEMBER).exists()
        ):
            # Staff are party members too, in their unit's first branch (unless
            # they are members elsewhere already, e.g. after a transfer).
            do_grant_role(person, units[f"{org_name}{BRANCH_SUFFIXES[0]}"], Role.MEMBER)
        sync_person_groups(person)
        ctx.people[username] = person
        ctx.logins.append((username, description))

    ctx.units = units
    return (
        f"{Organisation.objects.units().count()} 个单位，{len(branches)} 个党支部，"
        f"{Membership.objects.filter(role=Role.MEMBER).count()} 名党员（新增 {created}）"
    )
