"""HTML snippets with <mark> around the words a query matched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from dangjian.search import analysis

MAX_SCAN = 3000


def needle_key(needles: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({n for n in needles if n}, key=lambda n: (-len(n), n)))


def marked_terms(terms: Sequence[str]) -> list[str]:
    """The query words a snippet marks: a lone Chinese character (去 of
    "去外地看病", 中 of "中签了吗") only when the query has no longer word, as
    in a search for one character. Marked wherever it stands, it lit up
    every 去 and 中 of an answer (管理中心) and drew the snippet's window to
    them; it still counts for the ranking."""
    if not any(len(t) > 1 for t in terms):
        return list(terms)
    return [t for t in terms if len(t) > 1 or not analysis.is_cjk(t)]


def _match_spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) of needles in text, longest first.

    Plain `str.find` per needle: a query has a handful of needles and a
    snippet scans a few thousand characters, where compiling a regular
    expression per query cost more than the search itself.
    """
    key = needles if isinstance(needles, tuple) else needle_key(needles)
    if not key or not text:
        return []
    haystack = analysis.match_text(text)
    taken = bytearray(len(haystack))
    spans = []
    for needle in key:  # Longest first: 公积金 wins over 公积 inside it.
        size = len(needle)
        at = haystack.find(needle)
        while at != -1:
            if not any(taken[at : at + size]):
                taken[at : at + size] = b"\x01" * size
                spans.append((at, at + size))
                at = haystack.find(needle, at + size)
            else:
                at = haystack.find(needle, at + 1)
    spans.sort()
    return spans


def _sound_needles(text: str, pinyin_terms: set[str]) -> list[str]:
    """Words of the text whose pinyin (or initials) is one of the query's."""
    if not pinyin_terms:
        return []
    found = []
    for word in dict.fromkeys(analysis.segment(text[:4000])):
        if len(word) >= 2 and analysis.is_cjk(word):
            full, initials = analysis.word_pinyin(word)
            if full in pinyin_terms or "~" + initials in pinyin_terms:
                found.append(word)
    return found


def snippet(
    text: str,
    terms: Sequence[str],
    pinyin_terms: set[str] | None = None,
    *,
    max_chars: int = 120,
) -> str:
    """Escaped text around the densest group of matches, matches marked.

    Text shorter than `max_chars` is returned whole; longer text is cut to a
    window that holds as many matches as possible, with an ellipsis where
    text was cut.
    """
    # Long texts are scanned only at their start: a snippet is a preview.
    text = (text or "")[:MAX_SCAN]
    sound = _sound_needles(text, pinyin_terms) if pinyin_terms else []
    needles = (
        needle_key([*terms, *sound]) if sound or not isinstance(terms, tuple) else terms
    )
    spans = _match_spans(text, needles)
    start, end = 0, len(text)
    if len(text) > max_chars:
        best_start, best_score = 0, -1
        lead = max_chars // 6
        right = 0
        seen: dict[str, int] = {}
        # Sliding window over the matches: the window holding the most
        # distinct matched words wins (ties: the earliest).
        for left, (s, _) in enumerate(spans):
            window_start = max(0, s - lead)
            window_end = window_start + max_chars
            while right < len(spans) and spans[right][1] <= window_end:
                word = text[spans[right][0] : spans[right][1]]
                seen[word] = seen.get(word, 0) + 1
                right += 1
            if len(seen) > best_score:
                best_start, best_score = window_start, len(seen)
            word = text[s : spans[left][1]]
            if word in seen:
                seen[word] -= 1
                if not seen[word]:
                    del seen[word]
        start = min(best_start, max(0, len(text) - max_chars))
        end = start + max_chars
    out = ["…" if start > 0 else ""]
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(escape(text[cursor:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        cursor = b
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
