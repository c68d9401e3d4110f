"""One reader for every importer: CSV (UTF-8 or GBK), Excel .xlsx and JSONL.

Files come from people, so nothing the file says about itself is trusted:

* the header row is read and checked before any data row;
* rows are streamed, and reading stops as soon as the row limit is passed
  (an .xlsx is never loaded whole, and its declared range, which may say
  A1:XFD1048576 in a 1.6 KB file, is ignored: rows are read with a bounded
  number of columns);
* a cell longer than ``max_cell_chars``, a control character such as NUL in
  a cell, and a file that is not what its name says all give a Chinese
  message naming the row and column, never a server error.

``read_table`` yields ``Record(line, values, errors)``: ``values`` maps each
heading (CSV, Excel) or key (JSONL) to the cell; ``errors`` lists what is
wrong with that row (naming the column, not the line), so an importer can
report every bad row at once and land nothing. Problems with the file as a whole raise ``TabularError``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from dangjian.lib.text import CONTROL_CHARS

# Control characters other than tab, line feed and carriage return: NUL and
# its kind cannot be stored in PostgreSQL text and never belong in a cell.
CONTROL_CHARACTERS = CONTROL_CHARS  # one rule for the edge and the importers

XLSX_SUFFIXES = (".xlsx", ".xlsm")
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
CSV_SUFFIXES = (".csv", ".txt")


class TabularError(Exception):
    """The file as a whole cannot be read; the message is for the person."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    # What the parts of an .xlsx may expand to once unzipped (zip bombs).
    max_expanded_bytes: int = 200 * 1024 * 1024
    max_rows: int = 50_000
    max_columns: int = 100
    # Excel's own limit for one cell.
    max_cell_chars: int = 32_767


@dataclass
class Record:
    line: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)


HeaderCheck = Callable[[list[str]], None]


def file_kind(name: str, *, bare: str | None = None) -> str:
    """ "xlsx", "csv" or "jsonl" from the file's name; ``bare`` for no suffix."""
    suffix = Path(name).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == "" and bare:
        return bare
    raise TabularError(
        _("不支持的文件类型 %(suffix)s：请上传 CSV、XLSX 或 JSONL 文件。")
        % {"suffix": suffix or _("（无扩展名）")}
    )


def read_table(
    name: str,
    data: bytes,
    *,
    check_header: HeaderCheck | None = None,
    limits: Limits | None = None,
    kind: str | None = None,
) -> Iterator[Record]:
    """Streams the rows of a CSV, .xlsx or JSONL file (see the module docstring).

    ``check_header`` receives the headings of a CSV or Excel file before any
    row is read and raises ``TabularError`` when they are not the expected ones.
    """
    limits = limits or Limits()
    if not data or not data.strip():
        raise TabularError(_("文件为空。"))
    if len(data) > limits.max_bytes:
        raise TabularError(
            _("文件过大（超过 %(mb)d MB），请拆分后导入。")
            % {"mb": limits.max_bytes // (1024 * 1024)}
        )
    kind = kind or file_kind(name)
    if kind == "xlsx":
        return _read_xlsx(data, check_header, limits)
    if kind == "jsonl":
        return _read_jsonl(decode_text(data), limits)
    return _read_csv(decode_text(data), check_header, limits)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(_("无法识别文件编码：请保存为 UTF-8 或 GBK 编码。"))


def _too_many_rows(limits: Limits) -> TabularError:
    return TabularError(
        _("行数过多（超过 %(n)d 行），请拆分后导入。") % {"n": limits.max_rows}
    )


def _headings(
    values: Sequence[object], limits: Limits, check_header: HeaderCheck | None
) -> list[str]:
    headings = ["" if v is None else str(v).strip() for v in values]
    while headings and not headings[-1]:
        headings.pop()
    if len(headings) > limits.max_columns:
        raise TabularError(
            _("列数过多（超过 %(n)d 列）：请只保留模板中的列。")
            % {"n": limits.max_columns}
        )
    for heading in headings:
        if CONTROL_CHARACTERS.search(heading) or len(heading) > 200:
            raise TabularError(_("表头含有无效的列名，请使用导入模板。"))
    if check_header:
        check_header(headings)
    return headings


def _cell_errors(column: str, value: object, limits: Limits) -> list[str]:
    if not isinstance(value, str):
        return []
    errors = []
    if len(value) > limits.max_cell_chars:
        errors.append(
            _("“%(column)s”列超过 %(n)d 个字符")
            % {"column": column, "n": limits.max_cell_chars}
        )
    if CONTROL_CHARACTERS.search(value):
        errors.append(
            _("“%(column)s”列含有不可见的控制字符（如 NUL），请删除后重新导入")
            % {"column": column}
        )
    return errors


def _record(
    line: int, headings: list[str], values: Sequence[object], limits: Limits
) -> Record:
    record = Record(line=line, values={})
    for heading, value in zip(headings, values, strict=False):
        if not heading:
            continue
        record.errors += _cell_errors(heading, value, limits)
        record.values[heading] = value
    return record


def _is_empty(values: Sequence[object]) -> bool:
    if values.count(None) == len(values):  # the common case, at C speed
        return True
    return not any(v not in (None, "") and str(v).strip() for v in values)


# --- CSV ----------------------------------------------------------------------


def _read_csv(
    text: str, check_header: HeaderCheck | None, limits: Limits
) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text))
    headings = None
    rows = 0
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # The csv module refuses fields over 131,072 characters (and
            # other malformed input); the line it stopped at is all it says.
            raise TabularError(
                _(
                    "第 %(line)d 行无法读取：单元格过长（超过 131072 个字符）或格式有误。"
                )
                % {"line": reader.line_num}
            ) from None
        line, start = start, reader.line_num + 1
        if _is_empty(values):
            continue
        if headings is None:
            headings = _headings(values, limits, check_header)
            continue
        rows += 1
        if rows > limits.max_rows:
            raise _too_many_rows(limits)
        yield _record(line, headings, values, limits)
    if headings is None:
        raise TabularError(_("文件为空。"))


