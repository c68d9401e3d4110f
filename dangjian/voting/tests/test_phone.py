"""Voting on a phone: the outcome of a tap is shown beside the button that
was tapped, with the sign-in choices when needed, in plain words."""

from __future__ import annotations

from dangjian.test import BaseTestCase
from dangjian.voting.models import Vote

from .helpers import candidate_ids, make_campaign


class VoteOnAPhoneTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city, votes_per_day=2, votes_per_candidate_per_day=1
        )
        self.ids = candidate_ids(self.campaign)
        self.url = f"/votes/{self.campaign.pk}/"

    def vote(self, candidate, key):
        return self.client.post(
            f"{self.url}vote/", {"candidate": candidate, "idempotency_key": key}
        )

    def test_a_visitor_not_signed_in_is_offered_sign_in_beside_the_button(self):
        r = self.vote(self.ids[1], "page-key-anon")
        self.assertRedirects(
            r, f"{self.url}#c{self.ids[1]}", fetch_redirect_response=False
        )
        r = self.client.get(self.url)
        note = r.content.decode().split(f'id="note{self.ids[1]}"')[1].split("</div>")[0]
        self.assertIn("请先登录或验证手机号后投票", note)
        self.assertIn("党员登录", note)
        self.assertIn(f"/votes/{self.campaign.pk}/verify/", note)
        # Shown once: a reload does not repeat it.
        r = self.client.get(self.url)
        self.assertNotContains(r, "请先登录或验证手机号后投票")
        self.assertEqual(Vote.objects.count(), 0)

    def test_a_refused_second_vote_is_explained_beside_that_candidate(self):
        self.client.force_login(self.member)
        self.vote(self.ids[0], "page-key-1")
        r = self.vote(self.ids[0], "page-key-2")
        self.assertRedirects(
            r, f"{self.url}#c{self.ids[0]}", fetch_redirect_response=False
        )
        page = self.client.get(self.url).content.decode()
        note = page.split(f'id="note{self.ids[0]}"')[1].split("</div>")[0]
        self.assertIn("今天已为该候选人投满票数", note)
        self.assertNotIn("党员登录", note)
        self.assertEqual(Vote.objects.count(), 1)

    def test_the_votes_left_are_said_in_words(self):
        self.client.force_login(self.member)
        self.vote(self.ids[0], "page-key-1")
        r = self.client.get(self.url)
        self.assertNotContains(r, "余")
        self.assertContains(r, "今天投给TA的票已用完")
        self.assertContains(r, "今天还可投给TA 1 票")
