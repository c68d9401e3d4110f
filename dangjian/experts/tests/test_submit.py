"""An enterprise asks a question on the public site."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from dangjian.experts.models import Attachment, Question
from dangjian.experts.tests.base import VALID_CREDIT_CODE, ExpertsTestCase
from dangjian.lib import sms

PDF = b"%PDF-1.4\n" + b"0" * 100


class SubmitPageTestCase(ExpertsTestCase):
    url = reverse("experts:index")

    def test_the_page_lists_the_directory_and_the_form(self):
        r = self.client.get(self.url)
        self.assertContains(r, "王建华")
        self.assertContains(r, "税费减免")
        self.assertContains(r, "提交问题")

    def test_a_valid_question_is_saved_routed_and_tracked(self):
        data = self.form_data(credit_code=VALID_CREDIT_CODE.lower())
        data["attachments"] = SimpleUploadedFile("发票.pdf", PDF, "application/pdf")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url, data)
        question = Question.objects.get()
        self.assertRedirects(r, question.get_absolute_url())
        self.assertEqual(question.credit_code, VALID_CREDIT_CODE)
        self.assertEqual(question.expert, self.expert)
        self.assertEqual(question.attachments.get().original_name, "发票.pdf")
        # The expert hears about it by e-mail.
        self.assertEqual(mail.outbox[0].to, ["wang@example.com"])
        page = self.client.get(question.get_absolute_url())
        self.assertContains(page, "我的政策咨询")
        self.assertContains(page, "待答复")
        self.assertContains(page, "发票.pdf")
        self.assertEqual(page["Referrer-Policy"], "no-referrer")
        download = self.client.get(
            reverse(
                "experts:track-attachment",
                args=[question.token, question.attachments.get().pk],
            )
        )
        self.assertEqual(b"".join(download.streaming_content), PDF)

    def test_the_tracking_link_is_unguessable(self):
        question = self.submit()
        self.assertGreaterEqual(len(question.token), 40)
        r = self.client.get(reverse("experts:track", args=["x" * 43]))
        self.assertEqual(r.status_code, 404)

    def test_bad_input_gets_clear_errors_and_saves_nothing(self):
        cases = {
            "credit_code": ("91110000600037341X", "统一社会信用代码不正确"),
            "mobile": ("1234567", "请填写11位手机号码"),
            "email": ("not-an-email", "电子邮箱格式不正确"),
            "text": ("太短", "问题描述至少10个字"),
            "company_name": ("", "请填写企业名称"),
            "domain": ("99999", "所选政策领域不存在"),
        }
        for field, (value, message) in cases.items():
            with self.subTest(field=field):
                r = self.client.post(self.url, self.form_data(**{field: value}))
                self.assertEqual(r.status_code, 400)
                self.assertContains(r, message, status_code=400)
        self.assertContains(
            self.client.post(self.url, self.form_data(text="长" * 2001)),
            "问题描述不能超过2000字",
            status_code=400,
        )
        self.assertEqual(Question.objects.count(), 0)

    @override_settings(DANGJIAN_EXPERTS_ATTACHMENT_MAX_BYTES=1024)
    def test_attachments_over_the_limit_are_refused(self):
        big = SimpleUploadedFile("大文件.pdf", b"%PDF" + b"0" * 2000)
        r = self.client.post(self.url, {**self.form_data(), "attachments": big})
        self.assertContains(r, "大文件.pdf”超过 1.0", status_code=400)
        self.assertEqual(Question.objects.count(), 0)
        self.assertEqual(Attachment.objects.count(), 0)

    def test_attachments_of_the_wrong_type_or_content_are_refused(self):
        exe = SimpleUploadedFile("setup.exe", b"MZ" + b"0" * 10)
        fake = SimpleUploadedFile("合同.pdf", b"MZ" + b"0" * 10)
        for upload, message in [(exe, "类型不支持"), (fake, "内容与扩展名不符")]:
            with self.subTest(message=message):
                r = self.client.post(
                    self.url, {**self.form_data(), "attachments": upload}
                )
                self.assertContains(r, message, status_code=400)
        too_many = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(4)]
        r = self.client.post(self.url, {**self.form_data(), "attachments": too_many})
        self.assertContains(r, "附件最多3个", status_code=400)
        self.assertEqual(Question.objects.count(), 0)

    def test_a_double_submit_creates_one_question(self):
        data = self.form_data(submission_key="a" * 32)
        first = self.client.post(self.url, data)
        second = self.client.post(self.url, data)
        self.assertEqual(Question.objects.count(), 1)
        self.assertEqual(first["Location"], second["Location"])

    @override_settings(DANGJIAN_EXPERTS_SUBMIT_RATE=(2, 3600))
    def test_one_client_cannot_flood_the_form(self):
        for _ in range(2):
            self.client.post(self.url, self.form_data())
        r = self.client.post(self.url, self.form_data())
        self.assertContains(r, "提交过于频繁", status_code=400)
        self.assertEqual(Question.objects.count(), 2)


class AnswerAndRatingTestCase(ExpertsTestCase):
    def answer(self, question, text="小规模纳税人阶段性减按1%征收增值税。"):
        from dangjian.experts.actions import check_answer_question

        with self.captureOnCommitCallbacks(execute=True):
            return check_answer_question(question, text, acting_user=self.expert_person)

    def test_the_enterprise_is_notified_by_email_and_sms(self):
        question = self.submit()
        mail.outbox.clear()
        sms.outbox.clear()
        self.answer(question)
        question.refresh_from_db()
        self.assertEqual(question.status, Question.Status.ANSWERED)
        self.assertIsNotNone(question.first_answered_at)
        self.assertEqual(mail.outbox[0].to, ["zhang@example.com"])
        self.assertIn(question.token, mail.outbox[0].body)
        self.assertEqual(sms.outbox[-1]["mobile"], "13947312345")
        self.assertIn(question.token, sms.outbox[-1]["message"])
        page = self.client.get(question.get_absolute_url())
        self.assertContains(page, "小规模纳税人阶段性减按1%征收增值税。")
        self.assertContains(page, "提交评价")

    def test_the_token_holder_rates_once(self):
        question = self.submit()
        self.answer(question)
        url = reverse("experts:rate", args=[question.token])
        r = self.client.post(url, {"rating": "5", "comment": "很清楚"})
        self.assertRedirects(r, question.get_absolute_url())
        again = self.client.post(url, {"rating": "1", "comment": "改评价"})
        self.assertContains(again, "您已评价过该答复", status_code=400)
        question.refresh_from_db()
        self.assertEqual((question.rating, question.rating_comment), (5, "很清楚"))
        page = self.client.get(question.get_absolute_url())
        self.assertContains(page, "您的评价")
        self.assertNotContains(page, "提交评价")

    def test_nobody_rates_without_the_token(self):
        question = self.submit()
        self.answer(question)
        r = self.client.post(reverse("experts:rate", args=["A" * 43]), {"rating": "1"})
        self.assertEqual(r.status_code, 404)
        question.refresh_from_db()
        self.assertIsNone(question.rating)

    def test_a_question_is_rated_only_after_an_answer_and_from_one_to_five(self):
        question = self.submit()
        url = reverse("experts:rate", args=[question.token])
        self.assertContains(
            self.client.post(url, {"rating": "4"}),
            "问题答复后才能评价",
            status_code=400,
        )
        self.answer(question)
        self.assertContains(
            self.client.post(url, {"rating": "6"}), "请选择1到5分", status_code=400
        )
        question.refresh_from_db()
        self.assertIsNone(question.rating)

    def test_submitting_and_rating_are_audited(self):
        from wagtail.models import ModelLogEntry

        question = self.submit()
        self.answer(question)
        self.client.post(
            reverse("experts:rate", args=[question.token]), {"rating": "4"}
        )
        actions = list(
            ModelLogEntry.objects.for_instance(question)
            .order_by("timestamp", "pk")
            .values_list("action", flat=True)
        )
        self.assertEqual(
            actions,
            [
                "dangjian.experts.submit",
                "dangjian.experts.route",
                "dangjian.experts.answer",
                "dangjian.experts.rate",
            ],
        )
