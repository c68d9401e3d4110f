"""GET /api/disclosures and /api/disclosures/{id}.

Public items to everyone; 党内公开 items only to the signed-in people in
their scope (session or bearer token). An item outside the caller's scope
answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.search import search_items
from dangjian.lib.api_errors import ApiError, errors
from dangjian.lib.api_types import MAX_ID, Id

router = Router(tags=["党务公开"])


class AttachmentOut(Schema):
    title: str
    url: str


class ItemOut(Schema):
    id: int
    title: str
    url: str
    subject_unit_id: int
    subject_unit: str
    category: str
    scope: str
    method: str
    summary: str
    released_at: datetime | None
    valid_until: date | None
    is_emergency: bool
    interprets_id: int | None
    snippet: str = ""


class ItemDetailOut(ItemOut):
    body: str
    audience: list[int]
    include_descendants: bool
    attachments: list[AttachmentOut]
    corrections: list[str]


class ItemListOut(Schema):
    total: int
    items: list[ItemOut]


class ListParams(Schema):
    q: str = Field("", max_length=100)
    unit: int | None = Field(None, ge=1, le=MAX_ID)
    category: int | None = Field(None, ge=1, le=MAX_ID)
    year: int | None = Field(None, ge=1949, le=2100)
    scope: str | None = Field(None, pattern="^(public|internal)$")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


def _out(item, request, snippet: str = "") -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "url": request.build_absolute_uri(item.url),
        "subject_unit_id": item.subject_unit_id,
        "subject_unit": item.subject_unit.name,
        "category": item.category.name,
        "scope": item.scope,
        "method": item.method,
        "summary": item.summary,
        "released_at": item.first_published_at,
        "valid_until": item.valid_until,
        "is_emergency": item.is_emergency,
        "interprets_id": item.interprets_id,
        "snippet": snippet,
    }


def _private(response: HttpResponse) -> None:
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"


@router.get("", response=ItemListOut, summary="公开事项列表（按范围过滤）")
def list_items(request, response: HttpResponse, params: Query[ListParams]):
    _private(response)
    if params.q.strip():
        total, results = search_items(
            request.user,
            params.q,
            unit=params.unit,
            category=params.category,
            year=params.year,
            limit=params.limit,
            offset=params.offset,
        )
        rows = [(r.item, r.snippet) for r in results]
        if params.scope:
            rows = [(i, s) for i, s in rows if i.scope == params.scope]
        return {"total": total, "items": [_out(i, request, s) for i, s in rows]}
    qs = DisclosureItemPage.objects.visible_to(request.user)
    if params.unit:
        qs = qs.filter(subject_unit_id=params.unit)
    if params.category:
        qs = qs.filter(category_id=params.category)
    if params.year:
        qs = qs.filter(first_published_at__year=params.year)
    if params.scope:
        qs = qs.filter(scope=params.scope)
    qs = qs.select_related("subject_unit", "category").order_by(
        "-first_published_at", "-pk"
    )
    total = qs.count()
    items = qs[params.offset : params.offset + params.limit]
    return {"total": total, "items": [_out(i, request) for i in items]}


@router.get(
    "/{int:item_id}",
    response={200: ItemDetailOut, **errors(404)},
    summary="公开事项详情",
)
def get_item(request, response: HttpResponse, item_id: Id):
    _private(response)
    item = (
        DisclosureItemPage.objects.visible_to(request.user)
        .select_related("subject_unit", "category")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise ApiError(404, "not_found", _("未找到该公开事项，或您不在其公开范围内"))
    data = _out(item, request)
    data.update(
        body=item.body,
        audience=sorted(item.audience.values_list("pk", flat=True)),
        include_descendants=item.include_descendants,
        attachments=[
            {
                "title": a.display_name,
                "url": request.build_absolute_uri(a.document.url),
            }
            for a in item.attachments.select_related("document")
        ],
        corrections=[
            r.correction_note for r in item.releases.exclude(correction_note="")
        ],
    )
    return data
