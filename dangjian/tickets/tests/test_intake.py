"""Intake (受理): the suggestion, the caller kept masked and hashed, a 咨询
answered from an entry, bad input refused in Chinese with nothing saved."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from dangjian.tickets.actions import Intake, caller_hash, check_receive, similar_callers
from dangjian.tickets.models import Action, Status, Ticket
from dangjian.tickets.routing import route
from dangjian.tickets.tests.base import TicketsTestCase


class IntakeTestCase(TicketsTestCase):
    def test_the_route_suggests_domain_type_and_the_rules_unit(self):
        r = route("我家小区7号楼房屋漏水，物业一直不维修").as_dict()
        self.assertEqual(r["domain"], "城建")
        self.assertEqual(r["unit"], {"id": self.unit_a.pk, "name": "市委宣传部"})
        self.assertIn(r["type"], ("咨询", "投诉/求助", "建言"))
        self.assertGreater(r["confidence"], 0)
        self.assertLessEqual(r["confidence"], 1)
        self.assertTrue(all(a["domain"] != "城建" for a in r["alternatives"]))

    def test_a_keyword_rule_wins_over_the_domain(self):
        r = route("小区8号楼燃气管道老化漏气").as_dict()
        self.assertEqual(r["unit"]["id"], self.unit_b.pk)

    def test_a_ticket_keeps_the_suggestion_and_waits_for_dispatch(self):
        ticket = self.receive()
        self.assertEqual(ticket.status, Status.NEW)
        self.assertEqual(ticket.suggested_domain, "城建")
        self.assertEqual(ticket.domain, "城建")
        self.assertEqual(ticket.suggested_unit, self.unit_a)
        self.assertIsNotNone(ticket.model_version)
        self.assertEqual(
            list(ticket.events.values_list("action", flat=True)), [Action.RECEIVE]
        )

    def test_the_number_is_stored_masked_and_as_a_keyed_hash_only(self):
        ticket = self.receive(caller_phone="138-0013-8000", caller_name="张三丰")
        self.assertEqual(ticket.caller_phone, "138****8000")
        self.assertEqual(ticket.caller_name, "张**")
        self.assertEqual(len(ticket.caller_hash), 64)
        for field in Ticket._meta.concrete_fields:
            value = str(getattr(ticket, field.attname) or "")
            self.assertNotIn("13800138000", value, field.name)
            self.assertNotIn("0013", value, field.name)

    def test_repeat_callers_are_found_by_the_hash(self):
        first = self.receive(caller_phone="13800138000")
        self.receive(caller_phone="13900139000")
        second = self.receive(caller_phone="+86 138 0013 8000")
        earlier = similar_callers("13800138000", exclude=second.pk)
        self.assertEqual([t.pk for t in earlier], [first.pk])

    def test_the_hash_depends_on_the_key(self):
        before = caller_hash("13800138000")
        with override_settings(DANGJIAN_TICKETS_CALLER_KEY="another key"):
            self.assertNotEqual(caller_hash("13800138000"), before)

    def test_dispatch_at_intake_sets_deadlines_in_working_days(self):
        ticket = self.dispatched(message_type="投诉/求助")
        self.assertEqual(ticket.status, Status.DISPATCHED)
        self.assertEqual(ticket.unit, self.unit_a)
        self.assertIsNotNone(ticket.sign_due)
        self.assertGreater(ticket.reply_due, ticket.sign_due)

    def test_the_operators_correction_is_kept_beside_the_suggestion(self):
        ticket = self.receive(domain="交通", message_type="建言")
        self.assertEqual(ticket.suggested_domain, "城建")
        self.assertEqual(ticket.domain, "交通")
        self.assertIn(ticket, Ticket.objects.corrected())

    def test_only_operators_take_calls_in(self):
        for person in (self.editor, self.member, self.outsider):
            with (
                self.subTest(person=person.username),
                self.assertRaises(PermissionDenied),
            ):
                check_receive(Intake(text="楼道墙皮脱落"), user=person)
        self.assertFalse(Ticket.objects.exists())

    def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(self):
        cases = [
            ({"text": ""}, "text"),
            ({"text": "   "}, "text"),
            ({"text": "字" * 4001}, "text"),
            ({"text": "漏水\x00了"}, "text"),
            ({"text": "漏水", "caller_phone": "12"}, "caller_phone"),
            ({"text": "漏水", "message_type": "表扬"}, "message_type"),
            ({"text": "漏水", "channel": "fax"}, "channel"),
            ({"text": "漏水", "unit_id": 999999}, "unit_id"),
            (
                {"text": "漏水", "message_type": "咨询", "kb_entry_id": 999999},
                "kb_entry_id",
            ),
            ({"text": "漏水", "message_type": "建言", "kb_entry_id": 1}, "kb_entry_id"),
        ]
        for data, field in cases:
            with self.subTest(field=field, data=str(data)[:40]):
                with self.assertRaises(ValidationError) as caught:
                    check_receive(Intake(**data), user=self.operator)
                self.assertIn(field, caught.exception.message_dict)
                message = caught.exception.message_dict[field][0]
                self.assertRegex(message, r"[\u4e00-\u9fff]")
        self.assertFalse(Ticket.objects.exists())

    def test_numbers_count_up_per_day(self):
        a, b = self.receive(), self.receive()
        self.assertEqual(a.number[:8], b.number[:8])
        self.assertEqual(int(b.number[8:]), int(a.number[8:]) + 1)
