"""A unit's roster as .xlsx: the import template's columns, the ID masked."""

from __future__ import annotations

from django.db.models import QuerySet

from dangjian.lib.excel import xlsx_bytes
from dangjian.members.models import MemberProfile

EXPORT_COLUMNS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "手机号",
    "学历",
    "入党日期",
    "转正日期",
    "党员类别",
    "所在党组织",
    "职务",
    "党籍状态",
    "账号已激活",
]


def roster_rows(profiles: QuerySet[MemberProfile]):
    for p in profiles.select_related("branch").order_by("branch__path", "name", "pk"):
        yield [
            p.name,
            p.sex,
            p.ethnicity,
            p.birth_date,
            p.id_masked,
            p.mobile,
            p.education,
            p.joined_on,
            p.full_member_on,
            p.category,
            p.branch.name,
            p.position,
            p.status,
            "是" if p.activated_at else "否",
        ]


def roster_xlsx(profiles: QuerySet[MemberProfile], *, title: str) -> bytes:
    return xlsx_bytes(
        "党员名册", EXPORT_COLUMNS, roster_rows(profiles), title_line=title
    )
