"""Rosters built in code: valid ID numbers and files in every format."""

from __future__ import annotations

import datetime as dt
import io

from stdnum.cn import ric

from dangjian.members.importer import COLUMNS


def id_number(serial: int, born: dt.date = dt.date(1985, 3, 12), region="150121"):
    body = f"{region}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def row(name: str, serial: int, branch: str, **overrides) -> dict:
    born = overrides.pop("born", dt.date(1985, 3, 12))
    values = {
        "姓名": name,
        "性别": "男" if serial % 2 else "女",
        "民族": "汉族",
        "出生日期": born.isoformat(),
        "身份证号": id_number(serial, born),
        "手机号": f"139{serial:08d}",
        "学历": "大学本科",
        "入党日期": "2010-07-01",
        "转正日期": "2011-07-01",
        "党员类别": "正式党员",
        "所在党组织": branch,
        "职务": "科员",
    }
    values.update(overrides)
    return values


def csv_bytes(rows: list[dict], encoding: str = "utf-8") -> bytes:
    lines = [",".join(COLUMNS)]
    for r in rows:
        lines.append(",".join(str(r.get(c, "")) for c in COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append([r.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
