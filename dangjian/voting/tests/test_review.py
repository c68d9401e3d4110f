import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from dangjian.test import BaseTestCase
from dangjian.voting.actions import check_cast_vote, do_void_votes, tally
from dangjian.voting.fraud import scan_campaign
from dangjian.voting.identity import keyed_hash
from dangjian.voting.models import Vote, VoteFlag
from dangjian.voting.replay import replay_ballots

from .helpers import candidate_ids, make_campaign, public_voter


class FraudTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.unit_a, votes_per_day=20, votes_per_candidate_per_day=20
        )
        self.ids = candidate_ids(self.campaign)
        self.start = timezone.now() - dt.timedelta(hours=5)

    def test_a_burst_of_new_voters_from_one_network_is_flagged(self):
        net = keyed_hash("network", "5.6.7.0/24", 16)
        # The burst straddles a ten-minute mark of the clock: it must still count
        # as one burst.
        burst_start = self.start.replace(
            minute=self.start.minute // 10 * 10, second=0, microsecond=0
        ) - dt.timedelta(seconds=25)
        ballots = [
            (
                self.ids[0],
                keyed_hash("voter", f"bot{i}"),
                burst_start + dt.timedelta(seconds=i),
                net,
                "d",
                "bot",
            )
            for i in range(50)
        ]
        # Ordinary voters spread over the day.
        ballots += [
            (
                self.ids[1],
                keyed_hash("voter", f"p{i}"),
                self.start + dt.timedelta(minutes=3 * i),
                keyed_hash("network", f"9.9.{i}.0/24", 16),
                "d",
                "wechat",
            )
            for i in range(20)
        ]
        ballots.sort(key=lambda b: b[2])
        replay_ballots(self.campaign.pk, ballots)
        found = scan_campaign(self.campaign.pk)
        self.assertEqual(found["new_voters"], 50)
        self.assertEqual(found["regular"], 0)
        flagged = set(VoteFlag.objects.values_list("vote__network_hash", flat=True))
        self.assertEqual(flagged, {net})
        # A second scan adds nothing.
        self.assertEqual(sum(scan_campaign(self.campaign.pk).values()), 0)

    def test_votes_at_machine_regular_intervals_are_flagged(self):
        voter = public_voter()
        for i in range(6):
            check_cast_vote(
                self.campaign.pk,
                self.ids[i % 3],
                voter,
                now=self.start + dt.timedelta(seconds=30 * i + (0.2 if i % 2 else 0)),
            )
        found = scan_campaign(self.campaign.pk)
        self.assertEqual(found["regular"], 6)
        self.assertEqual(found["burst"], 0)

    def test_voided_votes_stay_in_the_ledger_and_leave_the_tally(self):
        votes = [
            check_cast_vote(
                self.campaign.pk, self.ids[0], public_voter(f"1380000000{i}")
            ).body["vote"]
            for i in range(3)
        ]
        n = do_void_votes(
            self.campaign, votes[:2], reason="同一网络刷票", acting_user=self.approver
        )
        self.assertEqual(n, 2)
        self.assertEqual(Vote.objects.count(), 3)
        self.assertEqual(tally(self.campaign.pk).get(self.ids[0]), 1)
        # Voiding again changes nothing; no reason, no voiding.
        self.assertEqual(
            do_void_votes(
                self.campaign, votes[:2], reason="x", acting_user=self.approver
            ),
            0,
        )
        from dangjian.voting.actions import VoteRefused

        with self.assertRaises(VoteRefused):
            do_void_votes(
                self.campaign, votes[2:], reason=" ", acting_user=self.approver
            )

        # The export says how many were voided and why.
        self.client.force_login(self.approver)
        r = self.client.get(f"/votes/{self.campaign.pk}/export.xlsx")
        self.assertEqual(r.status_code, 200)
        book = load_workbook(io.BytesIO(r.content))
        rows = list(book["结果"].iter_rows(values_only=True))
        first = next(row for row in rows if row[0] == 1)
        self.assertEqual((first[2], first[5], first[6]), ("候选人1", 1, 2))
        self.assertIn(
            ("同一网络刷票", 2), list(book["作废说明"].iter_rows(values_only=True))
        )
        digest = dict(book["账本摘要"].iter_rows(values_only=True))
        self.assertEqual(digest["账本记录数（含作废）"], 3)

    def test_the_review_page_is_for_the_campaigns_approvers_only(self):
        self.client.force_login(self.editor_b)
        self.assertIn(
            self.client.get(f"/admin/voting/{self.campaign.pk}/review/").status_code,
            (302, 403),
        )
        self.client.force_login(self.approver)
        r = self.client.get(f"/admin/voting/{self.campaign.pk}/review/")
        self.assertEqual(r.status_code, 200)
        self.client.force_login(self.outsider)
        self.assertEqual(
            self.client.get(f"/votes/{self.campaign.pk}/export.xlsx").status_code, 403
        )

    def test_voiding_from_the_review_page_is_audited(self):
        vote = check_cast_vote(self.campaign.pk, self.ids[0], public_voter()).body[
            "vote"
        ]
        self.client.force_login(self.approver)
        r = self.client.post(
            f"/admin/voting/{self.campaign.pk}/review/",
            {"action": "void", "vote": [vote], "reason": "机器投票"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Vote.objects.get(pk=vote).void_reason, "机器投票")
        from wagtail.models import ModelLogEntry

        entry = ModelLogEntry.objects.get(action="dangjian.voting.void")
        self.assertEqual(entry.user, self.approver)
