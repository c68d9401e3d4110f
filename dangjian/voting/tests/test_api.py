import datetime as dt

from django.utils import timezone

from dangjian.test import BaseTestCase
from dangjian.voting.models import VisitDay, Vote

from .helpers import candidate_ids, make_campaign


class CampaignApiTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(
            self.city, votes_per_day=2, votes_per_candidate_per_day=1, votes_total=5
        )
        self.ids = candidate_ids(self.campaign)

    def test_campaigns_are_listed_with_their_rule_and_candidates(self):
        r = self.client.get("/api/votes/campaigns")
        self.assertEqual([c["id"] for c in r.json()], [self.campaign.pk])
        r = self.client.get(f"/api/votes/campaigns/{self.campaign.pk}")
        body = r.json()
        self.assertEqual(
            body["rule"],
            {"votes_per_day": 2, "votes_per_candidate_per_day": 1, "votes_total": 5},
        )
        self.assertEqual(
            [c["name"] for c in body["candidates"]], ["候选人1", "候选人2", "候选人3"]
        )
        self.assertIsNone(body["my_remaining"])

    def test_a_member_votes_with_a_token_and_gets_the_documented_answers(self):
        from dangjian.orgs.actions import do_issue_token

        _token, key = do_issue_token(self.member, name="test")
        auth = {"Authorization": f"Bearer {key}"}

        def vote(candidate, **extra):
            return self.client.post(
                "/api/votes",
                {"campaign": self.campaign.pk, "candidate": candidate, **extra},
                content_type="application/json",
                headers=auth,
            )

        r = vote(self.ids[0], idempotency_key="key-0000001")
        self.assertEqual(r.status_code, 201)
        self.assertEqual(r.json()["remaining_today"], 1)
        self.assertEqual(
            vote(self.ids[0], idempotency_key="key-0000001").status_code, 200
        )
        r = vote(self.ids[0])
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["limit"], "per_candidate")
        self.assertEqual(vote(self.ids[1]).status_code, 201)
        r = vote(self.ids[2])
        self.assertEqual((r.status_code, r.json()["limit"]), (409, "per_day"))
        self.assertIsNotNone(r.json()["next_vote_at"])
        # Bad input: a missing or foreign candidate, a bad idempotency key.
        self.assertEqual(vote(None).status_code, 400)
        self.assertEqual(vote(999999).status_code, 400)
        self.assertEqual(vote(self.ids[2], idempotency_key="x").status_code, 400)
        self.assertEqual(
            self.client.post(
                "/api/votes", "nonsense", content_type="application/json", headers=auth
            ).status_code,
            400,
        )
        self.assertEqual(Vote.objects.count(), 2)
        r = self.client.get(f"/api/votes/campaigns/{self.campaign.pk}", headers=auth)
        self.assertEqual(r.json()["my_remaining"]["remaining_today"], 0)

    def test_anonymous_votes_are_refused(self):
        r = self.client.post(
            "/api/votes",
            {"campaign": self.campaign.pk, "candidate": self.ids[0]},
            content_type="application/json",
        )
        self.assertEqual((r.status_code, r.json()["code"]), (401, "voter_required"))

    def test_a_session_vote_needs_the_csrf_token(self):
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.member)
        r = client.post(
            "/api/votes",
            {"campaign": self.campaign.pk, "candidate": self.ids[0]},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Vote.objects.exists())

    def test_an_ended_campaign_answers_403(self):
        self.campaign.ends_at = timezone.now() - dt.timedelta(minutes=1)
        self.campaign.save()
        from dangjian.voting.rules import forget_rules

        forget_rules()
        self.client.force_login(self.member)
        r = self.client.post(
            "/api/votes",
            {"campaign": self.campaign.pk, "candidate": self.ids[0]},
            content_type="application/json",
        )
        self.assertEqual((r.status_code, r.json()["code"]), (403, "ended"))

    def test_hidden_results_stay_hidden_until_the_end(self):
        self.campaign.results_visible = False
        self.campaign.save()
        r = self.client.get(f"/api/votes/campaigns/{self.campaign.pk}/results")
        self.assertEqual(r.status_code, 403)


class PagesTestCase(BaseTestCase):
    def setUp(self):
        self.campaign = make_campaign(self.city, votes_per_day=2)
        self.ids = candidate_ids(self.campaign)

    def test_a_stored_campaign_page_is_served_and_counted_without_the_database(self):
        from dangjian.voting.actions import visit_totals

        url = f"/votes/{self.campaign.pk}/"
        self.client.get(url, HTTP_USER_AGENT="first")
        with self.assertNumQueries(0):
            r = self.client.get(url, HTTP_USER_AGENT="second")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("X-Page-Cache"), "hit")
        # Both visits reach the figures once the buffer is written.
        self.assertEqual(visit_totals(self.campaign.pk)["campaign_views"], 2)

    def test_the_campaign_page_searches_by_name_or_number_and_counts_visits(self):
        r = self.client.get(f"/votes/{self.campaign.pk}/")
        self.assertContains(r, "候选人3")
        self.assertContains(r, "手机号验证")
        r = self.client.get(f"/votes/{self.campaign.pk}/?q=2")
        self.assertContains(r, "候选人2")
        self.assertNotContains(r, "候选人3")
        r = self.client.get(f"/votes/{self.campaign.pk}/?q=候选人1")
        self.assertContains(r, "1 位候选人")
        self.client.get(f"/votes/{self.campaign.pk}/candidates/{self.ids[0]}/")
        from dangjian.voting.actions import visit_totals

        totals = visit_totals(self.campaign.pk)
        self.assertEqual(totals["campaign_views"], 3)
        self.assertEqual(list(totals["campaign_visitors_by_day"].values()), [1])
        self.assertEqual(totals["views"], 4)
        self.assertTrue(VisitDay.objects.exists())

    def test_a_member_votes_without_javascript(self):
        self.client.force_login(self.member)
        r = self.client.post(
            f"/votes/{self.campaign.pk}/vote/",
            {"candidate": self.ids[0], "idempotency_key": "page-key-1"},
            follow=True,
        )
        self.assertContains(r, "投票成功！今日还可投 1 票")
        self.assertContains(r, 'id="vt-remaining">1<')
        r = self.client.post(
            f"/votes/{self.campaign.pk}/vote/",
            {"candidate": self.ids[0], "idempotency_key": "page-key-2"},
            follow=True,
        )
        self.assertContains(r, "今天已为该候选人投满票数")
        self.assertEqual(Vote.objects.count(), 1)
        r = self.client.get(f"/votes/{self.campaign.pk}/results/")
        self.assertContains(r, '有效票合计 <strong id="vt-total">1</strong>')

    def test_the_public_verify_a_phone_on_the_page(self):
        from dangjian.lib import sms

        url = f"/votes/{self.campaign.pk}/verify/"
        r = self.client.post(url, {"mobile": "13700001111"})
        self.assertContains(r, "短信验证码")
        r = self.client.post(
            url, {"mobile": "13700001111", "code": sms.outbox[-1]["params"]["code"]}
        )
        self.assertEqual(r.status_code, 302)
        r = self.client.get(f"/votes/{self.campaign.pk}/")
        self.assertContains(r, "今日还可投")

    def test_the_home_page_links_to_voting(self):
        r = self.client.get("/votes/")
        self.assertContains(r, "测试评选")
