"""The loop into the knowledge base: a 咨询 answered from an entry closes at
once citing it; a closed 咨询 no entry answered proposes a draft entry to
the unit that answered, through the entries' review workflow."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.models import WorkflowState

from dangjian.kb.demo import ensure_review_workflow
from dangjian.kb.models import Entry
from dangjian.kb.tests.test_kb import make_entry
from dangjian.tickets import actions
from dangjian.tickets.models import Action, Satisfaction, Status
from dangjian.tickets.tests.base import TicketsTestCase


class KnowledgeLoopTestCase(TicketsTestCase):
    def setUp(self):
        super().setUp()
        ensure_review_workflow()

    def close(self, ticket, reply="请携带身份证到街道办理。"):
        actions.check_sign(ticket, user=self.editor)
        actions.check_reply(ticket, reply, user=self.editor)
        return actions.check_follow_up(
            ticket, Satisfaction.SATISFIED, user=self.operator
        )

    def test_a_question_answered_from_an_entry_closes_at_once(self):
        entry = make_entry(self.unit_a, "住房公积金提取", question="买房怎么提取公积金")
        ticket = self.receive(
            "买房怎么提取公积金？", message_type="咨询", kb_entry_id=entry.pk
        )
        self.assertEqual(ticket.status, Status.CLOSED)
        self.assertEqual(ticket.kb_entry_id, entry.pk)
        self.assertEqual(ticket.kb_entry_title, "住房公积金提取")
        self.assertIn("住房公积金提取", ticket.reply)
        self.assertEqual(
            list(ticket.events.values_list("action", flat=True)),
            [Action.RECEIVE, Action.ANSWER],
        )

    def test_an_unpublished_entry_cannot_be_cited(self):
        entry = make_entry(self.unit_a, "居住证办理")
        Entry.objects.filter(pk=entry.pk).update(live=False)
        with self.assertRaises(ValidationError):
            self.receive("居住证怎么办", message_type="咨询", kb_entry_id=entry.pk)

    def test_an_unanswered_question_proposes_a_draft_to_the_unit(self):
        ticket = self.dispatched(text="社区养犬登记在哪里办理？", message_type="咨询")
        ticket = self.close(ticket, "到所在街道派出所办理养犬登记。")
        self.assertTrue(ticket.kb_proposed)
        draft = Entry.objects.get(source__contains=ticket.number)
        self.assertFalse(draft.live)
        self.assertEqual(draft.owner, self.unit_a)
        self.assertEqual(draft.question, "社区养犬登记在哪里办理？")
        self.assertEqual(draft.answer, "到所在街道派出所办理养犬登记。")
        state = WorkflowState.objects.get(object_id=str(draft.pk))
        self.assertEqual(state.status, WorkflowState.STATUS_IN_PROGRESS)
        self.assertTrue(ticket.events.filter(action=Action.KB_PROPOSAL).exists())
        # Once: nothing more on a second look.
        self.assertIsNone(actions.propose_kb_entry(ticket, user=self.operator))
        self.assertEqual(Entry.objects.filter(live=False).count(), 1)

    def test_a_question_an_entry_answers_proposes_nothing(self):
        make_entry(self.unit_a, "养犬登记", question="养犬登记在哪里办理")
        ticket = self.dispatched(text="养犬登记在哪里办理", message_type="咨询")
        ticket = self.close(ticket)
        self.assertFalse(ticket.kb_proposed)
        self.assertFalse(Entry.objects.filter(live=False).exists())

    def test_complaints_propose_nothing(self):
        ticket = self.dispatched(text="楼下烧烤店油烟扰民", message_type="投诉/求助")
        ticket = self.close(ticket)
        self.assertFalse(ticket.kb_proposed)
        self.assertFalse(Entry.objects.exists())
