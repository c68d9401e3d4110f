import re

from django.core import mail
from django.core.management import call_command

from dangjian.publicity import actions
from dangjian.publicity.models import Subscriber
from dangjian.publicity.tests.helpers import PublicityTestCase


class DigestTestCase(PublicityTestCase):
    def subscribe(self, email, **data):
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post("/publicity/subscribe/", {"email": email, **data})
        return r

    def confirm_link(self, email) -> str:
        message = [m for m in mail.outbox if email in m.to][-1]
        found = re.search(r"http\S+/subscribe/confirm/\S+/", str(message.body))
        assert found is not None, message.body
        return found.group(0)

    def subscribe_and_confirm(self, email, **data):
        self.subscribe(email, **data)
        path = self.confirm_link(email).split("://", 1)[1].split("/", 1)[1]
        r = self.client.get("/" + path)
        self.assertContains(r, "订阅已确认")
        return Subscriber.objects.get(email=email)

    def test_the_form_explains_bad_input_and_stores_nothing(self):
        r = self.subscribe("不是邮箱", kinds=["disclosure"])
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "请输入有效的邮箱地址。", status_code=400)
        r = self.subscribe("a@example.com", units=["999999"])
        self.assertContains(r, "所选单位不存在。", status_code=400)
        r = self.subscribe("a@example.com", kinds=["secret"])
        self.assertContains(r, "所选栏目不存在。", status_code=400)
        self.assertFalse(Subscriber.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_an_unconfirmed_subscriber_gets_nothing(self):
        r = self.subscribe("wait@example.com")
        self.assertContains(r, "请查收确认邮件")
        self.assertEqual(len(mail.outbox), 1)
        self.publish(title="待确认期间发布")
        call_command("send_digests", stdout=open("/dev/null", "w"))
        self.assertEqual(len(mail.outbox), 1)

    def test_each_confirmed_subscriber_gets_one_mail_with_their_items(self):
        all_city = self.subscribe_and_confirm("all@example.com")
        only_b = self.subscribe_and_confirm("b@example.com", units=[self.unit_b.pk])
        mail.outbox.clear()
        self.publish(title="宣传部新事项一")
        self.publish(title="宣传部新事项二")
        self.publish(title="宣传部党内事项", scope="internal", audience=[self.unit_a])
        self.publish_directly(
            self.make_item("公安局新事项", section=self.section_b, editor=self.editor_b)
        )
        self.assertEqual(actions.do_send_digests(), 2)
        by_to = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(len(mail.outbox), 2)
        body = by_to[all_city.email].body
        for title in ("宣传部新事项一", "宣传部新事项二", "公安局新事项"):
            self.assertIn(title, body)
        self.assertNotIn("党内", body)
        self.assertIn("公安局新事项", by_to[only_b.email].body)
        self.assertNotIn("宣传部新事项", by_to[only_b.email].body)
        self.assertIn("?from=email", body)
        # A second run the same day has nothing new to send.
        self.assertEqual(actions.do_send_digests(), 0)
        self.assertEqual(len(mail.outbox), 2)

    def test_every_digest_can_be_unsubscribed_in_one_click(self):
        self.subscribe_and_confirm("bye@example.com")
        mail.outbox.clear()
        self.publish(title="退订前的事项")
        actions.do_send_digests()
        message = mail.outbox[0]
        header = message.extra_headers["List-Unsubscribe"]
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        url = header.strip("<>")
        self.assertIn(url, message.body)
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        self.assertContains(self.client.get(path), "确认退订")
        # Mail apps post without a session or CSRF token (RFC 8058).
        csrf_client = self.client_class(enforce_csrf_checks=True)
        r = csrf_client.post(path, {"List-Unsubscribe": "One-Click"})
        self.assertContains(r, "已退订")
        mail.outbox.clear()
        self.publish(title="退订后的事项")
        self.assertEqual(actions.do_send_digests(), 0)
        self.assertEqual(mail.outbox, [])

    def test_a_forged_link_is_refused(self):
        self.subscribe("x@example.com")
        r = self.client.get("/publicity/subscribe/confirm/forged:token/")
        self.assertContains(r, "链接无效", status_code=400)
        r = self.client.post("/publicity/unsubscribe/forged:token/")
        self.assertContains(r, "链接无效", status_code=400)
        self.assertIsNone(Subscriber.objects.get().confirmed_at)


class SubscribeFormTestCase(PublicityTestCase):
    def test_units_are_grouped_under_their_tree_in_collapsed_branches(self):
        r = self.client.get("/publicity/subscribe/")
        self.assertContains(r, "<summary>中共测试市委", html=False)
        self.assertContains(r, "<details>", html=False)
        self.assertContains(r, f'value="{self.unit_a.pk}"')
        self.assertNotContains(r, "<details open>", html=False)
