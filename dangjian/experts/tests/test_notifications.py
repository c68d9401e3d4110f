import datetime as dt

from django.test import override_settings
from django.utils import timezone

from dangjian.experts.models import Question
from dangjian.experts.tests.base import ExpertsTestCase
from dangjian.notify.models import Notification
from dangjian.notify.reminders import send_reminders


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class ExpertNotificationsTestCase(ExpertsTestCase):
    def titles(self, kind):
        return list(
            Notification.objects.filter(
                recipient=self.expert_person, kind=kind
            ).values_list("title", flat=True)
        )

    def test_the_expert_finds_an_assigned_question_in_their_inbox(self):
        with self.captureOnCommitCallbacks(execute=True):
            question = self.submit(domain=self.tax)
        self.assertEqual(
            self.titles("experts.assigned"), ["新的企业提问待您答复（税费减免）"]
        )
        n = Notification.objects.get(recipient=self.expert_person)
        self.assertEqual(n.url, f"/experts/inbox/{question.pk}/")
        # The company's name and text stay out of the notification.
        self.assertNotIn(question.company_name, n.title + n.body)
        self.assertFalse(
            Notification.objects.filter(recipient=self.other_person).exists()
        )

    def test_a_question_near_its_deadline_is_brought_back_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            question = self.submit(domain=self.tax)
        Question.objects.filter(pk=question.pk).update(
            due_at=timezone.now() + dt.timedelta(hours=3)
        )
        for _run in range(2):
            with self.captureOnCommitCallbacks(execute=True):
                send_reminders()
        self.assertEqual(len(self.titles("experts.due_soon")), 1)
