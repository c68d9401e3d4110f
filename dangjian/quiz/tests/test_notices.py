import datetime as dt

from django.test import override_settings
from django.utils import timezone

from dangjian.notify.models import Notification
from dangjian.notify.reminders import send_reminders
from dangjian.quiz.models import Contest, Mode
from dangjian.quiz.tests.helpers import QuizTestCase, make_template


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class ContestOpeningTestCase(QuizTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        template = make_template(
            cls.unit_a, "contest", Mode.CONTEST, [("single", "二十大", 2, 5)]
        )
        now = timezone.now()
        cls.contest = Contest.objects.create(
            title="宣传部知识竞赛",
            template=template,
            owner=cls.unit_a,
            starts_at=now - dt.timedelta(hours=3),
            ends_at=now + dt.timedelta(days=1),
        )
        cls.contest.eligible.set([cls.unit_a])

    def test_eligible_members_are_told_a_contest_opened_once(self):
        moment = self.contest.starts_at + dt.timedelta(hours=1)
        for _run in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                send_reminders(moment)
        mine = Notification.objects.filter(
            recipient=self.member, kind="quiz.contest_open"
        )
        self.assertEqual(
            list(mine.values_list("title", flat=True)),
            ["知识竞赛《宣传部知识竞赛》开始了"],
        )
        self.assertEqual(mine.get().url, f"/quiz/contests/{self.contest.pk}/")
        self.assertFalse(
            Notification.objects.filter(
                recipient=self.outsider, kind="quiz.contest_open"
            ).exists()
        )

    def test_a_contest_not_yet_open_is_not_announced(self):
        with self.captureOnCommitCallbacks(execute=True):
            send_reminders(self.contest.starts_at - dt.timedelta(minutes=1))
        self.assertFalse(Notification.objects.filter(kind="quiz.contest_open").exists())
