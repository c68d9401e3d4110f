import io
import json
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook

from dangjian.quiz.actions import (
    QuizError,
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
)
from dangjian.quiz.models import Contest, Mode
from dangjian.quiz.standings import person_leaderboard, unit_leaderboard
from dangjian.quiz.tests.helpers import QuizTestCase, make_template
from dangjian.quiz.tests.test_attempts import correct_answers
from dangjian.test import PASSWORD


class ContestTestCase(QuizTestCase):
    contest: Contest

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        template = make_template(
            cls.unit_a,
            "contest",
            Mode.CONTEST,
            [("single", "二十大", 2, 5), ("judge", "二十大", 2, 5)],
            avoid_recent_attempts=0,
        )
        now = timezone.now()
        cls.contest = Contest.objects.create(
            title="宣传部知识竞赛",
            template=template,
            owner=cls.unit_a,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
            max_attempts=2,
        )
        cls.contest.eligible.set([cls.unit_a])

    def play(self, person, right: int, seconds: float):
        start = timezone.now() - timedelta(seconds=seconds + 5)
        attempt, _ = check_start_attempt(person, contest=self.contest, now=start)
        answers = correct_answers(attempt)
        for position in range(right, len(attempt.paper)):
            q = attempt.paper[position]
            answers[str(position)] = [(answers[str(position)][0] + 1) % len(q["o"])]
        check_save_answers(attempt, answers, now=start + timedelta(seconds=1))
        attempt, _ = do_submit_attempt(attempt, now=start + timedelta(seconds=seconds))
        return attempt

    def test_members_of_eligible_organisations_and_their_branches_may_enter(self):
        attempt, created = check_start_attempt(self.member, contest=self.contest)
        self.assertTrue(created)
        self.assertEqual(attempt.mode, Mode.CONTEST)
        self.assertEqual(attempt.unit, self.unit_a)

    def test_outsiders_are_refused(self):
        with self.assertRaises(QuizError) as caught:
            check_start_attempt(self.outsider, contest=self.contest)
        self.assertEqual(caught.exception.code, "not_eligible")

    def test_the_window_is_enforced(self):
        before = self.contest.starts_at - timedelta(minutes=1)
        after = self.contest.ends_at + timedelta(minutes=1)
        for moment, code in ((before, "not_started"), (after, "ended")):
            with self.assertRaises(QuizError) as caught:
                check_start_attempt(self.member, contest=self.contest, now=moment)
            self.assertEqual(caught.exception.code, code)

    def test_attempts_allowed_are_enforced(self):
        self.play(self.member, 1, 30)
        self.play(self.member, 2, 30)
        with self.assertRaises(QuizError) as caught:
            check_start_attempt(self.member, contest=self.contest)
        self.assertEqual(caught.exception.code, "no_attempts_left")

    def test_ranking_is_best_score_then_time(self):
        self.play(self.member, 3, 100)
        self.play(self.member, 2, 20)  # worse score: the best stays 3 right
        self.play(self.sibling, 3, 50)  # same score, faster
        self.play(self.secretary, 4, 300)
        board = person_leaderboard(self.contest)
        self.assertEqual(
            [(r["name"], r["score"], r["seconds"]) for r in board],
            [
                ("宣传部管理员", 20.0, 300.0),
                ("王党员", 15.0, 50.0),
                ("张党员", 15.0, 100.0),
            ],
        )
        self.assertEqual([r["rank"] for r in board], [1, 2, 3])
        self.assertEqual(board[2]["attempts"], 2)
        units = unit_leaderboard(self.contest)
        self.assertEqual(units[0]["unit"], "市委宣传部")
        self.assertEqual(units[0]["participants"], 3)

    def test_leaderboard_api_and_page(self):
        self.play(self.member, 3, 100)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(f"/api/quiz/contests/{self.contest.pk}/leaderboard")
        data = r.json()
        self.assertEqual(data["persons"][0]["name"], "张党员")
        self.assertEqual(data["mine"]["rank"], 1)
        r = self.client.get(f"/quiz/contests/{self.contest.pk}/")
        self.assertContains(r, "个人排行榜")
        self.assertContains(r, "张党员")
        self.assertContains(r, "第 <strong>1</strong> 名")

    def test_contest_start_through_the_api(self):
        self.client.login(username="outsider", password=PASSWORD)
        r = self.client.post(
            "/api/quiz/attempts",
            json.dumps({"contest": self.contest.pk}),
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["code"], "not_eligible")

    def test_unit_admins_export_results_and_members_cannot(self):
        self.play(self.member, 3, 100)
        self.play(self.sibling, 4, 100)
        url = f"/quiz/contests/{self.contest.pk}/export.xlsx"
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        book = load_workbook(io.BytesIO(r.content))
        rows = list(book["个人成绩"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:2], ("名次", "姓名"))
        self.assertEqual([row[1] for row in rows[1:]], ["王党员", "张党员"])
        self.assertEqual(len(list(book["答题明细"].iter_rows())), 3)
