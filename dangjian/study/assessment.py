"""量化考核: scores per person and per unit from a yearly scheme.

Every indicator gives a score from 0 to 100:

* 学习积分, 参加学习会: value / target × 100, at most 100;
* 学习计划完成率: materials of the year's plans studied / required × 100;
* 答题平均得分率: the mean percentage of the year's finished quiz attempts;
* 抽查结果: 100 for 合格, ``target`` for 需改进 (the latest checked result);
* 民主评议结果: the score of the branch's rating in a finished 民主评议 of
  the year, read through the ``dangjian_evaluation_results`` hook (orglife).

An indicator that does not apply to a person (no plan addressed to them,
not drawn in a spot check) is left out, and the remaining weights are scaled
up so that they still add to 100. The total is Σ weight × score / Σ weight
over the indicators that apply; the breakdown keeps every term.

The whole computation is a handful of grouped queries, whatever the number
of people, so a city of 10,000 members is scored in seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.lib.plugins import EVALUATION_RESULTS, QUIZ_RESULTS, provided
from dangjian.orgs.models import Membership, Organisation, Role
from dangjian.study.models import (
    AssessmentRun,
    AssessmentScheme,
    Attendance,
    Indicator,
    PersonScore,
    PlanItem,
    PointEntry,
    Progress,
    SpotCheckItem,
    StudyPlan,
    UnitScore,
)

TWO = Decimal("0.01")
KIND_LABELS = {k: str(v) for k, v in Indicator.Kind.choices}


def q2(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def check_scheme(scheme: AssessmentScheme) -> list[Indicator]:
    indicators = list(scheme.indicators.all())
    if not indicators:
        raise ValidationError(_("考核方案至少需要一项指标"))
    total = sum((i.weight for i in indicators), Decimal(0))
    if total != Decimal(100):
        raise ValidationError(
            _("各项指标权重之和须为 100（现为 %(total)s）")
            % {"total": total.normalize()}
        )
    for indicator in indicators:
        if indicator.target <= 0 and indicator.kind in (
            Indicator.Kind.POINTS,
            Indicator.Kind.SESSIONS,
        ):
            raise ValidationError(
                _("“%(kind)s”的满分所需须大于 0")
                % {"kind": indicator.get_kind_display()}
            )
    return indicators


@dataclass
class Member:
    person_id: int
    unit_id: int
    branch_id: int | None
    values: dict[str, float | None] = field(default_factory=dict)


def unit_of_paths() -> dict[int, tuple[int, int | None]]:
    """For each organisation id: (its unit's id, its branch id or None)."""
    orgs = list(Organisation.objects.values_list("id", "path", "kind"))
    by_path = {path: (pk, kind) for pk, path, kind in orgs}
    steplen = Organisation.steplen
    result: dict[int, tuple[int, int | None]] = {}
    for pk, path, kind in orgs:
        if kind != Organisation.Kind.BRANCH:
            result[pk] = (pk, None)
            continue
        unit_id = pk
        for end in range(len(path) - steplen, 0, -steplen):
            parent = by_path.get(path[:end])
            if parent and parent[1] != Organisation.Kind.BRANCH:
                unit_id = parent[0]
                break
        result[pk] = (unit_id, pk)
    return result


def members() -> dict[int, Member]:
    """Every active party member, placed in their first branch by tree order."""
    placement = unit_of_paths()
    people: dict[int, Member] = {}
    rows = (
        Membership.objects.active()
        .filter(role=Role.MEMBER)
        .order_by("organisation__path", "person_id")
        .values_list("person_id", "organisation_id")
    )
    for person_id, org_id in rows:
        if person_id not in people:
            unit_id, branch_id = placement[org_id]
            people[person_id] = Member(person_id, unit_id, branch_id)
    return people


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=tz)


