"""Every figure as an Excel workbook (openpyxl), from the same rows as the page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, columns: list[tuple[str, str]], rows: list[dict]) -> bytes:
    """One sheet: a title line, a header of column labels, one line per row."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for _key, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(key) for key, _label in columns])
    for index, (_key, label) in enumerate(columns, start=1):
        letter = sheet.cell(row=2, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(label) * 2 + 2)
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
