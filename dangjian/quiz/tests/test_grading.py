from decimal import Decimal

from django.test import SimpleTestCase

from dangjian.quiz.grading import grade_item, normalize_text
from dangjian.quiz.models import Scoring
from dangjian.quiz.stats import item_statistics

P = Decimal(4)


class GradingTestCase(SimpleTestCase):
    def test_multiple_choice_all_or_nothing(self):
        order = [0, 1, 2, 3]
        self.assertEqual(
            grade_item("multiple", [0, 2], [0, 2], order, P, Scoring.ALL_OR_NOTHING),
            (P, True),
        )
        self.assertEqual(
            grade_item("multiple", [0, 2], [0], order, P, Scoring.ALL_OR_NOTHING),
            (0, False),
        )

    def test_multiple_choice_partial_credit(self):
        order = [0, 1, 2, 3]
        # Two of three correct options chosen, no wrong one: 2/3 of the points.
        self.assertEqual(
            grade_item("multiple", [0, 1, 2], [0, 2], order, P, Scoring.PARTIAL),
            (Decimal("2.7"), False),
        )
        # Any wrong option chosen: nothing.
        self.assertEqual(
            grade_item("multiple", [0, 1, 2], [0, 3], order, P, Scoring.PARTIAL),
            (0, False),
        )
        self.assertEqual(
            grade_item("multiple", [0, 1, 2], [], order, P, Scoring.PARTIAL), (0, False)
        )

    def test_responses_are_read_through_the_shuffled_order(self):
        # Displayed option 2 is canonical option 0, the right one.
        self.assertEqual(
            grade_item("single", [0], [2], [3, 1, 0, 2], P, Scoring.ALL_OR_NOTHING),
            (P, True),
        )
        self.assertEqual(
            grade_item("single", [0], [0], [3, 1, 0, 2], P, Scoring.ALL_OR_NOTHING),
            (0, False),
        )

    def test_fill_in_normalises_width_space_and_punctuation(self):
        self.assertEqual(normalize_text(" 中国式 现代化 "), "中国式现代化")
        self.assertEqual(normalize_text("ＡＢＣ１２３"), "abc123")
        answer = [["中国式现代化"]]
        for given in ["中国式现代化", " 中国式 现代化。", "中国式现代化\u3000"]:
            self.assertEqual(
                grade_item("fill", answer, [given], [], P, Scoring.ALL_OR_NOTHING),
                (P, True),
                given,
            )
        self.assertEqual(
            grade_item("fill", answer, ["现代化"], [], P, Scoring.ALL_OR_NOTHING),
            (0, False),
        )

    def test_fill_in_accepts_alternatives_and_counts_blanks(self):
        answer = [["中国共产党领导", "党的领导"], ["人民"]]
        self.assertEqual(
            grade_item(
                "fill", answer, ["党的领导", "人民"], [], P, Scoring.ALL_OR_NOTHING
            ),
            (P, True),
        )
        self.assertEqual(
            grade_item("fill", answer, ["党的领导", "群众"], [], P, Scoring.PARTIAL),
            (Decimal("2.0"), False),
        )
        self.assertEqual(
            grade_item(
                "fill", answer, ["党的领导", "群众"], [], P, Scoring.ALL_OR_NOTHING
            ),
            (0, False),
        )

    def test_one_reference_answer_for_several_blanks_compares_the_whole_text(self):
        answer = [["净化、完善、革新、提高"]]
        self.assertEqual(
            grade_item(
                "fill", answer, ["净化 完善 革新 提高"], [], P, Scoring.ALL_OR_NOTHING
            ),
            (P, True),
        )
        self.assertEqual(
            grade_item(
                "fill",
                answer,
                ["净化", "完善", "革新", "提高"],
                [],
                P,
                Scoring.ALL_OR_NOTHING,
            ),
            (P, True),
        )


class ItemStatisticsTestCase(SimpleTestCase):
    def test_facility_and_discrimination_match_a_hand_computed_example(self):
        """Four attempts, two one-point questions.

        Q1 marks x = 1, 1, 0, 0; Q2 marks 1, 0, 1, 0; totals 2, 1, 1, 0.
        For Q1 the rest of the paper is Q2: y = 1, 0, 1, 0.
        mean x = 0.5, mean y = 0.5, cov = (0.25 − 0.25 − 0.25 + 0.25) / 3 = 0
        → D = 0. Facility = 50 %.

        Q3 appears in three attempts with marks 1, 1, 0 and rest 3, 2, 0:
        mean x = 2/3, mean y = 5/3; Σ(x−x̄)(y−ȳ) = (1/3)(4/3) + (1/3)(1/3) + (−2/3)(−5/3) = 15/9
        var x = (1/9 + 1/9 + 4/9)/2 = 1/3; var y = (16/9 + 1/9 + 25/9)/2 = 7/3
        cov = (15/9)/2 = 5/6; D = 100 · (5/6) / sqrt(7/9) = 94.49
        """
        marks = {
            1: [(1, 1, 2), (1, 1, 1), (0, 1, 1), (0, 1, 0)],
            3: [(1, 1, 4), (1, 1, 3), (0, 1, 0)],
        }
        stats = item_statistics(marks)
        self.assertAlmostEqual(stats[1]["facility"], 50.0)
        self.assertAlmostEqual(stats[1]["discrimination"], 0.0)
        self.assertAlmostEqual(stats[3]["facility"], 200 / 3)
        self.assertAlmostEqual(stats[3]["discrimination"], 94.4911, places=3)
        # Sorted pairs are the same as the actual ones here: maximal efficiency.
        self.assertAlmostEqual(stats[3]["efficiency"], 100.0)

    def test_a_question_everyone_got_right_has_no_discrimination(self):
        stats = item_statistics({5: [(2, 2, 5), (2, 2, 3), (2, 2, 2)]})
        self.assertEqual(stats[5]["facility"], 100.0)
        self.assertIsNone(stats[5]["discrimination"])
