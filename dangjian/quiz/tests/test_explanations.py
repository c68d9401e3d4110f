"""What a member reads after answering: explanations without internal
provenance, the report passage that holds the answer, the 错题本; and
whose names a contest's leaderboard shows."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dangjian.quiz.actions import (
    check_import_questions,
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
)
from dangjian.quiz.importing import read_file, split_citation
from dangjian.quiz.models import Attempt, Contest, Mode, Question
from dangjian.quiz.reference import Passage, PassageFinder
from dangjian.quiz.tests import test_contests
from dangjian.quiz.tests.helpers import QuizTestCase, make_template
from dangjian.quiz.tests.test_attempts import correct_answers
from dangjian.test import PASSWORD

REPORT = [
    Passage("序言", "同志们：", "/study/search/?q=序言"),
    Passage(
        "五、实施科教兴国战略",
        "坚持创新在我国现代化建设全局中的核心地位。完善党中央对科技工作统一领导的体制。",
        "/study/search/?q=科教兴国",
    ),
    Passage(
        "十五、全面从严治党", "全面推进党的自我净化、自我完善、自我革新、自我提高。"
    ),
]


def wrong_answers(attempt):
    """A wrong response for every position."""
    right = correct_answers(attempt)
    wrong = {}
    for position, answer in right.items():
        if answer and isinstance(answer[0], str):
            wrong[position] = ["不对" for _ in answer]
        else:
            n = len(attempt.paper[int(position)]["o"])
            wrong[position] = [next(i for i in range(n) if i not in answer)]
    return wrong


class ImportTestCase(QuizTestCase):
    def test_a_data_sets_name_is_kept_as_internal_provenance_not_shown(self):
        line = (
            '{"id": "t-1", "type": "single", "stem": "题干甲（ ）", '
            '"options": ["对", "错"], "answer": "A", '
            '"source": {"repo": "mondayfirst/XXQG_TiKu"}}'
        )
        report = check_import_questions(
            read_file("q.jsonl", line.encode()), owner=self.unit_a
        )
        self.assertFalse(report.errors)
        q = Question.objects.get(external_id="t-1")
        self.assertEqual(q.provenance, "mondayfirst/XXQG_TiKu")
        self.assertEqual(q.source, "")

    def test_a_citation_ending_the_stem_moves_into_the_source(self):
        stem, source = split_citation(
            "2015年12月17日，我国成功发射卫星“（ ）”。来源：《党的十八大以来大事记》"
        )
        self.assertEqual(stem, "2015年12月17日，我国成功发射卫星“（ ）”。")
        self.assertEqual(source, "《党的十八大以来大事记》")
        self.assertEqual(
            split_citation("题干（来源：新华社）")[0:2], ("题干", "新华社")
        )
        self.assertEqual(split_citation("没有来源的题干"), ("没有来源的题干", ""))

    def test_the_report_passage_holding_the_answer_is_found_with_its_section(self):
        finder = PassageFinder(REPORT)
        found = finder.find("坚持____在我国现代化建设全局中的核心地位。", ["创新"])
        self.assertIsNotNone(found)
        assert found is not None
        self.assertEqual(found.section, "五、实施科教兴国战略")
        found = finder.find(
            "全面推进党的自我____、自我____、自我____、自我____。",
            ["净化、完善、革新、提高"],
        )
        assert found is not None
        self.assertEqual(found.section, "十五、全面从严治党")

    def test_a_question_not_from_the_report_finds_no_passage(self):
        finder = PassageFinder(REPORT)
        self.assertIsNone(finder.find("我国最长的河流是（ ）", ["长江"]))


class ResultPageTestCase(QuizTestCase):
    def finish(self, answers):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        check_save_answers(attempt, answers(attempt))
        do_submit_attempt(attempt)
        return Attempt.objects.get(pk=attempt.pk)

    def test_the_result_never_shows_provenance_or_an_empty_explanation(self):
        Question.objects.update(
            explanation="", provenance="mondayfirst/XXQG_TiKu", source=""
        )
        attempt = self.finish(correct_answers)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/result/")
        self.assertContains(r, "正确答案")
        self.assertNotContains(r, "XXQG")
        self.assertNotContains(r, "暂无解析")
        self.assertNotContains(r, "<dt>解析</dt>", html=False)

    def test_the_result_quotes_the_report_passage_with_its_section(self):
        Question.objects.update(
            reference="坚持创新在我国现代化建设全局中的核心地位。",
            reference_section="五、实施科教兴国战略",
            reference_url="/study/search/?q=科教兴国",
            source="《党的二十大精神应知应会百题》",
        )
        attempt = self.finish(correct_answers)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/result/")
        self.assertContains(r, "出自党的二十大报告 · 五、实施科教兴国战略")
        self.assertContains(r, "坚持创新在我国现代化建设全局中的核心地位。")
        self.assertContains(r, 'href="/study/search/?q=科教兴国"')
        self.assertContains(r, "《党的二十大精神应知应会百题》")


class MistakeBookTestCase(QuizTestCase):
    def finish(self, answers, template=None):
        attempt, _ = check_start_attempt(self.member, template=template or self.special)
        check_save_answers(attempt, answers(attempt))
        do_submit_attempt(attempt)
        return Attempt.objects.get(pk=attempt.pk)

    def test_the_mistake_book_lists_wrong_answers_and_needs_a_login(self):
        self.assertEqual(self.client.get("/quiz/mistakes/").status_code, 302)
        attempt = self.finish(wrong_answers)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get("/quiz/mistakes/")
        first = Question.objects.get(pk=attempt.paper[0]["q"])
        self.assertContains(r, "错题本")
        self.assertContains(r, first.stem)
        self.assertContains(r, "练习错题")

    def test_practising_the_mistakes_right_empties_the_book(self):
        self.finish(wrong_answers)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.post("/quiz/mistakes/practise/")
        practice = Attempt.objects.filter(person=self.member).latest("pk")
        self.assertRedirects(r, f"/quiz/attempts/{practice.pk}/")
        self.assertEqual(len(practice.paper), 7)
        # A second tap resumes the same paper.
        self.client.post("/quiz/mistakes/practise/")
        self.assertEqual(Attempt.objects.filter(person=self.member).count(), 2)
        check_save_answers(practice, correct_answers(practice))
        do_submit_attempt(practice)
        r = self.client.get("/quiz/mistakes/")
        self.assertContains(r, "错题本是空的")

    def test_another_member_never_sees_my_mistakes(self):
        attempt = self.finish(wrong_answers)
        first = Question.objects.get(pk=attempt.paper[0]["q"])
        self.client.login(username="sibling", password=PASSWORD)
        r = self.client.get("/quiz/mistakes/")
        self.assertNotContains(r, first.stem)
        r = self.client.post("/quiz/mistakes/practise/", follow=True)
        self.assertContains(r, "错题本是空的")


class LeaderboardNamesTestCase(QuizTestCase):
    contest: Contest
    # Plays as in test_contests (whose tests are not inherited here).
    play = test_contests.ContestTestCase.play

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        template = make_template(
            cls.unit_a, "contest", Mode.CONTEST, [("single", "二十大", 2, 5)]
        )
        now = timezone.now()
        cls.contest = Contest.objects.create(
            title="宣传部知识竞赛",
            template=template,
            owner=cls.unit_a,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
        )
        cls.contest.eligible.set([cls.unit_a])

    def test_the_public_and_outsiders_see_masked_names(self):
        self.play(self.member, 3, 100)
        for username in (None, "outsider"):
            with self.subTest(viewer=username):
                self.client.logout()
                if username:
                    self.client.login(username=username, password=PASSWORD)
                page = self.client.get(f"/quiz/contests/{self.contest.pk}/")
                self.assertNotContains(page, "张党员")
                self.assertContains(page, "张**")
                api = self.client.get(
                    f"/api/quiz/contests/{self.contest.pk}/leaderboard"
                ).json()
                self.assertEqual(api["persons"][0]["name"], "张**")

    def test_members_of_the_contests_organisations_see_full_names(self):
        self.play(self.member, 3, 100)
        self.client.login(username="sibling", password=PASSWORD)
        self.assertContains(
            self.client.get(f"/quiz/contests/{self.contest.pk}/"), "张党员"
        )
