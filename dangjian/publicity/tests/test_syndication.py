import datetime as dt

from django.utils import timezone

from dangjian.disclosure import actions as disclosure_actions
from dangjian.kb.actions import do_publish_entry
from dangjian.kb.models import Entry
from dangjian.publicity.models import Delivery, Release
from dangjian.publicity.tests.helpers import PublicityTestCase, Receiver
from dangjian.voting.models import Campaign


class SyndicationTestCase(PublicityTestCase):
    def test_an_internal_item_is_never_syndicated(self):
        with Receiver() as receiver:
            self.webhook(receiver.url)
            city = self.webhook(receiver.url, name="全市")
            city.organisation = None
            city.save()
            item = self.publish(
                title="党内通报：支部换届", scope="internal", audience=[self.unit_a]
            )
        self.assertTrue(item.live)
        self.assertEqual(receiver.requests, [])
        self.assertFalse(Delivery.objects.exists())
        self.assertFalse(Release.objects.exists())
        for url in (
            "/publicity/feeds/atom.xml",
            f"/publicity/feeds/unit/{self.unit_a.pk}.xml",
            "/publicity/feeds/disclosure.xml",
            f"/publicity/feeds/disclosure/{self.category.pk}.xml",
        ):
            self.assertNotContains(self.client.get(url), "支部换届")

    def test_turning_an_item_internal_retracts_it(self):
        with Receiver() as receiver:
            self.webhook(receiver.url)
            item = self.publish(title="先公开后转党内")
            item.scope = "internal"
            item.audience = [self.unit_a]
            item.correction_note = "改为党内公开"
            item.save_revision(user=self.editor)
            self.publish_directly(item)
        release = Release.objects.get()
        self.assertIsNotNone(release.retracted_at)
        events = [p["event"] for p in receiver.payloads()]
        self.assertEqual(events, ["release", "retract"])
        self.assertNotContains(
            self.client.get("/publicity/feeds/atom.xml"), "先公开后转党内"
        )

    def test_a_republished_item_is_an_update_not_a_second_release(self):
        with Receiver() as receiver:
            self.webhook(receiver.url)
            item = self.publish(title="初版标题")
            item.title = "修订后的标题"
            item.correction_note = "更正标题"
            item.save_revision(user=self.editor)
            item = self.publish_directly(item)
            # Publishing the same revision again sends nothing new.
            with self.captureOnCommitCallbacks(execute=True):
                item.get_latest_revision().publish(user=self.admin)
        self.assertEqual(Release.objects.count(), 1)
        release = Release.objects.get()
        self.assertEqual(release.title, "修订后的标题")
        self.assertEqual(
            [p["event"] for p in receiver.payloads()], ["release", "update"]
        )
        self.assertEqual(Delivery.objects.count(), 2)

    def test_a_withdrawn_item_leaves_the_feeds(self):
        with Receiver() as receiver:
            self.webhook(receiver.url)
            item = self.publish(title="将被撤回的事项")
            self.assertContains(
                self.client.get("/publicity/feeds/atom.xml"), "将被撤回的事项"
            )
            with self.captureOnCommitCallbacks(execute=True):
                disclosure_actions.do_withdraw_item(
                    item, reason="内容有误", acting_user=self.approver
                )
        self.assertNotContains(
            self.client.get("/publicity/feeds/atom.xml"), "将被撤回的事项"
        )
        self.assertEqual(
            [p["event"] for p in receiver.payloads()], ["release", "retract"]
        )

    def test_a_published_knowledge_entry_goes_out(self):
        with Receiver() as receiver:
            self.webhook(receiver.url)
            entry = Entry.objects.create(
                owner=self.unit_a,
                matter="如何办理居住证",
                answer="携带身份证到派出所办理。",
            )
            with self.captureOnCommitCallbacks(execute=True):
                do_publish_entry(entry, user=self.admin)
        payload = receiver.payloads()[0]
        self.assertEqual(payload["type"], "kb")
        self.assertEqual(payload["title"], "如何办理居住证")
        self.assertIn(f"/kb/entries/{entry.pk}/", payload["url"])

    def test_a_campaign_only_for_members_is_not_announced(self):
        now = timezone.now()
        with Receiver() as receiver:
            self.webhook(receiver.url)
            for title, public in (("公众投票", True), ("党员内部推选", False)):
                campaign = Campaign.objects.create(
                    title=title,
                    organisation=self.unit_a,
                    starts_at=now,
                    ends_at=now + dt.timedelta(days=7),
                    open_to_public=public,
                )
                with self.captureOnCommitCallbacks(execute=True):
                    campaign.save_revision().publish()
        self.assertEqual([p["title"] for p in receiver.payloads()], ["公众投票"])
