"""Saving answers and reading attempts on the request path (``dangjian.quiz.rows``)."""

import time
from threading import Thread
from unittest.mock import patch

import pytest
from django.db import connection, transaction

from dangjian.quiz import actions
from dangjian.quiz.actions import (
    QuizError,
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
)
from dangjian.quiz.draw import recent_attempts
from dangjian.quiz.models import Attempt
from dangjian.quiz.rows import load_attempt
from dangjian.quiz.tests.helpers import QuizTestCase
from dangjian.quiz.tests.test_attempts import correct_answers


def columns(attempt):
    return {
        f.attname: getattr(attempt, f.attname) for f in Attempt._meta.concrete_fields
    }


class SavingTestCase(QuizTestCase):
    def test_a_save_from_a_stale_page_keeps_answers_saved_from_another_tab(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        answers = correct_answers(attempt)
        phone = Attempt.objects.get(pk=attempt.pk)
        laptop = Attempt.objects.get(pk=attempt.pk)
        check_save_answers(phone, {"0": answers["0"]})
        saved = check_save_answers(laptop, {"1": answers["1"]})
        self.assertEqual(saved.responses, {"0": answers["0"], "1": answers["1"]})
        attempt.refresh_from_db()
        self.assertEqual(attempt.responses, {"0": answers["0"], "1": answers["1"]})

    def test_a_later_save_of_the_same_question_replaces_the_earlier_answer(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        check_save_answers(attempt, {"0": [0], "1": [1]})
        check_save_answers(attempt, {"0": [2]})
        attempt.refresh_from_db()
        self.assertEqual(attempt.responses, {"0": [2], "1": [1]})

    def test_someone_elses_attempt_cannot_be_saved_to(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        with self.assertRaises(Attempt.DoesNotExist):
            check_save_answers(Attempt(pk=attempt.pk, person=self.sibling), {"0": [0]})
        attempt.refresh_from_db()
        self.assertEqual(attempt.responses, {})

    def test_an_attempt_reads_the_same_as_through_the_orm(self):
        # A daily attempt fills every kind of column: dates, decimals, JSON.
        attempt, _ = check_start_attempt(self.member, template=self.daily)
        check_save_answers(attempt, correct_answers(attempt))
        do_submit_attempt(attempt)
        through_orm = Attempt.objects.get(pk=attempt.pk)
        self.assertIsNotNone(through_orm.day)
        self.assertIsNotNone(through_orm.score)
        self.assertEqual(
            columns(load_attempt(attempt.pk, self.member.pk)), columns(through_orm)
        )
        recent = recent_attempts(self.member, self.daily, 3)[0]
        self.assertEqual(
            (recent.id, recent.status, sorted(recent.question_ids)),
            (
                attempt.pk,
                through_orm.status,
                sorted(item["q"] for item in through_orm.paper),
            ),
        )

    def test_an_open_attempt_is_resumed_with_its_deadline(self):
        attempt, _ = check_start_attempt(self.member, template=self.daily)
        recent = recent_attempts(self.member, self.daily, 3)[0]
        self.assertEqual(recent.deadline, Attempt.objects.get(pk=attempt.pk).deadline)
        again, created = check_start_attempt(self.member, template=self.daily)
        self.assertFalse(created)
        self.assertEqual(again.pk, attempt.pk)


# serialized_rollback, like the other transactional quiz test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_save_racing_a_submit_is_refused_not_lost():
    """A save waiting on a submit's row lock is refused once the submit commits.

    The answer must not be stored after grading: it would look saved to the
    person but never count.
    """
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are exercised on PostgreSQL")
    from dangjian.orgs.models import Organisation
    from dangjian.quiz.tests.helpers import make_question, make_template
    from dangjian.test import make_person

    unit = Organisation.add_root(name="并发保存单位", kind=Organisation.Kind.COMMITTEE)
    for n in range(3):
        make_question(unit, "single", n)
    template = make_template(unit, "race-save", "special", [("single", "", 3, 1)])
    person = make_person("saver")
    attempt, _ = check_start_attempt(person, template=template)
    outcome = []

    def save():
        try:
            check_save_answers(Attempt(pk=attempt.pk, person=person), {"0": [1]})
            outcome.append("saved")
        except QuizError as exc:
            outcome.append(exc.code)
        finally:
            connection.close()

    with transaction.atomic():
        do_submit_attempt(Attempt(pk=attempt.pk, person=person))
        saver = Thread(target=save)
        saver.start()
        # Let the save read the still-open attempt and wait on the lock.
        time.sleep(0.5)
    saver.join()
    assert outcome == ["finished"]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.responses == {}


class SubmitTestCase(QuizTestCase):
    def test_answers_saved_while_a_submit_is_grading_are_graded(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        answers = correct_answers(attempt)
        grade = actions._grade
        calls = []

        def save_meanwhile(current, now):
            # Another request saves between the submit's read and its write.
            if not calls:
                check_save_answers(Attempt(pk=attempt.pk, person=self.member), answers)
            calls.append(current.responses)
            grade(current, now)

        with patch.object(actions, "_grade", save_meanwhile):
            result, graded = do_submit_attempt(attempt)
        self.assertTrue(graded)
        self.assertEqual(calls[0], {})
        self.assertEqual(result.correct_count, len(attempt.paper))
        attempt.refresh_from_db()
        self.assertEqual(attempt.correct_count, len(attempt.paper))
        self.assertEqual(set(attempt.responses), set(answers))
