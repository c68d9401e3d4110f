"""Reading knowledge-entry files: CSV (UTF-8 or GBK), Excel .xlsx, JSONL.

`read_rows` turns a file into dictionaries keyed by field name (through the
one tabular reader, ``dangjian.lib.tabular``); `check_import_entries` (in
actions) validates all of them and reports every bad row at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.lib.tabular import Limits, TabularError, read_table

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

# Column headings accepted, Chinese or English, mapped to Entry fields.
COLUMNS = {
    "external_id": ["外部编号", "编号", "external_id", "id"],
    "matter": ["事项名称", "事项", "标题", "matter", "title"],
    "question": ["群众问法", "问题", "question"],
    "answer": ["答复口径", "答复", "答案", "answer", "body"],
    "policy_basis": ["政策依据", "policy_basis"],
    "policy_links": ["政策链接", "链接", "policy_links"],
    "handling_unit": ["办理单位", "handling_unit"],
    "contact": ["联系方式", "联系电话", "contact"],
    "area": ["适用区域", "区域", "area"],
    "category": ["分类", "类别", "category", "question_type"],
    "keywords": ["关键词", "keywords"],
    "valid_from": ["生效日期", "valid_from"],
    "valid_until": ["失效日期", "valid_until"],
    "owner": ["责任单位", "所属单位", "owner", "department"],
}
HEADING_TO_FIELD = {h.lower(): f for f, headings in COLUMNS.items() for h in headings}
EXPORT_HEADINGS = [headings[0] for headings in COLUMNS.values()]


def _map_row(raw: dict) -> dict:
    row = {}
    for key, value in raw.items():
        if key is None:
            continue
        field = HEADING_TO_FIELD.get(str(key).strip().lower())
        if field is None:
            continue
        if isinstance(value, list):
            value = "，".join(str(v) for v in value)
        row[field] = "" if value is None else value
    return row


def _check_header(headings: list[str]) -> None:
    if not any(h.lower() in HEADING_TO_FIELD for h in headings):
        raise TabularError(_("第一行应为列名，例如：事项名称、答复口径、责任单位。"))


def read_rows(name: str, data: bytes) -> list[tuple[int, dict]]:
    """Returns (line or row number, fields) for each data row of the file.

    The file is read by ``dangjian.lib.tabular``: header first, streamed,
    stopped at the size and row limits. A bad cell (too long, control
    characters) or a bad JSONL line rejects the file with every such row listed.
    """
    limits = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    rows = []
    errors = []
    try:
        for record in read_table(name, data, check_header=_check_header, limits=limits):
            errors += [
                _("第 %(line)d 行：%(error)s") % {"line": record.line, "error": e}
                for e in record.errors
            ]
            if not record.errors:
                rows.append((record.line, _map_row(record.values)))
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("文件中没有数据行。"))
    return rows
