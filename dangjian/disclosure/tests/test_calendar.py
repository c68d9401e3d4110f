"""The routine release calendar: due, done, late, and who owns it."""

from __future__ import annotations

import datetime as dt

from dangjian.disclosure.calendar import DONE, DUE, LATE, calendar_for, late_for
from dangjian.disclosure.models import DisclosureItemPage, ReleasePlan
from dangjian.disclosure.tests.helpers import DisclosureTestCase

TODAY = dt.date(2026, 11, 29)


class CalendarTestCase(DisclosureTestCase):
    def setUp(self):
        self.plan = ReleasePlan.objects.create(
            organisation=self.unit_a,
            title="月度工作动态",
            category=self.category,
            frequency=ReleasePlan.Frequency.MONTHLY,
            due_day=10,
            owner=self.editor,
            starts_on=dt.date(2026, 8, 1),
        )

    def released_for(self, period):
        page = self.make_item(
            title=f"{period} 工作动态", release_plan=self.plan, plan_period=period
        )
        return self.release(page)

    def test_it_shows_done_due_and_late_periods(self):
        self.released_for("2026-10")
        rows = {
            r.period: r
            for r in calendar_for(ReleasePlan.objects.filter(pk=self.plan.pk), TODAY)
        }
        self.assertEqual(rows["2026-10"].status, DONE)
        self.assertEqual(rows["2026-09"].status, LATE)
        self.assertEqual(rows["2026-09"].due, dt.date(2026, 10, 10))
        self.assertEqual(rows["2026-11"].status, DUE)
        self.assertNotIn("2026-07", rows)  # before the plan started
        late = late_for(ReleasePlan.objects.all(), TODAY)
        self.assertEqual([r.period for r in late], ["2026-08", "2026-09"])
        self.assertEqual(late[0].plan.owner, self.editor)

    def test_a_draft_does_not_count_as_released(self):
        self.make_item(release_plan=self.plan, plan_period="2026-11")
        rows = {r.period: r for r in calendar_for(ReleasePlan.objects.all(), TODAY)}
        self.assertEqual(rows["2026-11"].status, "in_progress")
        self.assertIsInstance(rows["2026-11"].item, DisclosureItemPage)

    def test_quarterly_and_yearly_periods(self):
        plan = ReleasePlan.objects.create(
            organisation=self.unit_a,
            title="党费收缴情况",
            category=self.category,
            frequency=ReleasePlan.Frequency.QUARTERLY,
            due_day=20,
            owner=self.secretary,
            starts_on=dt.date(2026, 1, 1),
        )
        rows = calendar_for(ReleasePlan.objects.filter(pk=plan.pk), TODAY)
        by_period = {r.period: r for r in rows}
        self.assertEqual(by_period["2026-Q3"].due, dt.date(2026, 10, 20))
        self.assertEqual(by_period["2026-Q3"].label, "2026年第3季度")

    def test_the_unit_admin_sees_late_items(self):
        self.client.force_login(self.secretary)
        response = self.client.get("/disclosure/calendar/")
        self.assertContains(response, "逾期")
        self.assertContains(response, "月度工作动态")
        self.assertContains(response, self.editor.get_full_name())
        me = self.client.get("/me/")
        self.assertContains(me, "逾期未发布的例行事项")

    def test_people_without_a_unit_role_cannot_open_the_calendar(self):
        self.client.force_login(self.member)
        self.assertEqual(self.client.get("/disclosure/calendar/").status_code, 403)
        self.client.force_login(self.editor_b)
        self.assertNotContains(self.client.get("/disclosure/calendar/"), "月度工作动态")
