"""Transfer notifications: who must act is told once, the member of each decision."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from dangjian.members import transfers
from dangjian.members.models import Transfer
from dangjian.members.notices import managers_of
from dangjian.members.tests.base import MembersTestCase
from dangjian.notify.models import Notification
from dangjian.notify.reminders import send_reminders


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class TransferNoticesTestCase(MembersTestCase):
    def run_step(self, fn, *args, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return fn(*args, **kwargs)

    def remind(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            send_reminders(now)

    def request(self, to=None):
        return self.run_step(
            transfers.check_request_transfer,
            self.profile,
            to or self.branch_b1,
            effective_on=timezone.localdate() + dt.timedelta(days=5),
            reason="工作调动",
            acting_user=self.member,
        )

    def received(self, kind=None):
        """{username: [titles]} of everyone who got a transfer notification."""
        rows = Notification.objects.filter(kind__startswith="members.transfer")
        if kind:
            rows = rows.filter(kind=kind)
        out: dict[str, list[str]] = {}
        for username, title in rows.order_by("pk").values_list(
            "recipient__username", "title"
        ):
            out.setdefault(username, []).append(title)
        return out

    def test_the_nearest_unit_admins_are_the_ones_who_must_act(self):
        # A1 has its own secretary; A2 has none, so unit A's admin acts;
        # the escalation adds the level above (the city has nobody).
        self.assertEqual(managers_of(self.branch_a1), [self.secretary_a1.pk])
        self.assertEqual(managers_of(self.branch_a2), [self.secretary.pk])
        self.assertEqual(
            managers_of(self.branch_a1, levels=2),
            sorted([self.secretary_a1.pk, self.secretary.pk]),
        )
        self.assertEqual(managers_of(self.branch_b1), [self.secretary_b.pk])
        self.assertEqual(managers_of(self.city), [])

    def test_each_step_tells_whoever_must_act_next_and_the_member_of_decisions(self):
        transfer = self.request()
        self.assertEqual(
            self.received(), {"secretary_a1": ["请审批组织关系转接：张党员"]}
        )
        body = Notification.objects.get(recipient=self.secretary_a1).body
        self.assertIn("张党员 申请由宣传部第一党支部转入公安局第一党支部", body)
        self.assertIn("还有 30 天", body)

        self.run_step(
            transfers.do_approve_transfer, transfer, acting_user=self.secretary_a1
        )
        got = self.received()
        self.assertEqual(got["secretary_b"], ["请接收组织关系转接：张党员"])
        self.assertEqual(got["member"], ["组织关系转接：待接收党组织接收"])
        member_note = Notification.objects.get(recipient=self.member)
        self.assertEqual(
            member_note.body,
            "转出党组织已同意您的组织关系转接，待公安局第一党支部接收。",
        )
        self.assertEqual(member_note.url, "/me/")

        self.run_step(
            transfers.do_accept_transfer, transfer, acting_user=self.secretary_b
        )
        later = timezone.localdate() + dt.timedelta(days=5)
        with self.captureOnCommitCallbacks(execute=True):
            transfers.do_apply_due_transfers(later)
        got = self.received()
        self.assertEqual(
            got["member"],
            [
                "组织关系转接：待接收党组织接收",
                "组织关系转接：已接收，待生效",
                "组织关系转接：已完成",
            ],
        )
        # Nobody outside the two organisations' admins and the member heard of it.
        self.assertEqual(set(got), {"secretary_a1", "secretary_b", "member"})
        # The reminder pass afterwards adds nothing.
        self.remind(timezone.now())
        self.assertEqual(self.received(), got)

    def test_a_refusal_reaches_the_member_with_its_reason(self):
        transfer = self.request()
        self.run_step(
            transfers.do_refuse_transfer,
            transfer,
            reason="档案材料不全",
            acting_user=self.secretary_a1,
        )
        note = Notification.objects.get(recipient=self.member)
        self.assertEqual(note.title, "组织关系转接：已拒绝")
        self.assertEqual(note.body, "您的组织关系转接未获同意，理由：档案材料不全。")

    def test_a_member_withdrawing_their_own_request_is_not_told_of_it(self):
        transfer = self.request()
        self.run_step(transfers.do_cancel_transfer, transfer, acting_user=self.member)
        self.assertNotIn("member", self.received())

    def test_reminders_before_the_deadline_then_overdue_once_escalated(self):
        transfer = self.request()
        now = timezone.now()
        self.remind(now)
        self.remind(now + dt.timedelta(minutes=15))
        self.assertEqual(
            self.received(), {"secretary_a1": ["请审批组织关系转接：张党员"]}
        )
        # Three days before the deadline: one reminder, however often the pass runs.
        soon = now + dt.timedelta(days=27)
        self.remind(soon)
        self.remind(soon + dt.timedelta(hours=6))
        titles = self.received()["secretary_a1"]
        self.assertEqual(len(titles), 2)
        reminder = Notification.objects.filter(recipient=self.secretary_a1).latest("pk")
        self.assertIn("还有 3 天", reminder.body)

        # Past the deadline: overdue, to the branch secretary and the unit's admin.
        late = now + dt.timedelta(days=31)
        self.remind(late)
        self.remind(late + dt.timedelta(days=1))
        overdue = self.received("members.transfer_overdue")
        self.assertEqual(
            overdue,
            {
                "secretary_a1": ["组织关系转接已超期：张党员"],
                "secretary": ["组织关系转接已超期：张党员"],
            },
        )
        body = Notification.objects.get(
            recipient=self.secretary, kind="members.transfer_overdue"
        ).body
        self.assertIn("仍待转出党组织审批", body)
        # Nothing for the member, the other unit or the platform admin.
        everyone = self.received()
        for outside in ("member", "secretary_b", "admin", "outsider", "sibling"):
            self.assertNotIn(outside, everyone)

        # Approved late: the receiving side is told, and its own overdue once.
        self.run_step(
            transfers.do_approve_transfer, transfer, acting_user=self.secretary_a1
        )
        self.remind(late + dt.timedelta(days=2))
        self.remind(late + dt.timedelta(days=3))
        self.assertEqual(
            self.received("members.transfer_overdue")["secretary_b"],
            ["组织关系转接已超期：张党员"],
        )

    def test_closed_transfers_and_transfers_without_admins_are_not_reminded(self):
        transfer = self.request()
        self.run_step(transfers.do_cancel_transfer, transfer, acting_user=self.member)
        Notification.objects.all().delete()
        self.remind(timezone.now() + dt.timedelta(days=40))
        self.assertEqual(self.received(), {})
        self.assertEqual(
            Transfer.objects.get(pk=transfer.pk).status, Transfer.Status.CANCELLED
        )
