import datetime as dt
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.quiz.models import Attempt, Mode
from dangjian.quiz.signals import attempt_finished
from dangjian.study.actions import check_correct_points, do_award_points
from dangjian.study.models import PointEntry, PointRule
from dangjian.study.tests.helpers import StudyTestCase


class PointsTestCase(StudyTestCase):
    def test_an_activity_earns_points_once(self):
        first = do_award_points(self.member, "article_read", source="material:1")
        again = do_award_points(self.member, "article_read", source="material:1")
        self.assertEqual(first.points, 1)
        self.assertIsNone(again)
        self.assertEqual(PointEntry.objects.for_person(self.member).total(), 1)

    def test_the_daily_cap_holds_and_resets_the_next_day(self):
        PointRule.objects.filter(kind="video_watched").update(points=4, daily_cap=10)
        today = timezone.now()
        got = [
            do_award_points(self.member, "video_watched", source=f"material:{i}")
            for i in range(4)
        ]
        # 4 + 4 + 2 (trimmed to the cap) + nothing.
        self.assertEqual([e.points if e else None for e in got], [4, 4, 2, None])
        tomorrow = do_award_points(
            self.member,
            "video_watched",
            source="material:9",
            at=today + dt.timedelta(days=1),
        )
        self.assertEqual(tomorrow.points, 4)
        # Another person has their own allowance.
        self.assertEqual(
            do_award_points(self.sibling, "video_watched", source="material:1").points,
            4,
        )

    def test_an_inactive_rule_awards_nothing(self):
        PointRule.objects.filter(kind="note_written").update(is_active=False)
        self.assertIsNone(do_award_points(self.member, "note_written", source="note:1"))

    def test_totals_by_day_month_and_year_are_derived_from_the_ledger(self):
        rule = self.rule("article_read")
        for day, points in [
            (dt.date(2025, 12, 31), 3),
            (dt.date(2026, 1, 5), 2),
            (dt.date(2026, 1, 5), 1),
            (dt.date(2026, 2, 1), 4),
        ]:
            PointEntry.objects.create(
                person=self.member,
                rule=rule,
                source=f"x:{day}:{points}",
                points=points,
                day=day,
            )
        ledger = PointEntry.objects.for_person(self.member)
        self.assertEqual(ledger.total(), 10)
        self.assertEqual(
            [(r["day"], r["points"]) for r in ledger.by_day()],
            [
                (dt.date(2025, 12, 31), 3),
                (dt.date(2026, 1, 5), 3),
                (dt.date(2026, 2, 1), 4),
            ],
        )
        self.assertEqual(
            [(r["year"], r["month"], r["points"]) for r in ledger.by_month()],
            [(2025, 12, 3), (2026, 1, 3), (2026, 2, 4)],
        )
        self.assertEqual(
            [(r["year"], r["points"]) for r in ledger.by_year()],
            [(2025, 3), (2026, 7)],
        )
        self.assertEqual(ledger.in_year(2026).total(), 7)

    def test_a_correction_is_a_new_entry_and_is_audited(self):
        from wagtail.models import ModelLogEntry

        entry = do_award_points(self.member, "session_attended", source="session:1")
        correction = check_correct_points(
            entry, -5, "重复登记", acting_user=self.secretary
        )
        entry.refresh_from_db()
        self.assertEqual(entry.points, 5)  # the original line is untouched
        self.assertEqual(correction.corrects, entry)
        self.assertEqual(PointEntry.objects.for_person(self.member).total(), 0)
        self.assertTrue(
            ModelLogEntry.objects.filter(
                action="dangjian.study.correct_points"
            ).exists()
        )
        with self.assertRaisesMessage(ValidationError, "不能为负数"):
            check_correct_points(entry, -1, "再扣", acting_user=self.secretary)

    def test_only_a_manager_of_the_person_corrects(self):
        entry = do_award_points(self.member, "session_attended", source="session:1")
        with self.assertRaises(PermissionDenied):
            check_correct_points(entry, -1, "误记", acting_user=self.editor_b)
        with self.assertRaises(PermissionDenied):
            check_correct_points(entry, -1, "误记", acting_user=self.member)

    def test_a_finished_daily_quiz_earns_points_and_other_modes_do_not(self):
        now = timezone.now()
        daily = SimpleNamespace(
            pk=41, mode=Mode.DAILY, score=8, max_score=10, submitted_at=now
        )
        contest = SimpleNamespace(
            pk=42, mode=Mode.CONTEST, score=8, max_score=10, submitted_at=now
        )
        attempt_finished.send(sender=Attempt, attempt=daily, person=self.member)
        attempt_finished.send(sender=Attempt, attempt=daily, person=self.member)
        attempt_finished.send(sender=Attempt, attempt=contest, person=self.member)
        entries = PointEntry.objects.for_person(self.member)
        self.assertEqual(
            list(entries.values_list("source", "points")), [("attempt:41", 5)]
        )
