"""一人一册: everything a person studied in a period, read in a few queries.

The same ``Archive`` feeds the archive page, the PDF and Excel exports, the
"my page" panel and ``GET /api/study/me``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.lib.plugins import QUIZ_RESULTS, provided
from dangjian.orgs.models import Membership, Person
from dangjian.study.models import (
    Attendance,
    MaterialPage,
    Note,
    PlanItem,
    PointEntry,
    Progress,
    SpotCheckItem,
    StudyPlan,
)

MAX_PERIOD_DAYS = 3 * 366


@dataclass
class PlanProgress:
    plan: StudyPlan
    total: int
    done: int
    elapsed: float

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def behind(self) -> bool:
        """Behind: less studied than the share of the period already gone."""
        return self.total > 0 and self.done / self.total < self.elapsed - 1e-9

    @property
    def overdue(self) -> bool:
        return self.done < self.total and timezone.localdate() > self.plan.deadline


def plan_progress(person, *, today: dt.date | None = None) -> list[PlanProgress]:
    today = today or timezone.localdate()
    plans = list(StudyPlan.objects.for_person(person).order_by("deadline", "pk"))
    if not plans:
        return []
    items: dict[int, set[int]] = {}
    for plan_id, material_id in PlanItem.objects.filter(plan__in=plans).values_list(
        "plan_id", "material_id"
    ):
        items.setdefault(plan_id, set()).add(material_id)
    wanted = set().union(*items.values()) if items else set()
    done = set(
        Progress.objects.for_person(person)
        .completed()
        .filter(material_id__in=wanted)
        .values_list("material_id", flat=True)
    )
    return [
        PlanProgress(
            plan=plan,
            total=len(items.get(plan.pk, ())),
            done=len(items.get(plan.pk, set()) & done),
            elapsed=plan.elapsed_fraction(today),
        )
        for plan in plans
    ]


def parse_period(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """The period asked for, by default this year so far. Raises ValidationError."""
    today = timezone.localdate()
    try:
        first = dt.date.fromisoformat(start) if start else dt.date(today.year, 1, 1)
        last = dt.date.fromisoformat(end) if end else today
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD")) from None
    if last < first:
        raise ValidationError(_("结束日期不能早于开始日期"))
    if (last - first).days > MAX_PERIOD_DAYS:
        raise ValidationError(_("一次最多导出三年的档案"))
    return first, last


def _bounds(first: dt.date, last: dt.date):
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


@dataclass
class Archive:
    person: Person
    start: dt.date
    end: dt.date
    organisations: list[str] = field(default_factory=list)
    points_total: int = 0
    points_by_month: list[dict] = field(default_factory=list)
    entries: list[PointEntry] = field(default_factory=list)
    studied: list[Progress] = field(default_factory=list)
    attendances: list[Attendance] = field(default_factory=list)
    attempts: list = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    spot_checks: list[SpotCheckItem] = field(default_factory=list)
    plans: list[PlanProgress] = field(default_factory=list)

    @property
    def studied_seconds(self) -> int:
        return int(sum(p.seconds for p in self.studied))

    @property
    def completed_count(self) -> int:
        return sum(1 for p in self.studied if p.completed_at)

    @property
    def quiz_average(self) -> float | None:
        rates = [a.percent for a in self.attempts]
        return round(sum(rates) / len(rates), 1) if rates else None


def build_archive(person, start: dt.date, end: dt.date, *, entries_limit=500):
    """The person's archive for [start, end]."""
    quiz = provided(QUIZ_RESULTS)
    since, until = _bounds(start, end)
    ledger = PointEntry.objects.for_person(person).between(start, end)
    archive = Archive(person=person, start=start, end=end)
    archive.organisations = list(
        Membership.objects.filter(person=person, role="member")
        .order_by("organisation__path")
        .values_list("organisation__name", flat=True)
    )
    archive.points_total = ledger.total()
    archive.points_by_month = list(ledger.by_month())
    archive.entries = list(
        ledger.select_related("rule").order_by("-day", "-created_at", "-pk")[
            :entries_limit
        ]
    )
    archive.studied = list(
        Progress.objects.for_person(person)
        .between(since, until)
        .select_related("material")
        .order_by("-last_seen_at")
    )
    archive.attendances = list(
        Attendance.objects.filter(
            person=person,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .select_related("session", "session__organisation")
        .order_by("-session__starts_at")
    )
    archive.attempts = (
        list(
            quiz.finished()
            .for_person(person)
            .filter(submitted_at__gte=since, submitted_at__lt=until)
            .select_related("template")
            .order_by("-submitted_at")[:200]
        )
        if quiz is not None
        else []
    )
    archive.notes = list(
        Note.objects.filter(person=person, created_at__gte=since, created_at__lt=until)
        .select_related("material")
        .order_by("-created_at")
    )
    archive.spot_checks = list(
        SpotCheckItem.objects.filter(
            person=person,
            spot_check__period_start__lte=end,
            spot_check__period_end__gte=start,
        )
        .select_related("spot_check", "checked_by")
        .order_by("-spot_check__created_at")
    )
    archive.plans = plan_progress(person)
    return archive


def kind_label(material: MaterialPage) -> str:
    return str(MaterialPage.Kind(material.kind).label)
