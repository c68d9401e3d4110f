"""A district admin sees only their own teams, venues, grids, events and
figures: in the admin, the API and the Excel export."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.outreach.actions import do_log_visit, do_push_item
from dangjian.outreach.tests.base import OutreachTestCase
from dangjian.stats.figures import participation, period_for


class ScopingTests(OutreachTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for post in (cls.post_h, cls.post_w):
            do_push_item(
                post,
                kind="disclosure",
                object_id=1,
                title=f"{post.grid.community}推送的政策",
                url="http://testserver/x",
                channel="wechat",
            )
            do_log_visit(
                post, day=timezone.localdate(), households=7, topics="政策宣讲"
            )

    def test_the_admin_lists_only_the_districts_own_rows(self):
        self.client.force_login(self.hn_admin)
        for name, mine, theirs in (
            ("outreach_teams", "海南区理论宣讲团", "乌达区百姓宣讲团"),
            ("outreach_venues", "海南区新时代文明实践中心", "乌达区人民公园"),
            ("outreach_events", "学习二十大精神进社区", "乌达区乡村振兴政策宣讲"),
            ("outreach_grids", "兴隆社区", "团结社区"),
            ("outreach_visits", "兴隆社区", "团结社区"),
            ("outreach_pushes", "兴隆社区推送的政策", "团结社区推送的政策"),
        ):
            with self.subTest(name):
                listing = self.client.get(reverse(f"{name}:index"))
                self.assertContains(listing, mine)
                self.assertNotContains(listing, theirs)

    def test_another_districts_row_cannot_be_opened_or_changed(self):
        self.client.force_login(self.hn_admin)
        for name, mine, theirs in (
            ("outreach_teams", self.team_h, self.team_w),
            ("outreach_events", self.upcoming_h, self.upcoming_w),
            ("outreach_grids", self.grid_h, self.grid_w),
        ):
            with self.subTest(name):
                own = reverse(f"{name}:edit", args=[mine.pk])
                self.assertEqual(self.client.get(own).status_code, 200)
                url = reverse(f"{name}:edit", args=[theirs.pk])
                # Wagtail's admin answers a refusal with a redirect and a message.
                self.assertIn(self.client.get(url).status_code, (302, 403))
                refused = self.client.post(url, {"name": "x"})
                self.assertIn(refused.status_code, (302, 403))
        self.team_w.refresh_from_db()
        self.assertEqual(self.team_w.name, "乌达区百姓宣讲团")

    def test_visits_and_pushes_are_read_but_never_written_in_the_admin(self):
        self.client.force_login(self.hn_admin)
        visit = self.post_h.visits.get()
        inspect = self.client.get(reverse("outreach_visits:inspect", args=[visit.pk]))
        self.assertContains(inspect, "政策宣讲")
        for url in (
            reverse("outreach_visits:add"),
            reverse("outreach_visits:edit", args=[visit.pk]),
            reverse("outreach_pushes:delete", args=[self.post_h.pushes.get().pk]),
        ):
            with self.subTest(url):
                self.assertIn(self.client.get(url).status_code, (302, 403))
        self.assertEqual(self.post_h.visits.count(), 1)

    def test_the_event_form_offers_only_the_districts_own_teams_and_venues(self):
        self.client.force_login(self.hn_admin)
        form = self.client.get(reverse("outreach_events:add"))
        self.assertContains(form, "海南区理论宣讲团")
        self.assertNotContains(form, "乌达区百姓宣讲团")
        self.assertNotContains(form, "乌达区人民公园")

    def test_figures_page_api_and_export_hold_only_the_districts_grids(self):
        self.client.force_login(self.hn_admin)
        page = self.client.get(reverse("outreach:figures"))
        self.assertContains(page, "兴隆社区")
        self.assertNotContains(page, "团结社区")
        api = self.client.get("/api/outreach/figures").json()
        self.assertEqual([r["community"] for r in api["grids"]], ["兴隆社区"])
        self.assertEqual(api["grids"][0]["visits"], 1)
        self.assertEqual(api["grids"][0]["households"], 7)
        self.assertEqual({r["district"] for r in api["events"]}, {"海南区"})
        self.assertEqual(sum(r["events"] for r in api["events"]), 2)
        export = self.client.get(reverse("outreach:figures-export"), {"table": "grids"})
        sheet = load_workbook(io.BytesIO(export.content)).active
        text = " ".join(
            str(c) for row in sheet.iter_rows(values_only=True) for c in row
        )
        self.assertIn("兴隆社区", text)
        self.assertNotIn("团结社区", text)

    def test_people_without_a_unit_role_get_no_figures(self):
        self.client.force_login(self.worker_h)
        self.assertEqual(self.client.get(reverse("outreach:figures")).status_code, 403)
        self.assertEqual(self.client.get("/api/outreach/figures").status_code, 403)
        export = self.client.get(reverse("outreach:figures-export"))
        self.assertEqual(export.status_code, 403)

    def test_a_bad_month_is_refused_in_chinese(self):
        self.client.force_login(self.hn_admin)
        page = self.client.get(reverse("outreach:figures"), {"month": "2026-13"})
        self.assertEqual(page.status_code, 400)
        self.assertIn("月份格式不对", page.content.decode())
        api = self.client.get("/api/outreach/figures", {"month": "9999-01"})
        self.assertEqual(api.status_code, 422)
        self.assertIn("月份超出范围", api.json()["detail"])

    def test_the_district_dashboard_counts_pushes_visits_and_events(self):
        period = period_for("month", timezone.localdate())
        rows = {r["org"]: r for r in participation(self.city, period)}
        self.assertEqual(rows["海南区"]["outreach_pushes"], 1)
        self.assertEqual(rows["海南区"]["outreach_visits"], 1)
        self.assertEqual(rows["海南区"]["outreach_households"], 7)
        self.assertEqual(rows["乌达区"]["outreach_pushes"], 1)
        self.client.force_login(self.hn_admin)
        dashboard = self.client.get(reverse("stats:unit", args=[self.district_h.pk]))
        self.assertContains(dashboard, "网格员推送")
        self.assertContains(dashboard, "入户走访")
