import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from dangjian.quiz.actions import check_import_questions
from dangjian.quiz.importing import TEMPLATE_COLUMNS, ImportFileError, read_file
from dangjian.quiz.models import Question
from dangjian.test import PASSWORD, BaseTestCase

HEADER = ",".join(TEMPLATE_COLUMNS)


def csv_row(qtype, stem, options, answer, explanation="", category="", qid=""):
    options = list(options) + [""] * (8 - len(options))
    return ",".join(
        [qid, qtype, stem, *options, answer, explanation, category, "", "", ""]
    )


GOOD = [
    csv_row(
        "单选",
        "中国共产党成立于（ ）年。",
        ["1921", "1919", "1927"],
        "A",
        "一大",
        "党史",
    ),
    csv_row(
        "多选", "“四个自信”包括（ ）。", ["道路自信", "理论自信", "历史自信"], "AB"
    ),
    csv_row("判断", "民主集中制是党的根本组织原则。", [], "正确"),
    csv_row("填空", "江山就是人民，人民就是____。", [], "江山/人民江山"),
]


class ImportTestCase(BaseTestCase):
    def run_import(self, name, data, **kw):
        rows = read_file(name, data)
        return check_import_questions(rows, owner=self.unit_a, **kw)

    def test_a_good_csv_lands_whole(self):
        report = self.run_import("q.csv", "\n".join([HEADER, *GOOD]).encode("utf-8"))
        self.assertEqual((report.ok, report.created), (True, 4))
        fill = Question.objects.get(type="fill")
        self.assertEqual(fill.answer, [["江山", "人民江山"]])
        judge = Question.objects.get(type="judge")
        self.assertEqual((judge.options, judge.answer), (["正确", "错误"], [0]))
        self.assertEqual(Question.objects.get(type="single").category, "党史")
        self.assertTrue(Question.objects.filter(status="draft").count() == 4)
        self.assertTrue(
            ModelLogEntry.objects.filter(action="dangjian.quiz.import").exists()
        )

    def test_gbk_csv_is_read(self):
        report = self.run_import("q.csv", "\n".join([HEADER, *GOOD]).encode("gbk"))
        self.assertEqual(report.created, 4)

    def test_one_broken_row_lands_nothing_and_every_bad_row_is_listed(self):
        rows = GOOD + [
            csv_row("单选", "选项太少（ ）", ["只有一个"], "A"),
            csv_row("问答", "未知题型", [], "x"),
            csv_row("多选", "答案越界（ ）", ["甲", "乙"], "AC"),
            csv_row("填空", "没有答案____", [], ""),
        ]
        report = self.run_import("q.csv", "\n".join([HEADER, *rows]).encode())
        self.assertFalse(report.ok)
        self.assertEqual([line for line, _ in report.errors], [6, 7, 8, 9])
        self.assertIn("选择题至少需要两个选项", report.errors[0][1])
        self.assertEqual(Question.objects.count(), 0)

    def test_duplicates_by_normalised_stem_are_skipped_and_reported(self):
        self.run_import("q.csv", "\n".join([HEADER, *GOOD]).encode())
        again = [
            # Same question with full-width punctuation and a different blank marker.
            csv_row("单选", "中国共产党成立于____年 。", ["1921", "1919", "1927"], "A"),
            csv_row("判断", "新题目，不重复。", [], "错误"),
            csv_row("判断", "新题目，不重复", [], "错误"),
        ]
        report = self.run_import("q.csv", "\n".join([HEADER, *again]).encode())
        self.assertEqual((report.created, report.skipped), (1, 2))
        self.assertIn("题库中已有相同题目", report.warnings[0][1])
        self.assertIn("与第 3 行题目重复", report.warnings[1][1])

    def test_excel_is_read(self):
        book = Workbook()
        sheet = book.active
        sheet.append(TEMPLATE_COLUMNS)
        sheet.append(
            [
                "x1",
                "单选",
                "题干（ ）",
                "甲",
                "乙",
                None,
                None,
                None,
                None,
                None,
                None,
                "B",
                "",
                "",
                "",
                "难",
                "",
            ]
        )
        buffer = io.BytesIO()
        book.save(buffer)
        report = self.run_import("q.xlsx", buffer.getvalue(), status="reviewed")
        self.assertEqual(report.created, 1)
        q = Question.objects.get()
        self.assertEqual(
            (q.answer, q.difficulty, q.external_id, q.status),
            ([1], 3, "x1", "reviewed"),
        )

    def test_jsonl_of_the_shared_schema_with_quality_flags(self):
        lines = [
            {
                "id": "t-1",
                "type": "single",
                "stem": "甲（ ）",
                "options": ["a", "b"],
                "answer": "B",
                "answer_text": ["b"],
                "tags": ["二十大"],
                "quality_flags": [],
            },
            {
                "id": "t-2",
                "type": "fill",
                "stem": "乙是 的",
                "options": [],
                "answer": "丙丁",
                "answer_text": ["丙丁"],
                "tags": [],
                "quality_flags": ["blank_marker_is_space"],
            },
            {
                "id": "t-3",
                "type": "judge",
                "stem": "丙",
                "options": ["正确", "错误"],
                "answer": "错误",
                "tags": ["party_theory"],
            },
        ]
        data = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
        report = self.run_import("q.jsonl", data, status="reviewed")
        self.assertEqual(report.created, 3)
        self.assertEqual(Question.objects.get(external_id="t-2").status, "draft")
        self.assertIn("blank_marker_is_space", report.warnings[0][1])
        self.assertEqual(Question.objects.get(external_id="t-1").category, "二十大")
        self.assertEqual(Question.objects.get(external_id="t-3").category, "党的理论")
        # Importing the same file again changes nothing.
        again = self.run_import("q.jsonl", data, status="reviewed")
        self.assertEqual((again.created, again.skipped), (0, 3))

    def test_bad_json_and_answer_text_mismatch_are_reported(self):
        data = b'{"id": "a", "type": "single", "stem": "x", "options": ["a","b"], "answer": "A", "answer_text": ["b"]}\n{oops\n'
        report = self.run_import("q.jsonl", data)
        self.assertEqual([line for line, _ in report.errors], [1, 2])

    def test_empty_and_unknown_files_are_refused(self):
        for name, data in (
            ("q.csv", b""),
            ("q.csv", b"  \n"),
            ("q.pdf", b"%PDF"),
            ("q.csv", b"a,b\n1,2"),
        ):
            with self.assertRaises(ImportFileError):
                read_file(name, data)


