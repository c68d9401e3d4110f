"""Point corrections (积分更正): a unit admin adds a ledger line for a member of
their own unit, with a reason; existing lines never change."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from dangjian.study.actions import check_add_point_correction, do_award_points
from dangjian.study.models import PointEntry, PointRule
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD

URL = "/admin/study/points/correct/"


class CorrectionFormTestCase(StudyTestCase):
    def setUp(self):
        self.earned = do_award_points(
            self.member, "session_attended", source="session:1"
        )
        self.rule = PointRule.objects.get(kind="session_attended")
        self.client.login(username="secretary", password=PASSWORD)

    def post(self, person, points, reason="补记学习会出席"):
        return self.client.post(
            URL,
            {
                "person": person.pk,
                "rule": self.rule.pk,
                "points": points,
                "reason": reason,
            },
        )

    def total(self, person) -> int:
        return PointEntry.objects.for_person(person).total()

    def test_the_url_is_the_named_admin_view(self):
        self.assertEqual(reverse("study_correct_points"), URL)

    def test_a_unit_admin_corrects_a_member_of_the_unit(self):
        response = self.post(self.member, 3)
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        self.assertEqual(self.total(self.member), 5 + 3)
        correction = PointEntry.objects.get(person=self.member, points=3)
        self.assertEqual(correction.label, "更正：补记学习会出席")
        self.assertEqual(correction.created_by, self.secretary)
        # The earned line is untouched; the correction is a line of its own.
        self.earned.refresh_from_db()
        self.assertEqual(self.earned.points, 5)
        self.assertEqual(PointEntry.objects.for_person(self.member).count(), 2)
        log = ModelLogEntry.objects.get(action="dangjian.study.correct_points")
        self.assertEqual(log.user_id, self.secretary.pk)
        self.assertEqual(log.data["points"], 3)
        self.assertEqual(log.data["reason"], "补记学习会出席")
        # The success page says so and lists it.
        page = self.client.get(URL)
        self.assertContains(page, "现累计 8 分")
        self.assertContains(page, "补记学习会出席")

    def test_a_negative_correction_takes_points_away_but_not_below_zero(self):
        self.assertRedirects(self.post(self.member, -5, "重复登记"), URL)
        self.assertEqual(self.total(self.member), 0)
        response = self.post(self.member, -1, "再扣")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "不能为负数")
        self.assertEqual(self.total(self.member), 0)

    def test_totals_by_day_month_and_year_reflect_the_correction(self):
        self.post(self.member, 7)
        ledger = PointEntry.objects.for_person(self.member)
        self.assertEqual(ledger.by_day()[0]["points"], 12)
        self.assertEqual(ledger.by_month()[0]["points"], 12)
        self.assertEqual(ledger.by_year()[0]["points"], 12)
        self.client.login(username="member", password=PASSWORD)
        me = self.client.get("/api/study/me").json()
        self.assertEqual(me["points"]["all_time"], 12)
        self.assertEqual(me["points"]["today"], 12)

    def test_a_member_of_another_unit_is_refused(self):
        response = self.post(self.outsider, 3)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "只能更正本单位党员的积分")
        self.assertFalse(PointEntry.objects.filter(person=self.outsider).exists())
        self.assertNotContains(self.client.get(URL), self.outsider.get_full_name())

    def test_the_action_refuses_another_units_member_too(self):
        with self.assertRaises(PermissionDenied):
            check_add_point_correction(
                self.outsider, self.rule, 3, "越权", acting_user=self.secretary
            )
        self.assertFalse(PointEntry.objects.filter(person=self.outsider).exists())

    def test_a_reason_is_required_and_zero_is_refused(self):
        response = self.post(self.member, 3, reason="  ")
        self.assertEqual(response.status_code, 200)
        response = self.post(self.member, 0)
        self.assertContains(response, "不能为 0")
        with self.assertRaisesMessage(ValidationError, "请填写更正原因"):
            check_add_point_correction(
                self.member, self.rule, 3, "", acting_user=self.secretary
            )
        self.assertEqual(self.total(self.member), 5)

    def test_people_without_a_unit_to_manage_cannot_open_the_form(self):
        for username in ("member", "editor", "editor_b"):
            self.client.login(username=username, password=PASSWORD)
            response = self.client.get(URL)
            self.assertIn(response.status_code, (302, 403), username)
            response = self.post(self.member, 100)
        self.assertEqual(self.total(self.member), 5)

    def test_a_correction_does_not_use_up_the_daily_cap(self):
        PointRule.objects.filter(pk=self.rule.pk).update(points=5, daily_cap=10)
        self.post(self.member, 20, "补记上月出席")
        earned = do_award_points(self.member, "session_attended", source="session:2")
        self.assertEqual(earned.points, 5)
