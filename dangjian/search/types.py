"""The values that cross the search interface: documents in, results out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: What a search is restricted by: per filter key, one value or any of several
#: (an empty list matches nothing); None leaves that key unrestricted.
Filters = Mapping[str, str | Sequence[str] | None]


@dataclass(frozen=True)
class Document:
    """One searchable thing, identified by the owning app's own id.

    `fields` are the texts to search (names declared in `register_index`);
    `filters` are exact values to restrict by, a string or a list of strings
    per key (a list means the document carries every one of those values).
    """

    id: str
    fields: dict[str, str]
    filters: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    # Per field, escaped HTML with <mark>; built when first read.
    snippets: Mapping[str, str]


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    # The query terms the engine looked for, after segmentation, synonyms
    # and pinyin conversion; useful to explain a result to an operator.
    terms: list[str] = field(default_factory=list)
