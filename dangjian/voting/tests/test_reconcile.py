import io

import pytest
from django.conf import settings
from django.core.management import call_command

from dangjian.test import BaseTestCase
from dangjian.voting import store
from dangjian.voting.actions import (
    VoteRefused,
    check_cast_vote,
    reconcile_campaign,
    tally,
)
from dangjian.voting.models import Vote

from .helpers import candidate_ids, make_campaign, public_voter

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL); run with make test-pg"
)


class ReconcileTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(self.city, votes_per_day=2)
        self.ids = candidate_ids(self.campaign)
        call_command("reconcile_votes", stdout=io.StringIO())

    def vote(self, voter, candidate):
        return check_cast_vote(self.campaign.pk, candidate, voter)

    def test_the_tally_matches_the_ledger(self):
        for i in range(4):
            self.vote(public_voter(f"1380000000{i}"), self.ids[i % 2])
        report = reconcile_campaign(self.campaign.pk)
        self.assertTrue(report.exact)
        self.assertEqual(report.ledger, 4)
        self.assertEqual(tally(self.campaign.pk), {self.ids[0]: 2, self.ids[1]: 2})

    @needs_redis
    def test_reconcile_restores_the_tally_after_the_redis_keys_are_deleted(self):
        voter = public_voter()
        self.vote(voter, self.ids[0])
        self.vote(public_voter("13900000000"), self.ids[1])
        store.flush_redis_keys(self.campaign.pk)
        # The voter's counters come back from the ledger: one vote left today.
        result = self.vote(voter, self.ids[1])
        self.assertEqual(result.body["remaining_today"], 0)
        with self.assertRaises(VoteRefused):
            self.vote(voter, self.ids[2])
        out = io.StringIO()
        call_command("reconcile_votes", self.campaign.pk, stdout=out)
        self.assertIn("已修正", out.getvalue())
        self.assertEqual(tally(self.campaign.pk), {self.ids[0]: 1, self.ids[1]: 2})
        self.assertEqual(Vote.objects.count(), 3)
        out = io.StringIO()
        call_command("reconcile_votes", self.campaign.pk, "--check", stdout=out)
        self.assertIn("一致", out.getvalue())

    @needs_redis
    def test_reconcile_reports_a_tally_that_drifted(self):
        self.vote(public_voter(), self.ids[0])
        store.redis_client().hincrby(store.tally_key(self.campaign.pk), self.ids[0], 5)
        report = reconcile_campaign(self.campaign.pk, fix=False)
        self.assertEqual(report.differences, {self.ids[0]: (1, 6)})
        with self.assertRaises(SystemExit):
            call_command(
                "reconcile_votes", self.campaign.pk, "--check", stdout=io.StringIO()
            )
