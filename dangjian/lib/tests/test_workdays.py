"""Working days: weekends, public holidays and 调休 Saturdays and Sundays."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from wagtail import hooks

from dangjian.lib.workdays import (
    OVERRIDES_HOOK,
    add_workdays,
    covered,
    is_workday,
    workdays_between,
)

D = dt.date


class WorkdaysTestCase(TestCase):
    def test_weekends_holidays_and_adjusted_days(self):
        self.assertTrue(is_workday(D(2025, 9, 26)))  # Friday
        self.assertFalse(is_workday(D(2025, 9, 27)))  # Saturday
        self.assertTrue(is_workday(D(2025, 9, 28)))  # Sunday, 调休 for 国庆
        self.assertFalse(is_workday(D(2025, 10, 1)))  # 国庆节
        self.assertFalse(is_workday(D(2025, 10, 8)))  # still the holiday
        self.assertTrue(is_workday(D(2025, 10, 11)))  # Saturday, 调休
        self.assertTrue(is_workday(D(2026, 2, 14)))  # Saturday before 春节, 调休
        self.assertFalse(is_workday(D(2026, 2, 23)))  # Monday, 春节 holiday

    def test_workdays_between_counts_after_a_up_to_b(self):
        # Mon 2025-09-22 .. Fri 09-26: four days after Monday.
        self.assertEqual(workdays_between(D(2025, 9, 22), D(2025, 9, 26)), 4)
        self.assertEqual(workdays_between(D(2025, 9, 26), D(2025, 9, 26)), 0)
        self.assertEqual(workdays_between(D(2025, 9, 26), D(2025, 9, 20)), 0)
        # Across 国庆 2025: Sat 27 off, Sun 28 on, Mon 29, Tue 30 on,
        # Oct 1–8 off, Thu 9, Fri 10, Sat 11 (调休) on.
        self.assertEqual(workdays_between(D(2025, 9, 26), D(2025, 10, 11)), 6)

    def test_add_workdays_skips_holidays(self):
        self.assertEqual(add_workdays(D(2025, 9, 30), 1), D(2025, 10, 9))
        self.assertEqual(add_workdays(D(2025, 10, 9), -1), D(2025, 9, 30))
        self.assertEqual(add_workdays(D(2025, 9, 26), 0), D(2025, 9, 26))
        self.assertEqual(add_workdays(D(2026, 2, 13), 1), D(2026, 2, 14))
        for n in (1, 5, 20):
            start = D(2025, 9, 25)
            self.assertEqual(workdays_between(start, add_workdays(start, n)), n)

    def test_a_year_beyond_the_package_counts_weekdays_and_says_so(self):
        self.assertTrue(covered(2026))
        self.assertFalse(covered(2031))
        self.assertTrue(is_workday(D(2031, 10, 1)))  # a Wednesday, unknown year
        self.assertFalse(is_workday(D(2031, 10, 4)))  # Saturday

    def test_an_override_wins_over_the_package(self):
        def overrides():
            return {D(2031, 10, 1): False, D(2025, 9, 27): True}

        with hooks.register_temporarily(OVERRIDES_HOOK, overrides):
            self.assertFalse(is_workday(D(2031, 10, 1)))
            self.assertTrue(is_workday(D(2025, 9, 27)))
            self.assertTrue(covered(2031))
