from wagtail.models import ModelLogEntry

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.quiz.models import Mode, Question, QuestionType
from dangjian.quiz.presenters import MODE_LABELS, TYPE_LABELS
from dangjian.quiz.tests.helpers import QuizTestCase, make_question
from dangjian.test import PASSWORD, make_person

FORM = {
    "owner": "",
    "type": "single",
    "stem": "新的题目（ ）",
    "options_text": "甲\n乙\n丙",
    "answer_text": "B",
    "explanation": "解析",
    "source": "",
    "category": "二十大",
    "difficulty": "2",
}


class QuestionAdminTestCase(QuizTestCase):
    def form(self, **changes):
        return {**FORM, "owner": self.unit_a.pk, **changes}

    def test_an_editor_adds_a_question_as_a_draft(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.post("/admin/quiz_questions/new/", self.form(status="reviewed"))
        self.assertEqual(r.status_code, 302, r.content[:2000])
        q = Question.objects.get(stem="新的题目（ ）")
        self.assertEqual(
            (q.options, q.answer, q.status), (["甲", "乙", "丙"], [1], "draft")
        )

    def test_a_bad_answer_is_refused_with_a_clear_error(self):
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.post("/admin/quiz_questions/new/", self.form(answer_text="E"))
        self.assertContains(r, "超出选项范围")
        self.assertFalse(Question.objects.filter(stem="新的题目（ ）").exists())

    def test_a_reviewer_reviews_and_it_is_audited(self):
        q = make_question(self.unit_a, QuestionType.SINGLE, 77, status="draft")
        self.client.login(username="reviewer", password=PASSWORD)
        r = self.client.post(
            f"/admin/quiz_questions/edit/{q.pk}/",
            self.form(
                stem=q.stem,
                options_text="\n".join(q.options),
                answer_text="B",
                status="reviewed",
            ),
        )
        self.assertEqual(r.status_code, 302)
        q.refresh_from_db()
        self.assertEqual(q.status, "reviewed")
        entry = ModelLogEntry.objects.get(
            action="dangjian.quiz.review", object_id=str(q.pk)
        )
        self.assertEqual(entry.user, self.reviewer)

    def test_editing_a_reviewed_question_sends_it_back_to_review(self):
        q = make_question(self.unit_a, QuestionType.SINGLE, 78)
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.post(
            f"/admin/quiz_questions/edit/{q.pk}/",
            self.form(
                stem="改过的题干（ ）",
                options_text="\n".join(q.options),
                answer_text="B",
            ),
        )
        self.assertEqual(r.status_code, 302)
        q.refresh_from_db()
        self.assertEqual((q.stem, q.status), ("改过的题干（ ）", "draft"))

    def test_editors_do_not_see_other_units_questions(self):
        other = make_question(
            self.unit_b, QuestionType.SINGLE, 79, stem="公安局的题（ ）"
        )
        self.client.login(username="editor", password=PASSWORD)
        r = self.client.get("/admin/quiz_questions/")
        self.assertNotContains(r, "公安局的题")
        # Wagtail answers a denied admin page with a redirect and a message.
        r = self.client.get(f"/admin/quiz_questions/edit/{other.pk}/")
        self.assertEqual((r.status_code, r["Location"]), (302, "/admin/"))
        self.client.login(username="editor_b", password=PASSWORD)
        self.assertContains(self.client.get("/admin/quiz_questions/"), "公安局的题")


class OtherUnitStatsTestCase(QuizTestCase):
    def test_a_unit_admin_of_another_unit_sees_only_their_people(self):
        from dangjian.quiz.actions import check_start_attempt, do_submit_attempt

        for person in (self.member, self.outsider):
            attempt, _ = check_start_attempt(person, template=self.special)
            do_submit_attempt(attempt)
        chief = make_person("chief_b", "公安局管理员")
        do_grant_role(chief, self.unit_b, Role.UNIT_ADMIN)
        self.client.login(username="chief_b", password=PASSWORD)
        r = self.client.get(f"/quiz/stats/template/{self.special.pk}/")
        self.assertContains(r, "交卷 1 人次，1 人")
        self.assertNotContains(r, "市委宣传部</td>")


def test_plain_labels_match_the_model_choices():
    assert TYPE_LABELS == {k: str(v) for k, v in QuestionType.choices}
    assert MODE_LABELS == {k: str(v) for k, v in Mode.choices}
