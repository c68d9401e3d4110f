"""Group commit: concurrent accepted votes of one process share one INSERT.

With Redis checking the rule, writing the ledger row is all a vote still
needs from the database, and one commit (one WAL flush) per vote is what
limits throughput. So each process runs one writer thread: requests hand it
their vote and wait; it takes every vote waiting at that moment, writes them
with one multi-row ``INSERT … RETURNING id`` (a single statement, atomic on
its own) and only then wakes the requests, which answer 201. A vote that got
201 is therefore committed, exactly as with a plain ``save()``.

When the database refuses the batch (one vote's idempotency key already in
the ledger) its votes are written again one by one, so the refusal reaches
that vote's request alone. When the connection breaks, whether the statement
committed is unknown: nothing is written again and every request of the
batch fails and gives back its Redis reservation, as a lone ``save()`` would.

Callers inside a transaction (tests, a caller that wraps votes with other
writes) write inline: the writer's connection could not see their rows.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from typing import cast

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from dangjian.voting.models import Vote

logger = logging.getLogger(__name__)

MAX_BATCH = 256
IDLE_SECONDS = 60
COLUMNS = (
    "campaign_id",
    "candidate_id",
    "voter_hash",
    "day",
    "cast_at",
    "network_hash",
    "device_hash",
    "ua_class",
    "idempotency_key",
    "answer",
    "prev_hash",
    "row_hash",
    "void_reason",
)


class _Pending:
    __slots__ = ("vote", "done", "error")

    def __init__(self, vote: Vote | None):
        self.vote = vote
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupWriter:
    """One writer thread per process (started lazily, again after a fork)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.batches = 0  # how many INSERTs were sent (for tests and the bench)
        self.votes = 0

    def write(self, vote: Vote) -> None:
        """Inserts ``vote`` (setting its id); returns once it is committed."""
        pending = _Pending(vote)
        self._ensure_thread()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._queue = queue.SimpleQueue()
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="dangjian-vote-writer", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Makes the writer close its database connection (tests call this
        before the test database is dropped); the next vote opens a new one."""
        if self._thread is None or self._pid != os.getpid():
            return
        pending = _Pending(None)
        self._queue.put(pending)
        pending.done.wait()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                # Idle: give the connection back rather than keep it open.
                connection.close()
                continue
            if first.vote is None:
                connection.close()
                first.done.set()
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if pending.vote is None:  # a close() while busy: later
                    self._queue.put(pending)
                    break
                batch.append(pending)
            try:
                self._write_batch(batch)
            except BaseException as exc:  # never leave a request waiting
                logger.exception("vote writer failed")
                for pending in batch:
                    if not pending.done.is_set():
                        pending.error = exc
            finally:
                for pending in batch:
                    pending.done.set()

    def _write_batch(self, batch: list[_Pending]) -> None:
        # _run never puts a close request (vote None) in a batch.
        votes = [cast(Vote, p.vote) for p in batch]
        self.batches += 1
        self.votes += len(batch)
        try:
            insert_votes(votes)
            return
        except IntegrityError as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
        except DatabaseError as exc:
            # The connection broke: whether the statement committed is
            # unknown, so nothing is written again; every request of the
            # batch fails (and gives its Redis reservation back), and the
            # next batch opens a new connection.
            connection.close()
            for pending in batch:
                pending.error = exc
            return
        # One row was refused (and so, the statement being atomic, all
        # were): write them one by one so the refusal reaches its request alone.
        for pending, vote in zip(batch, votes, strict=True):
            try:
                insert_votes([vote])
            except DatabaseError as exc:
                if not isinstance(exc, IntegrityError):
                    connection.close()
                pending.error = exc


def insert_votes(votes: list[Vote]) -> None:
    """One INSERT for all ``votes`` in autocommit (committed when it returns)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            Vote.objects.bulk_create(votes)
        return
    # One statement and one parameter whatever the batch size: the rows
    # travel as a JSON array that PostgreSQL unpacks; quoting a dozen
    # parameters per vote on the client cost more than the insert itself.
    rows = json.dumps(
        [
            [
                v.campaign_id,
                v.candidate_id,
                v.voter_hash,
                v.day.isoformat(),
                v.cast_at.isoformat(),
                v.network_hash,
                v.device_hash,
                v.ua_class,
                v.idempotency_key,
                v.answer,
            ]
            for v in votes
        ],
        separators=(",", ":"),
    )
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [rows])
        ids = [r[0] for r in cursor.fetchall()]
    for vote, vote_id in zip(votes, ids, strict=True):
        vote.pk = vote_id


INSERT_SQL = (
    f"INSERT INTO {Vote._meta.db_table} ({', '.join(COLUMNS)})"
    " SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, (r->>3)::date,"
    " (r->>4)::timestamptz, r->>5, r->>6, r->>7, r->>8, COALESCE(r->>9, ''),"
    " '', '', ''"
    " FROM json_array_elements(%s::json) WITH ORDINALITY AS e(r, o)"
    " ORDER BY o RETURNING id"
)


_writer = GroupWriter()


def group_writer() -> GroupWriter:
    return _writer


def save_vote(vote: Vote) -> None:
    """Writes an accepted vote to the ledger; committed when this returns
    (unless the caller holds a transaction, which then decides)."""
    if connection.in_atomic_block or not getattr(settings, "VOTING_GROUP_COMMIT", True):
        vote.save(force_insert=True)
        return
    _writer.write(vote)
