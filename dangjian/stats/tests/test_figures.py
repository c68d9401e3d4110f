"""Each figure agrees with the raw records of a small hand-built example."""

from __future__ import annotations

from dangjian.stats import figures
from dangjian.stats.tests.example import ExampleTestCase
from dangjian.study.models import MaterialPage, Progress

EXPECTED = {
    # metric: (city, unit_a, branch_a1, branch_a2, unit_b, branch_b1)
    "materials_read": (4, 3, 2, 1, 1, 1),
    "videos_watched": (1, 1, 1, 0, 0, 0),
    "sessions_held": (2, 1, 1, 0, 1, 1),
    "attendances": (3, 2, 2, 0, 1, 1),
    "quiz_attempts": (2, 1, 1, 0, 1, 1),
    "votes": (2, 2, 2, 0, 0, 0),
    "releases_due": (2, 1, 0, 0, 1, 0),
    "releases_on_time": (1, 1, 0, 0, 0, 0),
    "kb_entries": (3, 2, 0, 0, 1, 0),
    "kb_current": (2, 1, 0, 0, 1, 0),
    "questions": (4, 3, 0, 0, 1, 0),
    "questions_in_time": (2, 1, 0, 0, 1, 0),
}


class ParticipationTestCase(ExampleTestCase):
    def orgs(self):
        return [
            self.city,
            self.unit_a,
            self.branch_a1,
            self.branch_a2,
            self.unit_b,
            self.branch_b1,
        ]

    def test_every_metric_matches_the_hand_count(self):
        rows = {r["org_id"]: r for r in figures.participation(self.city, self.period)}
        for metric, expected in EXPECTED.items():
            with self.subTest(metric=metric):
                got = tuple(rows[org.pk][metric] for org in self.orgs())
                self.assertEqual(got, expected)

    def test_materials_read_agree_with_a_direct_count_of_progress(self):
        start, end = self.period.bounds()
        rows = {r["org_id"]: r for r in figures.participation(self.city, self.period)}
        for org in self.orgs():
            people = (
                Progress.objects.filter(
                    completed_at__gte=start,
                    completed_at__lt=end,
                    person__memberships__organisation__path__startswith=org.path,
                )
                .exclude(material__kind=MaterialPage.Kind.VIDEO)
                .values("pk")
                .distinct()
                .count()
            )
            self.assertEqual(rows[org.pk]["materials_read"], people, org.name)

    def test_a_unit_sees_only_its_own_subtree(self):
        rows = figures.participation(self.unit_a, self.period)
        self.assertEqual(
            [r["org_id"] for r in rows],
            [self.unit_a.pk, self.branch_a1.pk, self.branch_a2.pk],
        )
        self.assertEqual(rows[0]["level"], 0)
        self.assertEqual(rows[1]["parent_id"], self.unit_a.pk)

    def test_the_ranking_orders_units_by_the_metric(self):
        rows = figures.unit_ranking(self.city, self.period, "materials_read")
        self.assertEqual([r["org"] for r in rows], ["市委宣传部", "市公安局"])
        self.assertEqual([r["rank"] for r in rows], [1, 2])
        with self.assertRaises(ValueError):
            figures.unit_ranking(self.city, self.period, "nonsense")

    def test_the_trend_ends_with_the_period_and_agrees_with_it(self):
        rows = figures.participation_trend(self.city, self.period, n=3)
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[-1]["period"], self.period.label)
        self.assertEqual(rows[-1]["materials_read"], 4)
        # The month before holds only the one earlier reading.
        self.assertEqual(rows[-2]["materials_read"], 1)

    def test_the_period_of_a_day_week_month_and_year(self):
        import datetime as dt

        day = dt.date(2026, 11, 29)  # a Sunday
        week = figures.period_for("week", day)
        self.assertEqual((week.start, week.end), (dt.date(2026, 11, 23), day))
        month = figures.period_for("month", dt.date(2024, 2, 10))
        self.assertEqual(month.end, dt.date(2024, 2, 29))
        self.assertEqual(figures.period_for("year", day).start, dt.date(2026, 1, 1))
        with self.assertRaisesMessage(ValueError, "未知的统计周期"):
            figures.parse_period("decade", None)
        with self.assertRaisesMessage(ValueError, "日期格式不对"):
            figures.parse_period("day", "2026-13-01")
