"""Party dues: the monthly amount from a declared base, and arrears.

The bands are rows of ``DuesRule`` (admin-editable, seeded from the
regulation by migration 0002). A base belongs to the band whose
(above, up_to] holds it: 3,000.00 exactly is in the 0.5 % band, 3,000.01 in
the 1 % band. Amounts are ``Decimal`` rounded half up to the fen.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orglife.models import DuesDeclaration, DuesKind, DuesPayment, DuesRule

FEN = Decimal("0.01")
MAX_BASE = Decimal("10000000")


def money(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Quote:
    monthly: Decimal
    rate: Decimal | None
    fixed_min: Decimal | None = None
    fixed_max: Decimal | None = None


def parse_base(raw: object) -> Decimal:
    """A declared base from user input, or a ValidationError in Chinese."""
    try:
        base = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("收入基数须为数字，如 6000 或 6000.50")) from None
    if not base.is_finite():
        raise ValidationError(_("收入基数须为数字，如 6000 或 6000.50"))
    if base < 0:
        raise ValidationError(_("收入基数不能为负数"))
    if base >= MAX_BASE:
        raise ValidationError(_("收入基数过大，请核对"))
    if base != base.quantize(FEN):
        raise ValidationError(_("收入基数最多保留两位小数"))
    return base


def parse_kind(raw: object) -> str:
    if raw not in DuesKind.values:
        raise ValidationError(
            _("党员类别须为以下之一：%(kinds)s") % {"kinds": "、".join(DuesKind.values)}
        )
    return str(raw)


def quote(base: Decimal, kind: str, chosen: Decimal | None = None) -> Quote:
    """The monthly dues of a member of ``kind`` with ``base``.

    Fixed-amount kinds (farmers, students …) owe their band's minimum, or
    ``chosen`` when it lies within the band.
    """
    for rule in DuesRule.objects.filter(kind=kind).order_by("above"):
        if not rule.matches(base):
            continue
        if rule.rate is not None:
            return Quote(monthly=money(base * rule.rate), rate=rule.rate)
        low = rule.fixed_min or Decimal("0")
        high = rule.fixed_max or low
        amount = low
        if chosen is not None:
            if not low <= chosen <= high:
                raise ValidationError(
                    _("该类别每月党费须在 %(low)s 至 %(high)s 元之间")
                    % {"low": low, "high": high}
                )
            amount = chosen
        return Quote(monthly=money(amount), rate=None, fixed_min=low, fixed_max=high)
    raise ValidationError(_("党费标准中没有适用于该类别和基数的档次"))


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_from(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from ``start``'s to ``end``'s, inclusive."""
    months = []
    month = first_of_month(start)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Arrears:
    person_id: int
    branch_id: int
    monthly: Decimal
    months: list[dt.date]

    @property
    def owed(self) -> Decimal:
        return self.monthly * len(self.months)


def arrears(declarations, today: dt.date | None = None) -> list[Arrears]:
    """Months owed by the members of these (confirmed) declarations, from
    each one's first month up to the month before ``today``'s; the current
    month is not yet late. Two queries, whatever the number of members."""
    today = today or timezone.localdate()
    last = first_of_month(today) - dt.timedelta(days=1)
    rows = list(
        declarations.filter(confirmed_at__isnull=False).values_list(
            "person_id", "branch_id", "year", "starts_on", "monthly"
        )
    )
    if not rows:
        return []
    years = {year for _p, _b, year, _s, _m in rows}
    paid: dict[int, set[dt.date]] = defaultdict(set)
    for person_id, month in DuesPayment.objects.filter(
        person_id__in={r[0] for r in rows}, month__year__in=years
    ).values_list("person_id", "month"):
        paid[person_id].add(month)
    found = []
    for person_id, branch_id, year, starts_on, monthly in rows:
        end = min(last, dt.date(year, 12, 31))
        start = max(starts_on, dt.date(year, 1, 1))
        owed = [m for m in months_from(start, end) if m not in paid[person_id]]
        if owed:
            found.append(Arrears(person_id, branch_id, monthly, owed))
    found.sort(key=lambda a: (-len(a.months), a.branch_id, a.person_id))
    return found


def collection_summary(branch_ids, year: int) -> list[dict]:
    """Per branch: members declared, dues expected to date, collected, owed."""
    from django.db.models import Count, Sum

    declared = dict(
        DuesDeclaration.objects.filter(branch_id__in=branch_ids, year=year)
        .values_list("branch_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    collected = dict(
        DuesPayment.objects.filter(branch_id__in=branch_ids, month__year=year)
        .values_list("branch_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    owed: dict[int, Decimal] = defaultdict(Decimal)
    for a in arrears(
        DuesDeclaration.objects.filter(branch_id__in=branch_ids, year=year)
    ):
        owed[a.branch_id] += a.owed
    return [
        {
            "branch_id": b,
            "declared": declared.get(b, 0),
            "collected": money(collected.get(b) or Decimal("0")),
            "owed": money(owed.get(b, Decimal("0"))),
        }
        for b in branch_ids
    ]
