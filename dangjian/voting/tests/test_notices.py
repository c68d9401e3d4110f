import datetime as dt

from django.test import override_settings

from dangjian.notify.models import Notification
from dangjian.notify.reminders import send_reminders
from dangjian.test import BaseTestCase
from dangjian.voting.tests.helpers import make_campaign


@override_settings(DANGJIAN_NOTIFY_QUIET_HOURS=None)
class CampaignOpeningTestCase(BaseTestCase):
    def test_members_of_the_eligible_organisations_are_told_a_vote_opened(self):
        campaign = make_campaign(self.unit_a, public=False, eligible=[self.unit_a])
        with self.captureOnCommitCallbacks(execute=True):
            send_reminders(campaign.starts_at + dt.timedelta(hours=2))
        told = set(
            Notification.objects.filter(kind="voting.campaign_open").values_list(
                "recipient__username", flat=True
            )
        )
        self.assertIn("member", told)
        self.assertIn("sibling", told)
        self.assertNotIn("outsider", told)
        n = Notification.objects.get(recipient=self.member)
        self.assertEqual(n.title, "投票《测试评选》开始了")
        self.assertEqual(n.url, f"/votes/{campaign.pk}/")
