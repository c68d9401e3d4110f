import json

from django.test import override_settings

from dangjian.experts.actions import check_answer_question
from dangjian.experts.models import Question
from dangjian.experts.tests.base import (
    QUESTION_TEXT,
    VALID_CREDIT_CODE,
    ExpertsTestCase,
)
from dangjian.test import PASSWORD


class QuestionApiTestCase(ExpertsTestCase):
    url = "/api/experts/questions"

    def post(self, **overrides):
        payload = {
            "company_name": "乌海市恒达建材有限公司",
            "credit_code": VALID_CREDIT_CODE,
            "contact_name": "张伟",
            "mobile": "13947312345",
            "domain": self.tax.pk,
            "text": QUESTION_TEXT,
        }
        payload.update(overrides)
        return self.client.post(
            self.url, json.dumps(payload), content_type="application/json"
        )

    def test_an_enterprise_asks_and_tracks_by_token(self):
        r = self.post()
        self.assertEqual(r.status_code, 201)
        body = r.json()
        self.assertEqual(body["status"], "assigned")
        self.assertEqual(body["expert"], "王建华")
        self.assertTrue(body["url"].endswith(f"/experts/q/{body['token']}/"))
        r = self.client.get(f"{self.url}/{body['token']}")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["text"], QUESTION_TEXT)
        self.assertEqual(self.client.get(f"{self.url}/{'z' * 43}").status_code, 404)

    def test_bad_input_gets_structured_errors_and_saves_nothing(self):
        r = self.post(credit_code="123", mobile="110", text="", domain=99999)
        self.assertEqual(r.status_code, 422)
        errors = {e["field"]: e["message"] for e in r.json()["errors"]}
        self.assertEqual(set(errors), {"credit_code", "mobile", "text", "domain"})
        self.assertEqual(errors["mobile"], "请填写11位手机号码")
        r = self.client.post(self.url, "{not json", content_type="application/json")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Question.objects.count(), 0)

    def test_a_retried_request_with_the_same_key_returns_the_first_question(self):
        first = self.post(submission_key="retry-1")
        second = self.post(submission_key="retry-1")
        self.assertEqual((first.status_code, second.status_code), (201, 200))
        self.assertEqual(first.json()["token"], second.json()["token"])
        self.assertEqual(Question.objects.count(), 1)

    @override_settings(DANGJIAN_EXPERTS_SUBMIT_RATE=(3, 3600))
    def test_it_is_rate_limited(self):
        statuses = [self.post().status_code for _ in range(4)]
        self.assertEqual(statuses, [201, 201, 201, 429])
        self.assertEqual(Question.objects.count(), 3)

    def test_rating_through_the_api(self):
        token = self.post().json()["token"]
        question = Question.objects.get(token=token)
        url = f"{self.url}/{token}/rating"
        early = self.client.post(url, {"rating": 5}, content_type="application/json")
        self.assertEqual(early.status_code, 422)
        check_answer_question(question, "可以", acting_user=self.expert_person)
        ok = self.client.post(
            url, {"rating": 4, "comment": "好"}, content_type="application/json"
        )
        self.assertEqual(ok.json()["rating"], 4)
        twice = self.client.post(url, {"rating": 1}, content_type="application/json")
        self.assertEqual(twice.status_code, 422)
        self.assertIn("已评价", twice.json()["detail"])

    def test_the_directory(self):
        r = self.client.get("/api/experts/experts")
        names = {e["name"]: e for e in r.json()}
        self.assertEqual(names["王建华"]["domains"], ["税费减免"])
        self.assertEqual(names["王建华"]["unit"], "市委宣传部")
        r = self.client.get(f"/api/experts/experts?domain={self.social.pk}")
        self.assertEqual([e["name"] for e in r.json()], ["陈立新"])


class StatsTestCase(ExpertsTestCase):
    def setUp(self):
        answered = self.submit()
        check_answer_question(answered, "答复", acting_user=self.expert_person)
        self.make_overdue(self.submit())
        self.submit(
            text="企业没有裁员，想申请稳岗返还，比例是多少？", domain=self.social
        )

    def test_a_unit_admin_sees_their_units_figures(self):
        self.client.login(username="secretary", password=PASSWORD)
        body = self.client.get("/api/experts/stats").json()
        self.assertEqual(body["total"]["total"], 2)
        self.assertEqual(body["total"]["answered"], 1)
        self.assertEqual(body["total"]["overdue"], 1)
        self.assertEqual(
            [r["key"] for r in body["by_expert"]], ["王建华（市委宣传部）"]
        )
        self.assertEqual([r["key"] for r in body["by_domain"]], ["税费减免"])
        self.assertEqual(len(body["by_month"]), 1)
        page = self.client.get("/experts/stats/")
        self.assertContains(page, "王建华（市委宣传部）")
        self.assertNotContains(page, "陈立新")

    def test_a_platform_admin_sees_everything(self):
        self.client.login(username="admin", password=PASSWORD)
        body = self.client.get("/api/experts/stats").json()
        self.assertEqual(body["total"]["total"], 3)

    def test_members_and_experts_do_not_see_statistics(self):
        for username in ("member", "taxman"):
            with self.subTest(username=username):
                self.client.login(username=username, password=PASSWORD)
                self.assertEqual(self.client.get("/api/experts/stats").status_code, 403)
                self.assertEqual(self.client.get("/experts/stats/").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get("/api/experts/stats").status_code, 401)
