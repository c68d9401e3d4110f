import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from dangjian.study import actions
from dangjian.study.models import Attendance, PointEntry, StudySession
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class SessionTestCase(StudyTestCase):
    def make_session(self, starts_in_minutes=0, organisation=None):
        starts = timezone.now() + dt.timedelta(minutes=starts_in_minutes)
        return actions.do_create_session(
            acting_user=self.secretary,
            title="专题研讨：二十大报告",
            type=StudySession.Type.SEMINAR,
            organisation=organisation or self.branch_a1,
            organiser=self.secretary,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="三楼会议室",
        )

    def test_a_member_checks_in_with_the_code_during_the_session(self):
        session = self.make_session()
        self.assertRegex(session.checkin_code, r"^\d{6}$")
        attendance = actions.check_check_in_with_code(self.member, session.checkin_code)
        self.assertEqual(attendance.method, Attendance.Method.CODE)
        self.assertEqual(PointEntry.objects.for_person(self.member).total(), 5)
        # A second check-in changes nothing.
        actions.check_check_in_with_code(self.member, session.checkin_code)
        self.assertEqual(Attendance.objects.filter(session=session).count(), 1)
        self.assertEqual(PointEntry.objects.for_person(self.member).total(), 5)

    def test_an_expired_code_is_refused(self):
        session = self.make_session(starts_in_minutes=-120)  # ended an hour ago
        with self.assertRaisesMessage(ValidationError, "已过期"):
            actions.check_check_in_with_code(self.member, session.checkin_code)
        early = self.make_session(starts_in_minutes=60)
        with self.assertRaisesMessage(ValidationError, "已过期或尚未开始"):
            actions.check_check_in_with_code(self.member, early.checkin_code)
        self.assertFalse(Attendance.objects.exists())

    def test_a_person_of_another_organisation_cannot_use_the_code(self):
        session = self.make_session()
        with self.assertRaises(PermissionDenied):
            actions.check_check_in_with_code(self.sibling, session.checkin_code)
        with self.assertRaisesMessage(ValidationError, "6 位数字"):
            actions.check_check_in_with_code(self.member, "12ab")

    def test_checkin_page_shows_errors_in_chinese(self):
        self.client.login(username="member", password=PASSWORD)
        response = self.client.post(reverse("study:checkin"), {"code": "000000"})
        self.assertContains(response, "签到码不正确", status_code=400)
        session = self.make_session()
        response = self.client.post(
            reverse("study:checkin"), {"code": session.checkin_code}
        )
        self.assertRedirects(
            response, reverse("study:session-detail", args=[session.pk])
        )

    def test_the_organiser_records_attendance_and_minutes(self):
        session = self.make_session()
        self.client.login(username="secretary", password=PASSWORD)
        url = reverse("study:session-detail", args=[session.pk])
        self.client.post(url, {"person": self.member.pk})
        self.client.post(url, {"minutes": "与会党员交流发言。"})
        session.refresh_from_db()
        self.assertEqual(session.minutes, "与会党员交流发言。")
        self.assertEqual(
            Attendance.objects.get(session=session).method, Attendance.Method.ORGANISER
        )
        self.assertTrue(
            ModelLogEntry.objects.filter(
                action="dangjian.study.record_attendance"
            ).exists()
        )
        response = self.client.get(url)
        self.assertContains(response, session.checkin_code)

    def test_members_cannot_manage_and_outsiders_cannot_see_a_session(self):
        session = self.make_session()
        with self.assertRaises(PermissionDenied):
            actions.check_record_attendance_by_organiser(
                session, self.member, acting_user=self.member
            )
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get(reverse("study:session-detail", args=[session.pk]))
        self.assertNotContains(response, session.checkin_code)
        self.client.login(username="outsider", password=PASSWORD)
        response = self.client.get(reverse("study:session-detail", args=[session.pk]))
        self.assertEqual(response.status_code, 403)

    def test_counts_by_organisation_and_type(self):
        from dangjian.study.unit import unit_figures

        self.make_session()
        self.make_session(organisation=self.branch_a2)
        figures = unit_figures(self.unit_a)
        self.assertEqual(figures["sessions_by_type"], {"专题研讨会": 2})
        self.assertEqual(
            sorted((r["organisation"], r["n"]) for r in figures["sessions"]),
            [("宣传部第一党支部", 1), ("宣传部第二党支部", 1)],
        )
