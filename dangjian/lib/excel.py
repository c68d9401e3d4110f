"""One Excel writer for every export (openpyxl in write-only mode).

Rows are streamed to the file rather than kept as cells in memory, and what
people typed is always written as text: a name such as ``=HYPERLINK(...)``
stays a string and never becomes a formula, and characters that XML cannot
hold (NUL and other control characters) are dropped instead of failing the
export.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
PLAIN_TYPES = (int, float, decimal.Decimal, datetime.date, datetime.time, bool)


class Sheet:
    def __init__(self, sheet: Any) -> None:
        # An openpyxl write-only worksheet (openpyxl ships no types).
        self._sheet = sheet

    def _cell(self, value: object, font: Font | None = None) -> Any:
        if value is None or isinstance(value, PLAIN_TYPES):
            cell = WriteOnlyCell(self._sheet, value=value)
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell = WriteOnlyCell(self._sheet, value=text)
            # Text, always: "=…" typed by a person must not become a formula.
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        return cell

    def append(self, values: Iterable[object] = ()) -> None:
        self._sheet.append([self._cell(v) for v in values])

    def heading(self, values: Iterable[object], *, size: int | None = None) -> None:
        """A bold line (column labels, or a title when ``size`` is given)."""
        font = Font(bold=True, size=size) if size else Font(bold=True)
        self._sheet.append([self._cell(v, font) for v in values])

    def extend(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.append(row)


class ExcelWriter:
    """``writer = ExcelWriter(); sheet = writer.sheet("成绩", columns); sheet.append(row)``.

    Column widths and frozen header rows are set when the sheet is created,
    as a write-only workbook requires.
    """

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)

    def sheet(
        self,
        title: str,
        columns: Sequence[str] | None = None,
        *,
        title_line: str | None = None,
        widths: Sequence[float] | float | None = None,
    ) -> Sheet:
        raw = self._book.create_sheet(
            (title.translate(TITLE_FORBIDDEN) or "Sheet")[:31]
        )
        count = len(columns) if columns else 0
        if widths is not None:
            if isinstance(widths, (int, float)):
                widths = [widths] * max(count, 1)
            for index, width in enumerate(widths, start=1):
                raw.column_dimensions[get_column_letter(index)].width = width
        elif columns:
            for index, label in enumerate(columns, start=1):
                raw.column_dimensions[get_column_letter(index)].width = max(
                    10, len(str(label)) * 2 + 2
                )
        header_rows = (1 if title_line else 0) + (1 if columns else 0)
        if header_rows and columns:
            raw.freeze_panes = f"A{header_rows + 1}"
        sheet = Sheet(raw)
        if title_line:
            sheet.heading([title_line], size=13)
        if columns:
            sheet.heading(columns)
        return sheet

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Iterable[object]],
    *,
    title_line: str | None = None,
) -> bytes:
    """A one-sheet workbook: an optional bold title line, the labels, the rows."""
    writer = ExcelWriter()
    writer.sheet(title, columns, title_line=title_line).extend(rows)
    return writer.to_bytes()
