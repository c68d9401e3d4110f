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

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dangjian.lib.tabular import Limits, Record, TabularError, file_kind, read_table
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


# File-level problems (format, encoding, emptiness, limits) come from the
# one tabular reader with a message for the person.
ImportFileError = TabularError


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
    provenance: str = ""
    external_id: str | None = None
    quality_flags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    raw_answer: str = ""
    raw_answer_text: list[str] = field(default_factory=list)
    key: str = ""


def _check_header(headings: list[str]) -> None:
    for required in ("题型", "题干", "答案"):
        if required not in headings:
            raise ImportFileError(
                _("表头缺少“%(column)s”列；请使用模板：%(columns)s")
                % {"column": required, "columns": "、".join(TEMPLATE_COLUMNS)}
            )


def read_file(name: str, data: bytes) -> list[Row]:
    """Parses an uploaded or local file by its extension (or content).

    The header is checked before any row is read, and reading stops at the
    size and row limits (``dangjian.lib.tabular``).
    """
    kind = file_kind(name, bare="csv")
    if kind == "csv" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        kind = "jsonl"
    records = read_table(
        name,
        data,
        kind=kind,
        check_header=_check_header,
        limits=Limits(max_rows=MAX_ROWS),
    )
    if kind == "jsonl":
        rows = [_row_from_record(record) for record in records]
    else:
        rows = [_row_from_cells(record) for record in records]
    if not rows:
        raise ImportFileError(_("文件中没有试题"))
    return rows


def _row_from_record(record: Record) -> Row:
    if record.errors and not record.values:
        return Row(line=record.line, errors=record.errors)
    row = _row_from_json(record.line, record.values)
    row.errors = record.errors + row.errors
    return row


def _as_str_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


CITATION = re.compile(r"[（(]?\s*来源[：:]\s*(?P<source>.+?)\s*$", re.S)


def split_citation(stem: str) -> tuple[str, str]:
    """Separates a trailing "来源：…" citation from a stem: (stem, source)."""
    match = CITATION.search(stem)
    if match is None or match.start() == 0:
        return stem, ""
    source = match.group("source")
    if match.group(0).startswith(("（", "(")) and source.endswith(("）", ")")):
        source = source[:-1]
    return stem[: match.start()].rstrip(), source.strip()


def _row_from_json(number: int, item: dict) -> Row:
    tags = _as_str_list(item.get("tags"))
    source = item.get("source")
    provenance = str(item.get("provenance") or "")
    if isinstance(source, dict):
        # A data set's record: its repository is internal provenance; the
        # collection it reprints (a published question book) is the source.
        provenance = provenance or str(source.get("repo") or "")
        source = item.get("collection") or ""
        if source and item.get("publisher"):
            source = f"{source}（{item['publisher']}）"
    row = Row(
        line=number,
        type=str(item.get("type") or ""),
        stem=str(item.get("stem") or ""),
        options=_as_str_list(item.get("options")),
        explanation=str(item.get("explanation") or ""),
        category=str(item.get("category") or ""),
        tags=tags,
        source=str(source or "")[:200],
        provenance=provenance[:200],
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


def _row_from_cells(record: Record) -> Row:
    def cell(name):
        value = record.values.get(name)
        return "" if value is None else str(value).strip()

    options = [cell(f"选项{letter}") for letter in OPTION_LETTERS]
    while options and not options[-1]:
        options.pop()
    tags = [
        t.strip()
        for t in cell("标签").replace("，", ",").replace("、", ",").split(",")
        if t.strip()
    ]
    row = Row(
        line=record.line,
        type=cell("题型"),
        stem=cell("题干"),
        options=options,
        explanation=cell("解析"),
        category=cell("分类"),
        tags=tags,
        source=cell("出处")[:200],
        external_id=cell("编号")[:64] or None,
        raw_answer=cell("答案"),
        errors=list(record.errors),
    )
    row.difficulty = _difficulty(row, cell("难度"))
    if row.type and TYPE_NAMES.get(row.type.strip().lower()) == QuestionType.FILL:
        row.answer = [
            [alt.strip() for alt in blank.split("/") if alt.strip()]
            for blank in row.raw_answer.split("|")
        ]
    return row


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
        row.stem, cited = split_citation(row.stem.strip())
        if cited:
            row.source = cited[:200]
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
