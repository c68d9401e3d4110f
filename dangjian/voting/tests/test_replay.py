import datetime as dt

from django.db import connection
from django.utils import timezone

from dangjian.test import BaseTestCase
from dangjian.voting.actions import check_cast_vote, ledger_tally
from dangjian.voting.chain import verify
from dangjian.voting.identity import keyed_hash
from dangjian.voting.models import CAMPAIGN_TZ, Ledger, Vote
from dangjian.voting.replay import ReplayError, replay_ballots

from .helpers import candidate_ids, make_campaign, public_voter


def vote_table_structures() -> dict:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Vote._meta.db_table)
    return {
        name: (tuple(info["columns"]), bool(info["foreign_key"]), info["unique"])
        for name, info in found.items()
    }


class ReplayTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city, candidates=4, votes_per_day=2, votes_per_candidate_per_day=1
        )
        self.ids = candidate_ids(self.campaign)
        # Ten in the morning in the city, so that every ballot falls on one day.
        self.start = (
            (timezone.now() - dt.timedelta(days=1))
            .astimezone(CAMPAIGN_TZ)
            .replace(hour=10, minute=0)
        )

    def ballots(self, n):
        voters = [keyed_hash("voter", f"m:{i}") for i in range(max(n // 3, 1))]
        for i in range(n):
            voter = voters[i % len(voters)]
            yield (
                self.ids[(i // len(voters)) % 4],
                voter,
                self.start + dt.timedelta(seconds=10 * i),
                keyed_hash("network", "10.0.0.0/24", 16),
                voter[:16],
                "wechat",
            )

    def test_a_bulk_replay_applies_the_rule_and_leaves_the_table_as_it_was(self):
        before = vote_table_structures()
        report = replay_ballots(self.campaign.pk, self.ballots(90), defer_indexes=True)
        # 30 voters × 3 ballots for different candidates, two a day allowed.
        self.assertEqual((report.accepted, report.refused), (60, 30))
        self.assertEqual(vote_table_structures(), before)
        self.assertEqual(Vote.objects.filter(campaign=self.campaign).count(), 60)
        ledger = Ledger.objects.get(campaign=self.campaign)
        check = verify(self.campaign.pk, digest=ledger.head_hash, length=60)
        self.assertTrue(check.ok, check.problems)
        self.assertEqual(sum(ledger_tally(self.campaign.pk).values()), 60)
        # Live votes work afterwards, with the rule counted from the ledger.
        voter = public_voter("13800000042")
        self.assertEqual(
            check_cast_vote(self.campaign.pk, self.ids[0], voter).status, 201
        )

    def test_a_ballot_for_a_foreign_candidate_is_refused_not_written(self):
        other = make_campaign(self.city, candidates=1)
        ballots = list(self.ballots(3))
        ballots[1] = (candidate_ids(other)[0], *ballots[1][1:])
        report = replay_ballots(self.campaign.pk, ballots, defer_indexes=True)
        self.assertEqual((report.accepted, report.refused), (2, 1))
        self.assertFalse(Vote.objects.filter(candidate__campaign=other).exists())

    def test_a_ledger_with_votes_is_not_replayed_into(self):
        replay_ballots(self.campaign.pk, self.ballots(3))
        with self.assertRaises(ReplayError):
            replay_ballots(self.campaign.pk, self.ballots(3), defer_indexes=True)
        self.assertEqual(Vote.objects.filter(campaign=self.campaign).count(), 2)
