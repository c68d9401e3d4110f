import json
from datetime import timedelta
from threading import Thread

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from dangjian.quiz import signals
from dangjian.quiz.actions import (
    check_save_answers,
    check_start_attempt,
    do_submit_attempt,
)
from dangjian.quiz.models import Attempt, Question
from dangjian.quiz.tests.helpers import QuizTestCase
from dangjian.test import PASSWORD


def correct_answers(attempt):
    """The right response for every position, as the browser would send it."""
    questions = Question.objects.in_bulk([i["q"] for i in attempt.paper])
    answers = {}
    for position, item in enumerate(attempt.paper):
        q = questions[item["q"]]
        if q.type == "fill":
            answers[str(position)] = [alts[0] for alts in q.answer]
        else:
            shown = {c: i for i, c in enumerate(item["o"])}
            answers[str(position)] = [shown[c] for c in q.answer]
    return answers


class AttemptApiTestCase(QuizTestCase):
    def setUp(self):
        super().setUp()
        self.client.login(username="member", password=PASSWORD)

    def post(self, url, data=None):
        return self.client.post(
            url, json.dumps(data or {}), content_type="application/json"
        )

    def put(self, url, data):
        return self.client.put(url, json.dumps(data), content_type="application/json")

    def assert_no_answers(self, body: str, attempt, answered=False):
        """Nothing that tells which option is right, nor any explanation.

        Once the person has saved answers, their own fill-in text is echoed
        back, so the reference answers are only looked for before that.
        """
        data = json.loads(body) if body.lstrip().startswith("{") else None
        text = body
        for key in ("correct_answer", "is_correct", "explanation", '"answer"'):
            self.assertNotIn(key, text)
        for q in Question.objects.filter(pk__in=[i["q"] for i in attempt.paper]):
            self.assertNotIn(q.explanation, text)
            if q.type == "fill" and not answered:
                for alts in q.answer:
                    for alt in alts:
                        self.assertNotIn(alt, text)
        return data

    def test_the_full_flow_draw_save_submit(self):
        r = self.post("/api/quiz/attempts", {"template": "special"})
        self.assertEqual(r.status_code, 201)
        data = r.json()
        attempt = Attempt.objects.get(pk=data["id"])
        self.assertEqual(len(data["questions"]), 7)
        self.assertEqual(data["max_score"], 3 * 2 + 2 * 4 + 2 * 3)
        self.assert_no_answers(r.content.decode(), attempt)

        answers = correct_answers(attempt)
        r = self.put(f"/api/quiz/attempts/{attempt.pk}/answers", {"answers": answers})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["answered"], 7)
        self.assert_no_answers(r.content.decode(), attempt)
        # Reading the open attempt back does not reveal anything either.
        r = self.client.get(f"/api/quiz/attempts/{attempt.pk}")
        self.assert_no_answers(r.content.decode(), attempt, answered=True)
        self.assertEqual(r.json()["questions"][0]["response"], answers["0"])

        r = self.post(f"/api/quiz/attempts/{attempt.pk}/submit")
        self.assertEqual(r.status_code, 200)
        result = r.json()
        self.assertEqual(result["score"], 20)
        self.assertEqual(result["correct_count"], 7)
        self.assertTrue(all(q["is_correct"] for q in result["questions"]))
        self.assertTrue(
            all(q["explanation"].startswith("解析") for q in result["questions"])
        )

    def test_answer_pages_do_not_contain_answers(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assert_no_answers(r.content.decode(), attempt)
        check_save_answers(attempt, correct_answers(attempt))
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/")
        self.assert_no_answers(r.content.decode(), attempt, answered=True)
        # The result page is unavailable until submission.
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/result/")
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/")

    def test_daily_mode_by_name_and_once_a_day(self):
        r = self.post("/api/quiz/attempts", {"mode": "daily"})
        self.assertEqual(r.status_code, 201)
        attempt_id = r.json()["id"]
        # Starting again before submitting resumes the same attempt.
        r = self.post("/api/quiz/attempts", {"mode": "daily"})
        self.assertEqual((r.status_code, r.json()["id"]), (200, attempt_id))
        self.post(f"/api/quiz/attempts/{attempt_id}/submit")
        r = self.post("/api/quiz/attempts", {"mode": "daily"})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["code"], "done_today")
        self.assertEqual(Attempt.objects.filter(person=self.member).count(), 1)

    def test_someone_elses_attempt_is_not_found(self):
        attempt, _ = check_start_attempt(self.sibling, template=self.special)
        self.assertEqual(
            self.client.get(f"/api/quiz/attempts/{attempt.pk}").status_code, 404
        )
        r = self.put(
            f"/api/quiz/attempts/{attempt.pk}/answers", {"answers": {"0": [0]}}
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(
            self.post(f"/api/quiz/attempts/{attempt.pk}/submit").status_code, 404
        )
        self.assertEqual(
            self.client.get(f"/quiz/attempts/{attempt.pk}/result/").status_code, 404
        )

    def test_anonymous_cannot_start(self):
        self.client.logout()
        self.assertEqual(
            self.post("/api/quiz/attempts", {"mode": "daily"}).status_code, 401
        )

    def test_bad_answers_are_refused_and_change_nothing(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        url = f"/api/quiz/attempts/{attempt.pk}/answers"
        for bad in (
            {"0": [9]},
            {"99": [0]},
            {"x": [0]},
            {"0": [0, 1]},
            {"0": {"a": 1}},
        ):
            r = self.put(url, {"answers": bad})
            self.assertEqual(r.status_code, 400, bad)
            self.assertEqual(r.json()["code"], "bad_answers")
        attempt.refresh_from_db()
        self.assertEqual(attempt.responses, {})

    def test_letters_are_accepted_for_choice_answers(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        r = self.put(
            f"/api/quiz/attempts/{attempt.pk}/answers",
            {"answers": {"0": "B", "3": "AC"}},
        )
        self.assertEqual(r.status_code, 200, r.content)
        attempt.refresh_from_db()
        self.assertEqual(attempt.responses, {"0": [1], "3": [0, 2]})


class TimeLimitTestCase(QuizTestCase):
    def test_saves_after_the_deadline_are_refused_and_submission_is_marked_late(self):
        start = timezone.now() - timedelta(seconds=700)
        attempt, _ = check_start_attempt(self.member, template=self.special, now=start)
        answers = correct_answers(attempt)
        check_save_answers(
            attempt, {"0": answers["0"]}, now=start + timedelta(seconds=60)
        )
        self.client.login(username="member", password=PASSWORD)
        r = self.client.put(
            f"/api/quiz/attempts/{attempt.pk}/answers",
            json.dumps({"answers": answers}),
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["code"], "time_up")
        r = self.client.post(f"/api/quiz/attempts/{attempt.pk}/submit")
        result = r.json()
        self.assertTrue(result["timed_out"])
        # Only the answer saved in time counts; time taken stops at the deadline.
        self.assertEqual(result["correct_count"], 1)
        self.assertEqual(result["seconds"], 600)

    def test_a_late_plain_form_submission_grades_what_was_saved(self):
        start = timezone.now() - timedelta(seconds=700)
        attempt, _ = check_start_attempt(self.member, template=self.special, now=start)
        self.client.login(username="member", password=PASSWORD)
        data = {f"q{p}": v for p, v in correct_answers(attempt).items()}
        r = self.client.post(f"/quiz/attempts/{attempt.pk}/submit/", data)
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/result/")
        attempt.refresh_from_db()
        self.assertEqual(
            (attempt.status, attempt.correct_count), (Attempt.Status.TIMED_OUT, 0)
        )

    @override_settings(DANGJIAN_QUIZ_GRACE_SECONDS=0)
    def test_starting_again_after_the_deadline_closes_the_old_attempt(self):
        start = timezone.now() - timedelta(seconds=700)
        old, _ = check_start_attempt(self.member, template=self.special, now=start)
        new, created = check_start_attempt(self.member, template=self.special)
        self.assertTrue(created)
        old.refresh_from_db()
        self.assertEqual(old.status, Attempt.Status.TIMED_OUT)


class DoubleSubmitTestCase(QuizTestCase):
    def test_submitting_twice_grades_once_and_signals_once(self):
        received = []
        handler = lambda **kw: received.append(kw["attempt"].pk)  # noqa: E731
        signals.attempt_finished.connect(handler)
        try:
            attempt, _ = check_start_attempt(self.member, template=self.special)
            check_save_answers(attempt, correct_answers(attempt))
            with self.captureOnCommitCallbacks(execute=True):
                first, graded = do_submit_attempt(attempt)
            with self.captureOnCommitCallbacks(execute=True):
                second, graded_again = do_submit_attempt(attempt)
        finally:
            signals.attempt_finished.disconnect(handler)
        self.assertEqual((graded, graded_again), (True, False))
        self.assertEqual(first.submitted_at, second.submitted_at)
        self.assertEqual(received, [attempt.pk])

    def test_answers_cannot_change_after_submission(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        do_submit_attempt(attempt)
        self.client.login(username="member", password=PASSWORD)
        r = self.client.put(
            f"/api/quiz/attempts/{attempt.pk}/answers",
            json.dumps({"answers": {"0": [0]}}),
            content_type="application/json",
        )
        self.assertEqual(r.json()["code"], "finished")

    def test_finished_attempts_are_listed_per_person_for_the_study_archive(self):
        attempt, _ = check_start_attempt(self.member, template=self.special)
        do_submit_attempt(attempt)
        check_start_attempt(self.member, template=self.daily)  # still open
        rows = Attempt.objects.finished().for_person(self.member)
        self.assertEqual([a.pk for a in rows], [attempt.pk])
        self.assertIsNotNone(rows[0].score)
        self.assertIsNotNone(rows[0].submitted_at)


# serialized_rollback, like the browser tests: the flush after this test then
# leaves the database for the next transactional test to restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_grade_once():
    """Four threads submit the same attempt at once: one grades, three see it done."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are exercised on PostgreSQL")
    from dangjian.orgs.models import Organisation
    from dangjian.quiz.tests.helpers import make_question, make_template
    from dangjian.test import make_person

    unit = Organisation.add_root(name="并发测试单位", kind=Organisation.Kind.COMMITTEE)
    for n in range(3):
        make_question(unit, "single", n)
    template = make_template(unit, "concurrent", "special", [("single", "", 3, 1)])
    person = make_person("racer")
    attempt, _ = check_start_attempt(person, template=template)
    results = []

    def submit():
        try:
            results.append(do_submit_attempt(Attempt.objects.get(pk=attempt.pk))[1])
        finally:
            connection.close()

    threads = [Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


class ChallengeTestCase(QuizTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from dangjian.quiz.tests.helpers import make_template

        cls.challenge = make_template(
            cls.unit_a, "challenge", "challenge", [("single", "", 10, 1)]
        )

    def test_the_run_ends_at_the_first_wrong_answer(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.post(
            "/api/quiz/attempts",
            json.dumps({"mode": "challenge"}),
            content_type="application/json",
        )
        attempt = Attempt.objects.get(pk=r.json()["id"])
        right = correct_answers(attempt)
        url = f"/api/quiz/attempts/{attempt.pk}/challenge"
        for position in range(3):
            r = self.client.post(
                url,
                json.dumps({"position": position, "response": right[str(position)]}),
                content_type="application/json",
            )
            self.assertEqual(
                r.json(),
                {
                    "correct": True,
                    "finished": False,
                    "streak": position + 1,
                    "answered": position + 1,
                },
            )
        # Answering out of order is refused.
        r = self.client.post(
            url,
            json.dumps({"position": 5, "response": [0]}),
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 409)
        wrong = [(right["3"][0] + 1) % 4]
        r = self.client.post(
            url,
            json.dumps({"position": 3, "response": wrong}),
            content_type="application/json",
        )
        self.assertEqual(r.json()["finished"], True)
        self.assertEqual(r.json()["streak"], 3)
        attempt.refresh_from_db()
        self.assertEqual(
            (attempt.status, attempt.streak), (Attempt.Status.SUBMITTED, 3)
        )

    def test_challenge_works_as_plain_forms(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.post("/quiz/start/challenge/")
        attempt = Attempt.objects.get(person=self.member)
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/")
        right = correct_answers(attempt)
        r = self.client.post(
            f"/quiz/attempts/{attempt.pk}/challenge/", {"position": 0, "q0": right["0"]}
        )
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/")
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/")
        self.assertContains(r, "已连续答对 <strong>1</strong> 题")
        wrong = (right["1"][0] + 1) % 4
        r = self.client.post(
            f"/quiz/attempts/{attempt.pk}/challenge/", {"position": 1, "q1": [wrong]}
        )
        self.assertRedirects(r, f"/quiz/attempts/{attempt.pk}/result/")
        r = self.client.get(f"/quiz/attempts/{attempt.pk}/result/")
        self.assertContains(r, "连续答对 1 题")
        self.assertContains(r, "解析：")


class CloseExpiredTestCase(QuizTestCase):
    def test_the_command_grades_attempts_left_open_past_their_deadline(self):
        from io import StringIO

        from django.core.management import call_command

        old, _ = check_start_attempt(
            self.member,
            template=self.special,
            now=timezone.now() - timedelta(hours=1),
        )
        fresh, _ = check_start_attempt(self.sibling, template=self.special)
        out = StringIO()
        call_command("close_expired_attempts", stdout=out)
        self.assertIn("已为 1 份超时答卷判分", out.getvalue())
        old.refresh_from_db()
        fresh.refresh_from_db()
        self.assertEqual(old.status, Attempt.Status.TIMED_OUT)
        self.assertEqual(fresh.status, Attempt.Status.IN_PROGRESS)
