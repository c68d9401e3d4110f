from collections import Counter

from django.core.exceptions import ValidationError

from dangjian.quiz.actions import check_start_attempt, do_submit_attempt
from dangjian.quiz.draw import draw_paper
from dangjian.quiz.models import Mode, Question
from dangjian.quiz.tests.helpers import QuizTestCase, make_question, make_template


class DrawTestCase(QuizTestCase):
    def kinds(self, paper):
        questions = Question.objects.in_bulk([i["q"] for i in paper])
        return Counter(
            (questions[i["q"]].type, questions[i["q"]].category) for i in paper
        )

    def test_it_draws_exact_counts_per_type_and_category(self):
        for seed in range(20):
            paper = draw_paper(self.special, seed)
            self.assertEqual(
                self.kinds(paper),
                Counter(
                    {
                        ("single", "二十大"): 3,
                        ("multiple", "二十大"): 2,
                        ("fill", "二十大"): 2,
                    }
                ),
            )

    def test_it_never_repeats_a_question_in_one_paper(self):
        template = make_template(
            self.unit_a,
            "any-single",
            Mode.SPECIAL,
            [("single", "", 10, 1), ("single", "二十大", 4, 1)],
        )
        for seed in range(30):
            ids = [item["q"] for item in draw_paper(template, seed)]
            self.assertEqual(len(ids), len(set(ids)))

    def test_it_is_reproducible_with_a_seed(self):
        self.assertEqual(draw_paper(self.special, 42), draw_paper(self.special, 42))
        papers = {str(draw_paper(self.special, seed)) for seed in range(10)}
        self.assertGreater(len(papers), 1)

    def test_it_draws_only_reviewed_questions(self):
        usable = set(Question.objects.usable().values_list("id", flat=True))
        for seed in range(30):
            for item in draw_paper(self.special, seed):
                self.assertIn(item["q"], usable)

    def test_it_shuffles_options_but_keeps_true_false_order(self):
        orders = {
            tuple(i["o"]) for s in range(20) for i in draw_paper(self.special, s)[:3]
        }
        self.assertGreater(len(orders), 1)
        for item in draw_paper(self.daily, 1)[2:]:
            self.assertEqual(item["o"], [0, 1])

    def test_it_avoids_questions_of_the_last_attempts_when_the_bank_allows(self):
        # 8 singles in 二十大, 3 per paper: the second paper has all fresh singles.
        first, _ = check_start_attempt(self.member, template=self.special, seed=1)
        do_submit_attempt(first)
        second, _ = check_start_attempt(self.member, template=self.special, seed=2)
        first_ids = {i["q"] for i in first.paper}
        second_ids = {i["q"] for i in second.paper}
        # Fill and multiple pools (6 each, 2 per paper) also allow fresh ones.
        self.assertEqual(first_ids & second_ids, set())

    def test_it_reuses_seen_questions_when_the_bank_runs_short(self):
        template = make_template(
            self.unit_a, "theory-judge", Mode.SPECIAL, [("judge", "党的理论", 5, 1)]
        )
        first, _ = check_start_attempt(self.member, template=template, seed=1)
        do_submit_attempt(first)
        second, _ = check_start_attempt(self.member, template=template, seed=2)
        self.assertEqual(len(second.paper), 5)

    def test_it_refuses_a_rule_the_bank_cannot_fill(self):
        template = make_template(
            self.unit_a, "too-many", Mode.SPECIAL, [("fill", "党的理论", 1, 1)]
        )
        with self.assertRaisesMessage(
            ValidationError, "题库中可用的填空题（党的理论）不足 1 道"
        ):
            draw_paper(template, 1)

    def test_a_fixed_paper_keeps_its_questions(self):
        fixed = [make_question(self.unit_a, "single", 500 + i) for i in range(3)]
        template = make_template(self.unit_a, "fixed", Mode.SPECIAL, [])
        template.fixed_questions.set(fixed)
        paper = draw_paper(template, 7)
        self.assertEqual([i["q"] for i in paper], [q.pk for q in fixed])
