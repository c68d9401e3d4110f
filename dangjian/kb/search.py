"""The knowledge base's search index and the one search function every page uses."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connections, router, transaction
from django.urls import get_script_prefix, reverse
from django.utils.html import escape

from dangjian.kb import learning, searchlog
from dangjian.kb.models import Entry, today
from dangjian.search import Document, get_index, register_index, thesaurus
from dangjian.search.analysis import (
    is_cjk,
    normalize,
    split_pinyin,
    stopwords,
    synonym_map,
    take_questions,
    words,
)
from dangjian.search.types import Hit

if TYPE_CHECKING:
    from dangjian.search.engine import SearchIndex

INDEX = "kb"


def register() -> None:
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


def feed() -> Iterator[Document]:
    for entry in Entry.objects.searchable().iterator(chunk_size=2000):
        yield entry.search_document()


def kb_index() -> SearchIndex:
    return get_index(INDEX)


class _EntryLoader:
    """The full entries of a page of hits, read in one query when first asked.

    The API and the console need only what the search itself read (id, unit,
    URL, snippets); the citizen page's template reads more of an entry.
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.entries: dict[int, Entry] | None = None

    def get(self, pk: int) -> Entry | None:
        if self.entries is None:
            self.entries = Entry.objects.select_related("owner").in_bulk(self.ids)
        return self.entries.get(pk)


@dataclass
class EntryHit:
    hit: Hit
    id: int = 0
    unit: str = ""  # the name of the entry's owner unit
    url: str = ""
    loader: _EntryLoader | None = field(default=None, repr=False, compare=False)

    @property
    def entry(self) -> Entry | None:
        """The entry itself (read from the database, with the page's others)."""
        return self.loader.get(self.id) if self.loader else None

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
    # When nothing was relevant enough: the title of the nearest entry that
    # was turned down (a question to ask instead), if it shares a word.
    did_you_mean: str | None = None


# A compiled statement: SQL, its parameters, the places of the ids among
# them, and the database alias.
_Statement = tuple[str, list[Any], list[int], str]


@dataclass
class _LiveSql:
    day: datetime.date | None = None
    statements: dict[int, _Statement] = field(default_factory=dict)


_live_sql_cache = _LiveSql()


def live_rows(ids: list[int]) -> list[tuple[int, int, str]]:
    """(pk, owner id, owner name) of those of ``ids`` that are searchable now.

    This runs on every search. Compiling the ORM query (live, valid today,
    these ids) cost more than running it, so the SQL is compiled once per day
    and per number of ids, with sentinel ids whose places in the parameters
    then take the real ones.
    """
    day = today()
    cache = _live_sql_cache
    if cache.day != day:
        cache.statements = {}
        cache.day = day
    statement = cache.statements.get(len(ids))
    if statement is None:
        sentinels = [-(n + 1) for n in range(len(ids))]
        queryset = (
            Entry.objects.searchable()
            .filter(pk__in=sentinels)
            .order_by()
            .values_list("pk", "owner_id", "owner__name")
        )
        sql, template = queryset.query.sql_with_params()
        where = {value: i for i, value in enumerate(template) if value in sentinels}
        if len(where) != len(ids):  # a sentinel collided with a parameter
            fields = ("pk", "owner_id", "owner__name")
            return list(
                Entry.objects.searchable().filter(pk__in=ids).values_list(*fields)
            )
        statement = (
            sql,
            list(template),
            [where[s] for s in sentinels],
            router.db_for_read(Entry),
        )
        cache.statements[len(ids)] = statement
    sql, compiled_params, places, alias = statement
    params = list(compiled_params)
    for place, pk in zip(places, ids, strict=True):
        params[place] = pk
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A page number that no entry has: reverse() once per search, then put each
# hit's id in its place (reverse() per hit was a tenth of a search's cost).
_URL_PLACEHOLDER = 2_147_483_647


_url_templates: dict[str, str] = {}


def entry_url_template() -> str:
    """An entry's URL with a placeholder for its id: reverse() once per
    script prefix and process (it was a twentieth of a search's cost)."""
    prefix = get_script_prefix()
    url = _url_templates.get(prefix)
    if url is None:
        url = _url_templates[prefix] = reverse("kb:entry", args=[_URL_PLACEHOLDER])
    return url


