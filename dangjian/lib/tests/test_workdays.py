"""Working days: weekends, public holidays and 调休 Saturdays (State Council
calendar through chinesecalendar), and the weekday rule past its last year."""

import datetime as dt

from django.test import SimpleTestCase

from dangjian.lib.workdays import add_workdays, is_workday, workdays_between

D = dt.date


class WorkdaysTestCase(SimpleTestCase):
    def test_weekends_are_not_working_days(self):
        self.assertTrue(is_workday(D(2026, 3, 6)))  # Friday
        self.assertFalse(is_workday(D(2026, 3, 7)))  # Saturday
        self.assertFalse(is_workday(D(2026, 3, 8)))  # Sunday

    def test_public_holidays_are_not_working_days(self):
        self.assertFalse(is_workday(D(2026, 10, 1)))  # National Day, a Thursday
        self.assertFalse(is_workday(D(2026, 2, 17)))  # Spring Festival, a Tuesday
        self.assertFalse(is_workday(D(2025, 5, 1)))

    def test_tiaoxiu_weekends_are_working_days(self):
        # 2026: Saturday 14 February and Saturday 10 October are worked.
        self.assertTrue(is_workday(D(2026, 2, 14)))
        self.assertTrue(is_workday(D(2026, 10, 10)))
        self.assertTrue(is_workday(D(2026, 1, 4)))  # a Sunday worked

    def test_a_deadline_skips_the_weekend(self):
        self.assertEqual(add_workdays(D(2026, 3, 6), 1), D(2026, 3, 9))
        self.assertEqual(add_workdays(D(2026, 3, 6), 5), D(2026, 3, 13))
        self.assertEqual(add_workdays(D(2026, 3, 6), 0), D(2026, 3, 6))

    def test_a_deadline_skips_national_day_and_lands_on_the_worked_saturday(self):
        # Taken on Wednesday 30 September 2026: 1–7 October are off, the
        # Saturday 10 October is worked.
        self.assertEqual(add_workdays(D(2026, 9, 30), 1), D(2026, 10, 8))
        self.assertEqual(add_workdays(D(2026, 9, 30), 3), D(2026, 10, 10))

    def test_counting_between_days(self):
        self.assertEqual(workdays_between(D(2026, 3, 6), D(2026, 3, 9)), 1)
        self.assertEqual(workdays_between(D(2026, 3, 9), D(2026, 3, 6)), -1)
        self.assertEqual(workdays_between(D(2026, 9, 30), D(2026, 10, 8)), 1)
        self.assertEqual(workdays_between(D(2026, 3, 2), D(2026, 3, 2)), 0)

    def test_past_the_calendars_last_year_weekdays_and_fixed_holidays_apply(self):
        # 2027's notice is not in the package yet: weekdays are worked
        # except the fixed-date statutory holidays.
        self.assertTrue(is_workday(D(2027, 9, 30)))  # Thursday
        self.assertFalse(is_workday(D(2027, 10, 1)))  # National Day, Friday
        self.assertFalse(is_workday(D(2027, 10, 2)))  # Saturday
        self.assertFalse(is_workday(D(2027, 1, 1)))  # New Year's Day, Friday
        self.assertEqual(add_workdays(D(2026, 12, 31), 1), D(2027, 1, 4))

    def test_backwards(self):
        self.assertEqual(add_workdays(D(2026, 3, 9), -1), D(2026, 3, 6))
