from dangjian.lib.demo import DemoContext
from dangjian.publicity import demo
from dangjian.publicity.models import Channel, Delivery, Release
from dangjian.publicity.tests.helpers import PublicityTestCase


class DemoTestCase(PublicityTestCase):
    def test_the_demo_adds_a_feed_and_a_disabled_webhook_once(self):
        ctx = DemoContext(data_dir=None, write=lambda *a: None)
        demo.load(ctx)
        demo.load(ctx)
        self.assertEqual(Channel.objects.count(), 2)
        webhook = Channel.objects.get(kind=Channel.Kind.WEBHOOK)
        self.assertFalse(webhook.is_active)
        self.assertIsNone(webhook.organisation)
        self.assertTrue(Channel.objects.get(kind=Channel.Kind.ATOM).is_active)

    def test_backfill_records_public_items_without_sending(self):
        item = self.publish(title="早已公开的事项")
        self.publish(title="党内的事项", scope="internal", audience=[self.unit_a])
        Release.objects.all().delete()
        self.webhook("http://127.0.0.1:9/never")
        ctx = DemoContext(data_dir=None, write=lambda *a: None)
        self.assertIn("补建 1 条", demo.load(ctx))
        release = Release.objects.get()
        self.assertEqual(release.object_id, item.pk)
        self.assertEqual(release.released_at, item.first_published_at)
        self.assertFalse(Delivery.objects.exists())
