"""The routine release calendar (例行发布): what is due, done and late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from dangjian.disclosure.models import DisclosureItemPage, ReleasePlan

LOOK_BACK_DAYS = 190
LOOK_AHEAD_DAYS = 70

DONE = "done"
IN_PROGRESS = "in_progress"
LATE = "late"
DUE = "due"
STATUS_LABELS = {
    DONE: "已发布",
    IN_PROGRESS: "办理中",
    LATE: "逾期",
    DUE: "待发布",
}


@dataclass
class Occurrence:
    plan: ReleasePlan
    period: str
    label: str
    starts: dt.date
    due: dt.date
    status: str
    item: DisclosureItemPage | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_late(self) -> bool:
        return self.status == LATE


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def periods(plan: ReleasePlan, start: dt.date, end: dt.date):
    """(key, label, first day, due date) of each period whose due date is in range."""
    months_per_period: dict[str, int] = {
        ReleasePlan.Frequency.MONTHLY: 1,
        ReleasePlan.Frequency.QUARTERLY: 3,
        ReleasePlan.Frequency.HALF_YEARLY: 6,
        ReleasePlan.Frequency.YEARLY: 12,
    }
    months = months_per_period[plan.frequency]
    year, month = start.year - 1, 1
    while True:
        first = dt.date(year, month, 1)
        due_year, due_month = _add_months(year, month, months)
        due = dt.date(due_year, due_month, plan.due_day)
        if due > end:
            return
        if due >= start and first >= plan.starts_on.replace(day=1):
            yield (
                _key(plan.frequency, year, month),
                _label(plan.frequency, year, month),
                first,
                due,
            )
        year, month = due_year, due_month


def _key(frequency, year, month) -> str:
    if frequency == ReleasePlan.Frequency.MONTHLY:
        return f"{year}-{month:02d}"
    if frequency == ReleasePlan.Frequency.QUARTERLY:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if frequency == ReleasePlan.Frequency.HALF_YEARLY:
        return f"{year}-H{(month - 1) // 6 + 1}"
    return str(year)


def _label(frequency, year, month) -> str:
    if frequency == ReleasePlan.Frequency.MONTHLY:
        return f"{year}年{month}月"
    if frequency == ReleasePlan.Frequency.QUARTERLY:
        return f"{year}年第{(month - 1) // 3 + 1}季度"
    if frequency == ReleasePlan.Frequency.HALF_YEARLY:
        return f"{year}年{'上' if month <= 6 else '下'}半年"
    return f"{year}年"


def calendar_for(plans, today: dt.date | None = None) -> list[Occurrence]:
    """Occurrences of these plans around today, late ones first, then by due date."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=LOOK_BACK_DAYS)
    end = today + dt.timedelta(days=LOOK_AHEAD_DAYS)
    plans = list(plans.select_related("organisation", "owner", "category"))
    items = {}
    for item in DisclosureItemPage.objects.filter(release_plan__in=plans).order_by(
        "first_published_at"
    ):
        key = (item.release_plan_id, item.plan_period)
        # A released item wins over a draft for the same period.
        if key not in items or item.first_published_at:
            items[key] = item
    rows = []
    for plan in plans:
        for period, label, first, due in periods(plan, start, end):
            item = items.get((plan.pk, period))
            if item is not None and item.first_published_at:
                status = DONE
            elif today > due:
                status = LATE
            elif item is not None:
                status = IN_PROGRESS
            else:
                status = DUE
            rows.append(Occurrence(plan, period, label, first, due, status, item))
    order = {LATE: 0, IN_PROGRESS: 1, DUE: 2, DONE: 3}
    rows.sort(key=lambda o: (order[o.status], o.due, o.plan.title))
    return rows


def late_for(plans, today: dt.date | None = None) -> list[Occurrence]:
    return [o for o in calendar_for(plans, today) if o.is_late]
