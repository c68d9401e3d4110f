"""Reading question files: JSONL (the shared data schema), CSV (UTF-8 or GBK), Excel.

Every format becomes the same list of ``Row``; ``validate_rows`` checks
them all and reports every defect, so an import either lands whole or
lands nothing (``dangjian.quiz.actions.check_import_questions``).

The CSV/Excel template has one question per row with these columns
(``TEMPLATE_COLUMNS``)::

    编号 | 题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 分类 | 标签 | 难度 | 出处

* 题型: 单选 / 多选 / 判断 / 填空 (or single, multiple, judge, fill).
* 答案: letters for choice questions (``B``, ``ACD``); 正确/错误 (对/错, √/×)
  for true/false; for fill-in, blanks separated by ``|`` and accepted
  alternatives of one blank by ``/`` (``中国共产党领导/党的领导|人民``).
* 标签: separated by ``,`` ``，`` or ``、``; 难度: 易/中/难 or 1–3.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from dangjian.quiz.grading import dedup_key
from dangjian.quiz.models import JUDGE_OPTIONS, QuestionType

OPTION_LETTERS = "ABCDEFGH"
TEMPLATE_COLUMNS = (
    ["编号", "题型", "题干"]
    + [f"选项{letter}" for letter in OPTION_LETTERS]
    + ["答案", "解析", "分类", "标签", "难度", "出处"]
)
MAX_ROWS = 50_000

TYPE_NAMES = {
    "single": QuestionType.SINGLE,
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "multiple": QuestionType.MULTIPLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "judge": QuestionType.JUDGE,
    "判断": QuestionType.JUDGE,
    "判断题": QuestionType.JUDGE,
    "fill": QuestionType.FILL,
    "填空": QuestionType.FILL,
    "填空题": QuestionType.FILL,
}
JUDGE_WORDS = {
    "正确": 0,
    "对": 0,
    "是": 0,
    "√": 0,
    "true": 0,
    "t": 0,
    "错误": 1,
    "错": 1,
    "否": 1,
    "×": 1,
    "x": 1,
    "false": 1,
    "f": 1,
}
DIFFICULTY_WORDS = {"易": 1, "简单": 1, "中": 2, "中等": 2, "难": 3, "困难": 3}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, emptiness)."""


@dataclass
class Row:
    line: int
    type: str = ""
    stem: str = ""
    options: list[str] = field(default_factory=list)
    answer: list = field(default_factory=list)
    explanation: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    difficulty: int = 2
    source: str = ""
    external_id: str | None = None
    quality_flags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    raw_answer: str = ""
    raw_answer_text: list[str] = field(default_factory=list)
    key: str = ""


def read_file(name: str, data: bytes) -> list[Row]:
    """Parses an uploaded or local file by its extension (or content)."""
    if not data or not data.strip():
        raise ImportFileError("文件为空")
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _rows_from_table(_read_xlsx(data))
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _read_jsonl(_decode(data))
    if suffix in (".csv", ".txt", ""):
        text = _decode(data)
        if text.lstrip().startswith("{"):
            return _read_jsonl(text)
        return _rows_from_table(list(csv.reader(io.StringIO(text))))
    raise ImportFileError(f"不支持的文件类型：{suffix}（请上传 .xlsx、.csv 或 .jsonl）")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK")


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportFileError(f"无法读取 Excel 文件：{exc}") from exc
    sheet = book.worksheets[0]
    return [
        ["" if v is None else str(v) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def _read_jsonl(text: str) -> list[Row]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"一次最多导入 {MAX_ROWS} 道题")
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(Row(line=number, errors=[f"不是有效的 JSON：{exc.msg}"]))
            continue
        if not isinstance(item, dict):
            rows.append(Row(line=number, errors=["每行应为一个 JSON 对象"]))
            continue
        rows.append(_row_from_json(number, item))
    if not rows:
        raise ImportFileError("文件中没有试题")
    return rows


def _as_str_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _row_from_json(number: int, item: dict) -> Row:
    tags = _as_str_list(item.get("tags"))
    source = item.get("source")
    if isinstance(source, dict):
        source = item.get("collection") or source.get("repo") or ""
    row = Row(
        line=number,
        type=str(item.get("type") or ""),
        stem=str(item.get("stem") or ""),
        options=_as_str_list(item.get("options")),
        explanation=str(item.get("explanation") or ""),
        category=str(item.get("category") or ""),
        tags=tags,
        source=str(source or "")[:200],
        external_id=str(item["id"])[:64] if item.get("id") not in (None, "") else None,
        quality_flags=_as_str_list(item.get("quality_flags")),
        raw_answer=str(item.get("answer") or ""),
        raw_answer_text=_as_str_list(item.get("answer_text")),
    )
    row.difficulty = _difficulty(row, item.get("difficulty"))
    alternatives = item.get("alternatives")
    if row.type == QuestionType.FILL and isinstance(alternatives, list):
        row.raw_answer_text = []
        row.answer = [_as_str_list(a) for a in alternatives]
    return row


def _rows_from_table(table: list[list]) -> list[Row]:
    table = [r for r in table if any(str(c).strip() for c in r)]
    if not table:
        raise ImportFileError("文件为空")
    header = [str(c).strip() for c in table[0]]
    for required in ("题型", "题干", "答案"):
        if required not in header:
            raise ImportFileError(
                f"表头缺少“{required}”列；请使用模板：{'、'.join(TEMPLATE_COLUMNS)}"
            )
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"一次最多导入 {MAX_ROWS} 道题")
    if len(table) == 1:
        raise ImportFileError("文件中没有试题")
    index = {name: i for i, name in enumerate(header)}

    def cell(values, name):
        i = index.get(name)
        return str(values[i]).strip() if i is not None and i < len(values) else ""

    rows = []
    for number, values in enumerate(table[1:], start=2):
        options = [cell(values, f"选项{letter}") for letter in OPTION_LETTERS]
        while options and not options[-1]:
            options.pop()
        tags = [
            t.strip()
            for t in cell(values, "标签")
            .replace("，", ",")
            .replace("、", ",")
            .split(",")
            if t.strip()
        ]
        row = Row(
            line=number,
            type=cell(values, "题型"),
            stem=cell(values, "题干"),
            options=options,
            explanation=cell(values, "解析"),
            category=cell(values, "分类"),
            tags=tags,
            source=cell(values, "出处")[:200],
            external_id=cell(values, "编号")[:64] or None,
            raw_answer=cell(values, "答案"),
        )
        row.difficulty = _difficulty(row, cell(values, "难度"))
        if row.type and TYPE_NAMES.get(row.type.strip().lower()) == QuestionType.FILL:
            row.answer = [
                [alt.strip() for alt in blank.split("/") if alt.strip()]
                for blank in row.raw_answer.split("|")
            ]
        rows.append(row)
    return rows