# --- Excel --------------------------------------------------------------------


def _open_xlsx(data: bytes, limits: Limits) -> tuple[Any, Any]:
    """The workbook and its first worksheet (openpyxl ships no types)."""
    from openpyxl import load_workbook

    not_xlsx = _(
        "文件不是有效的 Excel（.xlsx）文件，无法按 zip 格式打开；"
        "如果是旧的 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。"
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TabularError(not_xlsx) from None
    if expanded > limits.max_expanded_bytes:
        raise TabularError(_("Excel 文件解压后过大，请拆分后导入。"))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many types for broken files
        raise TabularError(
            _("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式。")
        ) from None
    return book, sheet


def _read_xlsx(
    data: bytes, check_header: HeaderCheck | None, limits: Limits
) -> Iterator[Record]:
    book, sheet = _open_xlsx(data, limits)
    # The declared range is the file's own claim; forget it, and bound the
    # columns explicitly, or openpyxl pads every row (and the gaps between
    # rows) out to the declared width.
    sheet.reset_dimensions()
    headings = None
    rows = 0
    try:
        stream = sheet.iter_rows(
            min_row=1, max_col=limits.max_columns + 1, values_only=True
        )
        for line, values in enumerate(stream, start=1):
            # Blank rows are skipped but still bounded: a gap of a million
            # empty rows before a last cell is refused, not walked through.
            if line > 2 * limits.max_rows + 1:
                raise _too_many_rows(limits)
            if _is_empty(values):
                continue
            if headings is None:
                headings = _headings(values, limits, check_header)
                continue
            rows += 1
            if rows > limits.max_rows:
                raise _too_many_rows(limits)
            yield _record(line, headings, values, limits)
    except TabularError:
        raise
    except Exception:
        raise TabularError(
            _("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式。")
        ) from None
    finally:
        book.close()
    if headings is None:
        raise TabularError(_("文件为空。"))


# --- JSONL --------------------------------------------------------------------


def _json_strings(value: object, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)


def _read_jsonl(text: str, limits: Limits) -> Iterator[Record]:
    rows = 0
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        rows += 1
        if rows > limits.max_rows:
            raise _too_many_rows(limits)
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Record(
                line,
                {},
                [_("不是有效的 JSON（%(reason)s）") % {"reason": exc.msg}],
            )
            continue
        except RecursionError:
            yield Record(line, {}, [_("JSON 嵌套过深")])
            continue
        if not isinstance(item, dict):
            yield Record(line, {}, [_("每行应为一个 JSON 对象")])
            continue
        record = Record(line, item)
        for key, value in _json_strings(item):
            record.errors += _cell_errors(key, value, limits)
        yield record
