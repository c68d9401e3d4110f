"""Counts of questions by expert, by domain and by month, for admins.

The rows are folded in Python: a city's year is a few thousand questions,
and one pass gives every figure on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.experts.models import Expert, Question
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations


def can_see_stats(person) -> bool:
    if person is None or not person.is_authenticated:
        return False
    return (
        person.is_superuser or managed_organisations(person, [Role.UNIT_ADMIN]).exists()
    )


def questions_for_stats(person):
    """Every question for platform admins; their units' experts' for unit admins."""
    if person.is_superuser:
        return Question.objects.all()
    return Question.objects.filter(expert__in=Expert.objects.managed_by(person))


@dataclass
class Row:
    key: str
    total: int = 0
    answered: int = 0
    open: int = 0
    overdue: int = 0
    late: int = 0
    rated: int = 0
    rating_sum: int = 0
    hours: list[float] = field(default_factory=list)

    def add(self, q: dict, now) -> None:
        self.total += 1
        if q["first_answered_at"] is not None:
            self.answered += 1
            self.hours.append(
                (q["first_answered_at"] - q["submitted_at"]).total_seconds() / 3600
            )
            if q["first_answered_at"] > q["due_at"]:
                self.late += 1
        elif q["status"] in (Question.Status.NEW, Question.Status.ASSIGNED):
            self.open += 1
            if q["due_at"] < now:
                self.overdue += 1
        if q["rating"] is not None:
            self.rated += 1
            self.rating_sum += q["rating"]

    def as_dict(self) -> dict:
        hours = sorted(self.hours)
        return {
            "key": self.key,
            "total": self.total,
            "answered": self.answered,
            "open": self.open,
            "overdue": self.overdue,
            "answered_late": self.late,
            "on_time_rate": (
                round((self.answered - self.late) / self.answered, 3)
                if self.answered
                else None
            ),
            "avg_rating": round(self.rating_sum / self.rated, 2)
            if self.rated
            else None,
            "median_hours_to_first_answer": (
                round(hours[len(hours) // 2], 1) if hours else None
            ),
        }


def counts(questions, year: str | int | None = None) -> dict:
    """Figures by expert, domain and month (local time), plus the totals."""
    now = timezone.now()
    rows = questions.values(
        "status",
        "submitted_at",
        "first_answered_at",
        "due_at",
        "rating",
        "expert__name",
        "expert__unit__name",
        "domain__name",
    )
    if year and str(year).isdigit():
        rows = rows.filter(submitted_at__year=int(year))
    total = Row("全部")
    by_expert: dict[str, Row] = {}
    by_domain: dict[str, Row] = {}
    by_month: dict[str, Row] = defaultdict(lambda: Row(""))
    for q in rows.iterator(chunk_size=2000):
        expert = (
            f"{q['expert__name']}（{q['expert__unit__name']}）"
            if q["expert__name"]
            else "未分派"
        )
        month = timezone.localtime(q["submitted_at"]).strftime("%Y-%m")
        total.add(q, now)
        by_expert.setdefault(expert, Row(expert)).add(q, now)
        by_domain.setdefault(q["domain__name"], Row(q["domain__name"])).add(q, now)
        row = by_month[month]
        row.key = month
        row.add(q, now)
    return {
        "total": total.as_dict(),
        "by_expert": [
            r.as_dict() for r in sorted(by_expert.values(), key=lambda r: -r.total)
        ],
        "by_domain": [
            r.as_dict() for r in sorted(by_domain.values(), key=lambda r: -r.total)
        ],
        "by_month": [by_month[m].as_dict() for m in sorted(by_month)],
    }
