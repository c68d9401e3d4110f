"""Working days in mainland China: weekends, public holidays and 调休 workdays.

The State Council's calendar comes from ``chinesecalendar`` (each release
adds the next year's notice). Past the last year it knows, a day is a
working day from Monday to Friday: the year's notice is not out yet, and
the weekday rule is the best a deadline can do until the package is
upgraded.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar

# (month, day) of the statutory holidays on fixed solar dates.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@functools.lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day (调休 Saturdays and Sundays included)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0).

    A negative ``n`` counts backwards.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(a: dt.date, b: dt.date) -> int:
    """The number of working days in (a, b]; negative when ``b`` is before ``a``."""
    if b < a:
        return -workdays_between(b, a)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