# A hit is unrelated when the query's words it holds (or their synonyms)
# make up no more than this share of the query: "火星签证" finds entries on
# 签证 only, and the citizen is better told that nothing was found. A long
# question (a pasted message) is left to the ranking: it holds many words
# no answer repeats.
MIN_COVERAGE = 0.5
_LATIN = re.compile(r"[a-z]+")


def _spells(run: str) -> bool:
    """Whether Latin letters typed spell Chinese words: a whole pinyin word
    (two syllables or more) or 2–5 letters read as initials."""
    sylls = split_pinyin(run)
    return (sylls is not None and len(sylls) >= 2) or 2 <= len(run) <= 5


# A word said otherwise (出租车 for 出租汽车, 取出 for 提取): each of its
# characters in the entry's title counts this much. Chosen with
# bench/kb_search.py (issue 22), fewest wrong answers over the labelled and
# the first colloquial questions (told "not found" though answered) plus
# the no-answer questions (answered though unrelated): 0.5 → 9 + 11,
# 0.75 → 6 + 12, 1.0 → 5 + 14 (1.0 with MIN_COVERAGE 0.55: 5 + 14; 0.75
# with MIN_COVERAGE 0.45: 3 + 21).
PARTIAL = 0.75
MAX_CHECKED_TERMS = 4


def coverage(query: str, entry: Entry | EntryTexts) -> float | None:
    """The share of a Chinese query's words (by characters) that the entry
    holds, itself or as a synonym or thesaurus word; None when the query is
    not one to check (no Chinese words, or a long pasted question)."""
    terms = checked_terms(query)
    return None if terms is None else _share(terms, entry)


def checked_terms(query: str) -> list[str] | None:
    """The words of a query whose coverage is checked; None when the query
    is not one to check (no Chinese words, or a long pasted question).

    Question scaffolding (咋办, 去哪) is not a word to hold: it says how the
    question is asked, not what about. A query that also holds pinyin or
    initials (daomangquan 能坐地铁吗) is left to the index: the words it
    spells are not typed, so their share cannot be read off the text."""
    text_asked, _ = take_questions(normalize(query))
    if any(_spells(run) for run in _LATIN.findall(text_asked)):
        return None
    terms = [w for w in words(text_asked) if is_cjk(w) and w not in stopwords()]
    if not terms or len(terms) > MAX_CHECKED_TERMS:
        return None
    return terms


def _share(terms: list[str], entry: Entry | EntryTexts) -> float:
    text = normalize(
        " ".join((entry.matter, entry.question, entry.keywords, entry.answer))
    )
    synonyms = synonym_map()
    title = normalize(" ".join((entry.matter, entry.question, entry.keywords)))
    covered = 0.0
    for term in terms:
        if (
            term in text
            or any(alt in text for alt in synonyms.get(term, ()))
            or (
                not synonyms.get(term)
                and any(alt in text for alt in thesaurus.related(term))
            )
        ):
            covered += len(term)
        else:
            # Said otherwise (出租车 for 出租汽车, 减份 for 减分): its characters
            # in the entry's title count for part of it (PARTIAL).
            covered += PARTIAL * sum(1 for ch in term if ch in title)
    return covered / sum(len(term) for term in terms)


class EntryTexts(NamedTuple):
    """What the coverage check reads of an entry."""

    matter: str
    question: str
    keywords: str
    answer: str


def entry_texts(pk: int) -> EntryTexts | None:
    """The texts of one entry that the coverage check reads: four columns in
    a plain statement. Reading the page's entries as models for it (with
    their units) was a third of an uncached search's cost at 100,000
    entries (bench/kb_search.py, issue 22)."""
    alias = router.db_for_read(Entry)
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = Entry._meta
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in EntryTexts._fields)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return EntryTexts(*(value or "" for value in row)) if row else None


