"""The capabilities the home page links to, in the order of DESIGN.md.

A capability whose app has not registered its URL yet is shown as
"建设中" (under construction) instead of a broken link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Capability:
    key: str
    title: str
    summary: str
    url_name: str
    icon: str

    @property
    def url(self) -> str | None:
        if self.url_name.startswith("page:"):
            return _page_url(self.url_name.removeprefix("page:"))
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# Page addresses, asked by the navigation of every page: remembered per page
# cache generation (bumped on every publish, in every process) and forgotten
# at once in this process when a page is saved, published or removed.
_page_urls: dict[str, tuple[str, str | None]] = {}


def _page_url(model_label: str) -> str | None:
    from django.apps import apps

    from dangjian.lib import pagecache

    generation = pagecache.generation()
    known = _page_urls.get(model_label)
    if known is not None and known[0] == generation:
        return known[1]
    model = apps.get_model(model_label)
    page = model.objects.live().first()
    url = page.url if page else None
    _page_urls[model_label] = (generation, url)
    return url


def forget_page_urls(sender=None, **kwargs) -> None:
    _page_urls.clear()


CAPABILITIES = [
    Capability(
        "study", "学习", "学习资料、专题学习会、一人一册学习档案", "study:index", "学"
    ),
    Capability("quiz", "答题", "每日答题、专项答题、知识竞赛", "quiz:index", "答"),
    Capability(
        "disclosure", "党务公开", "党内公开与社会公开事项", "disclosure:index", "公"
    ),
    Capability("kb", "12345 知识库", "政务服务问答，关键词检索", "kb:search", "问"),
    Capability("experts", "政策专员", "企业提问，专员解答", "experts:index", "专"),
    Capability("voting", "投票", "晒党建、晒成绩等评选投票", "voting:index", "投"),
    Capability(
        "outreach",
        "宣讲",
        "宣讲团活动日历、扫码评价、网格员推送",
        "outreach:index",
        "宣",
    ),
    Capability("units", "单位", "全市各单位主页", "page:portal.UnitIndexPage", "单"),
    Capability(
        "stats", "数据统计", "浏览量、参与度与领导驾驶舱", "stats:dashboard", "数"
    ),
]


def capability_links() -> list[dict]:
    return [
        {
            "key": c.key,
            "title": c.title,
            "summary": c.summary,
            "icon": c.icon,
            "url": c.url,
        }
        for c in CAPABILITIES
    ]
