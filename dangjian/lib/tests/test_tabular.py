"""The one tabular reader (dangjian.lib.tabular) and the importers that use it."""

from __future__ import annotations

import io
import time
import zipfile

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from dangjian.kb.actions import import_file
from dangjian.kb.models import Entry
from dangjian.lib.excel import ExcelWriter, xlsx_bytes
from dangjian.lib.tabular import Limits, TabularError, read_table
from dangjian.quiz.importing import TEMPLATE_COLUMNS, ImportFileError, read_file
from dangjian.test import BaseTestCase

KB_HEAD = "外部编号,事项名称,答复口径,责任单位\n"


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def claiming_the_whole_sheet(data: bytes) -> bytes:
    """The workbook with its range declared as A1:XFD1048576 and one cell in
    the sheet's very last row and column, as an attacker crafts it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = content.decode()
                text = text.replace(
                    "<sheetData>",
                    '<dimension ref="A1:XFD1048576"/><sheetData>',
                    1,
                ).replace(
                    "</sheetData>",
                    '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                    "<is><t>x</t></is></c></row></sheetData>",
                )
                content = text.encode()
            target.writestr(info.filename, content)
    return out.getvalue()


class TabularReaderTestCase(SimpleTestCase):
    def test_it_refuses_an_xlsx_claiming_the_whole_sheet_within_two_seconds(self):
        data = claiming_the_whole_sheet(
            xlsx([["题型", "题干", "答案"], ["判断", "一加一等于二", "正确"]])
        )
        self.assertLess(len(data), 8192)
        started = time.monotonic()
        with self.assertRaisesMessage(TabularError, "行数过多"):
            list(read_table("crafted.xlsx", data))
        with self.assertRaisesMessage(ImportFileError, "行数过多"):
            read_file("crafted.xlsx", data)
        self.assertLess(time.monotonic() - started, 2)

    def test_it_streams_rows_and_stops_at_the_row_limit(self):
        data = xlsx([["a", "b"]] + [[i, "x"] for i in range(5000)])
        seen = []
        with self.assertRaisesMessage(TabularError, "行数过多（超过 100 行）"):
            for record in read_table("big.xlsx", data, limits=Limits(max_rows=100)):
                seen.append(record.line)
        # The 101st data row is never handed out: the refusal comes as soon
        # as the limit is passed, not after reading the whole file.
        self.assertEqual(seen, list(range(2, 102)))

    def test_it_checks_the_header_before_reading_any_row(self):
        def header(headings):
            if "题干" not in headings:
                raise TabularError("表头缺少“题干”列")

        # Row 3 could not even be parsed; the header is refused first.
        data = ("编号,问题\n1,x\n2," + "长" * 200_000 + "\n").encode()
        with self.assertRaisesMessage(TabularError, "表头缺少“题干”列"):
            next(read_table("q.csv", data, check_header=header))

    def test_it_reads_a_gbk_csv(self):
        data = "名称,答复\n公积金提取,持合同办理\n".encode("gbk")
        (record,) = read_table("a.csv", data)
        self.assertEqual(record.values, {"名称": "公积金提取", "答复": "持合同办理"})

    def test_it_reads_a_utf8_csv_with_a_bom(self):
        data = "\ufeff名称,答复\n公积金提取,持合同办理\n".encode()
        (record,) = read_table("a.csv", data)
        self.assertEqual(record.values["名称"], "公积金提取")

    def test_a_cell_over_the_csv_modules_limit_is_a_chinese_error(self):
        data = ("名称,答复\n短,短\n长," + "长" * 200_000 + "\n").encode()
        with self.assertRaisesMessage(TabularError, "第 3 行无法读取：单元格过长"):
            list(read_table("a.csv", data))

    def test_a_long_cell_is_reported_with_its_row_and_column(self):
        data = ("名称,答复\n短," + "长" * 40_000 + "\n").encode()
        (record,) = read_table("a.csv", data)
        self.assertEqual(record.line, 2)
        self.assertEqual(record.errors, ["“答复”列超过 32767 个字符"])

    def test_a_nul_in_a_cell_is_reported_with_its_row_and_column(self):
        data = "名称,答复\n好,好\n坏,a\x00b\n".encode()
        records = list(read_table("a.csv", data))
        self.assertEqual(records[0].errors, [])
        self.assertEqual(records[1].line, 3)
        self.assertIn("“答复”列含有不可见的控制字符（如 NUL）", records[1].errors[0])
        line = '{"题干": "a\\u0000b"}\n'.encode()
        (record,) = read_table("q.jsonl", line)
        self.assertIn("“题干”列含有不可见的控制字符", record.errors[0])

    def test_a_file_that_is_not_an_xlsx_says_so_in_chinese(self):
        for data in (b"PK\x03\x04 broken", b"\xd0\xcf\x11\xe0 an old .xls"):
            with self.assertRaisesMessage(
                TabularError, "不是有效的 Excel（.xlsx）文件"
            ):
                list(read_table("a.xlsx", data))
            with self.assertRaisesMessage(ImportFileError, "无法按 zip 格式打开"):
                read_file("a.xlsx", data)

    def test_a_quiz_file_with_a_nul_is_reported_on_its_row(self):
        header = ",".join(TEMPLATE_COLUMNS)
        row = ",判断,一加一等于二\x00,,,,,,,,,正确,,,,,"
        rows = read_file("q.csv", f"{header}\n{row}\n".encode())
        self.assertEqual(rows[0].line, 2)
        self.assertIn("“题干”列含有不可见的控制字符", rows[0].errors[0])


class ExcelWriterTestCase(SimpleTestCase):
    def test_text_that_looks_like_a_formula_stays_text(self):
        from openpyxl import load_workbook

        data = xlsx_bytes("名单", ["姓名"], [['=HYPERLINK("http://x")'], ["a\x00b"]])
        sheet = load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet["A2"].data_type, "s")
        self.assertEqual(sheet["A2"].value, '=HYPERLINK("http://x")')
        self.assertEqual(sheet["A3"].value, "ab")

    def test_several_sheets_with_a_title_line(self):
        from openpyxl import load_workbook

        writer = ExcelWriter()
        writer.sheet("一", ["甲", "乙"], title_line="标题").append([1, "x"])
        writer.sheet("二/三", ["丙"]).append([2])
        book = load_workbook(io.BytesIO(writer.to_bytes()))
        self.assertEqual(book.sheetnames, ["一", "二 三"])
        self.assertEqual(
            [list(r) for r in book["一"].iter_rows(values_only=True)],
            [["标题", None], ["甲", "乙"], [1, "x"]],
        )


class ImporterLimitsTestCase(BaseTestCase):
    def test_a_knowledge_file_with_a_huge_cell_is_refused_in_chinese(self):
        data = (KB_HEAD + "k1,事项," + "长" * 200_000 + ",市委宣传部\n").encode()
        with self.assertRaisesMessage(ValidationError, "第 2 行无法读取"):
            import_file("a.csv", data, user=self.admin)
        self.assertFalse(Entry.objects.exists())

    def test_a_knowledge_file_with_a_nul_lists_the_row_and_lands_nothing(self):
        data = (
            KB_HEAD + "k1,事项一,答复,市委宣传部\nk2,事项二,答\x00复,市委宣传部\n"
        ).encode()
        with self.assertRaises(ValidationError) as caught:
            import_file("a.csv", data, user=self.admin)
        self.assertEqual(
            caught.exception.messages,
            ["第 3 行：“答复口径”列含有不可见的控制字符（如 NUL），请删除后重新导入"],
        )
        self.assertFalse(Entry.objects.exists())

    def test_a_crafted_knowledge_xlsx_is_refused_quickly(self):
        data = claiming_the_whole_sheet(
            xlsx([["事项名称", "答复口径", "责任单位"], ["事项", "答复", "市委宣传部"]])
        )
        started = time.monotonic()
        with self.assertRaisesMessage(ValidationError, "行数过多"):
            import_file("crafted.xlsx", data, user=self.admin)
        self.assertLess(time.monotonic() - started, 2)