def covers_query(query: str, entry: Entry) -> bool:
    """Whether the entry holds enough of a Chinese query's words to answer it.
    Queries without Chinese words (pinyin, numbers) are left to the index."""
    share = coverage(query, entry)
    return share is None or share > MIN_COVERAGE


def _learned_hit(entry: Entry) -> Hit:
    """A hit for an entry put first by a confirmed learned question, when
    the index did not rank it on this page: plain escaped text."""
    return Hit(
        id=str(entry.pk),
        score=0.0,
        snippets={
            "matter": escape(entry.matter),
            "question": escape(entry.question[:120]),
            "answer": escape(entry.answer[:120]),
        },
    )


def _put_first(
    hits: list[EntryHit],
    learned: list[int],
    *,
    unit: str | int | None,
    category: str | None,
    url: str,
) -> tuple[list[EntryHit], int]:
    """`hits` with the learned entries first (those live and within the
    filters); how many of them were not among the hits."""
    placeholder = str(_URL_PLACEHOLDER)
    queryset = Entry.objects.searchable().select_related("owner").filter(pk__in=learned)
    if unit:
        queryset = queryset.filter(owner_id=int(unit))
    if category:
        queryset = queryset.filter(category=category)
    found = queryset.in_bulk()
    first: list[EntryHit] = []
    added = 0
    by_id = {h.id: h for h in hits}
    for pk in learned:
        entry = found.get(pk)
        if entry is None:
            continue
        shown = by_id.get(pk)
        if shown is None:
            added += 1
            loader = _EntryLoader([pk])
            loader.entries = {pk: entry}
            shown = EntryHit(
                _learned_hit(entry),
                id=pk,
                unit=entry.owner.name,
                url=url.replace(placeholder, str(pk)),
                loader=loader,
            )
        first.append(shown)
    chosen = {h.id for h in first}
    return first + [h for h in hits if h.id not in chosen], added


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

    Hits are checked against the database (one query for the page, reading
    only ids and unit names), so an entry that expired or was unpublished
    since it was indexed never shows: it is dropped here and removed from
    the index at once.
    """

    query = (query or "").strip()[:200]
    filters: dict[str, str | list[str] | None] = {}
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
    live: dict[int, tuple[int, str]] = {}
    if ids:
        live = {
            pk: (owner_id, owner_name) for pk, owner_id, owner_name in live_rows(ids)
        }
    url = entry_url_template()
    placeholder = str(_URL_PLACEHOLDER)
    loader = _EntryLoader(list(live))
    hits: list[EntryHit] = []
    stale: list[str] = []
    routed: int | None = None
    for h in results.hits:
        # 0 is no entry's id, so a non-numeric id is found stale below.
        pk = int(h.id) if h.id.isdigit() else 0
        found = live.get(pk)
        if found is None:
            stale.append(h.id)
            continue
        routed = routed or found[0]
        hits.append(
            EntryHit(
                h,
                id=pk,
                unit=found[1],
                url=url.replace(placeholder, str(pk)),
                loader=loader,
            )
        )
    if stale:
        transaction.on_commit(lambda: index.delete(stale))
    total = max(0, results.total - len(stale))
    did_you_mean = None
    learned = learning.answers_for(query) if query and offset == 0 else []
    if learned:
        # Questions an admin confirmed (learned from clicks and operators'
        # choices) put their entries first, within the same filters.
        hits, added = _put_first(hits, learned, unit=unit, category=category, url=url)
        hits = hits[:limit]
        total += added
    elif (
        offset == 0
        and hits
        and (terms := checked_terms(query)) is not None
        and (top := entry_texts(hits[0].id)) is not None
    ):
        share = _share(terms, top)
        if share <= MIN_COVERAGE:
            # The best hit is unrelated: the rest are no better. Say so, and
            # offer its question when it shares a word with the query.
            if share > 0:
                did_you_mean = top.matter
            hits, total, routed = [], 0, None
    out = EntryResults(
        query=query,
        total=total,
        hits=hits,
        suggestion=results.suggestion,
        did_you_mean=did_you_mean,
    )
    if channel and query and offset == 0:
        out.log_id = searchlog.record_search(
            query, total, channel=channel, routed_unit_id=routed
        )
    return out
