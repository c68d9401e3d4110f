"""A submission key is bound to whoever first used it: a replay by anyone else
is refused and tells nothing of the first question."""

from __future__ import annotations

import json

from django.urls import reverse

from dangjian.experts.actions import check_answer_question
from dangjian.experts.models import Question
from dangjian.experts.tests.base import QUESTION_TEXT, ExpertsTestCase
from dangjian.test import PASSWORD

KEY = "7f3c2a9e4b1d4c6f8a0e2b5d9c1f3a7e"
ANSWER = "可以申请减免，请携带营业执照到税务大厅办理。"
OTHER = {
    "company_name": "乌海市另一家公司",
    "contact_name": "李四",
    "mobile": "13800138000",
    "text": "我们想问问别的事情，关于增值税的小规模纳税人认定标准。",
}


class SubmissionKeyTestCase(ExpertsTestCase):
    url = "/api/experts/questions"

    def post(self, **overrides):
        payload = {
            "company_name": "乌海市恒达建材有限公司",
            "contact_name": "张伟",
            "mobile": "13947312345",
            "domain": self.tax.pk,
            "text": QUESTION_TEXT,
            "submission_key": KEY,
        }
        payload.update(overrides)
        return self.client.post(
            self.url, json.dumps(payload), content_type="application/json"
        )

    def first_question(self):
        r = self.post()
        self.assertEqual(r.status_code, 201)
        question = Question.objects.get(token=r.json()["token"])
        check_answer_question(question, ANSWER, acting_user=self.expert_person)
        return question

    def assertNothingOf(self, question, content: str):
        for secret in (question.token, question.text, ANSWER, question.company_name):
            self.assertNotIn(secret, content)

    def test_another_enterprise_replaying_a_key_gets_409_and_nothing_of_the_original(
        self,
    ):
        question = self.first_question()
        r = self.post(**OTHER)
        self.assertEqual(r.status_code, 409)
        body = r.json()
        self.assertEqual(body["code"], "conflict")
        self.assertIn("提交编号已被另一次提交使用", body["detail"])
        self.assertNothingOf(question, r.content.decode())
        self.assertEqual(Question.objects.count(), 1)

    def test_a_replay_with_other_contact_details_is_refused(self):
        question = self.first_question()
        for change in ({"mobile": "13800138000"}, {"contact_name": "李四"}):
            with self.subTest(change=change):
                r = self.post(**change)
                self.assertEqual(r.status_code, 409)
                self.assertNothingOf(question, r.content.decode())

    def test_the_same_enterprise_retrying_gets_its_question_back(self):
        question = self.first_question()
        r = self.post()
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["token"], question.token)
        self.assertEqual(r.json()["answers"][0]["text"], ANSWER)

    def test_a_signed_in_persons_key_is_bound_to_the_person(self):
        self.client.login(username="member", password=PASSWORD)
        question = self.first_question()
        self.client.logout()
        self.client.login(username="outsider", password=PASSWORD)
        r = self.post()  # the very same content, from someone else
        self.assertEqual(r.status_code, 409)
        self.assertNothingOf(question, r.content.decode())
        self.client.logout()
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.post(text=QUESTION_TEXT + "补充").status_code, 200)

    def test_the_question_form_refuses_another_enterprises_key(self):
        question = self.first_question()
        data = {
            **OTHER,
            "domain": self.tax.pk,
            "submission_key": KEY,
        }
        r = self.client.post(reverse("experts:index"), data)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "提交编号已被另一次提交使用", status_code=400)
        self.assertNotContains(r, question.token, status_code=400)
        self.assertNotContains(r, KEY, status_code=400)
        self.assertEqual(Question.objects.count(), 1)
