import json

from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from dangjian.publicity import actions, signing
from dangjian.publicity.models import Channel, Delivery, DeliveryAttempt
from dangjian.publicity.tests.helpers import PublicityTestCase, Receiver


class WebhookTestCase(PublicityTestCase):
    def test_a_release_is_posted_signed_to_the_units_channel(self):
        with Receiver() as receiver:
            channel = self.webhook(receiver.url)
            item = self.publish(title="宣传部公开事项", summary="摘要一句")
        self.assertEqual(len(receiver.requests), 1)
        request = receiver.requests[0]
        headers = {k.lower(): v for k, v in request["headers"].items()}
        self.assertTrue(
            signing.verify(
                channel.secret,
                headers["x-dangjian-timestamp"],
                request["body"],
                headers["x-dangjian-signature"],
            )
        )
        self.assertFalse(
            signing.verify(
                "wrong-secret",
                headers["x-dangjian-timestamp"],
                request["body"],
                headers["x-dangjian-signature"],
            )
        )
        payload = json.loads(request["body"])
        self.assertEqual(payload["id"], f"disclosure-{item.pk}")
        self.assertEqual(payload["type"], "disclosure")
        self.assertEqual(payload["event"], "release")
        self.assertEqual(payload["title"], "宣传部公开事项")
        self.assertEqual(payload["summary"], "摘要一句")
        self.assertEqual(payload["unit"], {"id": self.unit_a.pk, "name": "市委宣传部"})
        self.assertIn(item.url, payload["url"])
        self.assertTrue(payload["url"].endswith("?from=generic"))
        self.assertIn("released_at", payload)
        delivery = Delivery.objects.get()
        self.assertEqual(headers["x-dangjian-delivery"], str(delivery.uuid))
        self.assertEqual(delivery.status, Delivery.Status.DELIVERED)

    def test_it_retries_with_backoff_and_logs_every_attempt(self):
        with Receiver(failures=2) as receiver:
            channel = self.webhook(receiver.url)
            start = timezone.now()
            # Attempt 1 runs on commit (the immediate task backend in tests).
            self.publish()
            delivery = Delivery.objects.get()
            self.assertEqual(delivery.status, Delivery.Status.RETRYING)
            self.assertEqual(delivery.attempts, 1)
            self.assertEqual(delivery.last_status_code, 503)
            # The immediate backend cannot defer, so the retry waits for its time.
            self.assertGreaterEqual(
                delivery.next_attempt_at, start + actions.retry_delay(1)
            )
            self.assertEqual(actions.do_deliver_due(), 0)
            later = delivery.next_attempt_at
            self.assertEqual(actions.do_deliver_due(now=later), 1)
            delivery.refresh_from_db()
            self.assertEqual(delivery.status, Delivery.Status.RETRYING)
            self.assertGreater(delivery.next_attempt_at - later, actions.retry_delay(1))
            actions.do_attempt_delivery(delivery.pk)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.DELIVERED)
        attempts = list(DeliveryAttempt.objects.filter(delivery=delivery))
        self.assertEqual([a.number for a in attempts], [1, 2, 3])
        self.assertEqual([a.status_code for a in attempts], [503, 503, 200])
        self.assertEqual([a.ok for a in attempts], [False, False, True])
        self.assertIn("temporarily unavailable", attempts[0].response_excerpt)
        self.assertEqual(attempts[0].error, "HTTP 503")
        self.assertEqual(len(receiver.requests), 3)
        # Every attempt is the same delivery, signed afresh.
        ids = {
            {k.lower(): v for k, v in r["headers"].items()}["x-dangjian-delivery"]
            for r in receiver.requests
        }
        self.assertEqual(ids, {str(delivery.uuid)})
        for r in receiver.requests:
            headers = {k.lower(): v for k, v in r["headers"].items()}
            self.assertTrue(
                signing.verify(
                    channel.secret,
                    headers["x-dangjian-timestamp"],
                    r["body"],
                    headers["x-dangjian-signature"],
                )
            )

    @override_settings(PUBLICITY_WEBHOOK_MAX_ATTEMPTS=2)
    def test_it_gives_up_after_the_last_attempt_and_the_admin_can_retry(self):
        with Receiver(failures=2) as receiver:
            self.webhook(receiver.url)
            self.publish()
            delivery = Delivery.objects.get()
            actions.do_attempt_delivery(delivery.pk)
            delivery.refresh_from_db()
            self.assertEqual(delivery.status, Delivery.Status.FAILED)
            self.assertEqual(delivery.attempts, 2)
            with self.captureOnCommitCallbacks(execute=True):
                actions.do_retry_delivery(delivery, acting_user=self.secretary)
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, Delivery.Status.DELIVERED)
        self.assertEqual(delivery.attempts, 3)

    def test_an_unreachable_receiver_is_logged_as_an_error(self):
        with Receiver() as receiver:
            url = receiver.url
        # The server is closed now: the connection is refused.
        self.webhook(url)
        self.publish()
        attempt = DeliveryAttempt.objects.get()
        self.assertIsNone(attempt.status_code)
        self.assertIn("URLError", attempt.error)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.RETRYING)

    def test_another_units_admin_cannot_retry(self):
        with Receiver(failures=1) as receiver:
            self.webhook(receiver.url)
            self.publish()
        delivery = Delivery.objects.get()
        with self.assertRaises(PermissionDenied):
            actions.do_retry_delivery(delivery, acting_user=self.editor_b)
        with self.assertRaises(PermissionDenied):
            actions.do_retry_delivery(delivery, acting_user=self.editor)

    def test_other_units_and_disabled_channels_get_nothing(self):
        with Receiver() as receiver:
            self.webhook(receiver.url, organisation=self.unit_b, name="公安局")
            self.webhook(receiver.url, is_active=False, name="停用")
            self.publish()
        self.assertEqual(receiver.requests, [])
        self.assertFalse(Delivery.objects.exists())

    def test_city_wide_channels_get_every_units_releases(self):
        with Receiver() as receiver:
            channel = self.webhook(receiver.url, name="全市")
            channel.organisation = None
            channel.save()
            self.publish()
            self.publish_directly(
                self.make_item(
                    "公安局事项", section=self.section_b, editor=self.editor_b
                )
            )
        self.assertEqual(len(receiver.requests), 2)


