from __future__ import annotations

from django.http import JsonResponse
from ninja import Query, Router, Schema
from pydantic import Field

from dangjian.kb.models import SearchLog
from dangjian.kb.search import search_entries
from dangjian.lib.api_types import MAX_ID

router = Router(tags=["12345 知识库"])


class SearchParams(Schema):
    q: str = Field("", max_length=200, description="检索词：中文、拼音或拼音首字母")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="责任单位 id")
    category: str | None = Field(None, max_length=100)
    limit: int = Field(10, ge=1, le=50)
    offset: int = Field(0, ge=0, le=1000)


class HitOut(Schema):
    id: int
    title: str = Field(description="事项名称，匹配词以 <mark> 标出（已转义）")
    snippet: str = Field(description="问法或答复口径摘要（已转义，含 <mark>）")
    unit: str
    score: float
    url: str


class SearchOut(Schema):
    total: int
    hits: list[HitOut]
    suggestion: str | None = Field(
        None, description="无结果或疑似错字时的“您是不是要找”（纠正后的检索词）"
    )
    did_you_mean: str | None = Field(
        None,
        description="没有足够相关的答复时（total 为 0），最接近的条目的问题，"
        "可作为换一种问法；没有时为 null",
    )


@router.get(
    "/search",
    response=SearchOut,
    summary="检索知识条目（公开）",
    # The WSGI fast path (dangjian.kb.fastpath) finds its address by this name.
    url_name="kb_search",
)
def search(request, params: Query[SearchParams]):
    """Live, valid entries only. Every search is logged without personal data."""
    return search_answer(params)


def search_answer(params: SearchParams) -> JsonResponse:
    """The API's answer to a search: for the view above and for the WSGI fast
    path (``dangjian.kb.fastpath``), which validates the same parameters."""
    results = search_entries(
        params.q,
        unit=params.unit,
        category=params.category,
        limit=params.limit,
        offset=params.offset,
        channel=SearchLog.Channel.API,
    )
    # A plain JsonResponse in the shape of SearchOut: the busiest public
    # endpoint skips response-schema validation (tests check the shape).
    return JsonResponse(
        {
            "total": results.total,
            "suggestion": results.suggestion,
            "did_you_mean": results.did_you_mean,
            "hits": [
                {
                    "id": h.id,
                    "title": h.title_html,
                    "snippet": h.snippet_html,
                    "unit": h.unit,
                    "score": round(h.hit.score, 4),
                    "url": h.url,
                }
                for h in results.hits
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
