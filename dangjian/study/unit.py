"""A unit admin's figures: plan completion, who is behind, sessions by type."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.study.models import PlanItem, Progress, StudyPlan, StudySession


@dataclass
class PlanFigures:
    plan: StudyPlan
    members: int
    materials: int
    completed_members: int
    average_percent: float
    elapsed_percent: int
    behind: list[dict] = field(default_factory=list)


def unit_members(unit: Organisation) -> dict[int, tuple[str, str, str, str]]:
    """Members of the unit and its branches: id → (name, username, branch,
    branch path)."""
    rows = (
        Membership.objects.active()
        .filter(role=Role.MEMBER, organisation__path__startswith=unit.path)
        .order_by("organisation__path", "person__username")
        .values_list(
            "person_id",
            "person__name",
            "person__username",
            "organisation__name",
            "organisation__path",
        )
    )
    people: dict[int, tuple[str, str, str, str]] = {}
    for pk, name, username, org_name, path in rows:
        people.setdefault(pk, (name or username, username, org_name, path))
    return people


def plans_reaching(unit: Organisation):
    """Active plans addressed to the unit, an ancestor of it (with
    descendants), or one of its branches."""
    ancestors = Organisation.objects.filter(
        path__in=[
            unit.path[:i] for i in range(unit.steplen, len(unit.path), unit.steplen)
        ]
    )
    inside = Organisation.objects.filter(path__startswith=unit.path)
    return (
        StudyPlan.objects.active()
        .filter(
            Q(audience__in=inside) | Q(audience__in=ancestors, include_descendants=True)
        )
        .distinct()
    )


def unit_figures(unit: Organisation, *, behind_limit: int = 100) -> dict:
    today = timezone.localdate()
    people = unit_members(unit)
    plans = sorted(plans_reaching(unit), key=lambda p: (p.deadline, p.pk))
    figures = []
    for plan in plans:
        audience = list(plan.audience.values_list("path", flat=True))

        def reached(path, audience=audience, plan=plan):
            return any(
                path == a or (plan.include_descendants and path.startswith(a))
                for a in audience
            )

        targets = {pk: row for pk, row in people.items() if reached(row[3])}
        materials = set(
            PlanItem.objects.filter(plan=plan).values_list("material_id", flat=True)
        )
        done: defaultdict[int, int] = defaultdict(int)
        for person_id, n in (
            Progress.objects.completed()
            .filter(person_id__in=list(targets), material_id__in=materials)
            .values_list("person_id")
            .annotate(n=Count("id"))
            .order_by()
        ):
            done[person_id] = n
        elapsed = plan.elapsed_fraction(today)
        behind = []
        for pk, (name, username, branch, _path) in targets.items():
            share = done[pk] / len(materials) if materials else 1
            if share < 1 and share < elapsed - 1e-9:
                behind.append(
                    {
                        "id": pk,
                        "name": name,
                        "username": username,
                        "branch": branch,
                        "done": done[pk],
                        "percent": round(100 * share),
                    }
                )
        behind.sort(key=lambda r: (r["percent"], r["username"]))
        figures.append(
            PlanFigures(
                plan=plan,
                members=len(targets),
                materials=len(materials),
                completed_members=sum(
                    1 for pk in targets if materials and done[pk] >= len(materials)
                ),
                average_percent=round(
                    100
                    * sum(done[pk] for pk in targets)
                    / (len(targets) * len(materials)),
                    1,
                )
                if targets and materials
                else 0.0,
                elapsed_percent=round(100 * elapsed),
                behind=behind[:behind_limit],
            )
        )
    sessions = (
        StudySession.objects.filter(
            organisation__path__startswith=unit.path, starts_at__year=today.year
        )
        .values("organisation__name", "type")
        .annotate(n=Count("id"))
        .order_by("organisation__name", "type")
    )
    types = {value: str(label) for value, label in StudySession.Type.choices}
    session_counts = [
        {"organisation": r["organisation__name"], "type": types[r["type"]], "n": r["n"]}
        for r in sessions
    ]
    by_type: defaultdict[str, int] = defaultdict(int)
    for r in sessions:
        by_type[types[r["type"]]] += r["n"]
    return {
        "members": len(people),
        "plans": figures,
        "sessions": session_counts,
        "sessions_by_type": dict(by_type),
        "sessions_total": sum(by_type.values()),
        "year": today.year,
    }
