"""A member who leaves (出党, 停止党籍, 死亡, transfer out of the city) loses
access at once: the signed-in session, API tokens, 党内 scope, a transfer in
progress."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from wagtail.models import ModelLogEntry

from dangjian.members import transfers
from dangjian.members.actions import do_change_status
from dangjian.members.letters import check_issue_letter
from dangjian.members.models import Status, Transfer
from dangjian.members.tests.base import MembersTestCase
from dangjian.orgs.actions import do_issue_token
from dangjian.orgs.scope import scope_for
from dangjian.test import PASSWORD


class LeavingTestCase(MembersTestCase):
    def signed_in(self) -> str:
        """The member's browser session and an API token, both working now."""
        self.client.force_login(self.member)
        _token, key = do_issue_token(self.member, name="手机")
        self.assertEqual(self.client.get("/api/me").status_code, 200)
        bearer = self.client_class().get(
            "/api/me", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertEqual(bearer.status_code, 200)
        self.assertTrue(scope_for(self.member).member_of)
        return key

    def assert_locked_out(self, key: str) -> None:
        # The same browser session: anonymous on the next request.
        self.assertEqual(self.client.get("/api/me").status_code, 401)
        response = self.client.get("/me/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])
        bearer = self.client_class().get(
            "/api/me", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertEqual(bearer.status_code, 401)
        fresh = type(self.member).objects.get(pk=self.member.pk)
        self.assertFalse(fresh.is_active)
        self.assertFalse(scope_for(fresh).reaches([self.branch_a1.pk], False))
        self.assertFalse(
            self.client_class().login(username="member", password=PASSWORD)
        )

    def test_each_way_of_leaving_ends_the_session_tokens_and_scope_at_once(self):
        for status in (Status.LEFT, Status.SUSPENDED, Status.DECEASED):
            with self.subTest(status=status):
                key = self.signed_in()
                do_change_status(
                    self.profile, status, reason="测试", acting_user=self.secretary
                )
                self.assert_locked_out(key)
                # Back on the roll (e.g. 恢复党籍) for the next case.
                do_change_status(
                    self.profile,
                    Status.REGISTERED,
                    reason="恢复",
                    acting_user=self.secretary,
                )

    def test_a_transfer_out_of_the_city_ends_access_at_once(self):
        key = self.signed_in()
        check_issue_letter(
            self.profile, destination="中共外市委组织部", acting_user=self.secretary
        )
        self.assert_locked_out(key)

    def test_a_transfer_in_progress_is_withdrawn_when_the_member_leaves(self):
        transfer = transfers.check_request_transfer(
            self.profile,
            self.branch_b1,
            effective_on=timezone.localdate() + dt.timedelta(days=3),
            acting_user=self.member,
        )
        transfers.do_approve_transfer(transfer, acting_user=self.secretary_a1)
        do_change_status(
            self.profile, Status.LEFT, reason="自行脱党", acting_user=self.secretary
        )
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, Transfer.Status.CANCELLED)
        entry = ModelLogEntry.objects.filter(
            action="dangjian.members.transfer.cancel"
        ).get()
        self.assertEqual(entry.user_id, self.secretary.pk)
        self.assertEqual(entry.data["reason"], "党籍状态变更为出党")
        # The receiving branch is no longer asked to accept it.
        self.client.force_login(self.secretary_b)
        board = self.client.get("/admin/members/transfers/")
        self.assertNotContains(board, "张党员")
        # Nor can it be accepted by a request sent from an old page.
        self.client.post(
            f"/admin/members/transfers/{transfer.pk}/accept/", {}, follow=True
        )
        transfer.refresh_from_db()
        self.assertEqual(transfer.status, Transfer.Status.CANCELLED)