class ImportCommandTestCase(BaseTestCase):
    def test_command_imports_and_refuses_broken_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = Path(tmp) / "good.csv"
            good.write_text("\n".join([HEADER, *GOOD]), encoding="gbk")
            out = io.StringIO()
            call_command(
                "import_questions", str(good), "--owner", "市委宣传部", stdout=out
            )
            self.assertIn("新增 4 道", out.getvalue())
            bad = Path(tmp) / "bad.csv"
            bad.write_text(
                "\n".join([HEADER, csv_row("单选", "坏题", ["甲"], "A")]),
                encoding="utf-8",
            )
            with self.assertRaisesMessage(CommandError, "未导入任何试题"):
                call_command(
                    "import_questions",
                    str(bad),
                    "--owner",
                    "市委宣传部",
                    stdout=io.StringIO(),
                    stderr=io.StringIO(),
                )
        self.assertEqual(Question.objects.count(), 4)


class AdminImportTestCase(BaseTestCase):
    def test_editor_uploads_a_file_in_the_admin(self):
        self.client.login(username="editor", password=PASSWORD)
        upload = io.BytesIO("\n".join([HEADER, *GOOD]).encode("gbk"))
        upload.name = "questions.csv"
        r = self.client.post(
            "/admin/quiz/import/",
            {
                "file": upload,
                "owner": self.unit_a.pk,
                "status": "draft",
                "category": "",
            },
        )
        self.assertContains(r, "新增 4 道")
        self.assertEqual(Question.objects.filter(owner=self.unit_a).count(), 4)

    def test_editor_cannot_import_as_reviewed_nor_for_another_unit(self):
        self.client.login(username="editor", password=PASSWORD)
        upload = io.BytesIO("\n".join([HEADER, *GOOD]).encode())
        upload.name = "questions.csv"
        r = self.client.post(
            "/admin/quiz/import/",
            {"file": upload, "owner": self.unit_b.pk, "status": "reviewed"},
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "您没有审核试题的权限")
        self.assertEqual(Question.objects.count(), 0)

    def test_members_cannot_reach_the_import(self):
        self.client.login(username="member", password=PASSWORD)
        r = self.client.get("/admin/quiz/import/")
        self.assertIn(r.status_code, (302, 403))
