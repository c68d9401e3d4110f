import datetime as dt

from django.utils import timezone

from dangjian.study import actions
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class ApiTestCase(StudyTestCase):
    def test_me_gives_points_plans_sessions_and_archive(self):
        actions.do_record_past_study(
            self.member, self.article, seconds=200, at=timezone.now()
        )
        self.client.login(username="member", password=PASSWORD)
        data = self.client.get("/api/study/me").json()
        self.assertEqual(data["points"]["today"], 1)
        self.assertEqual(data["points"]["year"], 1)
        self.assertEqual(data["plans"][0]["done"], 1)
        self.assertEqual(data["plans"][0]["total"], 2)
        self.assertEqual(data["studied"][0]["title"], "学习二十大报告")
        self.assertEqual(data["latest_entries"][0]["points"], 1)

    def test_me_needs_a_login_and_a_valid_period(self):
        self.assertEqual(self.client.get("/api/study/me").status_code, 401)
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get("/api/study/me?start=2026-02-30")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "bad_period")

    def test_unit_figures_for_the_unit_admin_only(self):
        today = timezone.localdate()
        self.plan.starts_on = today - dt.timedelta(days=5)
        self.plan.deadline = today + dt.timedelta(days=14)
        self.plan.save()
        actions.do_record_past_study(
            self.member, self.article, seconds=200, at=timezone.now()
        )
        self.client.login(username="secretary", password=PASSWORD)
        data = self.client.get(f"/api/study/units/{self.unit_a.pk}").json()
        plan = data["plans"][0]
        self.assertEqual((plan["members"], plan["materials"]), (2, 2))
        # A quarter of the period has gone: the sibling (0 of 2) is behind, the member
        # (1 of 2) is not.
        self.assertEqual([r["username"] for r in plan["behind"]], ["sibling"])
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get(f"/api/study/units/{self.unit_a.pk}")
        self.assertEqual(response.status_code, 403)

    def test_checkin_by_api(self):
        now = timezone.now()
        session = actions.do_create_session(
            acting_user=self.secretary,
            title="党课",
            type="party_class",
            organisation=self.branch_a1,
            organiser=self.secretary,
            starts_at=now - dt.timedelta(hours=3),
            ends_at=now - dt.timedelta(hours=2),
        )
        self.client.login(username="member", password=PASSWORD)
        response = self.client.post(
            "/api/study/checkin",
            {"code": session.checkin_code},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("已过期", response.json()["detail"])
