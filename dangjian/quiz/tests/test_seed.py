"""Papers are drawn by the server alone: no client can choose or learn the seed."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from dangjian.quiz.models import Attempt, Contest, Mode
from dangjian.quiz.tests.helpers import QuizTestCase, make_template
from dangjian.test import PASSWORD

CLIENT_SEED = 424242


class ServerSeedTestCase(QuizTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # 5 of 8 single and 3 of 6 multiple choices, each with its 4 options
        # shuffled: two independent draws coincide with a probability far
        # below 1e-15. Nothing is avoided, so only the seed decides.
        rules = [("single", "二十大", 5, 2), ("multiple", "二十大", 3, 4)]
        template = make_template(
            cls.unit_a, "contest-seed", Mode.CONTEST, rules, avoid_recent_attempts=0
        )
        now = timezone.now()
        cls.contest = Contest.objects.create(
            title="宣传部知识竞赛",
            template=template,
            owner=cls.unit_a,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
            max_attempts=3,
        )
        cls.contest.eligible.set([cls.unit_a])
        cls.special_seed = make_template(
            cls.unit_a, "special-seed", Mode.SPECIAL, rules, avoid_recent_attempts=0
        )

    def setUp(self):
        super().setUp()
        self.client.login(username="member", password=PASSWORD)

    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json")

    def play(self, start):
        """Starts an attempt through the API and submits it; returns what
        the contestant saw: each question's stem and options, in order."""
        r = self.post("/api/quiz/attempts", {**start, "seed": CLIENT_SEED})
        self.assertEqual(r.status_code, 201, r.content)
        seen = [
            (q["stem"], [o["text"] for o in q["options"]])
            for q in r.json()["questions"]
        ]
        r = self.post(f"/api/quiz/attempts/{r.json()['id']}/submit", {})
        self.assertEqual(r.status_code, 200)
        return seen

    def test_a_client_sent_seed_does_not_choose_a_contest_paper(self):
        first = self.play({"contest": self.contest.pk})
        second = self.play({"contest": self.contest.pk})
        self.assertEqual(len(first), 8)
        self.assertNotEqual(first, second)
        seeds = list(Attempt.objects.values_list("seed", flat=True))
        self.assertNotIn(CLIENT_SEED, seeds)
        self.assertEqual(len(set(seeds)), 2)

    def test_a_client_sent_seed_does_not_choose_a_practice_paper(self):
        first = self.play({"template": self.special_seed.slug})
        second = self.play({"template": self.special_seed.slug})
        self.assertNotEqual(first, second)

    def test_the_server_seed_is_not_exposed_in_any_response(self):
        r = self.post("/api/quiz/attempts", {"contest": self.contest.pk})
        attempt = Attempt.objects.get(pk=r.json()["id"])
        seed = str(attempt.seed)
        base = f"/api/quiz/attempts/{attempt.pk}"
        answers = {"answers": {"0": [0]}}
        responses = [
            r,
            self.client.get(base),
            self.client.put(
                base + "/answers", json.dumps(answers), content_type="application/json"
            ),
            self.client.get(f"/quiz/attempts/{attempt.pk}/"),
            self.client.get(f"/quiz/contests/{self.contest.pk}/"),
            self.post(base + "/submit", {}),
            self.client.get(base),
            self.client.get(f"/quiz/attempts/{attempt.pk}/result/"),
            self.client.get(f"/api/quiz/contests/{self.contest.pk}/leaderboard"),
        ]
        for response in responses:
            with self.subTest(url=response.request["PATH_INFO"]):
                self.assertIn(response.status_code, (200, 201))
                self.assertNotIn(seed, response.content.decode())
                self.assertNotIn("seed", response.content.decode())

    def test_a_seed_posted_to_the_contest_page_is_ignored(self):
        url = f"/quiz/contests/{self.contest.pk}/start/"
        self.client.post(url, {"seed": CLIENT_SEED})
        self.client.post(url, {"seed": CLIENT_SEED})  # resumes the open attempt
        attempt = Attempt.objects.get()
        self.assertNotEqual(attempt.seed, CLIENT_SEED)
