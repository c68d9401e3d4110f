import datetime as dt

from django.utils import timezone

from dangjian.lib import sms
from dangjian.test import BaseTestCase
from dangjian.voting.actions import VoteRefused, check_verify_code, do_request_code
from dangjian.voting.identity import phone_hash
from dangjian.voting.models import OneTimeCode, Vote

from .helpers import candidate_ids, make_campaign

MOBILE = "13912345678"


class OneTimeCodeTestCase(BaseTestCase):
    def setUp(self):
        sms.outbox.clear()

    def last_code(self) -> str:
        return sms.outbox[-1]["params"]["code"]

    def refusal(self, fn, *args, **kwargs) -> VoteRefused:
        with self.assertRaises(VoteRefused) as ctx:
            fn(*args, **kwargs)
        return ctx.exception

    def test_the_right_code_verifies_the_number_which_is_stored_only_hashed(self):
        do_request_code("139 1234 5678")
        self.assertEqual(sms.outbox[-1]["mobile"], MOBILE)
        voter = check_verify_code(MOBILE, self.last_code())
        self.assertEqual(voter, phone_hash(MOBILE))
        otp = OneTimeCode.objects.get()
        self.assertNotIn(MOBILE, otp.phone_hash + otp.code_hash)
        self.assertNotIn(self.last_code(), otp.code_hash)
        # A used code cannot be used again.
        self.assertEqual(
            self.refusal(check_verify_code, MOBILE, self.last_code()).code, "no_code"
        )

    def test_a_wrong_code_uses_up_attempts_until_the_code_is_locked(self):
        do_request_code(MOBILE)
        right = self.last_code()
        wrong = "000000" if right != "000000" else "111111"
        for left in (4, 3, 2, 1, 0):
            refused = self.refusal(check_verify_code, MOBILE, wrong)
            self.assertEqual(
                (refused.code, refused.extra["attempts_left"]), ("bad_code", left)
            )
        refused = self.refusal(check_verify_code, MOBILE, right)
        self.assertEqual((refused.status, refused.code), (429, "code_locked"))

    def test_an_expired_code_is_refused(self):
        sent_at = timezone.now() - dt.timedelta(minutes=6)
        do_request_code(MOBILE, now=sent_at)
        refused = self.refusal(check_verify_code, MOBILE, self.last_code())
        self.assertEqual(refused.code, "code_expired")

    def test_codes_cannot_be_requested_back_to_back(self):
        do_request_code(MOBILE)
        refused = self.refusal(do_request_code, MOBILE)
        self.assertEqual((refused.status, refused.code), (429, "code_too_soon"))
        self.assertEqual(len(sms.outbox), 1)

    def test_a_malformed_number_is_refused(self):
        self.assertEqual(self.refusal(do_request_code, "12345").code, "bad_mobile")
        self.assertFalse(OneTimeCode.objects.exists())

    def test_the_api_flow_gives_a_voter_session_that_can_vote(self):
        campaign = make_campaign(self.city)
        r = self.client.post(
            "/api/votes/otp", {"mobile": MOBILE}, content_type="application/json"
        )
        self.assertEqual(r.status_code, 202)
        r = self.client.post(
            "/api/votes/session",
            {
                "mobile": MOBILE,
                "code": "999999" if self.last_code() != "999999" else "000000",
            },
            content_type="application/json",
        )
        self.assertEqual((r.status_code, r.json()["code"]), (400, "bad_code"))
        r = self.client.post(
            "/api/votes/session",
            {"mobile": MOBILE, "code": self.last_code()},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 200)
        token = r.json()["token"]
        self.client.cookies.clear()
        r = self.client.post(
            "/api/votes",
            {"campaign": campaign.pk, "candidate": candidate_ids(campaign)[0]},
            content_type="application/json",
            headers={"X-Voter-Token": token},
        )
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Vote.objects.get().voter_hash, phone_hash(MOBILE))
        # A forged token is nobody.
        r = self.client.post(
            "/api/votes",
            {"campaign": campaign.pk, "candidate": candidate_ids(campaign)[1]},
            content_type="application/json",
            headers={"X-Voter-Token": token[:-2] + "xx"},
        )
        self.assertEqual(r.status_code, 401)