def points_by_person(year: int) -> dict[int, float]:
    rows = (
        PointEntry.objects.in_year(year)
        .values_list("person_id")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return {pk: float(total) for pk, total in rows}


def sessions_by_person(year: int) -> dict[int, float]:
    start, end = year_bounds(year)
    rows = (
        Attendance.objects.filter(
            session__starts_at__gte=start, session__starts_at__lt=end
        )
        .values_list("person_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {pk: float(n) for pk, n in rows}


def quiz_by_person(year: int) -> dict[int, float]:
    """The mean percentage of each person's finished attempts in the year.

    Reads the quiz app's attempts through its public interface (the
    ``dangjian_quiz_results`` hook); without the quiz app nobody has a value.
    """
    quiz = provided(QUIZ_RESULTS)
    if quiz is None:
        return {}
    start, end = year_bounds(year)
    rows = (
        quiz.finished()
        .filter(submitted_at__gte=start, submitted_at__lt=end, max_score__gt=0)
        .values_list("person_id")
        .annotate(
            avg=Avg(
                Cast(F("score"), FloatField())
                * 100
                / Cast(F("max_score"), FloatField())
            )
        )
        .order_by()
    )
    return {pk: float(avg or 0) for pk, avg in rows}


def evaluation_by_person(year: int) -> dict[int, float]:
    """The 民主评议 score (0–100) of each person rated in the year, read
    through the ``dangjian_evaluation_results`` hook; without the app that
    provides it nobody has a value."""
    results = provided(EVALUATION_RESULTS)
    if results is None:
        return {}
    return dict(results.scores(year))


def plan_completion_by_person(year: int, people: dict[int, Member]) -> dict[int, float]:
    """Per person: materials of the year's plans studied / required × 100.

    Only people some plan of the year is addressed to get a value.
    """
    plans = list(
        StudyPlan.objects.active()
        .filter(deadline__year=year)
        .prefetch_related("audience")
    )
    if not plans:
        return {}
    items: dict[int, set[int]] = defaultdict(set)
    for plan_id, material_id in PlanItem.objects.filter(plan__in=plans).values_list(
        "plan_id", "material_id"
    ):
        items[plan_id].add(material_id)
    # Which organisations each plan reaches, then which people.
    paths = dict(Organisation.objects.values_list("id", "path"))
    member_orgs: dict[int, set[int]] = defaultdict(set)
    for person_id, org_id in (
        Membership.objects.active()
        .filter(person_id__in=list(people))
        .values_list("person_id", "organisation_id")
    ):
        member_orgs[person_id].add(org_id)
    required: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        targets = [paths[o.pk] for o in plan.audience.all()]
        reached = {
            org_id
            for org_id, path in paths.items()
            if any(
                path == t or (plan.include_descendants and path.startswith(t))
                for t in targets
            )
        }
        for person_id, orgs in member_orgs.items():
            if orgs & reached:
                required[person_id] |= items[plan.pk]
    all_materials = set().union(*items.values()) if items else set()
    start, end = year_bounds(year)
    done: dict[int, set[int]] = defaultdict(set)
    for person_id, material_id in (
        Progress.objects.completed()
        .filter(
            material_id__in=all_materials,
            completed_at__lt=end,
        )
        .values_list("person_id", "material_id")
    ):
        done[person_id].add(material_id)
    return {
        person_id: 100.0 * len(done[person_id] & wanted) / len(wanted)
        for person_id, wanted in required.items()
        if wanted
    }


def spot_check_by_person(year: int, improve_score: float) -> dict[int, float]:
    rows = (
        SpotCheckItem.objects.filter(
            spot_check__period_start__lte=dt.date(year, 12, 31),
            spot_check__period_end__gte=dt.date(year, 1, 1),
        )
        .exclude(result=SpotCheckItem.Result.PENDING)
        .order_by("person_id", "checked_at", "pk")
        .values_list("person_id", "result")
    )
    latest = {}
    for person_id, result in rows:
        latest[person_id] = result
    return {
        pk: 100.0 if result == SpotCheckItem.Result.PASS else improve_score
        for pk, result in latest.items()
    }


def score_one(indicators: list[Indicator], values: dict[str, float | None]):
    """Returns (total, breakdown) for one person's indicator values."""
    terms = []
    for indicator in indicators:
        value = values.get(indicator.kind)
        if value is None:
            score = None
        elif indicator.kind in (Indicator.Kind.POINTS, Indicator.Kind.SESSIONS):
            score = min(100.0, value * 100.0 / float(indicator.target))
        else:
            score = min(100.0, max(0.0, value))
        terms.append((indicator, value, score))
    applicable = sum(float(i.weight) for i, _v, s in terms if s is not None)
    total = 0.0
    breakdown = []
    for indicator, value, score in terms:
        weight = float(indicator.weight)
        if score is None or not applicable:
            contribution = None
            effective = 0.0
        else:
            effective = weight * 100.0 / applicable
            contribution = effective * score / 100.0
            total += contribution
        breakdown.append(
            {
                "kind": indicator.kind,
                "label": KIND_LABELS[indicator.kind],
                "value": None if value is None else round(value, 2),
                "target": float(indicator.target),
                "score": None if score is None else round(score, 2),
                "weight": weight,
                "effective_weight": round(effective, 2),
                "contribution": None
                if contribution is None
                else round(contribution, 2),
            }
        )
    return total, breakdown


def competition_ranks(values: list[float]) -> list[int]:
    """1, 2, 2, 4 …: equal totals share a rank."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    previous = None
    for position, index in enumerate(order, start=1):
        if previous is None or values[index] != values[order[previous - 1]]:
            rank = position
        ranks[index] = rank
        previous = position
    return ranks


@dataclass
class Computed:
    people: list[dict]
    units: list[dict]


def compute(scheme: AssessmentScheme) -> Computed:
    """Scores every member and unit for the scheme's year (nothing is saved)."""
    indicators = check_scheme(scheme)
    year = scheme.year
    people = members()
    kinds = {i.kind for i in indicators}
    sources = {}
    if Indicator.Kind.POINTS in kinds:
        sources[Indicator.Kind.POINTS] = points_by_person(year)
    if Indicator.Kind.SESSIONS in kinds:
        sources[Indicator.Kind.SESSIONS] = sessions_by_person(year)
    if Indicator.Kind.QUIZ_AVERAGE in kinds:
        sources[Indicator.Kind.QUIZ_AVERAGE] = quiz_by_person(year)
    if Indicator.Kind.PLAN_COMPLETION in kinds:
        sources[Indicator.Kind.PLAN_COMPLETION] = plan_completion_by_person(
            year, people
        )
    if Indicator.Kind.SPOT_CHECK in kinds:
        improve = next(
            float(i.target) for i in indicators if i.kind == Indicator.Kind.SPOT_CHECK
        )
        sources[Indicator.Kind.SPOT_CHECK] = spot_check_by_person(year, improve)
    if Indicator.Kind.EVALUATION in kinds:
        sources[Indicator.Kind.EVALUATION] = evaluation_by_person(year)

    # Counts (points, sessions) default to 0; rates apply only where measured.
    defaults = {Indicator.Kind.POINTS: 0.0, Indicator.Kind.SESSIONS: 0.0}
    scored = []
    for member in people.values():
        values: dict[str, float | None] = {
            kind: source.get(member.person_id, defaults.get(kind))
            for kind, source in sources.items()
        }
        total, breakdown = score_one(indicators, values)
        scored.append(
            {
                "person_id": member.person_id,
                "unit_id": member.unit_id,
                "branch_id": member.branch_id,
                "total": round(total, 2),
                "breakdown": breakdown,
            }
        )
    for row, rank in zip(
        scored, competition_ranks([r["total"] for r in scored]), strict=True
    ):
        row["rank"] = rank

    by_unit: dict[int, list[dict]] = defaultdict(list)
    for row in scored:
        by_unit[row["unit_id"]].append(row)
    units = []
    for unit_id, rows in by_unit.items():
        n = len(rows)
        breakdown = []
        for position, indicator in enumerate(indicators):
            contributions = [
                r["breakdown"][position]["contribution"] or 0 for r in rows
            ]
            breakdown.append(
                {
                    "kind": indicator.kind,
                    "label": KIND_LABELS[indicator.kind],
                    "weight": float(indicator.weight),
                    "contribution": round(sum(contributions) / n, 2),
                }
            )
        units.append(
            {
                "unit_id": unit_id,
                "members": n,
                "average": round(sum(r["total"] for r in rows) / n, 2),
                "breakdown": breakdown,
            }
        )
    for row, rank in zip(
        units, competition_ranks([u["average"] for u in units]), strict=True
    ):
        row["rank"] = rank
    return Computed(people=scored, units=units)


def do_run_assessment(scheme: AssessmentScheme, *, acting_user=None) -> AssessmentRun:
    """Computes and saves the scores; the scheme's previous run is replaced."""
    started = time.monotonic()
    computed = compute(scheme)
    with transaction.atomic():
        old = list(scheme.runs.values_list("pk", flat=True))
        PersonScore.objects.filter(run_id__in=old).delete()
        UnitScore.objects.filter(run_id__in=old).delete()
        AssessmentRun.objects.filter(pk__in=old).delete()
        run = AssessmentRun.objects.create(
            scheme=scheme, computed_by=acting_user, people=len(computed.people)
        )
        PersonScore.objects.bulk_create(
            (
                PersonScore(
                    run=run,
                    person_id=r["person_id"],
                    unit_id=r["unit_id"],
                    branch_id=r["branch_id"],
                    total=q2(r["total"]),
                    rank=r["rank"],
                    breakdown=r["breakdown"],
                )
                for r in computed.people
            ),
            batch_size=2000,
        )
        UnitScore.objects.bulk_create(
            UnitScore(
                run=run,
                unit_id=u["unit_id"],
                members=u["members"],
                average=q2(u["average"]),
                rank=u["rank"],
                breakdown=u["breakdown"],
            )
            for u in computed.units
        )
        run.seconds = time.monotonic() - started
        run.save(update_fields=["seconds"])
        log(
            scheme,
            "dangjian.study.run_assessment",
            user=acting_user,
            data={"run": run.pk, "people": run.people, "units": len(computed.units)},
        )
    return run


def latest_run(scheme: AssessmentScheme) -> AssessmentRun | None:
    return scheme.runs.order_by("-computed_at", "-pk").first()
