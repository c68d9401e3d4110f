"""Most-viewed lists name a 党内 item only to people in its scope.

The dashboards, ``/api/stats/views/top`` and the Excel download count every
view, but the title of a 党内 item reaches only people its scope includes;
anyone else sees one anonymous line ("党内事项 N 项") with the summed views.
"""

from __future__ import annotations

import io

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.stats.models import DailyViews
from dangjian.test import make_person

SECRET_A = "宣传部内部通报（哨兵甲）"
SECRET_B = "公安局内部部署（哨兵乙）"
PUBLIC = "市委宣传部公开事项（哨兵丙）"


class TopViewedScopeTestCase(DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A city leader outside both 党内 items' scope, and one who is also
        # a member of a branch of 市委宣传部 (inside item A's scope only).
        cls.leader = make_person("leader", "市委领导")
        do_grant_role(cls.leader, cls.city, Role.APPROVER)
        cls.leader_in_a = make_person("leader_in_a", "市委领导（宣传部党员）")
        do_grant_role(cls.leader_in_a, cls.city, Role.APPROVER)
        do_grant_role(cls.leader_in_a, cls.branch_a1, Role.MEMBER)
        cls.unit_b_admin = make_person("unit_b_admin", "公安局管理员")
        do_grant_role(cls.unit_b_admin, cls.unit_b, Role.UNIT_ADMIN)

        def item(title, section, scope, audience):
            page = DisclosureItemPage(
                title=title,
                body="<p>正文</p>",
                category=cls.category,
                scope=scope,
                include_descendants=True,
            )
            page.audience = audience
            section.add_child(instance=page)
            return page

        cls.secret_a = item(SECRET_A, cls.section_a, "internal", [cls.unit_a])
        cls.secret_b = item(SECRET_B, cls.section_b, "internal", [cls.unit_b])
        cls.public = item(PUBLIC, cls.section_a, "public", [])
        content_type = ContentType.objects.get_for_model(DisclosureItemPage)
        today = timezone.localdate()
        for page, views in ((cls.secret_a, 30), (cls.secret_b, 20), (cls.public, 10)):
            DailyViews.objects.create(
                content_type=content_type,
                object_id=page.pk,
                day=today,
                channel="direct",
                views=views,
                visitors=views // 2,
            )

    def params(self, **extra):
        return {"period": "month", "date": timezone.localdate().isoformat(), **extra}

    def dashboard(self, person, url=None):
        self.client.force_login(person)
        response = self.client.get(url or reverse("stats:dashboard"), self.params())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def api_rows(self, person, **extra):
        self.client.force_login(person)
        response = self.client.get("/api/stats/views/top", self.params(**extra))
        self.assertEqual(response.status_code, 200)
        return response.json()["rows"]

    def excel_text(self, person, **extra):
        self.client.force_login(person)
        response = self.client.get(
            reverse("stats:download", args=["top"]), self.params(**extra)
        )
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]

    def test_a_platform_admin_outside_the_scope_sees_no_internal_title(self):
        html = self.dashboard(self.admin)
        self.assertNotIn(SECRET_A, html)
        self.assertNotIn(SECRET_B, html)
        self.assertIn(PUBLIC, html)
        self.assertIn("党内事项 2 项", html)

    def test_a_city_leader_outside_the_scope_sees_no_internal_title_anywhere(self):
        html = self.dashboard(self.leader)
        rows = self.api_rows(self.leader)
        sheet = str(self.excel_text(self.leader))
        for shown in (html, str(rows), sheet):
            self.assertNotIn(SECRET_A, shown)
            self.assertNotIn(SECRET_B, shown)
            self.assertIn(PUBLIC, shown)
            self.assertIn("党内事项 2 项", shown)

    def test_the_anonymous_line_still_counts_the_views_but_names_nothing(self):
        rows = self.api_rows(self.leader)
        hidden = [r for r in rows if r["title"] == "党内事项 2 项"]
        self.assertEqual(len(hidden), 1)
        self.assertEqual(hidden[0]["views"], 50)
        self.assertIsNone(hidden[0]["object_id"])
        self.assertEqual(sum(r["views"] for r in rows), 60)

    def test_a_leader_in_one_items_scope_sees_that_title_only(self):
        html = self.dashboard(self.leader_in_a)
        rows = self.api_rows(self.leader_in_a)
        sheet = str(self.excel_text(self.leader_in_a))
        for shown in (html, str(rows), sheet):
            self.assertIn(SECRET_A, shown)
            self.assertNotIn(SECRET_B, shown)
            self.assertIn("党内事项 1 项", shown)

    def test_a_unit_admin_sees_their_own_units_internal_title(self):
        url = reverse("stats:unit", args=[self.unit_b.pk])
        html = self.dashboard(self.unit_b_admin, url)
        self.assertIn(SECRET_B, html)
        self.assertNotIn(SECRET_A, html)
        rows = self.api_rows(self.unit_b_admin, org=self.unit_b.pk)
        self.assertEqual([r["title"] for r in rows], [SECRET_B])
