import datetime as dt
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from dangjian.study import actions
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class ArchiveTestCase(StudyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        actions.do_record_past_study(cls.member, cls.article, seconds=300, at=now)
        actions.check_write_note(
            cls.member, "学习体会", "要把学习成果转化为推动工作的实际成效。"
        )
        session = actions.do_create_session(
            acting_user=cls.secretary,
            title="读书分享会：二十大报告",
            type="reading",
            organisation=cls.branch_a1,
            organiser=cls.secretary,
            starts_at=now - dt.timedelta(minutes=10),
            ends_at=now + dt.timedelta(minutes=50),
        )
        actions.check_check_in_with_code(cls.member, session.checkin_code)

    def setUp(self):
        self.client.login(username="member", password=PASSWORD)

    def test_the_archive_page_shows_everything_of_the_period(self):
        response = self.client.get(reverse("study:archive"))
        self.assertContains(response, "张党员的学习档案")
        self.assertContains(response, "学习二十大报告")
        self.assertContains(response, "读书分享会：二十大报告")
        self.assertContains(response, "要把学习成果转化为推动工作的实际成效。")
        # 1 (article) + 5 (session) + 2 (note)
        self.assertContains(response, '<b id="archive-points">8</b>', html=False)
        self.assertContains(response, "二十大精神学习计划")

    def test_an_earlier_period_is_empty_and_a_bad_period_is_explained(self):
        response = self.client.get(
            reverse("study:archive") + "?start=2020-01-01&end=2020-12-31"
        )
        self.assertContains(response, "期间内没有学习记录")
        response = self.client.get(reverse("study:archive") + "?start=2020-13-01")
        self.assertContains(response, "日期格式应为 YYYY-MM-DD")

    def test_the_pdf_opens_with_its_content(self):
        response = self.client.get(reverse("study:archive-pdf"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(BytesIO(response.content))
        text = "".join(page.extract_text() for page in reader.pages)
        for expected in (
            "张党员",
            "学习档案",
            "学习二十大报告",
            "读书分享会",
            "学习体会",
        ):
            self.assertIn(expected, text)

    def test_the_workbook_opens_with_its_content(self):
        response = self.client.get(reverse("study:archive-xlsx"))
        workbook = load_workbook(BytesIO(response.content))
        self.assertIn("学习资料", workbook.sheetnames)
        summary = dict(
            row[:2] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)
        )
        self.assertEqual(summary["姓名"], "张党员")
        self.assertEqual(summary["期间积分"], "8")
        studied = list(workbook["学习资料"].iter_rows(values_only=True))
        self.assertEqual(studied[1][0], "学习二十大报告")
        notes = list(workbook["心得体会"].iter_rows(values_only=True))
        self.assertEqual(notes[1][1], "学习体会")

    def test_only_the_person_and_their_managers_read_an_archive(self):
        url = reverse("study:archive-person", args=[self.member.pk])
        self.client.login(username="sibling", password=PASSWORD)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(url + "pdf/").status_code, 403)
        self.client.login(username="editor_b", password=PASSWORD)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.login(username="secretary", password=PASSWORD)
        self.assertContains(self.client.get(url), "张党员的学习档案")

    def test_a_short_note_is_refused(self):
        response = self.client.post(
            reverse("study:note-add"), {"title": "短", "body": "太短"}, follow=True
        )
        self.assertContains(response, "至少 10 个字")

    def test_the_exports_carry_quiz_results_and_point_corrections(self):
        from dangjian.quiz.models import Attempt, Mode, PaperTemplate
        from dangjian.study.models import PointRule

        template = PaperTemplate.objects.create(
            name="二十大知识每日答题", slug="daily-20", mode=Mode.DAILY, owner=self.city
        )
        Attempt.objects.create(
            person=self.member,
            template=template,
            mode=Mode.DAILY,
            status=Attempt.Status.SUBMITTED,
            seed=1,
            score=8,
            max_score=10,
            submitted_at=timezone.now(),
        )
        actions.check_add_point_correction(
            self.member,
            PointRule.objects.get(kind="session_attended"),
            2,
            "补记支部学习",
            acting_user=self.secretary,
        )
        response = self.client.get(reverse("study:archive-pdf"))
        reader = PdfReader(BytesIO(response.content))
        text = "".join(page.extract_text() for page in reader.pages)
        self.assertIn("二十大知识每日答题", text)
        self.assertIn("80.0%", text)
        self.assertIn("补记支部学习", text)
        workbook = load_workbook(
            BytesIO(self.client.get(reverse("study:archive-xlsx")).content)
        )
        quiz = list(workbook["答题"].iter_rows(values_only=True))
        self.assertEqual(quiz[1][0], "二十大知识每日答题")
        self.assertEqual(quiz[1][2], 8)
        ledger = list(workbook["积分"].iter_rows(values_only=True))
        self.assertIn(("更正：补记支部学习", 2), [(row[2], row[3]) for row in ledger])
        summary = dict(
            row[:2] for row in workbook["概况"].iter_rows(min_row=2, values_only=True)
        )
        self.assertEqual(summary["期间积分"], "10")
        self.assertEqual(summary["答题平均得分率"], "80.0%")
