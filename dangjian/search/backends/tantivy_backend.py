"""The embedded default engine: tantivy (Rust, BM25) on pre-segmented text.

Documents are segmented by `analysis` in Python and handed to tantivy as
space-separated tokens (whitespace tokenizer), so indexing and querying use
exactly the same segmentation, user dictionary included.

One index is a directory. Several processes share it: a write takes
tantivy's writer lock (waiting while another process holds it), commits and
releases it; a search first checks whether meta.json changed since this
process last looked and reloads if so, so a process reads another's commit
at once rather than after tantivy's polling delay.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from dangjian.search import analysis
from dangjian.search.types import Document, Filters, IndexSpec

logger = logging.getLogger(__name__)

ID = "_id"
STORE = "_doc"
PINYIN = "_py"
BIGRAM = "_bg"
UNIGRAM = "_uc"
WRITER_LOCK_TIMEOUT = 30.0

#: One hit as the backend finds it: (id, score, the stored texts by field).
RawHit = tuple[str, float, dict[str, str]]

# Relative weights of the kinds of match (times the field's weight). A word
# as typed counts fully; a synonym less (it may not mean quite the same);
# character pairs of the heavy fields are a safety net for words jieba cut
# differently in the query and the document, so they stay below a word.
# COORD: heavy fields that hold (nearly) all of the query's pairs, i.e. a
# title or question saying what was asked, score those pairs again; this
# is what lifts the one right entry above look-alikes that share a word.
ORIGINAL = 1.0
SYNONYM = 0.6
PAIR = 0.5
COORD = 2.0
COORD_FRAC = 0.9
SOUND = 0.3
# The query's Chinese characters, one by one, against the heavy fields'
# characters: an everyday word that shares a character with the official
# one (取出 and 提取, 驾照 and 驾驶证) still counts, and so does a word jieba
# cut differently. A character held by more than CHAR_COMMON of the
# documents (办, 的) is not matched alone in an index of COMMON_MIN_DOCS or
# more: it tells little and its posting list is the longest; nor are more
# than MAX_CHARS, the rarest kept. At 100,000 entries (bench/kb_search.py's
# labelled and covid questions) the in-process p99 was 3.1 ms without the
# channel, 4.4 ms with 10 characters, 3.6 ms with 6; the colloquial sets
# lose up to 0.015 to the cap of 6.
CHAR = 1.0
CHAR_COMMON = 0.2
MAX_CHARS = 6
# A thesaurus alternative (HIT Cilin): below the admin's synonyms, and only
# the first few that the index holds in its heavy fields.
THESAURUS = 0.35
MAX_RELATED = 3
# Latin letters (2–5) read as initials, or a whole pinyin word, stand for
# the index's own frequent words with that sound (jzz → 居住证): the most
# frequent counts this much of a typed word, the next ones less, by how
# often the index holds them.
SPELLED = 0.8
MAX_SPELLED = 3
VOCAB_FILE = "vocab.json"
# The weak terms of a question's intent (如何 for 咋办), in the heavy fields.
INTENT = 0.3
# A word in more than this share of documents says little about any one of
# them (BM25 gives it a small idf) but has the longest posting lists: it is
# matched in the heavy fields only, not in the answer and basis.
COMMON_FRAC = 0.1
COMMON_MIN_DOCS = 1000


def _filter_field(key: str) -> str:
    return "_f_" + key


def bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in analysis._CJK_RUN.findall(analysis.normalize(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def unigrams(text: str) -> list[str]:
    """The Chinese characters of a text, in order (for the character channel)."""
    return [
        ch for run in analysis._CJK_RUN.findall(analysis.normalize(text)) for ch in run
    ]


class Vocabulary:
    """The index's heavy-field words by initials and by full pinyin.

    `spelled("jzz")` → [("居住证", 1.0), ("驾驶证", 0.4)]: the words with that
    sound held by at least two documents, most frequent first, each with
    the square root of its frequency relative to the first's.
    """

    MIN_DOCS = 2

    def __init__(self, vocab: dict[str, list[Any]]) -> None:
        by_sound: dict[str, list[tuple[int, str]]] = {}
        for word, item in vocab.items():
            try:
                count, full, initials = int(item[0]), str(item[1]), str(item[2])
            except (TypeError, ValueError, IndexError):
                continue
            if count < self.MIN_DOCS or not full:
                continue
            by_sound.setdefault(full, []).append((count, word))
            if 2 <= len(initials) <= 5:
                by_sound.setdefault("~" + initials, []).append((count, word))
        self._by_sound = by_sound
        self._cache: dict[str, list[tuple[str, float]]] = {}

    def spelled(self, run: str) -> list[tuple[str, float]]:
        found = self._cache.get(run)
        if found is not None:
            return found
        sylls = analysis.split_pinyin(run)
        if sylls and len(sylls) >= 2:
            items = self._by_sound.get("".join(sylls), [])
        elif 2 <= len(run) <= 5:
            items = self._by_sound.get("~" + run, [])
        else:
            items = []
        ranked = sorted(items, reverse=True)
        best = ranked[0][0] if ranked else 1
        found = [(word, math.sqrt(count / best)) for count, word in ranked]
        if len(self._cache) < 4096:
            self._cache[run] = found
        return found


class TantivyBackend:
    def __init__(self, spec: IndexSpec, location: Path | None) -> None:
        self.spec = spec
        self.location = location
        builder = tantivy.SchemaBuilder()
        builder.add_text_field(
            ID, stored=True, tokenizer_name="raw", index_option="basic"
        )
        for name in spec.fields:
            builder.add_text_field(
                name, tokenizer_name="whitespace", index_option="freq"
            )
        builder.add_text_field(PINYIN, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field(BIGRAM, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field(
            UNIGRAM, tokenizer_name="whitespace", index_option="freq"
        )
        for key in spec.filters:
            builder.add_text_field(
                _filter_field(key), tokenizer_name="raw", index_option="basic"
            )
        builder.add_bytes_field(STORE, stored=True, indexed=False)
        self.schema = builder.build()
        if location is None:
            self.index = tantivy.Index(self.schema)
        else:
            location.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(location))
        self._meta_stamp = self._stamp()
        self._write_lock = threading.Lock()
        # The heavy fields' words: {word: [documents holding it, pinyin,
        # initials]}, read from VOCAB_FILE when first needed after a commit.
        self._vocab: dict[str, list[Any]] | None = None if location else {}
        self._spelled: Vocabulary | None = None
        # Counts the versions of the index this process has seen: a commit
        # here or another process's (read from meta.json) moves it on.
        self.generation = 0

    # --- writing ----------------------------------------------------------

    def _stamp(self) -> tuple[int, int, int] | None:
        if self.location is None:
            return None
        try:
            st = os.stat(self.location / "meta.json")
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _writer(self, heap: int = 50_000_000, threads: int = 1) -> tantivy.IndexWriter:
        """Takes the index's writer, waiting while another process holds it."""
        deadline = time.monotonic() + WRITER_LOCK_TIMEOUT
        delay = 0.01
        while True:
            try:
                return self.index.writer(heap, threads)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def to_tantivy(self, doc: Document) -> tantivy.Document:
        return self._prepare(doc)[0]

    def _prepare(self, doc: Document) -> tuple[tantivy.Document, list[str]]:
        """The tantivy document and the words of its heavy fields."""
        spec = self.spec
        out = tantivy.Document()
        out.add_text(ID, str(doc.id))
        texts = {name: doc.fields.get(name) or "" for name in spec.fields}
        for name, text in texts.items():
            if text:
                out.add_text(name, analysis.index_text(text))
        sound: list[str] = []
        pairs: list[str] = []
        heavy: dict[str, None] = {}
        for name in spec.pinyin_fields:
            if texts[name]:
                for word in analysis.heavy_words(texts[name]):
                    heavy.setdefault(word, None)
                pairs.extend(bigrams(texts[name]))
        for word in heavy:
            full, initials = analysis.word_pinyin(word)
            if full:
                sound.append(full)
                sound.append("~" + initials)
        if sound:
            out.add_text(PINYIN, " ".join(sound))
        if pairs:
            out.add_text(BIGRAM, " ".join(pairs))
        chars = [ch for name in spec.pinyin_fields for ch in unigrams(texts[name])]
        if chars:
            out.add_text(UNIGRAM, " ".join(chars))
        for key in spec.filters:
            value = doc.filters.get(key)
            if value is None:
                continue
            for v in [value] if isinstance(value, (str, int)) else value:
                out.add_text(_filter_field(key), str(v))
        out.add_bytes(STORE, json.dumps(texts, ensure_ascii=False).encode())
        return out, list(heavy)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self._meta_stamp = self._stamp()
        self.generation += 1

    # --- the heavy fields' vocabulary ----------------------------------------

    def _read_vocab(self) -> dict[str, list[Any]]:
        if self.location is None:
            return self._vocab if self._vocab is not None else {}
        try:
            data = json.loads((self.location / VOCAB_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _count_words(self, vocab: dict[str, list[Any]], words: list[str]) -> None:
        for word in words:
            item = vocab.get(word)
            if item is None:
                full, initials = analysis.word_pinyin(word)
                vocab[word] = [1, full, initials]
            else:
                item[0] += 1

    def _save_vocab(self, vocab: dict[str, list[Any]]) -> None:
        """Written under the writer lock, before the commit that it counts.

        Counts only grow between rebuilds (a deleted or changed document's
        words stay counted until `replace_all`): it ranks spellings, and a
        word no document holds any longer matches nothing.
        """
        self._vocab, self._spelled = vocab, None
        if self.location is None:
            return
        tmp = self.location / (VOCAB_FILE + ".tmp")
        tmp.write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
        os.replace(tmp, self.location / VOCAB_FILE)

    def vocabulary(self) -> Vocabulary:
        """The heavy fields' words by sound, as of the index last read."""
        spelled = self._spelled
        if spelled is None:
            if self._vocab is None:
                self._vocab = self._read_vocab()
            spelled = self._spelled = Vocabulary(self._vocab)
        return spelled

    def write(self, upserts: list[Document], deletes: list[str]) -> None:
        # Analyse outside the lock: segmentation is the slow part.
        prepared = [(str(d.id), *self._prepare(d)) for d in upserts]
        with self._write_lock:
            writer = self._writer()
            try:
                for doc_id in deletes:
                    writer.delete_documents_by_term(ID, str(doc_id))
                for doc_id, doc, _ in prepared:
                    writer.delete_documents_by_term(ID, doc_id)
                    writer.add_document(doc)
                if upserts:
                    # Read again under the lock: another process may have
                    # written since this one last read it.
                    vocab = self._read_vocab()
                    for _, _, words in prepared:
                        self._count_words(vocab, words)
                    self._save_vocab(vocab)
                self._commit(writer)
            except BaseException:
                writer.rollback()
                raise

    def replace_all(self, documents: Iterable[Document]) -> int:
        """Swaps the whole content in one commit: readers see old or new."""
        count = 0
        with self._write_lock:
            writer = self._writer(heap=256_000_000, threads=0)
            try:
                writer.delete_all_documents()
                seen: set[str] = set()
                vocab: dict[str, list[Any]] = {}
                for doc in documents:
                    doc_id = str(doc.id)
                    if doc_id in seen:
                        writer.delete_documents_by_term(ID, doc_id)
                    seen.add(doc_id)
                    prepared, words = self._prepare(doc)
                    writer.add_document(prepared)
                    self._count_words(vocab, words)
                    count += 1
                self._save_vocab(vocab)
                self._commit(writer)
            except BaseException:
                writer.rollback()
                raise
        return count

    # --- reading ----------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        if self.location is not None:
            stamp = self._stamp()
            if stamp != self._meta_stamp:
                self.index.reload()
                self._meta_stamp = stamp
                self.generation += 1
                self._vocab, self._spelled = None, None
        return self.index.searcher()

    def count(self) -> int:
        return self.searcher().num_docs

    def doc_freq(self, field: str, term: str) -> int:
        return self.searcher().doc_freq(field, term)

    @staticmethod
    def pair_doc_freq(searcher: tantivy.Searcher, pair: str) -> int:
        """How many documents hold a character pair in their heavy fields."""
        return searcher.doc_freq(BIGRAM, pair)

    def _term(self, field: str, term: str, boost: float) -> tantivy.Query:
        q = tantivy.Query.term_query(self.schema, field, term, index_option="freq")
        return q if boost == 1.0 else tantivy.Query.boost_query(q, boost)

    def build_query(
        self, aq: analysis.AnalyzedQuery, *, fallback: bool = False
    ) -> tantivy.Query | None:
        """The scoring part of a query: every clause optional, scores add up.

        1. Each query token (and, a little lower, its synonyms) in each text
           field, weighted by the field's weight (BM25 per field); in the
           light fields only when it is not a common word (COMMON_FRAC).
        2. The query's character pairs in the heavy fields, plus the same
           pairs again for a document whose heavy fields hold nearly all of
           them (coordination, as a conjunction of the rarest pairs).
        3. Pinyin typed by the user in the sound field, at the weight of the
           heaviest field: it is the only signal such a query has.
        4. The sound of the Chinese typed, low, so homophone typos still match
           without outranking exact matches.
        5. In the fallback (nothing matched), all character pairs and one-edit
           fuzzy pinyin, for a wrong character that is not a homophone.
        """
        spec = self.spec
        top = max(spec.fields.values())
        clauses: list[tantivy.Query] = []
        searcher = self.searcher()
        # In a small index, or for a one-word query, every word counts.
        common = COMMON_FRAC * searcher.num_docs
        if searcher.num_docs < COMMON_MIN_DOCS or len(aq.groups) < 2:
            common = float("inf")
        heavy = spec.pinyin_fields or [n for n, w in spec.fields.items() if w == top]
        for g, group in enumerate(aq.groups):
            for i, term in enumerate(group):
                weight = ORIGINAL if i == 0 else SYNONYM
                for name, field_weight in spec.fields.items():
                    if field_weight < top and searcher.doc_freq(name, term) > common:
                        continue  # a common word, in a light field
                    clauses.append(self._term(name, term, field_weight * weight))
            kept = 0
            for alt in aq.related[g] if g < len(aq.related) else ():
                if kept >= MAX_RELATED:
                    break
                # Only what the index's heavy fields hold, and not common
                # there: a thesaurus word is a guess at what was meant.
                held = [searcher.doc_freq(name, alt) for name in heavy]
                if not any(held) or max(held) > max(common, 1) / 2:
                    continue
                kept += 1
                for name, field_weight in spec.fields.items():
                    if field_weight < top and searcher.doc_freq(name, alt) > common:
                        continue
                    clauses.append(self._term(name, alt, field_weight * THESAURUS))
        for intent in aq.intent:
            for word in analysis.INTENT_WORDS.get(intent, ()):
                for name in heavy:
                    clauses.append(self._term(name, word, top * INTENT))
        if spec.pinyin_fields and aq.pairs:
            pair_clauses = [self._term(BIGRAM, p, top * PAIR) for p in aq.pairs]
            clauses.extend(pair_clauses)
            if COORD and len(pair_clauses) > 1:
                # "Holds at least `need` of the pairs", as a conjunction of
                # the `need` rarest pairs: same ranking on the labelled
                # queries, and an intersection led by its rarest posting
                # list costs a fraction of a minimum-should-match union.
                need = max(2, math.ceil(COORD_FRAC * len(pair_clauses)))
                rarest = sorted(
                    range(len(aq.pairs)),
                    key=lambda i: searcher.doc_freq(BIGRAM, aq.pairs[i]),
                )[:need]
                coord = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, pair_clauses[i]) for i in rarest]
                )
                clauses.append(tantivy.Query.boost_query(coord, COORD))
        if spec.pinyin_fields and CHAR and aq.content:
            for ch in self._query_chars(aq, searcher):
                clauses.append(self._term(UNIGRAM, ch, top * CHAR))
        for term in aq.pinyin:
            clauses.append(self._term(PINYIN, term, top))
        if aq.latin:
            vocabulary = self.vocabulary()
            for run in aq.latin:
                for word, share in vocabulary.spelled(run)[:MAX_SPELLED]:
                    for name, field_weight in spec.fields.items():
                        if (
                            field_weight < top
                            and searcher.doc_freq(name, word) > common
                        ):
                            continue
                        clauses.append(
                            self._term(name, word, field_weight * SPELLED * share)
                        )
        for term in aq.sound:
            clauses.append(self._term(PINYIN, term, top * SOUND))
        if fallback:
            for pair in bigrams(aq.text):
                if pair not in aq.pairs:
                    clauses.append(self._term(BIGRAM, pair, top * PAIR))
            # Only whole pinyin words typed by the user: fuzzy matching of
            # short syllable spans finds unrelated words (gongji ~ dongji).
            for term in aq.latin:
                if len(term) >= 8 and analysis.split_pinyin(term):
                    clauses.append(
                        tantivy.Query.boost_query(
                            tantivy.Query.fuzzy_term_query(
                                self.schema, PINYIN, term, 1
                            ),
                            top * SOUND,
                        )
                    )
        if not clauses:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses])

    def _query_chars(
        self, aq: analysis.AnalyzedQuery, searcher: tantivy.Searcher
    ) -> list[str]:
        """The characters of the words typed, once each. In a large index,
        not those held by more than CHAR_COMMON of the documents, and only
        the MAX_CHARS rarest: a long question's many characters would cost
        most of its search (their posting lists are the longest)."""
        chars = list(dict.fromkeys(ch for word in aq.content for ch in word))
        if searcher.num_docs < COMMON_MIN_DOCS:
            return chars
        limit = CHAR_COMMON * searcher.num_docs
        freq = {ch: searcher.doc_freq(UNIGRAM, ch) for ch in chars}
        kept = [ch for ch in chars if freq[ch] <= limit]
        if len(kept) > MAX_CHARS:
            rare = set(sorted(kept, key=freq.__getitem__)[:MAX_CHARS])
            kept = [ch for ch in kept if ch in rare]
        return kept

    def filter_query(self, filters: Filters | None) -> list[tantivy.Query]:
        musts = []
        for key, value in (filters or {}).items():
            if key not in self.spec.filters:
                raise ValueError(f"{key!r} is not a filter of index {self.spec.name!r}")
            if value is None:
                continue
            values = [value] if isinstance(value, (str, int)) else list(value)
            musts.append(
                tantivy.Query.term_set_query(
                    self.schema, _filter_field(key), [str(v) for v in values]
                )
            )
        return musts

    def search(
        self,
        scoring: tantivy.Query | None,
        filters: Filters | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[RawHit]]:
        """Returns (total, [(id, score, texts)])."""
        musts = self.filter_query(filters)
        if scoring is None:
            scoring = tantivy.Query.all_query()
        if musts:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, scoring)]
                + [
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(m, 0.0))
                    for m in musts
                ]
            )
        else:
            query = scoring
        searcher = self.searcher()
        # tantivy refuses a limit of 0 (it panics): ask for one, keep none.
        result = searcher.search(query, limit=max(1, limit), offset=offset, count=True)
        # The stub leaves out `count`, which `count=True` fills.
        total: int = result.count or 0  # type: ignore[attr-defined]
        if not limit:
            return total, []
        hits: list[RawHit] = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            stored = doc.get_first(STORE)  # UTF-8 JSON, written by to_tantivy
            texts: dict[str, str] = json.loads(stored) if stored else {}
            hits.append((str(doc.get_first(ID)), float(score), texts))
        return total, hits

    def clear(self) -> None:
        with self._write_lock:
            writer = self._writer()
            writer.delete_all_documents()
            self._save_vocab({})
            self._commit(writer)
