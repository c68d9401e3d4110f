"""Handling: sign, send back, extension, reply, follow-up, reopen, close;
each step's permission, its limits, its timeline and audit log, and the
escalation of overdue tickets to the unit's leaders."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from dangjian.notify.models import Dispatch
from dangjian.tickets import actions
from dangjian.tickets.actions import Conflict
from dangjian.tickets.models import Action, Satisfaction, Status, Ticket
from dangjian.tickets.tests.base import TicketsTestCase

TZ = timezone.get_default_timezone()


def at(y, m, d, hour=10):
    return dt.datetime(y, m, d, hour, tzinfo=TZ)


class StepsTestCase(TicketsTestCase):
    def test_the_whole_loop_is_in_the_timeline_and_the_audit_log(self):
        ticket = self.dispatched()
        actions.check_sign(ticket, user=self.editor)
        actions.check_reply(ticket, "已联系物业，三日内维修完毕。", user=self.editor)
        ticket = actions.check_follow_up(
            ticket, Satisfaction.SATISFIED, "市民表示满意", user=self.operator
        )
        self.assertEqual(ticket.status, Status.CLOSED)
        self.assertEqual(ticket.satisfaction, Satisfaction.SATISFIED)
        steps = list(ticket.events.values_list("action", flat=True))
        self.assertEqual(
            steps[:6],
            [
                Action.RECEIVE,
                Action.DISPATCH,
                Action.SIGN,
                Action.REPLY,
                Action.FOLLOW_UP,
                Action.CLOSE,
            ],
        )
        logged = set(
            ModelLogEntry.objects.filter(object_id=str(ticket.pk)).values_list(
                "action", flat=True
            )
        )
        self.assertTrue(
            {"dangjian.tickets.sign", "dangjian.tickets.reply"} <= logged, logged
        )

    def test_dispatch_notifies_the_units_handlers(self):
        self.dispatched()
        dispatch = Dispatch.objects.get(kind="tickets.dispatched")
        self.assertIn(self.editor.pk, dispatch.people)
        self.assertNotIn(self.member.pk, dispatch.people)
        self.assertNotIn(self.editor_b.pk, dispatch.people)

    def test_only_the_units_handlers_sign_and_reply(self):
        ticket = self.dispatched()
        for person in (self.editor_b, self.member, self.outsider, self.operator):
            with (
                self.subTest(person=person.username),
                self.assertRaises(PermissionDenied),
            ):
                actions.check_sign(ticket, user=person)
        actions.check_sign(ticket, user=self.approver)
        with self.assertRaises(PermissionDenied):
            actions.check_reply(ticket, "答复", user=self.editor_b)
        ticket.refresh_from_db()
        self.assertEqual(ticket.status, Status.SIGNED)
        self.assertEqual(ticket.reply, "")

    def test_only_operators_dispatch_decide_and_follow_up(self):
        ticket = self.receive()
        with self.assertRaises(PermissionDenied):
            actions.check_dispatch(ticket, self.unit_a.pk, user=self.editor)
        actions.check_dispatch(ticket, self.unit_a.pk, user=self.operator)
        actions.check_sign(ticket, user=self.editor)
        actions.check_reply(ticket, "已处理", user=self.editor)
        with self.assertRaises(PermissionDenied):
            actions.check_follow_up(ticket, Satisfaction.SATISFIED, user=self.editor)

    def test_steps_out_of_order_are_refused_as_conflicts(self):
        ticket = self.receive()
        with self.assertRaises(PermissionDenied):
            actions.check_sign(ticket, user=self.editor)  # not the unit's yet
        ticket = self.dispatched()
        with self.assertRaises(Conflict):
            actions.check_reply(ticket, "答复", user=self.editor)
        actions.check_sign(ticket, user=self.editor)
        with self.assertRaises(Conflict):
            actions.check_sign(ticket, user=self.editor)  # a replayed sign
        with self.assertRaises(Conflict):
            actions.check_follow_up(ticket, Satisfaction.SATISFIED, user=self.operator)

    def test_send_back_returns_the_ticket_to_the_hotline_twice_at_most(self):
        ticket = self.dispatched()
        with self.assertRaises(ValidationError):
            actions.check_send_back(ticket, "", user=self.editor)
        ticket = actions.check_send_back(ticket, "不属于本单位职责", user=self.editor)
        self.assertEqual(ticket.status, Status.NEW)
        self.assertIsNone(ticket.unit)
        self.assertEqual(ticket.send_backs, 1)
        # The unit no longer reaches it.
        with self.assertRaises(PermissionDenied):
            actions.check_sign(ticket, user=self.editor)
        actions.check_dispatch(ticket, self.unit_b.pk, user=self.operator)
        actions.check_send_back(ticket, "应由住建部门办理", user=self.editor_b)
        actions.check_dispatch(ticket, self.unit_a.pk, user=self.operator)
        with self.assertRaisesMessage(Conflict, "不能再退回"):
            actions.check_send_back(ticket, "再次退回", user=self.editor)
        ticket.refresh_from_db()
        self.assertEqual(ticket.status, Status.DISPATCHED)
        self.assertEqual(ticket.unit, self.unit_a)
        backs = ticket.events.filter(action=Action.SEND_BACK)
        self.assertEqual(
            list(backs.values_list("unit", flat=True)), [self.unit_a.pk, self.unit_b.pk]
        )

    def test_an_extension_is_asked_once_and_decided_by_the_hotline(self):
        ticket = self.dispatched(message_type="投诉/求助")
        actions.check_sign(ticket, user=self.editor)
        due = Ticket.objects.get(pk=ticket.pk).reply_due
        for days in (0, 11, "三", None):
            with self.subTest(days=days), self.assertRaises(ValidationError):
                actions.check_request_extension(
                    ticket, days, "需现场勘查", user=self.editor
                )
        actions.check_request_extension(ticket, 3, "需现场勘查", user=self.editor)
        with self.assertRaises(Conflict):
            actions.check_request_extension(ticket, 2, "再延", user=self.editor)
        with self.assertRaises(PermissionDenied):
            actions.check_decide_extension(ticket, True, user=self.editor)
        ticket = actions.check_decide_extension(ticket, True, user=self.operator)
        self.assertFalse(ticket.extension_pending)
        self.assertEqual(ticket.reply_due, actions.add_workdays(due, 3))
        self.assertTrue(Dispatch.objects.filter(kind="tickets.extension").exists())
        # Refused: the deadline stays.
        actions.check_request_extension(ticket, 5, "仍需协调", user=self.editor)
        ticket = actions.check_decide_extension(ticket, False, user=self.operator)
        self.assertEqual(ticket.reply_due, actions.add_workdays(due, 3))
        with self.assertRaises(Conflict):
            actions.check_decide_extension(ticket, True, user=self.operator)

    def test_unsatisfied_reopens_once_then_closes(self):
        ticket = self.dispatched()
        actions.check_sign(ticket, user=self.editor)
        actions.check_reply(ticket, "已处理", user=self.editor)
        ticket = actions.check_follow_up(
            ticket, Satisfaction.UNSATISFIED, "仍在漏水", user=self.operator
        )
        self.assertEqual(ticket.status, Status.SIGNED)
        self.assertEqual(ticket.reopens, 1)
        self.assertEqual(ticket.satisfaction, "")
        self.assertTrue(Dispatch.objects.filter(kind="tickets.reopened").exists())
        actions.check_reply(ticket, "已更换管道", user=self.editor)
        ticket = actions.check_follow_up(
            ticket, Satisfaction.UNSATISFIED, "还是不满意", user=self.operator
        )
        self.assertEqual(ticket.status, Status.CLOSED)
        self.assertEqual(ticket.satisfaction, Satisfaction.UNSATISFIED)
        self.assertEqual(ticket.reopens, 1)
        with self.assertRaises(ValidationError):
            actions.check_follow_up(ticket, "great", user=self.operator)

    def test_deadlines_follow_the_type_in_working_days(self):
        # Taken on Friday 6 March 2026: signing is due Monday; a 投诉/求助 is
        # answered within 5 working days (Friday 13), a 咨询 within 1.
        complaint = self.receive(
            message_type="投诉/求助", unit_id=self.unit_a.pk, when=at(2026, 3, 6)
        )
        self.assertEqual(complaint.sign_due, dt.date(2026, 3, 9))
        self.assertEqual(complaint.reply_due, dt.date(2026, 3, 13))
        question = self.receive(
            message_type="咨询", unit_id=self.unit_a.pk, when=at(2026, 9, 30)
        )
        # National Day week: the next working day is Thursday 8 October.
        self.assertEqual(question.reply_due, dt.date(2026, 10, 8))

    def test_overdue_tickets_are_escalated_to_the_leaders_once(self):
        late = self.receive(
            message_type="咨询", unit_id=self.unit_a.pk, when=at(2026, 3, 2)
        )
        on_time = self.receive(
            message_type="建言", unit_id=self.unit_b.pk, when=at(2026, 3, 4)
        )
        actions.check_sign(on_time, user=self.editor_b)
        count = actions.escalate_overdue(at(2026, 3, 4))
        self.assertEqual(count, 1)
        late.refresh_from_db()
        self.assertIsNotNone(late.escalated_at)
        self.assertTrue(late.events.filter(action=Action.ESCALATE).exists())
        dispatch = Dispatch.objects.get(kind="tickets.escalated")
        self.assertIn(self.approver.pk, dispatch.people)
        self.assertIn(self.secretary.pk, dispatch.people)
        self.assertNotIn(self.editor.pk, dispatch.people)
        self.assertEqual(actions.escalate_overdue(at(2026, 3, 5)), 0)
