"""三会一课 compliance: for each branch, rule and period, whether the meeting
was held on time, late (补开 after the period ended), or not at all.

One grouped query for any number of branches: 300 branches' year is
computed in well under 200 ms (``bench/orglife.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orglife.models import (
    Meeting,
    MeetingKind,
    MeetingRule,
    periods_of_year,
)
from dangjian.orgs.models import Organisation

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
DUE = "due"
UPCOMING = "upcoming"

STATE_LABELS = {
    ON_TIME: _("按时召开"),
    LATE: _("逾期补开"),
    MISSING: _("未召开"),
    DUE: _("待召开"),
    UPCOMING: _("未到期"),
}


# Slots, not frozen: 13,200 cells for 300 branches, and a frozen dataclass's
# __init__ costs a setattr call per field.
@dataclass(slots=True)
class Cell:
    kind: str
    period_start: dt.date
    period_end: dt.date
    state: str
    held: int

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def kind_label(self) -> str:
        return str(MeetingKind(self.kind).label)


@dataclass
class BranchCompliance:
    branch_id: int
    name: str
    path: str
    cells: list[Cell] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for c in self.cells if c.state == state)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def late(self) -> int:
        return self.count(LATE)

    @property
    def due(self) -> int:
        return self.count(DUE)

    @property
    def on_time(self) -> int:
        return self.count(ON_TIME)

    @property
    def is_compliant(self) -> bool:
        """Nothing missing and nothing due now (late meetings were held)."""
        return not self.missing and not self.due

    @property
    def status_label(self) -> str:
        if self.missing:
            return str(_("落后"))
        if self.due:
            return str(_("有待召开"))
        return str(_("达标"))

    def sort_key(self) -> tuple:
        return (-self.missing, -self.late, -self.due, self.path)


def state_of(held_on_time: int, held_late: int, need: int, start, end, today) -> str:
    if held_on_time >= need:
        return ON_TIME
    if held_on_time + held_late >= need:
        return LATE
    if today > end:
        return MISSING
    if today >= start:
        return DUE
    return UPCOMING


def compute(
    branches, year: int, today: dt.date | None = None
) -> list[BranchCompliance]:
    """Compliance of these branches (a queryset or ids) for ``year``, the
    branches that are behind first."""
    today = today or timezone.localdate()
    if isinstance(branches, list | tuple | set):
        branches = Organisation.objects.filter(pk__in=list(branches))
    rows = list(branches.branches().values_list("pk", "name", "path"))
    rules = list(MeetingRule.objects.filter(is_active=True).order_by("pk"))
    ids = [pk for pk, _n, _p in rows]
    held: dict[tuple[int, str, dt.date], tuple[int, int]] = {}
    if ids:
        counts = (
            Meeting.objects.filter(
                branch_id__in=ids,
                period_start__gte=dt.date(year, 1, 1),
                period_start__lte=dt.date(year, 12, 31),
                held_on__isnull=False,
                cancelled=False,
            )
            .values_list("branch_id", "kind", "period_start")
            .annotate(
                on_time=Count("pk", filter=Q(held_on__lte=F("period_end"))),
                late=Count("pk", filter=Q(held_on__gt=F("period_end"))),
            )
            .order_by()
        )
        held = {(b, k, s): (on, late) for b, k, s, on, late in counts}
    periods = {rule.pk: periods_of_year(rule.period, year) for rule in rules}
    result = []
    for pk, name, path in rows:
        branch = BranchCompliance(pk, name, path)
        for rule in rules:
            for start, end in periods[rule.pk]:
                on, late = held.get((pk, rule.kind, start), (0, 0))
                branch.cells.append(
                    Cell(
                        rule.kind,
                        start,
                        end,
                        state_of(on, late, rule.min_count, start, end, today),
                        on + late,
                    )
                )
        result.append(branch)
    result.sort(key=BranchCompliance.sort_key)
    return result


@dataclass
class UnitRollup:
    unit: Organisation
    branches: int = 0
    compliant: int = 0
    missing: int = 0
    late: int = 0
    due: int = 0


def rollup(
    units: list[Organisation], compliance: list[BranchCompliance]
) -> list[UnitRollup]:
    """Totals of each unit's subtree, the units that are behind first."""
    totals = {u.pk: UnitRollup(u) for u in units}
    for branch in compliance:
        for unit in units:
            if branch.path.startswith(unit.path):
                t = totals[unit.pk]
                t.branches += 1
                t.compliant += int(branch.is_compliant)
                t.missing += branch.missing
                t.late += branch.late
                t.due += branch.due
    return sorted(
        totals.values(), key=lambda t: (-t.missing, -t.late, -t.due, t.unit.path)
    )


def by_kind(branch: BranchCompliance) -> dict[str, list[Cell]]:
    cells: dict[str, list[Cell]] = defaultdict(list)
    for cell in branch.cells:
        cells[cell.kind].append(cell)
    return cells
