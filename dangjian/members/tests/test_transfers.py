from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from dangjian.members import transfers
from dangjian.members.models import Transfer
from dangjian.members.tests.base import MembersTestCase
from dangjian.orgs.scope import scope_for


def party_items_reached(person, branch) -> bool:
    """Whether a 党内 item addressed to this branch reaches the person."""
    fresh = type(person).objects.get(pk=person.pk)
    return scope_for(fresh).reaches([branch.pk], include_descendants=False)


class TransferTestCase(MembersTestCase):
    def request(self, to=None, days=0, user=None):
        return transfers.check_request_transfer(
            self.profile,
            to or self.branch_a2,
            effective_on=timezone.localdate() + dt.timedelta(days=days),
            reason="工作调动",
            acting_user=user or self.member,
        )

    def test_a_transferred_member_gains_the_new_branchs_items_and_loses_the_old(self):
        transfer = self.request(to=self.branch_b1, days=3)
        transfers.do_approve_transfer(transfer, acting_user=self.secretary_a1)
        transfers.do_accept_transfer(transfer, acting_user=self.secretary_b)
        # Accepted, not yet effective: still the old branch.
        self.assertTrue(party_items_reached(self.member, self.branch_a1))
        self.assertFalse(party_items_reached(self.member, self.branch_b1))
        self.assertEqual(transfers.do_apply_due_transfers(), 0)
        later = timezone.localdate() + dt.timedelta(days=3)
        self.assertEqual(transfers.do_apply_due_transfers(later), 1)
        self.assertFalse(party_items_reached(self.member, self.branch_a1))
        self.assertTrue(party_items_reached(self.member, self.branch_b1))
        self.profile.refresh_from_db()
        self.assertEqual(self.profile.branch, self.branch_b1)
        actions = list(
            ModelLogEntry.objects.filter(action__startswith="dangjian.members.transfer")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            [a.rsplit(".", 1)[1] for a in actions],
            ["request", "approve", "accept", "complete"],
        )

    def test_a_transfer_accepted_on_its_effective_date_applies_at_once(self):
        transfer = self.request(days=0)
        transfers.do_approve_transfer(transfer, acting_user=self.secretary)
        transfer = transfers.do_accept_transfer(transfer, acting_user=self.secretary)
        self.assertEqual(transfer.status, Transfer.Status.COMPLETED)

    def test_each_side_acts_only_on_its_own_step(self):
        transfer = self.request(to=self.branch_b1, days=1)
        with self.assertRaises(PermissionDenied):
            transfers.do_approve_transfer(transfer, acting_user=self.secretary_b)
        with self.assertRaises(ValidationError):
            transfers.do_accept_transfer(transfer, acting_user=self.secretary_b)
        transfers.do_approve_transfer(transfer, acting_user=self.secretary_a1)
        with self.assertRaises(PermissionDenied):
            transfers.do_accept_transfer(transfer, acting_user=self.secretary_a1)

    def test_either_side_refuses_with_a_reason(self):
        transfer = self.request(to=self.branch_b1, days=1)
        with self.assertRaisesMessage(ValidationError, "请填写拒绝理由"):
            transfers.do_refuse_transfer(
                transfer, reason=" ", acting_user=self.secretary
            )
        transfers.do_approve_transfer(transfer, acting_user=self.secretary)
        refused = transfers.do_refuse_transfer(
            transfer, reason="接收单位编制已满", acting_user=self.secretary_b
        )
        self.assertEqual(
            (refused.status, refused.refusal_reason), ("refused", "接收单位编制已满")
        )
        # Refused: a new request may be made.
        self.request(to=self.branch_a2, days=1)

    def test_only_one_transfer_is_open_at_a_time_and_bad_requests_are_refused(self):
        self.request(days=1)
        with self.assertRaisesMessage(ValidationError, "已有正在办理的转接"):
            self.request(to=self.branch_b1, days=1)
        with self.assertRaisesMessage(ValidationError, "转入组织应为启用中的党支部"):
            transfers.check_request_transfer(
                self.newcomer,
                self.unit_b,
                effective_on=timezone.localdate(),
                acting_user=self.secretary,
            )
        with self.assertRaises(PermissionDenied):
            transfers.check_request_transfer(
                self.newcomer,
                self.branch_a1,
                effective_on=timezone.localdate(),
                acting_user=self.member,
            )

    def test_the_dashboard_lists_pending_overdue_and_completed(self):
        transfer = self.request(to=self.branch_b1, days=1)
        Transfer.objects.filter(pk=transfer.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        self.client.force_login(self.secretary)
        page = self.client.get(reverse("members_transfers")).content.decode()
        self.assertIn("待审批 1 件", page)
        self.assertIn("已逾期 1 件", page)
        self.client.force_login(self.secretary_b)
        page = self.client.get(reverse("members_transfers")).content.decode()
        self.assertIn("待审批 0 件", page)
        self.assertIn("已逾期 1 件", page)  # coming to unit B, late

    def test_the_dashboard_buttons_take_the_steps(self):
        transfer = self.request(to=self.branch_b1, days=0)
        self.client.force_login(self.secretary_b)
        url = reverse("members_transfer_step", args=[transfer.pk, "approve"])
        self.client.post(url)
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, "requested")
        self.client.force_login(self.secretary)
        self.client.post(url)
        self.client.force_login(self.secretary_b)
        self.client.post(reverse("members_transfer_step", args=[transfer.pk, "accept"]))
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, "completed")

    def test_the_api_requests_lists_and_steps_transfers(self):
        self.client.force_login(self.member)
        response = self.client.post(
            "/api/transfers",
            {
                "to_branch_id": self.branch_b1.pk,
                "effective_on": str(timezone.localdate()),
                "reason": "随调",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        self.assertEqual(
            [
                t["id"]
                for t in self.client.get("/api/transfers?status=requested").json()
            ],
            [pk],
        )
        step = f"/api/transfers/{pk}/steps"
        response = self.client.post(
            step, {"step": "approve"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.secretary)
        self.client.post(step, {"step": "approve"}, content_type="application/json")
        self.client.force_login(self.secretary_b)
        response = self.client.post(
            step, {"step": "accept"}, content_type="application/json"
        )
        self.assertEqual(response.json()["status"], "completed")
        self.assertEqual(
            self.client.get("/api/transfers?status=bogus").status_code, 422
        )

    def test_another_unit_does_not_see_transfers_that_do_not_touch_it(self):
        self.request(to=self.branch_a2, days=1)
        self.client.force_login(self.secretary_b)
        self.assertEqual(self.client.get("/api/transfers").json(), [])
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/api/transfers").json(), [])

    def test_the_command_applies_due_transfers(self):
        transfer = self.request(days=1)
        transfers.do_approve_transfer(transfer, acting_user=self.secretary)
        transfers.do_accept_transfer(transfer, acting_user=self.secretary)
        Transfer.objects.filter(pk=transfer.pk).update(
            effective_on=timezone.localdate()
        )
        out = io.StringIO()
        call_command("apply_transfers", stdout=out)
        self.assertIn("已生效 1 件", out.getvalue())
