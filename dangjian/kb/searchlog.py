"""The search log, written off the request path.

Every search is logged, and the console searches on every keystroke, so a
database insert per search would be most of a search's cost. A search's
row, and a click's, go to the ``kb-searchlog`` write-behind buffer
(``dangjian.lib.writebehind``: an append in the request; Redis or the
process's flusher thread carry it to the database in batches). The
dashboard flushes before it reads the log.

A search is identified by a random token rather than its row id, because
the row may not exist yet when the page showing the results is rendered; a
click goes through the same buffer, and a batch writes its searches before
its clicks. (A click pushed by one process before another process sends its
search, and flushed between the two, is not recorded: it needs the click to
come within about a second of the search, in another worker, across a flush.)
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dangjian.kb.models import Entry, SearchLog
from dangjian.lib.writebehind import WriteBehind
from dangjian.orgs.models import Organisation
from dangjian.search.analysis import normalize


def new_token() -> str:
    return secrets.token_urlsafe(12)


def normalized_query(query: str) -> str:
    """The form of a query the log groups by (hot questions, gaps)."""
    return " ".join(normalize(query).split())[:200]


def record_search(
    query: str,
    result_count: int,
    *,
    channel: str,
    routed_unit_id: int | None = None,
) -> str:
    """Logs one search; returns its token (for the click that may follow)."""
    token = new_token()
    row = {
        "token": token,
        "query": query[:200],
        "normalized": normalized_query(query),
        "result_count": int(result_count),
        "channel": channel,
        "unit": routed_unit_id,
        "at": timezone.now().isoformat(),
    }
    buffer.push(row)
    return token


def record_click(token: str, entry_id: int) -> None:
    """Records the entry a search led to (only the first click counts)."""
    buffer.push({"click": str(token)[:32], "entry": int(entry_id)})


_COLUMNS = (
    "token",
    "query",
    "normalized",
    "result_count",
    "channel",
    "routed_unit",
    "created_at",
)


def _insert_sql(connection: BaseDatabaseWrapper) -> str:
    quote = connection.ops.quote_name
    meta = SearchLog._meta
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in _COLUMNS)
    values = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"


def write_rows(rows: list[dict[str, Any]]) -> None:
    """Writes buffered rows in order: searches first, then their clicks."""
    searches = [r for r in rows if "token" in r]
    clicks = [r for r in rows if "click" in r]
    if searches:
        # A batch written again (its flusher died before trimming it) is
        # written once.
        known = set(
            SearchLog.objects.filter(
                token__in=[r["token"] for r in searches]
            ).values_list("token", flat=True)
        )
        searches = [r for r in searches if r["token"] not in known]
    units = {r["unit"] for r in searches if r.get("unit")}
    known_units = set(
        Organisation.objects.filter(pk__in=units).values_list("pk", flat=True)
    )
    alias = router.db_for_write(SearchLog)
    connection = connections[alias]
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(using=alias):
        if searches:
            # One statement run for every row: the ORM's bulk_create built a
            # model instance per row, most of the cost of a flush.
            with connection.cursor() as cursor:
                cursor.executemany(
                    _insert_sql(connection),
                    [
                        (
                            r["token"],
                            r["query"],
                            r["normalized"],
                            r["result_count"],
                            r["channel"],
                            r["unit"] if r.get("unit") in known_units else None,
                            adapt(parse_datetime(r["at"]) or timezone.now()),
                        )
                        for r in searches
                    ],
                )
        if clicks:
            known_entries = set(
                Entry.objects.filter(pk__in={r["entry"] for r in clicks}).values_list(
                    "pk", flat=True
                )
            )
            for r in clicks:
                if r["entry"] in known_entries:
                    SearchLog.objects.filter(
                        token=r["click"], clicked_entry__isnull=True
                    ).update(clicked_entry_id=r["entry"])


buffer = WriteBehind("kb-searchlog", write_rows)


def flush() -> int:
    """Moves every buffered row to the database; returns how many."""
    return buffer.flush()
