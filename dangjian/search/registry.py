"""Which indexes exist, who feeds them, and where they live."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dangjian.search.environment import using_test_database  # noqa: F401
from dangjian.search.types import SCHEMA_VERSION, Feeder, IndexSpec

if TYPE_CHECKING:
    from dangjian.search.engine import SearchIndex

__all__ = ["SCHEMA_VERSION", "Feeder", "IndexSpec", "get_index", "register_index"]

_FIELD_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")

_specs: dict[str, IndexSpec] = {}
_indexes: dict[str, SearchIndex] = {}
_lock = threading.Lock()


def _check_name(kind: str, name: str) -> None:
    if not name or not set(name) <= _FIELD_NAME_OK or name[0] == "_":
        raise ImproperlyConfigured(
            f"Search {kind} name {name!r} must be lower-case letters, digits and _"
        )


def register_index(
    name: str,
    *,
    fields: dict[str, float],
    filters: Iterable[str] = (),
    feeder: Feeder | None = None,
    pinyin_fields: Iterable[str] | None = None,
) -> IndexSpec:
    """Declares an index: its weighted text fields and its filter keys.

    Call it from the owning app's AppConfig.ready(). `feeder` returns every
    document the index should hold; `manage.py search_rebuild` calls it.
    Registering the same name again replaces the declaration (the index is
    re-opened on next use).
    """
    _check_name("index", name)
    if not fields:
        raise ImproperlyConfigured(f"Search index {name!r} needs at least one field")
    for f in [*fields, *filters]:
        _check_name("field", f)
    filters = tuple(filters)
    overlap = set(fields) & set(filters)
    if overlap:
        raise ImproperlyConfigured(f"{sorted(overlap)} are both a field and a filter")
    if pinyin_fields is None:
        top = max(fields.values())
        pinyin_fields = [f for f, w in fields.items() if w == top]
    pinyin_fields = tuple(pinyin_fields)
    unknown = set(pinyin_fields) - set(fields)
    if unknown:
        raise ImproperlyConfigured(f"pinyin_fields {sorted(unknown)} are not fields")
    spec = IndexSpec(
        name=name,
        fields={k: float(v) for k, v in fields.items()},
        filters=filters,
        pinyin_fields=pinyin_fields,
        feeder=feeder,
    )
    with _lock:
        old = _specs.get(name)
        _specs[name] = spec
        if old is not None and old != spec:
            _indexes.pop(name, None)
    return spec


def registered() -> dict[str, IndexSpec]:
    return dict(_specs)


def get_index(name: str) -> SearchIndex:
    """The index called `name`, opened on first use in this process."""
    from dangjian.search.engine import SearchIndex

    index = _indexes.get(name)
    if index is not None:
        return index
    with _lock:
        index = _indexes.get(name)
        if index is None:
            try:
                spec = _specs[name]
            except KeyError:
                raise LookupError(
                    f"No search index named {name!r} is registered"
                ) from None
            index = SearchIndex(spec, storage_location(spec))
            _indexes[name] = index
    return index


def storage_location(spec: IndexSpec) -> Path | None:
    """Where an index is kept on disk, or None to keep it in memory.

    `DANGJIAN_SEARCH_DIR` chooses the folder (default var/search); the value
    ":memory:" keeps indexes in memory. Under a test database (Django's test
    runner renames it) indexes are kept in memory too, so that tests never
    read or write the real index.
    """
    root = getattr(settings, "DANGJIAN_SEARCH_DIR", None) or os.environ.get(
        "DANGJIAN_SEARCH_DIR"
    )
    if root == ":memory:" or (not root and using_test_database()):
        return None
    base = Path(root) if root else Path(settings.BASE_DIR) / "var" / "search"
    return base / f"{spec.name}-{spec.fingerprint}"


def reset_memory_indexes() -> None:
    """Empties every in-memory index (test isolation)."""
    with _lock:
        for name, index in list(_indexes.items()):
            if index.location is None:
                _indexes.pop(name)
