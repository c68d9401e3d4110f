"""Entries written out in the import template, so an export can be edited and re-imported."""

from __future__ import annotations

import csv
import io
import json

from dangjian.kb.importer import COLUMNS, EXPORT_HEADINGS
from dangjian.lib.excel import xlsx_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}


def entry_row(entry) -> list[str]:
    values = []
    for field in COLUMNS:
        value = entry.owner.name if field == "owner" else getattr(entry, field)
        values.append("" if value is None else str(value))
    return values


def export_bytes(entries, fmt: str) -> bytes:
    """The entries as a file of the import template's columns.

    CSV is UTF-8 with a BOM so that Excel opens it with the right encoding.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = [entry_row(e) for e in entries]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_HEADINGS)
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "jsonl":
        return "".join(
            json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False) + "\n"
            for row in rows
        ).encode("utf-8")
    return xlsx_bytes("知识条目", EXPORT_HEADINGS, rows)
