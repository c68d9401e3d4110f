"""Questions not answered within the service level are escalated, once."""

from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from dangjian.experts.actions import check_answer_question, check_reassign_question
from dangjian.experts.models import Escalation, Question
from dangjian.experts.tasks import escalate_expert_questions
from dangjian.experts.tests.base import ExpertsTestCase
from dangjian.test import make_person


class EscalationTestCase(ExpertsTestCase):
    def escalate(self):
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("escalate_expert_questions", stdout=out)
        return out.getvalue()

    @override_settings(DANGJIAN_EXPERTS_SLA_HOURS=24)
    def test_the_deadline_follows_the_configured_service_level(self):
        question = self.submit()
        self.assertEqual(
            (question.due_at - question.submitted_at).total_seconds(), 24 * 3600
        )

    def test_an_overdue_question_is_escalated_to_the_unit_admin_once(self):
        question = self.make_overdue(self.submit())
        on_time = self.submit()
        mail.outbox.clear()
        output = self.escalate()
        self.assertIn("共督办 1 个问题", output)
        escalation = Escalation.objects.get()
        self.assertEqual(escalation.question, question)
        self.assertEqual(escalation.expert, self.expert)
        self.assertEqual(escalation.notified, ["secretary"])
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["secretary@example.com"])
        self.assertIn(question.reference, mail.outbox[0].subject)
        question.refresh_from_db()
        self.assertIsNotNone(question.escalated_at)

        # Running again (the command, or the task) changes nothing.
        self.assertIn("共督办 0 个问题", self.escalate())
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(escalate_expert_questions.call(), 0)
        self.assertEqual(Escalation.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        on_time.refresh_from_db()
        self.assertIsNone(on_time.escalated_at)

    def test_answered_questions_are_not_escalated(self):
        question = self.make_overdue(self.submit())
        check_answer_question(question, "已答复", acting_user=self.expert_person)
        self.escalate()
        self.assertFalse(Escalation.objects.exists())

    def test_a_reassigned_overdue_question_is_escalated_to_the_new_unit(self):
        from dangjian.experts.actions import do_save_expert
        from dangjian.experts.models import Expert
        from dangjian.orgs.actions import do_grant_role
        from dangjian.orgs.models import Role

        admin_b = make_person("admin_b", "公安局管理员", email="b@example.com")
        do_grant_role(admin_b, self.unit_b, Role.UNIT_ADMIN)
        question = self.make_overdue(self.submit())
        self.escalate()
        backup = do_save_expert(
            Expert(name="备岗", unit=self.unit_b, person=make_person("backup", "备岗")),
            [self.tax],
        )
        check_reassign_question(question, backup, acting_user=self.admin)
        mail.outbox.clear()
        self.escalate()
        self.assertEqual(
            list(Escalation.objects.order_by("pk").values_list("notified", flat=True)),
            [["secretary"], ["admin_b"]],
        )
        self.assertEqual(mail.outbox[0].to, ["b@example.com"])

    def test_an_unassigned_overdue_question_goes_to_the_platform_admins(self):
        from dangjian.experts.models import Expert

        Expert.objects.update(is_active=False)
        question = self.make_overdue(self.submit())
        self.assertEqual(question.status, Question.Status.NEW)
        self.escalate()
        self.assertEqual(Escalation.objects.get().notified, ["admin"])

    def test_escalation_is_audited(self):
        from wagtail.models import ModelLogEntry

        question = self.make_overdue(self.submit())
        self.escalate()
        self.assertTrue(
            ModelLogEntry.objects.for_instance(question)
            .filter(action="dangjian.experts.escalate")
            .exists()
        )
