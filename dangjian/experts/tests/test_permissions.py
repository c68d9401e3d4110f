"""Experts see and answer only their own questions; unit admins oversee their unit's."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.experts.actions import check_answer_question, check_reassign_question
from dangjian.experts.models import Answer, Question
from dangjian.experts.tests.base import ExpertsTestCase
from dangjian.test import PASSWORD


class InboxTestCase(ExpertsTestCase):
    def setUp(self):
        self.mine = self.submit()
        self.theirs = self.submit(
            text="企业没有裁员，想申请稳岗返还，比例是多少？", domain=self.social
        )
        self.assertEqual(self.theirs.expert, self.other)

    def test_an_expert_sees_only_their_own_questions(self):
        self.client.login(username="taxman", password=PASSWORD)
        r = self.client.get(reverse("experts:inbox"))
        self.assertContains(r, self.mine.summary)
        self.assertNotContains(r, "稳岗返还")
        r = self.client.get(reverse("experts:inbox-detail", args=[self.theirs.pk]))
        self.assertEqual(r.status_code, 404)

    def test_an_expert_cannot_answer_another_experts_question(self):
        self.client.login(username="taxman", password=PASSWORD)
        r = self.client.post(
            reverse("experts:inbox-detail", args=[self.theirs.pk]),
            {"answer": "越权答复"},
        )
        self.assertEqual(r.status_code, 404)
        with self.assertRaises(PermissionDenied):
            check_answer_question(
                self.theirs, "越权答复", acting_user=self.expert_person
            )
        self.assertFalse(Answer.objects.exists())
        self.theirs.refresh_from_db()
        self.assertEqual(self.theirs.status, Question.Status.ASSIGNED)

    def test_an_expert_answers_from_the_phone_page(self):
        self.client.login(username="taxman", password=PASSWORD)
        url = reverse("experts:inbox-detail", args=[self.mine.pk])
        self.assertContains(self.client.get(url), "答复企业")
        empty = self.client.post(url, {"answer": "  "})
        self.assertContains(empty, "请填写答复内容", status_code=400)
        r = self.client.post(url, {"answer": "可以减按1%征收。"})
        self.assertRedirects(r, url)
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.status, Question.Status.ANSWERED)
        self.assertEqual(self.mine.answers.get().author, self.expert_person)

    def test_a_unit_admin_sees_their_units_questions_but_does_not_answer(self):
        self.client.login(username="secretary", password=PASSWORD)
        r = self.client.get(reverse("experts:inbox"))
        self.assertContains(r, self.mine.summary)
        self.assertNotContains(r, "稳岗返还")
        detail = self.client.get(reverse("experts:inbox-detail", args=[self.mine.pk]))
        self.assertNotContains(detail, "答复企业")
        r = self.client.post(
            reverse("experts:inbox-detail", args=[self.mine.pk]), {"answer": "代答"}
        )
        self.assertEqual(r.status_code, 403)

    def test_a_person_who_is_not_an_expert_is_told_so(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get(reverse("experts:inbox"))
        self.assertContains(r, "尚未登记为政策专员", status_code=403)

    def test_the_inbox_needs_a_login(self):
        r = self.client.get(reverse("experts:inbox"))
        self.assertEqual(r.status_code, 302)


class ReassignTestCase(ExpertsTestCase):
    def test_a_unit_admin_reassigns_within_their_unit_only(self):
        from dangjian.experts.actions import do_save_expert
        from dangjian.experts.models import Expert
        from dangjian.test import make_person

        colleague = do_save_expert(
            Expert(name="刘敏", unit=self.unit_a, person=make_person("liumin", "刘敏")),
            [self.tax],
        )
        question = self.submit()
        self.assertEqual(question.expert, self.expert)
        with self.assertRaises(PermissionDenied):
            check_reassign_question(question, self.other, acting_user=self.secretary)
        check_reassign_question(question, colleague, acting_user=self.secretary)
        question.refresh_from_db()
        self.assertEqual(question.expert, colleague)
        with self.assertRaises(PermissionDenied):
            check_reassign_question(question, self.expert, acting_user=self.editor)

    def test_an_answered_question_is_not_reassigned(self):
        question = self.submit()
        check_answer_question(question, "答复", acting_user=self.expert_person)
        with self.assertRaises(ValidationError):
            check_reassign_question(question, self.other, acting_user=self.admin)


class AdminTestCase(ExpertsTestCase):
    def setUp(self):
        self.mine = self.submit()
        self.theirs = self.submit(
            text="企业没有裁员，想申请稳岗返还，比例是多少？", domain=self.social
        )

    def test_the_admin_lists_only_the_experts_own_questions(self):
        self.client.login(username="taxman", password=PASSWORD)
        r = self.client.get("/admin/experts/questions/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, self.mine.summary)
        self.assertNotContains(r, "稳岗返还")
        other = self.client.get(f"/admin/experts/questions/edit/{self.theirs.pk}/")
        self.assertIn(other.status_code, (302, 403, 404))

    def test_the_expert_answers_in_the_admin(self):
        self.client.login(username="taxman", password=PASSWORD)
        url = f"/admin/experts/questions/edit/{self.mine.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "答复内容")
        self.assertNotContains(page, 'name="expert"')
        r = self.client.post(url, {"answer": "后台答复：减按1%征收。"})
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.status, Question.Status.ANSWERED)
        self.assertEqual(self.mine.answers.get().text, "后台答复：减按1%征收。")

    def test_an_expert_cannot_add_or_delete_questions(self):
        # Not even a platform admin: questions come from enterprises only.
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.post(
            "/admin/experts/questions/new/", {"company_name": "冒充企业"}
        )
        self.assertIn(r.status_code, (302, 403))
        self.assertFalse(Question.objects.filter(company_name="冒充企业").exists())
        self.client.login(username="taxman", password=PASSWORD)
        r = self.client.post(f"/admin/experts/questions/delete/{self.mine.pk}/")
        self.assertIn(r.status_code, (302, 403, 404))
        self.assertTrue(Question.objects.filter(pk=self.mine.pk).exists())

    def test_a_unit_admin_reassigns_in_the_admin(self):
        from dangjian.experts.actions import do_save_expert
        from dangjian.experts.models import Expert
        from dangjian.test import make_person

        colleague = do_save_expert(
            Expert(name="刘敏", unit=self.unit_a, person=make_person("liumin", "刘敏")),
            [self.tax],
        )
        self.client.login(username="secretary", password=PASSWORD)
        url = f"/admin/experts/questions/edit/{self.mine.pk}/"
        page = self.client.get(url)
        self.assertContains(page, 'name="expert"')
        self.assertNotContains(page, 'name="answer"')
        # An expert of another unit is not a valid choice.
        r = self.client.post(url, {"expert": str(self.other.pk)})
        self.assertEqual(r.status_code, 200)
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.expert, self.expert)
        r = self.client.post(url, {"expert": str(colleague.pk)})
        self.assertEqual(r.status_code, 302)
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.expert, colleague)
        self.assertIn(
            self.client.get(
                f"/admin/experts/questions/edit/{self.theirs.pk}/"
            ).status_code,
            (302, 403, 404),
        )
