"""`SearchIndex`: the one interface every app searches through."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, ValuesView
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction

from dangjian.search import analysis, changelog
from dangjian.search.backends.tantivy_backend import TantivyBackend
from dangjian.search.highlight import MAX_SCAN, marked_terms, needle_key, snippet
from dangjian.search.types import Document, Filters, Hit, IndexSpec, SearchResults

logger = logging.getLogger(__name__)


class LazySnippets(Mapping[str, str]):
    """A hit's snippets, each built the first time it is read.

    A page shows one or two of a hit's fields; building a snippet is most of
    the cost of a search, so the others are never built.
    """

    __slots__ = ("_fields", "_texts", "_make", "_done")

    def __init__(
        self,
        fields: Sequence[str],
        texts: dict[str, str],
        make: Callable[[str, str], str],
    ) -> None:
        self._fields = fields
        self._texts = texts
        self._make = make
        self._done: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        try:
            return self._done[name]
        except KeyError:
            if name not in self._fields:
                raise
        value = self._done[name] = self._make(name, self._texts.get(name) or "")
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def texts(self) -> ValuesView[str]:
        """The texts held to build snippets from."""
        return self._texts.values()

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return repr(dict(self))


MAX_LIMIT = 200
# The most text (characters) remembered results may hold, for their snippets.
RESULT_CACHE_CHARS = 8_000_000
MAX_QUERY_CHARS = 200
# A long query (a pasted paragraph) is searched for its most telling words
# only: the rarest ones, by how many documents hold them. Common words score
# little under BM25 yet have the longest posting lists, so they cost most.
MAX_QUERY_GROUPS = 12
MAX_QUERY_PAIRS = 32

# A remembered search: (query, filters, limit, offset, snippet size, fields).
ResultKey = tuple[
    str,
    tuple[tuple[str, str | tuple[str, ...] | None], ...],
    int,
    int,
    int,
    tuple[str, ...] | None,
]


def _held(snippets: Mapping[str, str]) -> Iterable[str]:
    """The text a hit's snippets keep (for the result cache's bound)."""
    if isinstance(snippets, LazySnippets):
        return snippets.texts()
    return snippets.values()


def _current_test() -> str | None:
    current = os.environ.get("PYTEST_CURRENT_TEST")
    return current.rsplit(" (", 1)[0] if current else None


class SearchIndex:
    """A named index: documents in by id, ranked hits with snippets out.

    Writes are synchronous: when `upsert` returns, every process searching
    the index sees the change. Owning apps call `upsert_on_commit` /
    `delete_on_commit` from their actions so the index follows the database
    and never shows a row that was rolled back.
    """

    def __init__(self, spec: IndexSpec, location: Path | None) -> None:
        self.spec = spec
        self.location = location
        self._lock = threading.Lock()
        self._test = _current_test()
        self.backend = TantivyBackend(spec, location)
        # An on-disk index follows the database's change log (changelog.py).
        self.follower = (
            changelog.Follower(self, location) if location is not None else None
        )
        self._results: dict[ResultKey, tuple[SearchResults, int]] = {}
        self._results_chars = 0
        # The backend, its generation and the synonym table the results are for.
        self._results_for: tuple[TantivyBackend, int, dict[str, list[str]]] | None = (
            None
        )

    def __repr__(self) -> str:
        return f"<SearchIndex {self.spec.name} at {self.location or 'memory'}>"

    @property
    def name(self) -> str:
        return self.spec.name

    def _isolate(self) -> None:
        # An in-memory index belongs to one test: documents written by an
        # earlier test are dropped before the next test touches the index,
        # just as the test database is rolled back.
        if self.location is None:
            current = _current_test()
            if current != self._test:
                with self._lock:
                    if current != self._test:
                        self.backend = TantivyBackend(self.spec, None)
                        self._test = current

    def _check(self, doc: Document) -> None:
        if not isinstance(doc, Document):
            raise TypeError(f"expected a Document, got {type(doc).__name__}")
        unknown = set(doc.fields) - set(self.spec.fields)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not fields of index {self.name!r}")
        unknown = set(doc.filters) - set(self.spec.filters)
        if unknown:
            raise ValueError(
                f"{sorted(unknown)} are not filters of index {self.name!r}"
            )

    # --- writing ----------------------------------------------------------

    def upsert(self, documents: Iterable[Document]) -> None:
        """Adds documents, replacing any with the same id."""
        self._isolate()
        documents = list(documents)
        for doc in documents:
            self._check(doc)
        if documents:
            self.backend.write(documents, [])

    def delete(self, ids: Iterable[str]) -> None:
        self._isolate()
        ids = [str(i) for i in ids]
        if ids:
            self.backend.write([], ids)

    def upsert_on_commit(self, documents: Iterable[Document]) -> None:
        """Upserts on every node once the current transaction commits.

        The change is logged in the transaction (`changelog.record`); this
        node applies it on commit (now, outside a transaction), the others
        at their next search.
        """
        documents = list(documents)
        for doc in documents:
            self._check(doc)
        if not documents:
            return
        changelog.record(self.name, documents, [])
        transaction.on_commit(lambda: self._committed(documents, []), robust=True)

    def delete_on_commit(self, ids: Iterable[str]) -> None:
        """Deletes on every node once the current transaction commits."""
        ids = [str(i) for i in ids]
        if not ids:
            return
        changelog.record(self.name, [], ids)
        transaction.on_commit(lambda: self._committed([], ids), robust=True)

    def _committed(self, documents: list[Document], ids: list[str]) -> None:
        if self.follower is None:
            # In memory (tests, one process): nothing else follows the log.
            if ids:
                self.delete(ids)
            if documents:
                self.upsert(documents)
        else:
            self.follower.sync()

    def clear(self) -> None:
        self._isolate()
        self.backend.clear()

    def rebuild(self, documents: Iterable[Document] | None = None) -> int:
        """Replaces the whole content; with no argument, asks the feeder.

        On disk, this node's position in the change log is set too, so it
        goes on from the content rebuilt (other nodes are not touched).
        """
        self._isolate()
        if self.follower is not None:
            return self.follower.rebuild(documents)
        return self.rebuild_local(documents)

    def rebuild_local(self, documents: Iterable[Document] | None = None) -> int:
        """`rebuild` without touching the change log position."""
        if documents is None:
            if self.spec.feeder is None:
                raise LookupError(f"Index {self.name!r} has no feeder to rebuild from")
            documents = self.spec.feeder()

        def checked() -> Iterator[Document]:
            for doc in documents:
                self._check(doc)
                yield doc

        return self.backend.replace_all(checked())

    def count(self) -> int:
        self._isolate()
        return self.backend.count()

    # --- reading ----------------------------------------------------------

    @staticmethod
    def _synonyms() -> dict[str, list[str]]:
        try:
            return analysis.synonym_map()
        except DatabaseError:  # The table may not exist yet (before migrate).
            return {}

    def analyze(self, query: str) -> analysis.AnalyzedQuery:
        """The analysed query; shared by every search of the same text."""
        return analysis.analyze_query_cached(query[:MAX_QUERY_CHARS], self._synonyms())

    def _focus(self, aq: analysis.AnalyzedQuery) -> analysis.AnalyzedQuery:
        """A long query narrowed to its rarest words and pairs that occur at all.

        Short queries (nearly all) are returned as they are. Sound matching
        is dropped for long ones: a paragraph has enough words typed right.
        """
        if len(aq.groups) <= MAX_QUERY_GROUPS and len(aq.pairs) <= MAX_QUERY_PAIRS:
            return aq
        searcher = self.backend.searcher()
        fields = list(self.spec.fields)

        def spread(group: list[str]) -> tuple[bool, int]:
            # A word no document holds matches nothing: it goes last.
            n = max(searcher.doc_freq(name, group[0]) for name in fields)
            return n == 0, n

        groups = aq.groups
        if len(groups) > MAX_QUERY_GROUPS:
            keep = sorted(range(len(groups)), key=lambda i: spread(groups[i]))
            groups = [groups[i] for i in sorted(keep[:MAX_QUERY_GROUPS])]
        pairs = aq.pairs
        if len(pairs) > MAX_QUERY_PAIRS and self.spec.pinyin_fields:
            freq: dict[str, tuple[bool, int]] = {}
            for p in pairs:
                n = self.backend.pair_doc_freq(searcher, p)
                freq[p] = (n == 0, n)
            rare = set(sorted(pairs, key=freq.__getitem__)[:MAX_QUERY_PAIRS])
            pairs = [p for p in pairs if p in rare]
        return dataclasses.replace(aq, groups=groups, pairs=pairs, _sounds=[])

    def search(
        self,
        query: str,
        *,
        filters: Filters | None = None,
        limit: int = 10,
        offset: int = 0,
        snippet_chars: int = 120,
        snippet_fields: list[str] | None = None,
    ) -> SearchResults:
        """Ranked hits for a query, restricted by filters.

        Filter values are OR-ed within a key and AND-ed across keys; an empty
        list matches nothing. An empty query lists every document that passes
        the filters. `snippet_fields` limits which fields get a snippet
        (default: all). When nothing matches, a looser search (character pairs,
        near pinyin) runs and its best hit proposes a corrected query.

        With ``SEARCH_RESULT_CACHE`` (entries per process), results are
        remembered per query, filters and page until the index or the synonym
        table changes, as Solr's query result cache does: the hotline and the
        public ask the same questions over and over. A cached result is
        shared: callers must not change it.
        """
        self._isolate()
        if self.follower is not None:
            self.follower.poll()
        limit = max(0, min(int(limit), MAX_LIMIT))
        offset = max(0, int(offset))
        size = int(getattr(settings, "SEARCH_RESULT_CACHE", 0))
        if not size:
            return self._search(
                query, filters, limit, offset, snippet_chars, snippet_fields
            )
        key: ResultKey = (
            query,
            tuple(
                (k, v if v is None or isinstance(v, (str, int)) else tuple(v))
                for k, v in sorted((filters or {}).items())
            ),
            limit,
            offset,
            snippet_chars,
            None if snippet_fields is None else tuple(snippet_fields),
        )
        # The cache holds for one version of the index, of the synonym table
        # and of the analysis (a new backend in tests): any change empties it.
        self.backend.searcher()  # reads another process's commit, if any
        state = (self.backend, self.backend.generation, self._synonyms())
        cached = self._results.get(key)
        held = self._results_for
        if (
            held is not None
            and held[0] is state[0]
            and held[1] == state[1]
            and held[2] is state[2]
        ):
            state = held
        else:
            with self._lock:
                self._results = {}
                self._results_chars = 0
                self._results_for = state
            cached = None
        if cached is not None:
            return cached[0]
        results = self._search(
            query, filters, limit, offset, snippet_chars, snippet_fields
        )
        chars = sum(len(text) for hit in results.hits for text in _held(hit.snippets))
        with self._lock:
            if self._results_for is not state:
                # The index changed while this was computed: keep it out of
                # the new version's cache.
                return results
            cache = self._results
            # The oldest go first, within a number of results and of
            # characters of text held for snippets (a bound on memory).
            while cache and (
                len(cache) >= size or self._results_chars + chars > RESULT_CACHE_CHARS
            ):
                self._results_chars -= cache.pop(next(iter(cache)))[1]
            cache[key] = (results, chars)
            self._results_chars += chars
        return results

    def _search(
        self,
        query: str,
        filters: Filters | None,
        limit: int,
        offset: int,
        snippet_chars: int,
        snippet_fields: Sequence[str] | None,
    ) -> SearchResults:
        aq = self.analyze(query or "")
        if (query or "").strip() and not (aq.groups or aq.pinyin or aq.sounds()):
            # Only punctuation or stop words: nothing to look for.
            return SearchResults(total=0, hits=[], terms=[])
        focused = self._focus(aq)
        long_query, aq = focused is not aq, focused
        # Matching by sound catches typos, but for words the index knows it
        # only adds homophone noise: it is used when a typed word is unknown.
        # (The analysis is shared between searches: it is copied, not changed.)
        unknown = self._has_unknown_word(aq)
        if unknown:
            aq = dataclasses.replace(aq, sound=aq.sounds())
        scoring = self.backend.build_query(aq)
        total, raw = self.backend.search(scoring, filters, limit, offset)
        suggestion = None
        if total == 0 and aq.text:
            aq = dataclasses.replace(aq, sound=aq.sounds())
            scoring = self.backend.build_query(aq, fallback=True)
            total, raw = self.backend.search(scoring, filters, limit, offset)
            if raw:
                suggestion = self.suggest(aq, raw[0][2])
        elif raw and (aq.latin or unknown) and not long_query:
            # A paragraph that found something needs no "did you mean".
            suggestion = self.suggest(aq, raw[0][2])
        # Words found by sound are highlighted for pinyin input and after a
        # fallback; for ordinary Chinese input the typed words suffice.
        sound_lit = bool(aq.latin or suggestion)
        pinyin_terms = (set(aq.pinyin) | set(aq.sounds())) if sound_lit else set()
        terms = needle_key(marked_terms(aq.terms))
        fields = [
            f for f in self.spec.fields if snippet_fields is None or f in snippet_fields
        ]
        pinyin_fields = self.spec.pinyin_fields
        hits = [
            Hit(
                id=doc_id,
                score=score,
                snippets=LazySnippets(
                    fields,
                    # Only what a snippet may read: a remembered result
                    # holds no more text than that.
                    {name: (texts.get(name) or "")[:MAX_SCAN] for name in fields},
                    lambda name, text: snippet(
                        text,
                        terms,
                        pinyin_terms if name in pinyin_fields else None,
                        max_chars=snippet_chars,
                    ),
                ),
            )
            for doc_id, score, texts in raw
        ]
        return SearchResults(
            total=total, hits=hits, suggestion=suggestion, terms=aq.terms
        )

    def _has_unknown_word(self, aq: analysis.AnalyzedQuery) -> bool:
        """Whether a word typed occurs in no document (likely a typo)."""
        searcher = None
        for group in aq.groups:
            word = group[0]
            if len(word) < 2 or not analysis.is_cjk(word):
                continue
            searcher = searcher or self.backend.searcher()
            if not any(
                searcher.doc_freq(name, term)
                for term in group
                for name in self.spec.fields
            ):
                return True
        return False

    def suggest(self, aq: analysis.AnalyzedQuery, texts: dict[str, str]) -> str | None:
        """A corrected query, read off the best hit's heavy fields.

        Walks the query left to right; a stretch of 2–4 characters that does
        not occur in the hit is replaced by a word of the hit that sounds the
        same or differs by one character. Pinyin input is replaced by the
        hit's word with that pinyin or those initials.
        """
        hit_text = " ".join(texts.get(name, "") for name in self.spec.pinyin_fields)
        hit_norm = analysis.normalize(hit_text)
        by_sound: dict[str, str] = {}
        by_len: dict[int, list[str]] = {}

        def sounds() -> dict[str, str]:
            # The hit's words by sound, read only when a stretch of the query
            # is not in the hit: most queries never need their pinyin.
            if not by_len:
                by_len[0] = []
                for word in dict.fromkeys(analysis.segment(hit_text[:4000])):
                    if len(word) >= 2 and analysis.is_cjk(word):
                        full, initials = analysis.word_pinyin(word)
                        by_sound.setdefault(full, word)
                        by_sound.setdefault("~" + initials, word)
                        by_len.setdefault(len(word), []).append(word)
            return by_sound

        text = aq.text
        out: list[str] = []
        i = 0
        changed = False
        latin = sorted(aq.latin, key=len, reverse=True)
        while i < len(text):
            run = next((r for r in latin if text.startswith(r, i)), None)
            if run is not None:
                sylls = analysis.split_pinyin(run)
                key = "".join(sylls) if sylls else "~" + run
                word = sounds().get(key)
                if word is None and sylls:
                    word = self._join_sound(sylls, by_sound)
                out.append(word or run)
                changed = changed or word is not None
                i += len(run)
                continue
            replaced = False
            for size in (4, 3, 2):
                piece = text[i : i + size]
                if len(piece) < size or not analysis.is_cjk(piece):
                    continue
                if piece in hit_norm:
                    out.append(piece)
                    i += size
                    replaced = True
                    break
                full, _ = analysis.word_pinyin(piece)
                candidate = sounds().get(full) or next(
                    (
                        w
                        for w in by_len.get(size, [])
                        if sum(a != b for a, b in zip(w, piece, strict=True)) == 1
                    ),
                    None,
                )
                if candidate and len(candidate) == size:
                    out.append(candidate)
                    changed = True
                    i += size
                    replaced = True
                    break
            if not replaced:
                out.append(text[i])
                i += 1
        suggestion = "".join(out).strip()
        return suggestion if changed and suggestion != text else None

    @staticmethod
    def _join_sound(sylls: list[str], by_sound: dict[str, str]) -> str | None:
        """Greedy: longest syllable spans that name a word of the hit."""
        out: list[str] = []
        i = 0
        while i < len(sylls):
            for j in range(len(sylls), i, -1):
                word = by_sound.get("".join(sylls[i:j]))
                if word:
                    out.append(word)
                    i = j
                    break
            else:
                return None
        return "".join(out)
