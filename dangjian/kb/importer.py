"""Reading knowledge-entry files: CSV (UTF-8 or GBK), Excel .xlsx, JSONL.

`read_rows` turns a file into dictionaries keyed by field name; `check_rows`
(in actions) validates all of them and reports every bad row at once.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from django.core.exceptions import ValidationError

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


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(
            "文件编码无法识别：请使用 UTF-8 或 GBK 编码的 CSV。"
        ) from None


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


def read_rows(name: str, data: bytes) -> list[tuple[int, dict]]:
    """Returns (line or row number, fields) for each data row of the file."""
    if not data:
        raise ValidationError("文件为空。")
    if len(data) > MAX_BYTES:
        raise ValidationError("文件过大（超过 20 MB），请拆分后导入。")
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        rows = _read_xlsx(data)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = _read_jsonl(data)
    elif suffix in (".csv", ".txt"):
        rows = _read_csv(data)
    else:
        raise ValidationError(
            "不支持的文件类型 %(s)s：请上传 CSV、XLSX 或 JSONL。",
            params={"s": suffix or "（无扩展名）"},
        )
    if not rows:
        raise ValidationError("文件中没有数据行。")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            "行数过多（超过 %(n)d 行），请拆分后导入。", params={"n": MAX_ROWS}
        )
    return rows


def _read_csv(data: bytes) -> list[tuple[int, dict]]:
    text = decode_text(data)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not any(
        (h or "").strip().lower() in HEADING_TO_FIELD for h in reader.fieldnames
    ):
        raise ValidationError("CSV 第一行应为列名，例如：事项名称,答复口径,责任单位。")
    return [
        (i + 2, _map_row(r))
        for i, r in enumerate(reader)
        if any((v or "").strip() for v in r.values() if isinstance(v, str))
    ]


def _read_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationError("无法读取 Excel 文件：请确认是 .xlsx 格式。") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headings = next(rows, None)
    if not headings or not any(
        str(h or "").strip().lower() in HEADING_TO_FIELD for h in headings
    ):
        raise ValidationError(
            "Excel 第一行应为列名，例如：事项名称、答复口径、责任单位。"
        )
    out = []
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        raw = {
            str(h).strip(): v
            for h, v in zip(headings, values, strict=False)
            if h is not None
        }
        out.append((number, _map_row(raw)))
    return out


def _read_jsonl(data: bytes) -> list[tuple[int, dict]]:
    text = decode_text(data)
    out = []
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"第 {number} 行：不是有效的 JSON（{exc.msg}）")
            continue
        if not isinstance(raw, dict):
            errors.append(f"第 {number} 行：应为 JSON 对象")
            continue
        out.append((number, _map_row(raw)))
    if errors:
        raise ValidationError(errors)
    return out
