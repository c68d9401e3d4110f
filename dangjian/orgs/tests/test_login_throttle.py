"""Login throttling: per account, per address, with a cool-off and an unlock page."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

from dangjian.test import PASSWORD, BaseTestCase

SITE_LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


@override_settings(
    AXES_ENABLED=True,
    AXES_FAILURE_LIMIT=5,
    DANGJIAN_LOGIN_FAILURES_PER_ADDRESS=30,
    AXES_COOLOFF_TIME=datetime.timedelta(minutes=15),
    DANGJIAN_TRUST_X_FORWARDED_FOR=False,
)
class LoginThrottleTestCase(BaseTestCase):
    def attempt(self, url, username, password, address="203.0.113.5", **headers):
        return self.client.post(
            url,
            {"username": username, "password": password},
            REMOTE_ADDR=address,
            **headers,
        )

    def signed_in(self) -> bool:
        return "_auth_user_id" in self.client.session

    def test_forty_wrong_passwords_lock_the_site_login_even_for_the_right_one(self):
        for _ in range(40):
            self.attempt(SITE_LOGIN, "member", "wrong-password")
        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "登录已暂时锁定", status_code=429)
        self.assertContains(r, "15 分钟后再试", status_code=429)
        self.assertFalse(self.signed_in())

    def test_forty_wrong_passwords_lock_the_admin_login_even_for_the_right_one(self):
        for _ in range(40):
            self.attempt(ADMIN_LOGIN, "admin", "wrong-password")
        r = self.attempt(ADMIN_LOGIN, "admin", PASSWORD)
        self.assertContains(r, "登录已暂时锁定", status_code=429)
        self.assertFalse(self.signed_in())

    def test_a_few_typing_errors_do_not_lock_anyone(self):
        for _ in range(4):
            self.attempt(SITE_LOGIN, "member", "wrong-password")
        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.signed_in())

    def test_an_account_is_locked_whatever_address_the_guesses_come_from(self):
        for n in range(5):
            self.attempt(SITE_LOGIN, "member", "wrong-password", f"198.51.100.{n}")
        r = self.attempt(SITE_LOGIN, "member", PASSWORD, "192.0.2.77")
        self.assertEqual(r.status_code, 429)
        self.assertFalse(self.signed_in())
        # Other accounts are not affected.
        r = self.attempt(SITE_LOGIN, "sibling", PASSWORD, "192.0.2.77")
        self.assertEqual(r.status_code, 302)

    def test_an_address_trying_many_accounts_is_locked(self):
        names = ["editor", "reviewer", "approver", "secretary", "sibling", "outsider"]
        for n in range(30):
            self.attempt(SITE_LOGIN, names[n % len(names)], "wrong-password")
        # member never failed, but the address did: 30 failures over six
        # accounts, none of which reached its own limit of 5.
        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 429)
        self.assertFalse(self.signed_in())
        r = self.attempt(SITE_LOGIN, "member", PASSWORD, address="192.0.2.1")
        self.assertEqual(r.status_code, 302)

    def test_colleagues_sharing_an_office_address_are_not_locked_by_a_few_typos(self):
        names = ["editor", "reviewer", "approver", "secretary", "sibling", "outsider"]
        for n in range(12):
            self.attempt(SITE_LOGIN, names[n % len(names)], "wrong-password")
        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 302)

    def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(self):
        names = ["editor", "reviewer", "approver", "secretary", "sibling", "outsider"]
        for n in range(30):
            self.attempt(
                SITE_LOGIN,
                names[n % len(names)],
                "wrong-password",
                HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
            )
        r = self.attempt(
            SITE_LOGIN, "member", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9"
        )
        self.assertEqual(r.status_code, 429)

    @override_settings(DANGJIAN_TRUST_X_FORWARDED_FOR=True)
    def test_behind_a_proxy_the_address_the_proxy_added_counts(self):
        # The proxy is 127.0.0.1 and appends the real client's address; the
        # client controls everything before it.
        names = ["editor", "reviewer", "approver", "secretary", "sibling", "outsider"]
        for n in range(30):
            self.attempt(
                SITE_LOGIN,
                names[n % len(names)],
                "wrong-password",
                address="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.50",
            )
        r = self.attempt(
            SITE_LOGIN,
            "member",
            PASSWORD,
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50",
        )
        self.assertEqual(r.status_code, 429)
        r = self.attempt(
            SITE_LOGIN,
            "member",
            PASSWORD,
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.51",
        )
        self.assertEqual(r.status_code, 302)

    def test_the_lock_ends_after_the_cool_off(self):
        for _ in range(5):
            self.attempt(SITE_LOGIN, "member", "wrong-password")
        self.assertEqual(self.attempt(SITE_LOGIN, "member", PASSWORD).status_code, 429)
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - datetime.timedelta(minutes=16)
        )
        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 302)

    def test_a_platform_admin_unlocks_an_account_in_the_admin(self):
        for _ in range(6):
            self.attempt(SITE_LOGIN, "member", "wrong-password")
        self.assertEqual(self.attempt(SITE_LOGIN, "member", PASSWORD).status_code, 429)

        self.client.force_login(self.admin)
        r = self.client.get("/admin/login-lockouts/")
        self.assertContains(r, "member")
        self.assertContains(r, "已锁定")
        r = self.client.post("/admin/login-lockouts/", {"username": "member"})
        self.assertEqual(r.status_code, 302)
        self.client.logout()

        r = self.attempt(SITE_LOGIN, "member", PASSWORD)
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.signed_in())

    def test_a_platform_admin_unlocks_an_address(self):
        names = ["editor", "reviewer", "approver", "secretary", "sibling", "outsider"]
        for n in range(30):
            self.attempt(SITE_LOGIN, names[n % len(names)], "wrong-password")
        self.client.force_login(self.admin)
        self.client.post("/admin/login-lockouts/", {"ip_address": "203.0.113.5"})
        self.client.logout()
        self.assertEqual(self.attempt(SITE_LOGIN, "member", PASSWORD).status_code, 302)

    def test_only_platform_admins_see_or_lift_lockouts(self):
        for _ in range(6):
            self.attempt(SITE_LOGIN, "member", "wrong-password")
        # An editor reaches the admin, but the admin turns the refusal into
        # a redirect to its home page with a message.
        self.client.force_login(self.editor)
        r = self.client.get("/admin/login-lockouts/")
        self.assertNotContains(r, "member", status_code=302)
        r = self.client.post("/admin/login-lockouts/", {"username": "member"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(AccessAttempt.objects.filter(username="member").exists())
