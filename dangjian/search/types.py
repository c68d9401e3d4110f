"""The values that cross the search interface: documents in, results out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
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


Feeder = Callable[[], Iterable[Document]]


@dataclass(frozen=True)
class IndexSpec:
    name: str
    fields: dict[str, float]
    filters: tuple[str, ...]
    # Fields whose words are also indexed by sound (pinyin, initials) and as
    # character pairs for typo tolerance: by default the heaviest fields.
    pinyin_fields: tuple[str, ...]
    feeder: Feeder | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        raw = json.dumps(
            [self.fields, list(self.filters), list(self.pinyin_fields), SCHEMA_VERSION],
            sort_keys=True,
        )
        return hashlib.sha1(raw.encode()).hexdigest()[:10]


# Bumped when the way documents are analysed changes, so that indexes built
# the old way are not read the new way (a new directory; rebuild to fill it).
SCHEMA_VERSION = 2
