"""Organisation life over JSON: the dues calculator, a person's own dues,
and 三会一课 compliance of the branches a person keeps.

Errors follow the API's contract (``dangjian.lib.api_errors``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.lib.api_errors import ApiError, errors
from dangjian.orglife import compliance, dues
from dangjian.orglife.models import DuesDeclaration
from dangjian.orglife.permissions import managed_branches
from dangjian.orgs.auth import member_auth

router = Router(tags=["组织生活"])


class QuoteQuery(Schema):
    base: str = Field("0", description="月收入基数（元），如 6000")
    kind: str = Field(description="党员类别：employed、retired、farmer、student …")


class QuoteOut(Schema):
    monthly: str = Field(description="每月党费（元，两位小数）")
    rate: str | None = Field(description="比例；固定金额的类别为 null")
    fixed_min: str | None = None
    fixed_max: str | None = None


@router.get("/dues/quote", response={200: QuoteOut, **errors(422)}, summary="党费测算")
def quote(request: HttpRequest, query: Query[QuoteQuery]) -> dict[str, Any]:
    try:
        kind = dues.parse_kind(query.kind)
        base = dues.parse_base(query.base)
        q = dues.quote(base, kind)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "；".join(exc.messages)) from None
    return {
        "monthly": str(q.monthly),
        "rate": None if q.rate is None else str(q.rate.normalize()),
        "fixed_min": None if q.fixed_min is None else str(q.fixed_min),
        "fixed_max": None if q.fixed_max is None else str(q.fixed_max),
    }


class MyDuesOut(Schema):
    year: int
    kind: str
    monthly: str
    confirmed: bool
    months_owed: list[str]
    owed: str


@router.get(
    "/dues/mine",
    response={200: list[MyDuesOut], **errors(401)},
    auth=member_auth,
    summary="本人党费与欠缴",
)
def my_dues(request: HttpRequest) -> list[dict[str, Any]]:
    declarations = DuesDeclaration.objects.filter(person_id=int(request.user.pk or 0))
    out = []
    for declaration in declarations.order_by("-year"):
        found = dues.arrears(DuesDeclaration.objects.filter(pk=declaration.pk))
        months = found[0].months if found else []
        out.append(
            {
                "year": declaration.year,
                "kind": declaration.get_kind_display(),
                "monthly": str(declaration.monthly),
                "confirmed": declaration.confirmed_at is not None,
                "months_owed": [f"{m:%Y-%m}" for m in months],
                "owed": str(dues.money(declaration.monthly * len(months))),
            }
        )
    return out


class ComplianceQuery(Schema):
    year: int = Field(0, description="年度，默认今年", ge=0, le=2100)


class CellOut(Schema):
    kind: str
    period_start: dt.date
    period_end: dt.date
    state: str
    held: int


class BranchOut(Schema):
    branch: int
    name: str
    status: str
    missing: int
    late: int
    due: int
    cells: list[CellOut]


@router.get(
    "/orglife/compliance",
    response={200: list[BranchOut], **errors(401, 403)},
    auth=member_auth,
    summary="三会一课落实情况（本人管理的党支部，落后的在前）",
)
def compliance_api(
    request: HttpRequest, query: Query[ComplianceQuery]
) -> list[dict[str, Any]]:
    branches = managed_branches(request.user)
    if not branches.exists():
        raise ApiError(403, "forbidden", _("您不是党支部书记或单位管理员"))
    year = query.year or timezone.localdate().year
    return [
        {
            "branch": b.branch_id,
            "name": b.name,
            "status": b.status_label,
            "missing": b.missing,
            "late": b.late,
            "due": b.due,
            "cells": [
                {
                    "kind": c.kind,
                    "period_start": c.period_start,
                    "period_end": c.period_end,
                    "state": c.state,
                    "held": c.held,
                }
                for c in b.cells
            ],
        }
        for b in compliance.compute(branches, year)
    ]
