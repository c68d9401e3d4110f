"""Write-behind buffers: rows a request produces, written to the database later.

Counting a page view or logging a search must not cost the request a
database write. An app declares a buffer once, with the function that
writes a batch of its rows::

    searches = WriteBehind("kb-searchlog", write_rows)
    searches.push({"query": …})  # in the request: an append to a list

A row is any JSON value. ``push`` only appends it to this process's list.
From there:

* With Redis (``REDIS_URL``) the process's flusher thread sends the rows to
  a Redis list (one ``RPUSH`` per buffer, about every second), and whoever
  flushes (``manage.py flush_buffers``, the ``flush_buffers_task`` task, or
  the flusher thread of any web process when ``DANGJIAN_WRITE_BEHIND_IN_PROCESS``
  is on) claims the list with an atomic Redis lock (redis-py's ``lock()``),
  writes it in batches, and trims each batch after its transaction commits.
* Without Redis the flusher thread writes the process's rows to the
  database every ``DANGJIAN_WRITE_BEHIND_SECONDS`` seconds, or as soon as a
  buffer holds ``DANGJIAN_WRITE_BEHIND_ROWS`` rows. This is what makes
  counts reach the database in ``make run`` with nothing else running.

The flusher thread is a daemon thread started in each process by its first
``push`` (so after a server's fork). ``DANGJIAN_WRITE_BEHIND_SECONDS = 0``
turns it off (the tests flush by hand).

What can be lost, and when: rows still in a process (at most about a second
with Redis, at most the interval without) are lost if the process is killed
without a normal exit (SIGKILL, OOM); a normal exit writes them (atexit).
Rows in Redis are kept as long as Redis keeps them. A flusher killed between
its commit and its trim leaves that batch to be written again: writers make
that harmless where they can (the search log skips rows it already has;
views then over-count once, never under-count). A batch the database refuses
outright (``IntegrityError``: rows naming deleted objects) would fail for
ever: it is dropped and logged. Any other failure leaves the rows for the
next flush.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connections
from django_tasks import task

from dangjian.lib.redis import redis_client

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

KEY_PREFIX = "dangjian:writebehind:"
# How long a flusher may hold a buffer's Redis lock; a batch takes far less.
LOCK_SECONDS = 120
# How often the flusher thread sends this process's rows to Redis.
PUSH_SECONDS = 1.0
BATCH = 500

# A row is any JSON value; each buffer's writer knows its own shape.
Row = Any


def flush_seconds() -> float:
    """Seconds between automatic flushes; 0: no flusher thread."""
    return float(getattr(settings, "DANGJIAN_WRITE_BEHIND_SECONDS", 10))


def flush_in_process() -> bool:
    """Whether the flusher thread also writes Redis buffers to the database
    (off when ``manage.py flush_buffers`` does it)."""
    return bool(getattr(settings, "DANGJIAN_WRITE_BEHIND_IN_PROCESS", True))


def max_rows() -> int:
    return int(getattr(settings, "DANGJIAN_WRITE_BEHIND_ROWS", 5000))


class WriteBehind:
    """One buffer of rows and the function that writes a batch of them."""

    def __init__(self, name: str, write: Callable[[list[Row]], None]) -> None:
        self.name = name
        self.write = write
        self.key = KEY_PREFIX + name
        self.lock = threading.Lock()  # guards self.rows
        self.flushing = threading.Lock()  # one flush at a time in this process
        self.rows: list[Row] = []
        with _registry_lock:
            _registry[name] = self

    # In the request ------------------------------------------------------------

    def push(self, row: Row) -> None:
        """Keeps a row for the database; costs an append, never raises."""
        with self.lock:
            self.rows.append(row)
            full = len(self.rows) >= max_rows()
        _ensure_flusher(wake=full)

    # Moving rows ---------------------------------------------------------------

    def _take(self) -> list[Row]:
        with self.lock:
            rows, self.rows = self.rows, []
        return rows

    def _put_back(self, rows: list[Row]) -> None:
        with self.lock:
            self.rows[:0] = rows

    def send(self) -> int:
        """Sends this process's rows to Redis (one RPUSH); returns how many."""
        client = redis_client()
        if client is None:
            return 0
        rows = self._take()
        if not rows:
            return 0
        try:
            client.rpush(self.key, *(json.dumps(r, ensure_ascii=False) for r in rows))
        except Exception:
            self._put_back(rows)
            raise
        return len(rows)

    def flush(self) -> int:
        """Writes every row waiting, this process's and (with Redis) every
        process's, to the database; returns how many were written. With Redis
        only one flusher at a time works: another one gets 0 at once."""
        with self.flushing:
            client = redis_client()
            if client is None:
                return self._flush_local()
            self.send()
            return self._flush_redis(client)

    def _write(self, rows: list[Row]) -> bool:
        """Writes a batch; False if the database refused it for good."""
        try:
            self.write(rows)
        except IntegrityError:
            logger.exception(
                "dropped %d %s rows the database refused", len(rows), self.name
            )
            return False
        return True

    def _flush_local(self) -> int:
        rows = self._take()
        if not rows:
            return 0
        try:
            return len(rows) if self._write(rows) else 0
        except Exception:
            self._put_back(rows)
            raise

    def _flush_redis(self, client: Redis) -> int:
        lock = client.lock(self.key + ":lock", timeout=LOCK_SECONDS, blocking=False)
        if not lock.acquire():
            return 0
        done = 0
        try:
            while True:
                # Only this flusher removes rows, and pushers append at the
                # tail: the batch read is the batch trimmed after the commit.
                items = client.lrange(self.key, 0, BATCH - 1)
                if not items:
                    return done
                rows = [json.loads(item) for item in items]
                if self._write(rows):
                    done += len(rows)
                client.ltrim(self.key, len(items), -1)
        finally:
            try:
                lock.release()
            except Exception:  # it expired: another flusher may have started
                logger.warning("write-behind lock of %s expired mid-flush", self.name)

    def pending(self) -> int:
        """Rows not yet in the database (this process's and Redis's)."""
        with self.lock:
            waiting = len(self.rows)
        client = redis_client()
        if client is not None:
            waiting += client.llen(self.key)
        return waiting

    def reset(self) -> None:
        """Forgets every row not yet written (tests: their data is rolled back)."""
        self._take()
        client = redis_client()
        if client is not None:
            client.delete(self.key)


