"""Working days in mainland China: weekends, public holidays and 调休.

The statutory calendar comes from ``chinesecalendar`` (the State Council's
yearly notice, 2004 onward; the package's data must be updated each year,
version 1.11 covers 2004–2026). Two things sit on top of it:

* overrides: any app may register ``dangjian_workday_overrides``, a function
  returning ``{date: is_workday}`` (orglife keeps an admin-editable table);
  an override wins over the package, so a city can enter next year's notice
  the day it is published, before a new package release;
* beyond the package's years and without an override, Monday to Friday are
  working days (the holidays of a year not yet announced are unknown).

``covered(year)`` says whether a year's holidays are known, so a page can
warn that a deadline was counted without them.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

OVERRIDES_HOOK = "dangjian_workday_overrides"


def _overrides() -> dict[dt.date, bool]:
    from wagtail import hooks

    found: dict[dt.date, bool] = {}
    for fn in hooks.get_hooks(OVERRIDES_HOOK):
        found.update(fn() or {})
    return found


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def covered(year: int) -> bool:
    """Whether the holidays of ``year`` are known (package or overrides)."""
    if _package_covers(year):
        return True
    return any(d.year == year for d in _overrides())


def _is_workday(d: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if d in overrides:
        return overrides[d]
    if _package_covers(d.year):
        import chinese_calendar

        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


def is_workday(d: dt.date) -> bool:
    """Whether ``d`` is a working day (调休 Saturdays and Sundays included)."""
    return _is_workday(d, _overrides())


def add_workdays(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (before it for negative ``n``);
    ``d`` itself for 0."""
    overrides = _overrides()
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = d
    while remaining:
        day += dt.timedelta(days=step)
        if _is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days in (a, b]: after ``a`` up to and including ``b``; 0 when
    ``b`` is not after ``a``."""
    overrides = _overrides()
    count = 0
    day = a + dt.timedelta(days=1)
    while day <= b:
        if _is_workday(day, overrides):
            count += 1
        day += dt.timedelta(days=1)
    return count
