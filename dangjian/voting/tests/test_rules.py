import datetime as dt

from django.utils import timezone

from dangjian.test import BaseTestCase
from dangjian.voting.actions import VoteRefused, check_cast_vote, tally
from dangjian.voting.models import CAMPAIGN_TZ, Vote

from .helpers import candidate_ids, make_campaign, member_voter, public_voter


def shanghai(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=CAMPAIGN_TZ)


class RuleTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city,
            starts_at=shanghai(2030, 5, 1, 0),
            ends_at=shanghai(2030, 5, 10, 0),
            votes_per_day=2,
            votes_per_candidate_per_day=1,
            votes_total=3,
        )
        self.c1, self.c2, self.c3 = candidate_ids(self.campaign)
        self.voter = public_voter()

    def cast(self, candidate, at, **kwargs):
        return check_cast_vote(
            self.campaign.pk,
            candidate,
            kwargs.pop("voter", self.voter),
            now=at,
            **kwargs,
        )

    def refusal(self, candidate, at, **kwargs) -> VoteRefused:
        with self.assertRaises(VoteRefused) as ctx:
            self.cast(candidate, at, **kwargs)
        return ctx.exception

    def test_it_counts_a_vote_and_reports_what_is_left(self):
        result = self.cast(self.c1, shanghai(2030, 5, 2, 9))
        self.assertEqual(result.status, 201)
        self.assertEqual(result.body["remaining_today"], 1)
        self.assertEqual(result.body["remaining_for_candidate_today"], 0)
        self.assertEqual(result.body["remaining_total"], 2)
        self.assertEqual(Vote.objects.count(), 1)
        self.assertEqual(tally(self.campaign.pk), {self.c1: 1})

    def test_it_refuses_a_second_vote_for_one_candidate_the_same_day(self):
        self.cast(self.c1, shanghai(2030, 5, 2, 9))
        refused = self.refusal(self.c1, shanghai(2030, 5, 2, 10))
        self.assertEqual(
            (refused.status, refused.extra["limit"]), (409, "per_candidate")
        )
        self.assertEqual(refused.extra["next_vote_at"], shanghai(2030, 5, 3, 0))
        # Another candidate is still fine.
        self.assertEqual(self.cast(self.c2, shanghai(2030, 5, 2, 10)).status, 201)

    def test_the_daily_limit_resets_at_midnight_in_shanghai(self):
        self.cast(self.c1, shanghai(2030, 5, 2, 9))
        self.cast(self.c2, shanghai(2030, 5, 2, 23, 58))
        refused = self.refusal(self.c3, shanghai(2030, 5, 2, 23, 59))
        self.assertEqual(refused.extra["limit"], "per_day")
        self.assertEqual(refused.extra["next_vote_at"], shanghai(2030, 5, 3, 0))
        # 00:01 in Shanghai is still 16:01 of the previous day in UTC.
        after_midnight = shanghai(2030, 5, 3, 0, 1)
        self.assertEqual(after_midnight.astimezone(dt.UTC).day, 2)
        self.assertEqual(self.cast(self.c1, after_midnight).status, 201)

    def test_the_total_limit_holds_across_days(self):
        self.cast(self.c1, shanghai(2030, 5, 2, 9))
        self.cast(self.c2, shanghai(2030, 5, 2, 9))
        result = self.cast(self.c1, shanghai(2030, 5, 3, 9))
        self.assertEqual(result.body["remaining_total"], 0)
        self.assertEqual(result.body["remaining_today"], 0)
        refused = self.refusal(self.c2, shanghai(2030, 5, 4, 9))
        self.assertEqual(refused.extra["limit"], "total")
        self.assertIsNone(refused.extra["next_vote_at"])

    def test_it_refuses_outside_the_window(self):
        self.assertEqual(self.refusal(self.c1, shanghai(2030, 4, 30, 23)).status, 403)
        refused = self.refusal(self.c1, shanghai(2030, 5, 10, 0))
        self.assertEqual((refused.status, refused.code), (403, "ended"))
        self.assertEqual(Vote.objects.count(), 0)

    def test_a_candidate_of_another_campaign_is_bad_input(self):
        other = make_campaign(self.city, title="另一评选")
        refused = self.refusal(candidate_ids(other)[0], shanghai(2030, 5, 2, 9))
        self.assertEqual((refused.status, refused.code), (400, "bad_candidate"))

    def test_a_retry_with_the_same_key_is_counted_once(self):
        at = shanghai(2030, 5, 2, 9)
        first = self.cast(self.c1, at, idempotency_key="click-12345678")
        again = self.cast(self.c1, at, idempotency_key="click-12345678")
        self.assertEqual((first.status, again.status), (201, 200))
        self.assertEqual(again.body["vote"], first.body["vote"])
        self.assertTrue(again.body["replayed"])
        self.assertEqual(Vote.objects.count(), 1)
        self.assertEqual(tally(self.campaign.pk), {self.c1: 1})

    def test_an_unpublished_campaign_takes_no_votes(self):
        self.campaign.live = False
        self.campaign.save()
        self.assertEqual(self.refusal(self.c1, shanghai(2030, 5, 2, 9)).status, 404)


class EligibilityTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(self.unit_a, public=False, eligible=[self.unit_a])
        self.c1 = candidate_ids(self.campaign)[0]

    def test_members_below_an_eligible_organisation_may_vote(self):
        result = check_cast_vote(self.campaign.pk, self.c1, member_voter(self.member))
        self.assertEqual(result.status, 201)

    def test_members_of_another_unit_may_not(self):
        with self.assertRaises(VoteRefused) as ctx:
            check_cast_vote(self.campaign.pk, self.c1, member_voter(self.outsider))
        self.assertEqual(
            (ctx.exception.status, ctx.exception.code), (403, "not_eligible")
        )

    def test_the_public_may_not_vote_in_a_members_only_campaign(self):
        with self.assertRaises(VoteRefused) as ctx:
            check_cast_vote(self.campaign.pk, self.c1, public_voter())
        self.assertEqual(ctx.exception.status, 403)
        self.assertFalse(Vote.objects.exists())


class RateLimitTestCase(BaseTestCase):
    def test_a_flood_from_one_voter_is_rate_limited(self):
        campaign = make_campaign(
            self.city, votes_per_day=1000, votes_per_candidate_per_day=1000
        )
        c1 = candidate_ids(campaign)[0]
        voter = public_voter()
        codes = []
        now = timezone.now()
        for _ in range(40):
            try:
                check_cast_vote(campaign.pk, c1, voter, now=now)
                codes.append(201)
            except VoteRefused as exc:
                codes.append(exc.code)
        self.assertIn("captcha_required", codes)
        self.assertIn("rate_limited", codes)
        self.assertEqual(Vote.objects.count(), codes.count(201))

    def test_first_votes_in_a_burst_are_not_charged_twice(self):
        # A voter's first request loads their counts into Redis and tries
        # again; only that second try counts toward the per-minute limits.
        # (Eight requests at once from one new voter could otherwise reach
        # the captcha threshold of 15 and be refused.)
        campaign = make_campaign(
            self.city, votes_per_day=1000, votes_per_candidate_per_day=1000
        )
        c1 = candidate_ids(campaign)[0]
        with self.settings(VOTING_RATE_LIMITS={"captcha_voter_per_minute": 1}):
            result = check_cast_vote(campaign.pk, c1, public_voter("13800000077"))
        self.assertEqual(result.status, 201)