def _difficulty(row: Row, value) -> int:
    if value in (None, ""):
        return 2
    text = str(value).strip()
    if text in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[text]
    if text in ("1", "2", "3"):
        return int(text)
    row.errors.append(f"难度“{text}”无效（应为 易/中/难 或 1–3）")
    return 2


def default_category(tags: list[str]) -> str:
    if "二十大" in tags:
        return "二十大"
    if "party_theory" in tags:
        return "党的理论"
    return "综合知识"


def validate_rows(rows: list[Row], *, category: str = "") -> None:
    """Normalises each row in place and records its defects in ``row.errors``."""
    for row in rows:
        if row.errors and not row.stem:
            continue
        qtype = TYPE_NAMES.get(row.type.strip().lower()) if row.type else None
        if qtype is None:
            row.errors.append(f"题型“{row.type}”无效（应为 单选/多选/判断/填空）")
            continue
        row.type = qtype
        row.stem = row.stem.strip()
        if not row.stem:
            row.errors.append("题干为空")
        if len(row.stem) > 2000:
            row.errors.append("题干超过 2000 字")
        row.options = [o.strip() for o in row.options]
        row.category = (category or row.category or default_category(row.tags))[:50]
        if qtype == QuestionType.JUDGE:
            _judge(row)
        elif qtype == QuestionType.FILL:
            _fill(row)
        else:
            _choice(row, qtype)
        if not row.errors:
            row.key = dedup_key(row.stem, row.options)


def _choice(row: Row, qtype: str) -> None:
    if len(row.options) < 2:
        row.errors.append("选择题至少需要两个选项")
        return
    if any(not o for o in row.options):
        row.errors.append("选项中有空白项")
    if len(row.options) > len(OPTION_LETTERS):
        row.errors.append("选项不能多于 8 个")
    letters = row.raw_answer.replace(" ", "").replace(",", "").replace("，", "").upper()
    if not letters or not letters.isalpha():
        row.errors.append(f"答案“{row.raw_answer}”无效（应为选项字母，如 B 或 ACD）")
        return
    indexes = sorted({ord(ch) - 65 for ch in letters})
    if any(i < 0 or i >= len(row.options) for i in indexes):
        row.errors.append(f"答案“{row.raw_answer}”超出选项范围")
        return
    if qtype == QuestionType.SINGLE and len(indexes) != 1:
        row.errors.append("单选题只能有一个正确答案")
        return
    if row.raw_answer_text and [row.options[i] for i in indexes] != [
        t.strip() for t in row.raw_answer_text
    ]:
        row.errors.append("答案字母与 answer_text 不一致")
        return
    row.answer = indexes


def _judge(row: Row) -> None:
    word = row.raw_answer.strip().lower()
    if word in ("a", "b") and row.options:
        index = ord(word.upper()) - 65
        word = row.options[index] if index < len(row.options) else ""
    if word not in JUDGE_WORDS:
        row.errors.append(f"判断题答案“{row.raw_answer}”无效（应为 正确/错误）")
        return
    row.options = list(JUDGE_OPTIONS)
    row.answer = [JUDGE_WORDS[word]]


def _fill(row: Row) -> None:
    if not row.answer:
        texts = [t.strip() for t in row.raw_answer_text if t.strip()]
        if not texts and row.raw_answer.strip():
            texts = [row.raw_answer.strip()]
        row.answer = [[t] for t in texts]
    row.answer = [[a.strip() for a in alts if a.strip()] for alts in row.answer]
    if not row.answer or any(not alts for alts in row.answer):
        row.errors.append("填空题缺少答案")
    row.options = []
