"""Who may open the dashboards, the API and the Excel downloads, and that
what they get holds the figures."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Role
from dangjian.stats.tests.example import ExampleTestCase
from dangjian.test import make_person


class DashboardAccessTestCase(ExampleTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.leader = make_person("leader", "市委领导")
        do_grant_role(cls.leader, cls.city, Role.APPROVER)

    def params(self, **extra):
        return {
            "period": "month",
            "date": self.period.start.isoformat(),
            **extra,
        }

    def test_the_public_is_sent_to_log_in(self):
        for url in (reverse("stats:dashboard"), reverse("stats:unit-home")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn("login", response["Location"])

    def test_a_member_and_an_outsider_are_refused(self):
        for person in (self.member, self.outsider, self.editor):
            self.client.force_login(person)
            self.assertEqual(
                self.client.get(reverse("stats:dashboard")).status_code, 403
            )
            self.assertEqual(
                self.client.get(reverse("stats:unit-home")).status_code, 403
            )

    def test_platform_admins_and_city_leaders_see_the_leaders_dashboard(self):
        for person in (self.admin, self.leader):
            self.client.force_login(person)
            response = self.client.get(reverse("stats:dashboard"), self.params())
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "领导驾驶舱")
            self.assertContains(response, "stats/vendor/echarts.min.js")
            self.assertContains(response, 'id="chart-tree"')

    def test_leaders_switch_between_the_citys_organisation_trees(self):
        government = Organisation.add_root(
            name="测试市人民政府", kind=Organisation.Kind.GOVERNMENT
        )
        self.client.force_login(self.leader)
        response = self.client.get(reverse("stats:dashboard"), self.params())
        self.assertContains(response, f'<option value="{government.pk}">测试市人民政府')
        response = self.client.get(
            reverse("stats:dashboard"), self.params(org=government.pk)
        )
        self.assertContains(response, "测试市人民政府 · ")
        self.assertEqual(
            self.client.get(
                reverse("stats:dashboard"), self.params(org="999999")
            ).status_code,
            404,
        )

    def test_city_leaders_open_the_dashboard_on_every_tree_of_the_city(self):
        government = Organisation.add_root(
            name="测试市人民政府", kind=Organisation.Kind.GOVERNMENT
        )
        bureau = government.add_child(
            name="测试市教育局", kind=Organisation.Kind.GOVERNMENT_DEPARTMENT
        )
        teacher = make_person("teacher", "教育局干部")
        do_grant_role(teacher, bureau, Role.MEMBER)
        self.client.force_login(self.leader)
        response = self.client.get(reverse("stats:dashboard"), self.params())
        self.assertContains(response, "全市（全部组织体系）")
        tree = response.context["chart_data"]["tree"]
        self.assertEqual(tree[0]["id"], "city")
        roots = {r["name"] for r in tree if r["parent"] == "city"}
        self.assertEqual(roots, {self.city.name, "测试市人民政府"})
        self.assertIn("测试市教育局", {r["name"] for r in tree})
        # Every person once, whichever tree they belong to.
        in_one_tree = response.context["total"]["people"]
        committee = self.client.get(
            reverse("stats:dashboard"), self.params(org=self.city.pk)
        ).context["total"]["people"]
        self.assertEqual(in_one_tree, committee + 1)
        ranking = [r["org"] for r in response.context["ranking"]]
        self.assertEqual(sorted(ranking), sorted([self.city.name, "测试市人民政府"]))
        # The downloads follow: no org is the whole city, for city leaders only.
        sheet = self.client.get(
            reverse("stats:download", args=["participation"]), self.params()
        )
        self.assertEqual(sheet.status_code, 200)
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
        self.assertIn("测试市教育局", [row[0] for row in rows])
        self.client.force_login(self.secretary)
        refused = self.client.get(
            reverse("stats:download", args=["participation"]), self.params()
        )
        self.assertEqual(refused.status_code, 403)

    def test_a_unit_admin_sees_only_their_own_unit(self):
        self.client.force_login(self.secretary)
        self.assertRedirects(
            self.client.get(reverse("stats:dashboard")),
            reverse("stats:unit-home"),
            target_status_code=302,
        )
        home = self.client.get(reverse("stats:unit-home"))
        self.assertRedirects(home, reverse("stats:unit", args=[self.unit_a.pk]))
        own = self.client.get(
            reverse("stats:unit", args=[self.unit_a.pk]), self.params()
        )
        self.assertEqual(own.status_code, 200)
        self.assertContains(own, "宣传部第一党支部")
        self.assertNotContains(own, "公安局第一党支部")
        below = self.client.get(reverse("stats:unit", args=[self.branch_a1.pk]))
        self.assertEqual(below.status_code, 200)
        other = self.client.get(reverse("stats:unit", args=[self.unit_b.pk]))
        self.assertEqual(other.status_code, 403)
        city = self.client.get(reverse("stats:unit", args=[self.city.pk]))
        self.assertEqual(city.status_code, 403)

    def test_a_bad_period_is_a_clear_error(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("stats:dashboard"), {"period": "decade"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("未知的统计周期", response.content.decode())

    def test_the_api_answers_the_same_figures_under_the_same_rules(self):
        url = "/api/stats/participation"
        self.assertEqual(self.client.get(url).status_code, 401)
        self.client.force_login(self.secretary)
        self.assertEqual(self.client.get(url, {"org": self.unit_b.pk}).status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 403)  # the city
        response = self.client.get(url, self.params(org=self.unit_a.pk))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["org"]["id"], self.unit_a.pk)
        rows = {r["org_id"]: r for r in body["rows"]}
        self.assertEqual(
            set(rows), {self.unit_a.pk, self.branch_a1.pk, self.branch_a2.pk}
        )
        self.assertEqual(rows[self.unit_a.pk]["materials_read"], 3)
        self.assertEqual(rows[self.unit_a.pk]["questions_in_time"], 1)
        bad = self.client.get(url, self.params(org=self.unit_a.pk, date="昨天"))
        self.assertEqual(bad.status_code, 400)
        self.assertIn("日期格式不对", bad.json()["detail"])

    def test_the_views_endpoints_answer_for_a_leader(self):
        self.client.force_login(self.leader)
        for path in ("views", "views/channels", "views/top", "trend", "ranking"):
            with self.subTest(path=path):
                response = self.client.get(f"/api/stats/{path}", self.params())
                self.assertEqual(response.status_code, 200)
                self.assertIn("rows", response.json())
        daily = self.client.get("/api/stats/views", self.params()).json()["rows"]
        self.assertEqual(len(daily), (self.period.end - self.period.start).days + 1)

    def test_every_figure_downloads_as_excel_with_its_numbers(self):
        self.client.force_login(self.admin)
        url = reverse("stats:download", args=["participation"])
        response = self.client.get(url, self.params(org=self.city.pk))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertIn("各组织参与情况", sheet["A1"].value)
        header = [c.value for c in sheet[2]]
        self.assertEqual(header[:3], ["组织", "层级", "人数"])
        rows = {
            r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=3, values_only=True)
        }
        self.assertEqual(rows["中共测试市委"]["学习资料学完"], 4)
        self.assertEqual(rows["市委宣传部"]["按时答复"], 1)
        self.assertEqual(rows["市公安局"]["例行发布应发"], 1)

        for name in ("ranking", "trend", "views-daily", "views-channel", "top"):
            with self.subTest(name=name):
                response = self.client.get(
                    reverse("stats:download", args=[name]), self.params()
                )
                self.assertEqual(response.status_code, 200)
                book = load_workbook(io.BytesIO(response.content))
                self.assertGreaterEqual(book.active.max_row, 2)

    def test_a_unit_admin_cannot_download_another_units_figures(self):
        self.client.force_login(self.secretary)
        url = reverse("stats:download", args=["participation"])
        self.assertEqual(self.client.get(url, {"org": self.unit_b.pk}).status_code, 403)
        self.assertEqual(self.client.get(url, {"org": self.unit_a.pk}).status_code, 200)
