from dangjian.quiz.actions import (
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
)
from dangjian.quiz.models import Attempt, Question
from dangjian.quiz.tests.helpers import QuizTestCase
from dangjian.quiz.tests.test_attempts import correct_answers
from dangjian.test import PASSWORD


class PagesTestCase(QuizTestCase):
    def test_index_lists_the_modes_for_everyone(self):
        r = self.client.get("/quiz/")
        self.assertContains(r, "daily")
        self.assertContains(r, "登录</a>后开始答题")
        self.assertNotContains(r, "开始每日答题")

    def test_a_member_takes_a_quiz_without_javascript(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.post("/quiz/start/special/")
        attempt = Attempt.objects.get(person=self.member)
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/")
        r = self.client.get(r.url)
        self.assertContains(r, 'name="q0"')
        self.assertContains(r, "交卷")
        form = {f"q{p}": v for p, v in correct_answers(attempt).items()}
        r = self.client.post(f"/quiz/attempts/{attempt.pk}/submit/", form, follow=True)
        self.assertContains(r, "20</span> / 20 分")
        self.assertContains(r, "答对 7 / 7 题")
        first = Question.objects.get(pk=attempt.paper[0]["q"])
        self.assertContains(r, first.explanation)
        # Submitting the form again changes nothing.
        self.client.post(f"/quiz/attempts/{attempt.pk}/submit/", {})
        attempt.refresh_from_db()
        self.assertEqual(attempt.correct_count, 7)

    def test_starting_requires_login_and_post(self):
        r = self.client.post("/quiz/start/special/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r.url)
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get("/quiz/start/special/").status_code, 405)
        self.assertEqual(self.client.post("/quiz/start/nope/").status_code, 404)

    def test_my_page_shows_the_daily_quiz(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get("/me/")
        self.assertContains(r, "今天的daily还没做")


class StatsPageTestCase(QuizTestCase):
    def setUp(self):
        super().setUp()
        for person in (self.member, self.sibling, self.outsider):
            attempt, _ = check_start_attempt(person, template=self.special)
            if person != self.outsider:
                check_save_answers(attempt, correct_answers(attempt))
            do_submit_attempt(attempt)

    def test_members_cannot_see_statistics(self):
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get("/quiz/stats/").status_code, 403)
        url = f"/quiz/stats/template/{self.special.pk}/"
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_the_owning_unit_admin_sees_everything(self):
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get(f"/quiz/stats/template/{self.special.pk}/")
        self.assertContains(r, "交卷 3 人次，3 人")
        self.assertContains(r, "难易度")
        self.assertContains(r, "市公安局")

    def test_a_platform_admin_sees_everything(self):
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.get(f"/quiz/stats/template/{self.special.pk}/")
        self.assertContains(r, "交卷 3 人次，3 人")
