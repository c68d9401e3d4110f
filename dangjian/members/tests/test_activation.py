from __future__ import annotations

import datetime as dt
import re
import secrets

from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.lib import sms
from dangjian.members.actions import do_change_status, do_disable_account
from dangjian.members.models import ActivationCode
from dangjian.members.tests.base import MembersTestCase

URL = "/members/activate/"
MOBILE = "13900000002"  # 陈新, imported, not yet activated


@override_settings(DANGJIAN_SMS_BACKEND="dangjian.lib.sms.LogBackend")
class ActivationTestCase(MembersTestCase):
    def setUp(self):
        sms.outbox.clear()
        cache.clear()
        # Rate limits live in Redis when there is one: an address of its own
        # per test, so no test inherits another's spent allowance.
        address = ".".join(str(b) for b in secrets.token_bytes(3))
        self.client = Client(REMOTE_ADDR=f"10.{address}")

    def send(self, mobile=MOBILE, **extra):
        return self.client.post(URL, {"mobile": mobile, "action": "send"}, **extra)

    def last_code(self) -> str:
        found = re.search(r"\d{6}", sms.outbox[-1]["message"])
        assert found is not None
        return found.group()

    def verify(self, code, password="", mobile=MOBILE):
        return self.client.post(
            URL,
            {
                "mobile": mobile,
                "code": code,
                "password": password,
                "password2": password,
                "action": "verify",
            },
        )

    def test_a_new_member_activates_by_sms_code_and_sets_a_password(self):
        self.assertFalse(self.newcomer.person.is_active)
        response = self.send()
        self.assertContains(response, "验证码已发送")
        self.assertEqual(sms.outbox[-1]["mobile"], MOBILE)
        response = self.verify(self.last_code(), password="Hongqi-1921-dj")
        self.assertRedirects(response, reverse("members:activated"))
        person = type(self.newcomer.person).objects.get(pk=self.newcomer.person_id)
        self.assertTrue(person.is_active)
        self.assertTrue(person.check_password("Hongqi-1921-dj"))
        self.assertEqual(
            self.client.get("/api/me").json()["member_profile"]["name"], "陈新"
        )

    def test_the_page_fits_a_phone(self):
        response = self.client.get(URL)
        self.assertContains(response, 'name="viewport"')
        self.assertContains(response, 'type="tel"')

    def test_a_wrong_code_uses_up_attempts_until_the_code_is_locked(self):
        self.send()
        code = self.last_code()
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1):
            self.assertContains(
                self.verify(wrong), f"还可尝试 {left} 次", status_code=400
            )
        self.assertContains(self.verify(wrong), "错误次数过多", status_code=400)
        self.assertContains(self.verify(code), "错误次数过多", status_code=429)
        self.newcomer.person.refresh_from_db()
        self.assertFalse(self.newcomer.person.is_active)

    def test_an_expired_code_is_refused(self):
        self.send()
        ActivationCode.objects.update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        self.assertContains(self.verify(self.last_code()), "已过期", status_code=400)

    def test_codes_are_throttled(self):
        self.send()
        self.assertContains(self.send(), "秒后再试", status_code=429)
        for n in range(25):
            self.send(mobile=f"1370000{n:04d}")
        self.assertContains(
            self.send(mobile="13611112222"), "过于频繁", status_code=429
        )

    def test_an_unknown_number_gets_the_same_answer_and_no_message(self):
        response = self.send(mobile="13712345678")
        self.assertContains(response, "如该手机号已登记为党员，验证码已发送")
        self.assertEqual(len(sms.outbox), 0)

    def test_a_member_who_left_or_was_disabled_cannot_activate(self):
        do_disable_account(self.newcomer, acting_user=self.secretary)
        self.send()
        self.assertEqual(len(sms.outbox), 0)
        self.assertContains(self.verify("123456"), "请先获取验证码", status_code=400)

    def test_the_unit_admin_resets_an_account_to_a_new_sms_activation(self):
        self.client.force_login(self.secretary)
        self.client.post(reverse("members_account", args=[self.profile.pk, "reset"]))
        self.member.refresh_from_db()
        self.assertFalse(self.member.is_active)
        self.assertFalse(self.member.has_usable_password())
        self.client.logout()
        self.client.post(URL, {"mobile": self.profile.mobile, "action": "send"})
        self.verify(self.last_code(), mobile=self.profile.mobile)
        self.member.refresh_from_db()
        self.assertTrue(self.member.is_active)

    def test_a_member_who_leaves_cannot_sign_in_by_code(self):
        do_change_status(self.profile, "出党", acting_user=self.secretary)
        self.client.post(URL, {"mobile": self.profile.mobile, "action": "send"})
        self.assertEqual(len(sms.outbox), 0)

    def test_bad_input_gets_a_chinese_error(self):
        self.assertContains(self.send(mobile="12345"), "11位手机号", status_code=400)
        self.assertContains(self.send(mobile="1" * 5000), "11位手机号", status_code=400)
        self.send()
        response = self.client.post(
            URL,
            {
                "mobile": MOBILE,
                "code": self.last_code(),
                "password": "a",
                "password2": "b",
                "action": "verify",
            },
        )
        self.assertContains(response, "两次输入的密码不一致", status_code=400)
