"""What a voter sends is trusted only as far as the server can check it:
strict candidate ids, replays that answer what the first success answered,
CSRF whenever a cookie could vouch for a vote, and devices the server signed."""

from __future__ import annotations

import secrets

from django.test import RequestFactory, override_settings

from dangjian.test import BaseTestCase, behind_fast_path, wsgi_call
from dangjian.voting.fastpath import VoteFastPath
from dangjian.voting.identity import (
    issue_voter_token,
    new_device_id,
    phone_hash,
    read_device_id,
    request_context,
)
from dangjian.voting.models import Candidate, Vote
from dangjian.voting.rules import forget_rules

from .helpers import candidate_ids, make_campaign

# Only the device limit bites in the device tests.
DEVICE_LIMIT_2 = {
    "voter_per_minute": 1000,
    "network_per_minute": 1000,
    "device_per_minute": 2,
    "captcha_voter_per_minute": 1000,
    "captcha_network_per_minute": 1000,
}
# Only the network limit bites in the network tests.
NETWORK_LIMIT_2 = {**DEVICE_LIMIT_2, "device_per_minute": 1000, "network_per_minute": 2}


class VoterTrustTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city, candidates=3, votes_per_day=3, votes_per_candidate_per_day=1
        )
        self.ids = candidate_ids(self.campaign)
        self.token = issue_voter_token(phone_hash("13800000001"))
        self.app = behind_fast_path(self, VoteFastPath)

    def call(self, app, body, token=None, **headers):
        if token != "":
            headers["x_voter_token"] = token or self.token
        return wsgi_call(app, "/api/votes", method="POST", body=body, **headers)

    # Strict ids ------------------------------------------------------------

    def test_json_true_is_not_candidate_1(self):
        if self.ids[0] != 1:
            Candidate.objects.filter(pk=self.ids[0]).update(id=1)
            forget_rules()
        for app in (self.app, self.django):
            for body in (
                {"campaign": self.campaign.pk, "candidate": True},
                {"campaign": self.campaign.pk, "candidate": 1.0},
                {"campaign": True, "candidate": 1},
            ):
                with self.subTest(app=app, body=body):
                    status, _, answer = self.call(app, body)
                    self.assertEqual(status, 422, answer)
        self.assertFalse(Vote.objects.exists())

    def test_only_ascii_digits_name_a_candidate(self):
        for value in ("１", "²", "1" * 30):
            with self.subTest(value=value):
                status, _, answer = self.call(
                    self.django, {"campaign": self.campaign.pk, "candidate": value}
                )
                self.assertEqual((status, answer["code"]), (400, "bad_candidate"))
        status, _, _ = self.call(
            self.django, {"campaign": self.campaign.pk, "candidate": str(self.ids[0])}
        )
        self.assertEqual(status, 201)

    # Replays ---------------------------------------------------------------

    def test_a_replay_answers_exactly_what_the_first_success_answered(self):
        for app, mobile in ((self.app, "13800000011"), (self.django, "13800000012")):
            token = issue_voter_token(phone_hash(mobile))
            key = {"idempotency_key": "click-" + mobile}
            vote = {"campaign": self.campaign.pk}
            status, _, first = self.call(
                app, {**vote, "candidate": self.ids[0], **key}, token
            )
            self.assertEqual(status, 201)
            # The voter votes again, so today's counts move on.
            self.assertEqual(
                self.call(app, {**vote, "candidate": self.ids[1]}, token)[0], 201
            )
            for candidate in (self.ids[0], self.ids[2]):
                with self.subTest(app=app, candidate=candidate):
                    status, _, again = self.call(
                        app, {**vote, "candidate": candidate, **key}, token
                    )
                    self.assertEqual(status, 200)
                    self.assertIsNotNone(again["vote"])
                    self.assertEqual(again, {**first, "replayed": True})
        self.assertEqual(Vote.objects.count(), 4)

    # CSRF ------------------------------------------------------------------

    def test_a_junk_voter_token_does_not_spare_a_session_the_csrf_check(self):
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.member)
        for header in ("junk", "x" * 60, ""):
            with self.subTest(header=header):
                r = client.post(
                    "/api/votes",
                    {"campaign": self.campaign.pk, "candidate": self.ids[0]},
                    content_type="application/json",
                    headers={"X-Voter-Token": header},
                )
                self.assertEqual((r.status_code, r.json()["code"]), (403, "csrf"))
        self.assertFalse(Vote.objects.exists())

    def test_a_valid_voter_token_alone_needs_no_csrf_token(self):
        client = self.client_class(enforce_csrf_checks=True)
        r = client.post(
            "/api/votes",
            {"campaign": self.campaign.pk, "candidate": self.ids[0]},
            content_type="application/json",
            headers={"X-Voter-Token": self.token},
        )
        self.assertEqual(r.status_code, 201)

    # Networks --------------------------------------------------------------

    def vote_from(self, n: int, forwarded: str, remote: str = "127.0.0.1") -> int:
        """A vote of voter ``n`` on a device of its own, through a proxy."""
        r = self.client.post(
            "/api/votes",
            {"campaign": self.campaign.pk, "candidate": self.ids[0]},
            content_type="application/json",
            headers={
                "X-Voter-Token": issue_voter_token(phone_hash(f"1380000030{n}")),
                "X-Device-Id": new_device_id(),
                "X-Forwarded-For": forwarded,
            },
            REMOTE_ADDR=remote,
        )
        return r.status_code

    @override_settings(
        VOTING_RATE_LIMITS=NETWORK_LIMIT_2, DANGJIAN_TRUST_X_FORWARDED_FOR=True
    )
    def test_behind_the_proxy_the_network_is_the_address_the_proxy_saw(self):
        # Whatever the client wrote before the proxy's entry changes nothing.
        statuses = [self.vote_from(n, f"10.0.{n}.1, 198.51.100.7") for n in range(3)]
        self.assertEqual(statuses, [201, 201, 429])
        # Another network behind the same proxy has a limit of its own.
        self.assertEqual(self.vote_from(3, "198.51.100.7, 192.0.2.8"), 201)

    @override_settings(
        VOTING_RATE_LIMITS=NETWORK_LIMIT_2, DANGJIAN_TRUST_X_FORWARDED_FOR=False
    )
    def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(self):
        statuses = [
            self.vote_from(n, f"192.0.{n}.1", remote="100.64.5.5") for n in range(3)
        ]
        self.assertEqual(statuses, [201, 201, 429])

    # Devices ---------------------------------------------------------------

    @override_settings(VOTING_RATE_LIMITS=DEVICE_LIMIT_2)
    def test_a_made_up_device_id_does_not_buy_a_fresh_device_limit(self):
        # Four voters behind one network and browser, each request with a
        # device id of its own making, through the fast path and Django.
        statuses = []
        for i, app in enumerate((self.app, self.django, self.app, self.django)):
            status, _, _ = self.call(
                app,
                {"campaign": self.campaign.pk, "candidate": self.ids[0]},
                issue_voter_token(phone_hash(f"1380000010{i}")),
                x_device_id=secrets.token_urlsafe(12),
            )
            statuses.append(status)
        self.assertEqual(statuses, [201, 201, 429, 429])

    @override_settings(VOTING_RATE_LIMITS=DEVICE_LIMIT_2)
    def test_devices_the_server_issued_are_told_apart(self):
        statuses = []
        for i in range(4):
            r = self.client.post(
                "/api/votes",
                {"campaign": self.campaign.pk, "candidate": self.ids[0]},
                content_type="application/json",
                headers={
                    "X-Voter-Token": issue_voter_token(phone_hash(f"1380000020{i}")),
                    "X-Device-Id": new_device_id(),
                },
            )
            statuses.append(r.status_code)
        self.assertEqual(statuses, [201, 201, 201, 201])

    def test_a_device_id_is_only_what_the_server_signed(self):
        issued = new_device_id()
        self.assertIsNotNone(read_device_id(issued))
        device, _dot, mac = issued.partition(".")
        for forged in (device, f"{device}.{'0' * len(mac)}", f"other.{mac}", ""):
            self.assertIsNone(read_device_id(forged), forged)
        factory = RequestFactory()
        plain = request_context(factory.post("/api/votes"))
        forged = request_context(
            factory.post("/api/votes", headers={"X-Device-Id": "made-up-device"})
        )
        signed = request_context(
            factory.post("/api/votes", headers={"X-Device-Id": issued})
        )
        self.assertEqual(forged, plain)
        self.assertNotEqual(signed, plain)

    def test_the_voter_session_hands_out_a_signed_device(self):
        from dangjian.lib import sms

        self.client.post(
            "/api/votes/otp", {"mobile": "13700001111"}, content_type="application/json"
        )
        code = sms.outbox[-1]["params"]["code"]
        r = self.client.post(
            "/api/votes/session",
            {"mobile": "13700001111", "code": code},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 200)
        self.assertIsNotNone(read_device_id(r.json()["device"]))
        self.assertEqual(r.cookies["dj_dev"].value, r.json()["device"])

    def test_pages_replace_an_unsigned_device_cookie(self):
        self.client.cookies["dj_dev"] = "made-up-device"
        r = self.client.get(f"/votes/{self.campaign.pk}/")
        self.assertIsNotNone(read_device_id(r.cookies["dj_dev"].value))
        self.client.cookies["dj_dev"] = r.cookies["dj_dev"].value
        r = self.client.get(f"/votes/{self.campaign.pk}/")
        self.assertNotIn("dj_dev", r.cookies)
