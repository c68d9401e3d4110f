"""Learning from use: what citizens' searches and operators' choices teach.

``learn()`` reads the search log's clicks (a citizen opening an entry from
the results; an operator choosing one in the console, which counts twice:
an operator reads the answer before choosing it) and proposes:

* **query → entry associations** (`LearnedAnswer`): a question, as the log
  normalizes it, that led to the same entry in at least `MIN_SEARCHES`
  searches;
* **synonym pairs** (`Synonym`, origin 检索日志学习): a word citizens typed
  that the entry they opened does not hold, beside the word of the entry's
  title it stands for. Each click votes for the title words its query
  lacks; votes add up across searches and entries, and a word shared with
  the citizen's (驾照 / 驾驶证 share 驾) breaks ties.

Both come in as proposals (待确认) with their counts and examples; search
uses them only once an admin confirms them (the synonym table, and
学习到的问法, both in the Wagtail admin's settings, superusers only). A
proposal already decided (confirmed or rejected) keeps its decision: its
count and examples are brought up to date.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from dangjian.kb.models import Entry, LearnedAnswer, SearchLog
from dangjian.kb.searchlog import normalized_query
from dangjian.search.analysis import (
    build_synonym_map,
    is_cjk,
    normalize,
    parse_synonym_terms,
    stopwords,
    take_questions,
    words,
)
from dangjian.search.models import Synonym

MIN_SEARCHES = 3
CONSOLE_WEIGHT = 2
MAX_EXAMPLES = 5
DEFAULT_DAYS = 90


@dataclass
class Learned:
    answers_proposed: int = 0
    answers_updated: int = 0
    synonyms_proposed: int = 0
    synonyms_updated: int = 0
    pairs: list[tuple[str, str, int]] = field(default_factory=list)


def content_words(query: str) -> list[str]:
    """The words of a query that say what is asked (scaffolding and stop
    words left out): Chinese words of two or more characters."""
    text, _ = take_questions(normalize(query))
    stop = stopwords()
    return [
        w
        for w in dict.fromkeys(words(text))
        if len(w) >= 2 and is_cjk(w) and w not in stop
    ]


def _title_words(entry: Entry) -> list[str]:
    text = " ".join((entry.matter, entry.question, entry.keywords))
    stop = stopwords()
    return [
        w
        for w in dict.fromkeys(words(text))
        if len(w) >= 2 and is_cjk(w) and w not in stop
    ]


def _shared(a: str, b: str) -> int:
    return len(set(a) & set(b))


def learn(
    *,
    days: int = DEFAULT_DAYS,
    min_searches: int = MIN_SEARCHES,
    now: datetime.datetime | None = None,
) -> Learned:
    """Proposes associations and synonym pairs from the last `days` of clicks."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    clicks = list(
        SearchLog.objects.since(since)
        .filter(clicked_entry__isnull=False)
        .values_list("query", "normalized", "channel", "clicked_entry_id")
    )
    entries = Entry.objects.in_bulk({c[3] for c in clicks})
    associations: dict[tuple[str, int], list] = {}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    # Read afresh: a batch job, and the per-process map may be a second old.
    known = build_synonym_map(
        parse_synonym_terms(raw)
        for raw in Synonym.objects.enabled().values_list("terms", flat=True)
    )
    for query, normalized, channel, entry_id in clicks:
        entry = entries.get(entry_id)
        if entry is None or not normalized:
            continue
        weight = CONSOLE_WEIGHT if channel == SearchLog.Channel.CONSOLE else 1
        item = associations.setdefault((normalized, entry_id), [0, []])
        item[0] += weight
        if query not in item[1] and len(item[1]) < MAX_EXAMPLES:
            item[1].append(query)
        text = normalize(
            " ".join((entry.matter, entry.question, entry.keywords, entry.answer))
        )
        asked = content_words(query)
        title = [w for w in _title_words(entry) if w not in normalized]
        for word in asked:
            if word in text or not title:
                continue
            for official in title:
                if official in known.get(word, ()):
                    continue
                votes[word][official] += weight
                pair_examples = examples[(word, official)]
                if query not in pair_examples and len(pair_examples) < MAX_EXAMPLES:
                    pair_examples.append(query)
    out = Learned()
    with transaction.atomic():
        for (normalized, entry_id), (count, queries) in associations.items():
            if count < min_searches:
                continue
            answer, created = LearnedAnswer.objects.get_or_create(
                query=normalized,
                entry_id=entry_id,
                defaults={"searches": count, "examples": "\n".join(queries)},
            )
            if created:
                out.answers_proposed += 1
            elif answer.searches != count:
                answer.searches = count
                answer.examples = "\n".join(queries)
                answer.save(update_fields=["searches", "examples", "updated_at"])
                out.answers_updated += 1
        for word, counter in votes.items():
            best = max(
                counter.items(),
                key=lambda item: (item[1], _shared(word, item[0]), len(item[0])),
            )
            official, count = best
            if count < min_searches:
                continue
            out.pairs.append((word, official, count))
            terms = f"{word}/{official}"
            sample = "\n".join(examples[(word, official)])
            row = Synonym.objects.filter(terms=terms).first()
            if row is None:
                Synonym.objects.create(
                    terms=terms,
                    origin=Synonym.Origin.LEARNED,
                    review=Synonym.Review.PROPOSED,
                    searches=count,
                    examples=sample,
                    note="由检索日志学习得到，确认后生效",
                )
                out.synonyms_proposed += 1
            elif row.searches != count:
                row.searches = count
                row.examples = sample
                row.save(update_fields=["searches", "examples", "updated_at"])
                out.synonyms_updated += 1
    invalidate_answers()
    return out


# --- confirmed associations, as search reads them ---------------------------

ANSWERS_VERSION_KEY = "dangjian:kb:learned-answers:version"


@dataclass
class _AnswerCache:
    map: dict[str, list[int]] | None = None
    version: object = None
    checked: float = 0.0


_answers = _AnswerCache()
_answers_lock = threading.Lock()


def confirmed_answers() -> dict[str, list[int]]:
    """normalized query → the entries confirmed for it (most searched first);
    cached per process, re-read within a second of a change anywhere."""
    from django.core.cache import cache

    now = time.monotonic()
    cached = _answers.map
    if cached is not None and now - _answers.checked < 1.0:
        return cached
    try:
        version = cache.get(ANSWERS_VERSION_KEY)
    except Exception:  # A cache outage must not stop search.
        version = None
    with _answers_lock:
        _answers.checked = now
        if cached is not None and version == _answers.version:
            return cached
        mapping: dict[str, list[int]] = {}
        for query, entry_id in LearnedAnswer.objects.filter(
            review=LearnedAnswer.Review.CONFIRMED
        ).values_list("query", "entry_id"):
            mapping.setdefault(query, []).append(entry_id)
        _answers.map, _answers.version = mapping, version
        return mapping


def invalidate_answers() -> None:
    from django.core.cache import cache

    with _answers_lock:
        _answers.map, _answers.checked = None, 0.0
    try:
        cache.set(ANSWERS_VERSION_KEY, time.time_ns(), None)
    except Exception:
        pass


def answers_for(query: str) -> list[int]:
    return confirmed_answers().get(normalized_query(query), [])
