"""The WSGI fast path for the public's votes answers exactly as the API does,
and leaves every other request to Django."""

from __future__ import annotations

from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix

from dangjian.test import BaseTestCase, behind_fast_path, wsgi_call
from dangjian.voting.fastpath import VoteFastPath
from dangjian.voting.identity import issue_voter_token, member_hash, phone_hash
from dangjian.voting.models import Vote

from .helpers import candidate_ids, make_campaign


def call(app, body, **headers):
    return wsgi_call(app, "/api/votes", method="POST", body=body, **headers)


class VoteFastPathTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city, votes_per_day=2, votes_per_candidate_per_day=1, votes_total=0
        )
        self.ids = candidate_ids(self.campaign)
        self.app = behind_fast_path(self, VoteFastPath)
        self.token = issue_voter_token(phone_hash("13800000001"))

    def vote(self, app, candidate, key=None, token=None, **headers):
        body = {"campaign": self.campaign.pk, "candidate": candidate}
        if key:
            body["idempotency_key"] = key
        if token != "":
            headers["x_voter_token"] = token or self.token
        return call(app, body, **headers)

    def test_answers_match_the_api_view_for_each_rule(self):
        other = issue_voter_token(phone_hash("13800000002"))
        answers = {}
        for name, app, token in (
            ("fast", self.app, self.token),
            ("django", self.django, other),
        ):
            a = self.vote(app, self.ids[0], "key-00000001", token)
            b = self.vote(app, self.ids[0], "key-00000001", token)  # a retry
            c = self.vote(app, self.ids[0], token=token)  # per candidate
            d = self.vote(app, self.ids[1], token=token)
            e = self.vote(app, self.ids[2], token=token)  # per day
            f = self.vote(app, 999999, token=token)  # not a candidate
            answers[name] = [a, b, c, d, e, f]
        for fast, slow in zip(answers["fast"], answers["django"], strict=True):
            self.assertEqual(fast[0], slow[0])
            for body in (fast[2], slow[2]):
                body.pop("vote", None)
            self.assertEqual(fast[2], slow[2])
        self.assertEqual(self.passed_on, [], "the fast path answered every vote itself")
        statuses = [a[0] for a in answers["fast"]]
        self.assertEqual(statuses, [201, 200, 409, 201, 409, 400])
        self.assertEqual(answers["fast"][0][2]["remaining_today"], 1)
        self.assertEqual(answers["fast"][4][2]["limit"], "per_day")
        self.assertEqual(Vote.objects.count(), 4)

    def test_a_retry_gets_the_id_of_the_counted_vote(self):
        first = self.vote(self.app, self.ids[0], "key-00000002")
        again = self.vote(self.app, self.ids[0], "key-00000002")
        self.assertEqual((first[0], again[0]), (201, 200))
        self.assertEqual(first[2]["vote"], again[2]["vote"])
        self.assertTrue(again[2]["replayed"])

    def test_answers_carry_the_headers_django_gives(self):
        other = issue_voter_token(phone_hash("13800000003"))
        fast = self.vote(self.app, self.ids[0])
        slow = self.vote(self.django, self.ids[0], token=other)
        self.assertEqual((fast[0], slow[0]), (201, 201))
        self.assertEqual(fast[1]["X-Content-Type-Options"], "nosniff")
        # Django adds "Vary: Cookie" because its view looked at the session;
        # the fast path never reads cookies.
        ignored = {"Content-Length", "Vary"}
        self.assertEqual(set(fast[1]) - ignored, set(slow[1]) - ignored)
        for name in ("Content-Type", "X-Frame-Options", "Referrer-Policy"):
            self.assertEqual(fast[1][name], slow[1][name])

    def test_a_session_cookie_goes_through_django_and_its_csrf_check(self):
        self.client.force_login(self.member)
        session = self.client.cookies["sessionid"].value
        status, _, body = self.vote(
            self.app, self.ids[0], token="", cookie=f"sessionid={session}"
        )
        # Without the token header it is not the fast path's; with a session it is
        # Django's CSRF check that answers.
        self.assertEqual((status, body["code"]), (403, "csrf"))
        # A voter token beside the session cookie does not spare the check:
        # the session is what votes.
        status, _, body = self.vote(
            self.app, self.ids[0], cookie=f"sessionid={session}"
        )
        self.assertEqual((status, body["code"]), (403, "csrf"))
        csrf = "a" * 32
        status, _, _ = self.vote(
            self.app,
            self.ids[0],
            cookie=f"sessionid={session}; csrftoken={csrf}",
            x_csrftoken=csrf,
        )
        self.assertEqual(status, 201)
        # The member's own identity counted the vote, as the API view decides.
        self.assertEqual(Vote.objects.get().voter_hash, member_hash(self.member.pk))
        self.assertEqual(len(self.passed_on), 3)

    def test_malformed_votes_get_the_api_validation_answer(self):
        for raw in (b"nonsense", b'{"campaign": "x"}', b"[1, 2]", b""):
            fast = call(self.app, raw, x_voter_token=self.token)
            slow = call(self.django, raw, x_voter_token=self.token)
            self.assertEqual(fast[0], slow[0], raw)
            self.assertGreaterEqual(fast[0], 400, raw)
        self.assertEqual(len(self.passed_on), 4)
        self.assertEqual(Vote.objects.count(), 0)

    def test_votes_the_schema_refuses_get_the_api_validation_answer(self):
        """The fast path validates with the API's own VoteIn, and hands what it
        refuses to Django: the client gets the API's one error answer."""
        pk = self.campaign.pk
        for body in (
            {"candidate": self.ids[0]},  # no campaign
            {"campaign": 0, "candidate": self.ids[0]},
            {"campaign": 2**63, "candidate": self.ids[0]},  # beyond any id
            {"campaign": str(pk), "candidate": self.ids[0]},  # strict: not "12"
            {"campaign": pk, "candidate": 1.5},
            {"campaign": pk, "candidate": [self.ids[0]]},
            {"campaign": pk, "candidate": self.ids[0], "idempotency_key": 7},
            {"campaign": pk, "candidate": self.ids[0], "captcha_token": None},
        ):
            with self.subTest(body=body):
                fast = call(self.app, body, x_voter_token=self.token)
                slow = call(self.django, body, x_voter_token=self.token)
                self.assertEqual(fast[0], 422)
                self.assertEqual(fast[2], slow[2])
                self.assertEqual(fast[2]["code"], "invalid")
                self.assertTrue(fast[2]["errors"])
        self.assertEqual(len(self.passed_on), 8)
        self.assertEqual(Vote.objects.count(), 0)

    def test_a_field_the_schema_does_not_know_is_ignored_as_by_the_api(self):
        other = issue_voter_token(phone_hash("13800000004"))
        for app, token in ((self.app, self.token), (self.django, other)):
            body = {"campaign": self.campaign.pk, "candidate": self.ids[0], "x": 1}
            self.assertEqual(call(app, body, x_voter_token=token)[0], 201)
        self.assertEqual(self.passed_on, [], "the fast path counted it itself")

    @override_settings(ROOT_URLCONF="dangjian.lib.tests.urls_api_moved")
    def test_its_address_comes_from_the_url_map(self):
        app = behind_fast_path(self, VoteFastPath)
        body = {"campaign": self.campaign.pk, "candidate": self.ids[0]}
        status, _, _ = wsgi_call(
            app, "/v2/api/votes", method="POST", body=body, x_voter_token=self.token
        )
        self.assertEqual(status, 201)
        self.assertEqual(self.passed_on, [])
        # The old address is no longer the API's: Django answers it.
        status, _, _ = call(app, body, x_voter_token=self.token)
        self.assertNotEqual(status, 201)
        self.assertEqual(self.passed_on, [("/api/votes", "")])

    @override_settings(FORCE_SCRIPT_NAME="/dj/")
    def test_a_script_name_does_not_move_its_address(self):
        # Django sets the script prefix of each request it serves; the fast
        # path matches PATH_INFO, which lies below it.
        set_script_prefix("/dj/")
        self.addCleanup(clear_script_prefix)
        status, _, _ = self.vote(self.app, self.ids[0])
        self.assertEqual(status, 201)
        self.assertEqual(self.app.path, "/api/votes")
        self.assertEqual(self.passed_on, [])

    def test_a_foreign_host_is_refused_as_django_refuses_it(self):
        status, _, _ = self.vote(self.app, self.ids[0], host="evil.example")
        self.assertEqual(status, 400)
        self.assertEqual(self.passed_on, [("/api/votes", "")])
        self.assertEqual(Vote.objects.count(), 0)

    @override_settings(VOTING_FAST_PATH=False)
    def test_it_can_be_turned_off(self):
        app = VoteFastPath(self.app.app)
        self.assertEqual(self.vote(app, self.ids[0])[0], 201)
        self.assertEqual(self.passed_on, [("/api/votes", "")])