_registry: dict[str, WriteBehind] = {}
_registry_lock = threading.Lock()


def buffers() -> list[WriteBehind]:
    with _registry_lock:
        return list(_registry.values())


def flush_all() -> dict[str, int]:
    """Flushes every buffer; returns the rows written per buffer. A buffer
    that fails is logged and left for the next flush."""
    done = {}
    for buffer in buffers():
        try:
            done[buffer.name] = buffer.flush()
        except Exception:
            logger.exception("flushing %s failed", buffer.name)
            done[buffer.name] = 0
    return done


def reset_all() -> None:
    """Forgets every buffer's unwritten rows (tests)."""
    for buffer in buffers():
        buffer.reset()


# The flusher thread -----------------------------------------------------------

_flusher_pid = [0]
_flusher_lock = threading.Lock()
_wake = threading.Event()


def _ensure_flusher(*, wake: bool = False) -> None:
    if _flusher_pid[0] != os.getpid():
        if not flush_seconds():
            return
        with _flusher_lock:
            if _flusher_pid[0] != os.getpid():
                _wake.clear()
                threading.Thread(
                    target=_run_flusher, name="write-behind", daemon=True
                ).start()
                _flusher_pid[0] = os.getpid()
    if wake:
        _wake.set()


def _run_flusher() -> None:
    last_flush = time.monotonic()
    while True:
        seconds = flush_seconds()
        with_redis = redis_client() is not None
        _wake.wait(min(PUSH_SECONDS, seconds) if seconds else PUSH_SECONDS)
        woken = _wake.is_set()
        _wake.clear()
        if not seconds:
            continue
        try:
            if with_redis:
                for buffer in buffers():
                    buffer.send()
            due = time.monotonic() - last_flush >= seconds
            if (due or (woken and not with_redis)) and (
                not with_redis or flush_in_process()
            ):
                last_flush = time.monotonic()
                flush_all()
        except Exception:
            logger.exception("write-behind flusher failed")
        finally:
            # The thread's own database connection, opened by the flush.
            connections.close_all()


def _flush_at_exit() -> None:
    # A normal exit (a worker stopped, a command finished) keeps its rows:
    # with Redis they are sent there, else written.
    for buffer in buffers():
        if not buffer.rows:
            continue
        try:
            if redis_client() is not None:
                buffer.send()
            else:
                buffer.flush()
        except Exception:
            logger.exception("writing %s rows at exit failed", buffer.name)


atexit.register(_flush_at_exit)


@task()
def flush_buffers_task() -> dict[str, int]:
    """Flushes every buffer (for a scheduler that enqueues tasks)."""
    return flush_all()
