"""The knowledge base's search index and the one search function every page uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from dangjian.search import get_index, register_index
from dangjian.search.analysis import normalize
from dangjian.search.types import Hit

INDEX = "kb"


def register():
    # The matter and the citizen's question say what an entry is about; the
    # answer and basis only mention things in passing.
    register_index(
        INDEX,
        fields={
            "matter": 3.0,
            "question": 3.0,
            "keywords": 2.0,
            "answer": 1.0,
            "basis": 0.5,
        },
        filters=["unit", "category", "area"],
        pinyin_fields=["matter", "question", "keywords"],
        feeder=feed,
    )


def feed():
    from dangjian.kb.models import Entry

    for entry in Entry.objects.searchable().iterator(chunk_size=2000):
        yield entry.search_document()


def kb_index():
    return get_index(INDEX)


@dataclass
class EntryHit:
    entry: object
    hit: Hit

    @property
    def title_html(self) -> str:
        return self.hit.snippets.get("matter") or ""

    @property
    def snippet_html(self) -> str:
        s = self.hit.snippets
        for name in ("question", "answer"):
            if "<mark>" in (s.get(name) or ""):
                return s[name]
        return s.get("answer") or s.get("question") or ""


@dataclass
class EntryResults:
    query: str
    total: int
    hits: list[EntryHit] = field(default_factory=list)
    suggestion: str | None = None
    log_id: str | None = None


def search_entries(
    query: str,
    *,
    unit: str | int | None = None,
    category: str | None = None,
    limit: int = 10,
    offset: int = 0,
    channel: str | None = None,
) -> EntryResults:
    """Searches live, valid entries; logs the search when `channel` is given.

    Hits are re-read from the database, so an entry that expired or was
    unpublished since it was indexed never shows: it is dropped here and
    removed from the index at once.
    """
    from dangjian.kb.models import Entry

    query = (query or "").strip()[:200]
    filters = {}
    if unit:
        filters["unit"] = [str(unit)]
    if category:
        filters["category"] = [category]
    index = kb_index()
    results = index.search(
        query,
        filters=filters,
        limit=limit,
        offset=offset,
        snippet_fields=["matter", "question", "answer"],
    )
    ids = [int(h.id) for h in results.hits if h.id.isdigit()]
    entries = Entry.objects.searchable().select_related("owner").in_bulk(ids)
    hits, stale = [], []
    for h in results.hits:
        entry = entries.get(int(h.id)) if h.id.isdigit() else None
        if entry is None:
            stale.append(h.id)
        else:
            hits.append(EntryHit(entry, h))
    if stale:
        transaction.on_commit(lambda: index.delete(stale))
    total = max(0, results.total - len(stale))
    out = EntryResults(
        query=query, total=total, hits=hits, suggestion=results.suggestion
    )
    if channel and query and offset == 0:
        from dangjian.kb.actions import do_log_search

        routed = hits[0].entry.owner if hits else None
        out.log_id = do_log_search(query, total, channel=channel, routed_unit=routed)
    return out


def normalized_query(query: str) -> str:
    return " ".join(normalize(query).split())[:200]
