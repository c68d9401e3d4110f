import datetime as dt

from django.test import override_settings
from django.utils import timezone

from dangjian.notify.models import Notification
from dangjian.notify.reminders import send_reminders
from dangjian.study.models import Progress, StudyPlan, StudySession
from dangjian.study.tests.helpers import StudyTestCase


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class StudyRemindersTestCase(StudyTestCase):
    def remind(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            send_reminders(now)

    def titles(self, person, kind):
        return list(
            Notification.objects.filter(recipient=person, kind=kind).values_list(
                "title", flat=True
            )
        )

    def test_members_who_have_not_finished_are_reminded_three_days_and_one_day_before(
        self,
    ):
        plan = self.plan
        Progress.objects.create(
            person=self.sibling, material=self.article, completed_at=timezone.now()
        )
        Progress.objects.create(
            person=self.sibling, material=self.video, completed_at=timezone.now()
        )
        now = timezone.now()
        StudyPlan.objects.filter(pk=plan.pk).update(
            deadline=timezone.localdate(now) + dt.timedelta(days=3)
        )
        self.remind(now)
        self.assertEqual(
            self.titles(self.member, "study.plan_deadline"),
            ["学习计划《二十大精神学习计划》还有 3 天截止"],
        )
        n = Notification.objects.get(recipient=self.member, kind="study.plan_deadline")
        self.assertIn("2 项学习资料您还没有全部学完", n.body)
        self.assertEqual(self.titles(self.sibling, "study.plan_deadline"), [])
        self.assertEqual(self.titles(self.outsider, "study.plan_deadline"), [])
        # Running again the same day sends nothing more.
        self.remind(now + dt.timedelta(minutes=15))
        self.assertEqual(len(self.titles(self.member, "study.plan_deadline")), 1)
        # Two days later: the one-day reminder.
        self.remind(now + dt.timedelta(days=2))
        self.assertEqual(len(self.titles(self.member, "study.plan_deadline")), 2)

    def test_a_coming_session_is_announced_and_reminded_the_day_before(self):
        now = timezone.now()
        session = StudySession.objects.create(
            title="主题党日：重温入党誓词",
            type=StudySession.Type.THEME_DAY,
            organisation=self.branch_a1,
            organiser=self.secretary,
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, hours=2),
            place="党员活动室",
        )
        self.remind(now)
        self.assertEqual(
            self.titles(self.member, "study.session_notice"),
            ["主题党日通知：主题党日：重温入党誓词"],
        )
        self.assertEqual(self.titles(self.sibling, "study.session_notice"), [])
        self.assertEqual(self.titles(self.member, "study.session_reminder"), [])
        self.remind(now + dt.timedelta(days=2, hours=1))
        self.assertEqual(len(self.titles(self.member, "study.session_reminder")), 1)
        n = Notification.objects.get(
            recipient=self.member, kind="study.session_reminder"
        )
        self.assertEqual(n.url, f"/study/sessions/{session.pk}/")
