import datetime as dt
import io

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dangjian.test import BaseTestCase
from dangjian.voting.actions import check_cast_vote, do_finalise_campaign
from dangjian.voting.chain import seal, seal_all, verify
from dangjian.voting.models import Ledger, Vote

from .helpers import candidate_ids, make_campaign, public_voter


class ChainTestCase(BaseTestCase):
    def setUp(self):
        now = timezone.now()
        self.campaign = make_campaign(
            self.city,
            votes_per_day=3,
            starts_at=now - dt.timedelta(days=2),
            ends_at=now + dt.timedelta(days=2),
        )
        ids = candidate_ids(self.campaign)
        for n in range(6):
            check_cast_vote(
                self.campaign.pk, ids[n % 3], public_voter(f"1380000000{n}")
            )
        seal_all(self.campaign.pk)
        self.ledger = Ledger.objects.get(campaign=self.campaign)

    def test_sealing_links_every_vote_into_one_chain(self):
        self.assertEqual(self.ledger.length, 6)
        seqs = list(Vote.objects.order_by("seq").values_list("seq", flat=True))
        self.assertEqual(seqs, [1, 2, 3, 4, 5, 6])
        result = verify(self.campaign.pk, digest=self.ledger.head_hash, length=6)
        self.assertTrue(result.ok, result.problems)
        # Later votes continue the same chain.
        check_cast_vote(
            self.campaign.pk,
            candidate_ids(self.campaign)[0],
            public_voter("13900000009"),
        )
        self.assertEqual(seal(self.campaign.pk), 1)
        self.assertEqual(Vote.objects.get(seq=7).prev_hash, self.ledger.head_hash)

    def test_verification_fails_after_a_vote_is_edited(self):
        vote = Vote.objects.get(seq=3)
        other = candidate_ids(self.campaign)[2]
        Vote.objects.filter(pk=vote.pk).update(
            candidate_id=other
            if vote.candidate_id != other
            else candidate_ids(self.campaign)[0]
        )
        result = verify(self.campaign.pk, digest=self.ledger.head_hash)
        self.assertFalse(result.ok)
        self.assertIn("第 3 号记录", result.problems[0])

    def test_verification_fails_after_a_vote_is_deleted_even_if_rehashed(self):
        Vote.objects.filter(seq=6).delete()
        result = verify(self.campaign.pk, digest=self.ledger.head_hash, length=6)
        self.assertFalse(result.ok)

    def test_the_command_checks_the_published_digest(self):
        Vote.objects.filter(campaign=self.campaign).update(
            cast_at=self.campaign.ends_at - dt.timedelta(hours=1)
        )
        Ledger.objects.filter(campaign=self.campaign).delete()
        Vote.objects.update(seq=None, prev_hash="", row_hash="")
        self.campaign.ends_at = timezone.now() - dt.timedelta(minutes=1)
        self.campaign.save()
        ledger = do_finalise_campaign(self.campaign, acting_user=self.admin)
        out = io.StringIO()
        call_command(
            "verify_votes",
            self.campaign.pk,
            "--digest",
            ledger.final_digest,
            stdout=out,
        )
        self.assertIn("核验通过", out.getvalue())
        Vote.objects.filter(seq=2).update(voter_hash="f" * 32)
        with self.assertRaises(CommandError):
            call_command(
                "verify_votes",
                self.campaign.pk,
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