@override_settings(OUTBOUND_ALLOW_PRIVATE=False)
class OutboundGuardTestCase(PublicityTestCase):
    """A push address may not reach the city's own network (SSRF)."""

    def add_channel(self, url):
        self.client.force_login(self.secretary)
        data = {
            "name": f"渠道 {url}",
            "organisation": self.unit_a.pk,
            "kind": "webhook",
            "platform": "generic",
            "url": url,
            "secret": "abc",
            "is_active": "on",
        }
        return self.client.post("/admin/publicity_channels/new/", data)

    def test_private_and_odd_addresses_are_refused_when_saved(self):
        for url in (
            "http://127.0.0.1:6379/",
            "http://localhost/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/hook",
            "http://[::ffff:192.168.1.1]/hook",
            "http://user:pw@8.8.8.8/hook",
        ):
            r = self.add_channel(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertIn("url", r.context["form"].errors, url)
        self.assertFalse(Channel.objects.filter(kind="webhook").exists())
        self.assertEqual(self.add_channel("http://8.8.8.8/hook").status_code, 302)

    def test_a_channel_pointed_inside_later_is_not_sent_to(self):
        with Receiver() as receiver:
            channel = self.webhook(receiver.url)
            self.publish()
            self.assertEqual(receiver.requests, [])
        attempt = DeliveryAttempt.objects.get(delivery__channel=channel)
        self.assertIn("UnsafeURL", attempt.error)
