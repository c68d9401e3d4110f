"""The search log, written off the request path.

Every search is logged, and the console searches on every keystroke, so a
database insert per search would be most of a search's cost. With Redis
(REDIS_URL), a search's row is kept in the process until its response has
been sent, then appended to a Redis list (with any other rows waiting, in
one command); the list is written to the database in batches: at most once
a second across all processes, also after a response has been sent, and
always before the dashboard reads the log. Without Redis (development,
tests on SQLite) the row is written at once.

A search is identified by a random token rather than its row id, because
the row may not exist yet when the page showing the results is rendered; a
click goes through the same list, after its search, so it is applied after
the row is written.
"""

from __future__ import annotations

import atexit
import json
import logging
import secrets
import threading
import time

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dangjian.lib.redis import redis_client

logger = logging.getLogger(__name__)

BUFFER_KEY = "dangjian:kb:searchlog"
FLUSH_LOCK_KEY = "dangjian:kb:searchlog:flushing"
FLUSH_SECONDS = 1.0
BATCH = 500

_last_check = [0.0]


def new_token() -> str:
    return secrets.token_urlsafe(12)


# Rows of searches whose responses are still being sent (JSON, in order).
_waiting: list[str] = []
_waiting_lock = threading.Lock()


def push_waiting() -> None:
    """Appends the rows this process holds to the Redis list, in one command."""
    with _waiting_lock:
        items = _waiting[:]
        _waiting.clear()
    if not items:
        return
    client = redis_client()
    try:
        client.rpush(BUFFER_KEY, *items)
    except Exception:  # Redis down: write to the database instead.
        logger.warning("search log buffer unavailable, writing directly")
        write_rows([json.loads(item) for item in items])


def forget_waiting() -> None:
    """Drops the rows not yet pushed (tests: their data is rolled back)."""
    with _waiting_lock:
        _waiting.clear()


def _push(row: dict) -> bool:
    """Appends a row to the Redis buffer; False when there is none or it failed."""
    client = redis_client()
    if client is None:
        return False
    try:
        client.rpush(BUFFER_KEY, json.dumps(row, ensure_ascii=False))
    except Exception:  # Redis down: write to the database instead.
        logger.warning("search log buffer unavailable, writing directly")
        return False
    return True


def record_search(
    query: str, result_count: int, *, channel: str, routed_unit_id=None
) -> str:
    """Logs one search; returns its token (for the click that may follow)."""
    from dangjian.kb.search import normalized_query

    row = {
        "token": new_token(),
        "query": query[:200],
        "normalized": normalized_query(query),
        "result_count": int(result_count),
        "channel": channel,
        "unit": routed_unit_id,
        "at": timezone.now().isoformat(),
    }
    if redis_client() is None:
        write_rows([row])
    else:
        # Pushed when a response is done (request_finished) or at exit: the
        # round trip to Redis is not part of answering the search.
        with _waiting_lock:
            _waiting.append(json.dumps(row, ensure_ascii=False))
    return row["token"]


def record_click(token: str, entry_id: int) -> None:
    """Records the entry a search led to (only the first click counts)."""
    row = {"click": str(token)[:32], "entry": int(entry_id)}
    if not _push(row):
        write_rows([row])


_COLUMNS = (
    "token",
    "query",
    "normalized",
    "result_count",
    "channel",
    "routed_unit",
    "created_at",
)


def _insert_sql(connection) -> str:
    from dangjian.kb.models import SearchLog

    quote = connection.ops.quote_name
    meta = SearchLog._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
    values = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"


def write_rows(rows: list[dict]) -> None:
    """Writes buffered rows in order: searches first, then their clicks."""
    from dangjian.kb.models import Entry, SearchLog
    from dangjian.orgs.models import Organisation

    searches = [r for r in rows if "token" in r]
    clicks = [r for r in rows if "click" in r]
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


def flush() -> int:
    """Moves every buffered row to the database; returns how many."""
    client = redis_client()
    if client is None:
        return 0
    push_waiting()
    done = 0
    while True:
        pipe = client.pipeline(transaction=True)
        pipe.lrange(BUFFER_KEY, 0, BATCH - 1)
        pipe.ltrim(BUFFER_KEY, BATCH, -1)
        items, _ = pipe.execute()
        if not items:
            return done
        rows = [json.loads(item) for item in items]
        try:
            write_rows(rows)
        except Exception:
            # Put them back at the head, in order, for the next flush.
            client.lpush(BUFFER_KEY, *reversed(items))
            raise
        done += len(rows)


def flush_if_due() -> None:
    """Flushes at most once a second across processes; never raises."""
    now = time.monotonic()
    if now - _last_check[0] < FLUSH_SECONDS:
        return
    _last_check[0] = now
    client = redis_client()
    if client is None:
        return
    try:
        if not client.llen(BUFFER_KEY):
            return
        if not client.set(FLUSH_LOCK_KEY, "1", nx=True, ex=30):
            return
        try:
            flush()
        finally:
            client.delete(FLUSH_LOCK_KEY)
    except Exception:  # Logging is never worth a failed request.
        logger.exception("search log flush failed")


def on_request_finished(**kwargs) -> None:
    # request_finished fires once the response has been handed to the
    # server, so neither the push nor the flush delays the search that
    # triggered it. A connection the flush opens is closed by Django at the
    # next request's start (close_old_connections), as for any connection
    # past its age.
    try:
        push_waiting()
    except Exception:  # Logging is never worth a failed request.
        logger.exception("search log push failed")
    flush_if_due()


def _push_at_exit() -> None:
    # A command or a worker that searched outside a request.
    try:
        push_waiting()
    except Exception:
        logger.exception("search log push at exit failed")


atexit.register(_push_at_exit)
