"""Every node's index follows the database: an ordered log of index changes.

Index files are per node (each server keeps its own `DANGJIAN_SEARCH_DIR`);
the database is shared. A write through `SearchIndex.upsert_on_commit` /
`delete_on_commit` adds rows to `IndexChange` in the writer's transaction,
so a rolled-back change is never logged. Each node then applies the rows
after its position to its own index files:

* at once, on the writing node, when the transaction commits;
* on every other node, at its next search (checked at most every
  `INTERVAL` seconds per process and index: one indexed query).

The position is kept in the index directory (`changelog.json`), shared by
the node's processes under a file lock (`changelog.lock`): one process
applies, the others read its commit from tantivy's `meta.json`.

Ids come from a sequence, but transactions commit in any order: a row with a
smaller id may appear after a larger one was applied. So the position is
`safe` (every row up to it was applied) plus the ids above it applied
already; `safe` moves past a row only once the row is `SETTLE` seconds old
(a transaction writing index changes must commit within that time).

A node without a position (a new index directory) or idle for longer than
the log keeps rows (`SEARCH_CHANGELOG_DAYS`, default 7) rebuilds the index
from its feeder, in a background thread; searches are answered from the
files as they are meanwhile. Old rows are deleted by any node, at most once
an hour per process.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.utils import timezone

from dangjian.search.environment import using_test_database
from dangjian.search.types import Document

if TYPE_CHECKING:
    from dangjian.search.engine import SearchIndex

logger = logging.getLogger(__name__)

#: Seconds between two checks of the log, per process and index.
INTERVAL = 0.5
#: Seconds a transaction writing index changes may stay open.
SETTLE = 60.0
#: Changes applied in one index commit.
BATCH = 500
#: More changes than this waiting: rebuild from the feeder instead.
REBUILD_AFTER = 20_000
#: Seconds a write waits for another process of the node applying the log.
LOCK_WAIT = 5.0
#: Seconds between two prunings of old rows, per process.
PRUNE_EVERY = 3600.0

POSITION_FILE = "changelog.json"
LOCK_FILE = "changelog.lock"


def retention_days() -> float:
    return float(
        getattr(settings, "SEARCH_CHANGELOG_DAYS", None)
        or os.environ.get("SEARCH_CHANGELOG_DAYS")
        or 7
    )


def record(index: str, upserts: Iterable[Document], deletes: Iterable[str]) -> None:
    """Logs changes of an index, in the current transaction (if any)."""
    from dangjian.search.models import IndexChange

    rows = [
        IndexChange(
            index=index,
            object_id=str(doc_id),
            op=IndexChange.Op.DELETE,
        )
        for doc_id in deletes
    ] + [
        IndexChange(
            index=index,
            object_id=str(doc.id),
            op=IndexChange.Op.UPSERT,
            document={"fields": doc.fields, "filters": doc.filters},
        )
        for doc in upserts
    ]
    if rows:
        IndexChange.objects.bulk_create(rows, batch_size=BATCH)


def prune(days: float | None = None) -> int:
    """Deletes rows older than the retention; returns how many."""
    from dangjian.search.models import IndexChange

    cutoff = timezone.now() - datetime.timedelta(days=days or retention_days())
    deleted, _ = IndexChange.objects.filter(created__lt=cutoff).delete()
    return deleted


@dataclass
class Position:
    #: Every row of the index up to this id is applied.
    safe: int = 0
    #: Rows above `safe` applied already.
    applied: set[int] = field(default_factory=set)
    #: When the node last read the log (time.time()).
    synced_at: float = 0.0

    def stale(self) -> bool:
        # The log may have lost rows this node never read.
        keep = retention_days() * 86400
        return time.time() - self.synced_at > keep - min(keep / 2, 86400)

    def to_json(self) -> str:
        return json.dumps(
            {
                "safe": self.safe,
                "applied": sorted(self.applied),
                "synced_at": self.synced_at,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Position:
        data = json.loads(text)
        return cls(
            safe=int(data["safe"]),
            applied={int(i) for i in data.get("applied", [])},
            synced_at=float(data.get("synced_at", 0.0)),
        )


class Follower:
    """Applies an on-disk index's logged changes on this node."""

    def __init__(self, index: SearchIndex, location: Path) -> None:
        self.index = index
        self.location = location
        self._next = 0.0
        self._next_prune = time.monotonic() + PRUNE_EVERY * 0.1
        self._cached: Position | None = None
        self._rebuilding = threading.Lock()

    # --- the position file ------------------------------------------------

    def read_position(self) -> Position | None:
        try:
            text = (self.location / POSITION_FILE).read_text()
        except FileNotFoundError:
            return None
        try:
            return Position.from_json(text)
        except (ValueError, KeyError, TypeError):
            logger.warning(
                "Unreadable %s in %s: rebuilding", POSITION_FILE, self.location
            )
            return None

    def write_position(self, position: Position) -> None:
        self.location.mkdir(parents=True, exist_ok=True)
        tmp = self.location / f".{POSITION_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(position.to_json())
        os.replace(tmp, self.location / POSITION_FILE)
        self._cached = position

    @contextlib.contextmanager
    def locked(self, wait: float | None) -> Iterator[bool]:
        """The node's lock on applying the log (None: wait as long as needed)."""
        self.location.mkdir(parents=True, exist_ok=True)
        with open(self.location / LOCK_FILE, "a") as fh:
            deadline = None if wait is None else time.monotonic() + wait
            delay = 0.005
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if deadline is not None and time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(delay)
                    delay = min(delay * 2, 0.1)
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- following --------------------------------------------------------

    def poll(self) -> None:
        """Catches up if due (before a search); never fails the search."""
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + INTERVAL
        try:
            self.sync(wait=0.0)
        except Exception:
            # The index as it is still answers; the next check tries again.
            logger.warning("Cannot apply the search change log", exc_info=True)

    def _pending(self, position: Position) -> list[tuple[int, datetime.datetime]]:
        from dangjian.search.models import IndexChange

        return list(
            IndexChange.objects.filter(index=self.index.name, id__gt=position.safe)
            .order_by("id")
            .values_list("id", "created")
        )

    def sync(self, *, wait: float | None = LOCK_WAIT, background: bool = True) -> None:
        """Applies the changes this node has not applied yet.

        `wait`: seconds to wait while another process of the node applies
        (0: leave it to that one). Without a usable position the index is
        rebuilt, in a thread unless `background` is False.
        """
        position = self._cached or self.read_position()
        if position is None or position.stale():
            self._rebuild_soon(background)
            return
        pending = self._pending(position)
        due = self._due(position, pending)
        if not due:
            self._cached = position
            self._maybe_prune()
            return
        rebuild = False
        with self.locked(wait) as got:
            if not got:
                return
            position = self.read_position()
            if position is None or position.stale():
                rebuild = True
            else:
                pending = self._pending(position)
                waiting = sum(1 for i, _ in pending if i not in position.applied)
                if waiting > REBUILD_AFTER:
                    self._rebuild_locked(None)
                else:
                    self._apply(position, pending)
                    self.write_position(position)
        if rebuild:
            self._rebuild_soon(background)
            return
        self._maybe_prune()

    @staticmethod
    def _due(position: Position, pending: list[tuple[int, datetime.datetime]]) -> bool:
        if time.time() - position.synced_at > 3600:
            return True  # refresh synced_at now and then
        settled = timezone.now() - datetime.timedelta(seconds=SETTLE)
        if any(row_id not in position.applied for row_id, _ in pending):
            return True
        # Nothing new: worth the lock only to move `safe` on.
        return bool(pending) and pending[0][1] < settled

    def _apply(
        self, position: Position, pending: list[tuple[int, datetime.datetime]]
    ) -> None:
        from dangjian.search.models import IndexChange

        todo = [row_id for row_id, _ in pending if row_id not in position.applied]
        backend = self.index.backend
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            rows = IndexChange.objects.filter(pk__in=chunk).order_by("id")
            # The last change of each document wins, in log order.
            last: dict[str, IndexChange] = {}
            for row in rows:
                last.pop(row.object_id, None)
                last[row.object_id] = row
            upserts = [
                Document(
                    id=row.object_id,
                    fields=(row.document or {}).get("fields") or {},
                    filters=(row.document or {}).get("filters") or {},
                )
                for row in last.values()
                if row.op == IndexChange.Op.UPSERT
            ]
            deletes = [
                row.object_id
                for row in last.values()
                if row.op != IndexChange.Op.UPSERT
            ]
            upserts = [doc for doc in upserts if self._valid(doc)]
            if upserts or deletes:
                backend.write(upserts, deletes)
            position.applied.update(chunk)
        # Move `safe` over the settled rows applied.
        settled = timezone.now() - datetime.timedelta(seconds=SETTLE)
        for row_id, created in pending:
            if row_id not in position.applied or created >= settled:
                break
            position.safe = row_id
            position.applied.discard(row_id)
        position.applied = {i for i in position.applied if i > position.safe}
        position.synced_at = time.time()

    def _valid(self, doc: Document) -> bool:
        try:
            self.index._check(doc)
        except (TypeError, ValueError):
            # Written for an older declaration of the index: a rebuild
            # (search_rebuild) brings the index back to the database.
            logger.warning("Skipping logged document %s of %s", doc.id, self.index.name)
            return False
        return True

    # --- rebuilding -------------------------------------------------------

    def rebuild(self, documents: Iterable[Document] | None = None) -> int:
        """Replaces the node's index from the feeder and sets its position."""
        with self.locked(None):
            return self._rebuild_locked(documents)

    def _rebuild_locked(self, documents: Iterable[Document] | None) -> int:
        from dangjian.search.models import IndexChange

        index = self.index
        # Rows older than SETTLE before the feeder is read are in what it
        # gives; later ones are applied again after (changes are idempotent).
        settled = timezone.now() - datetime.timedelta(seconds=SETTLE)
        safe = (
            IndexChange.objects.filter(index=index.name, created__lt=settled).aggregate(
                m=Max("id")
            )["m"]
            or 0
        )
        if documents is None and index.spec.feeder is None:
            # Nothing to rebuild from: the log is the only source.
            count = 0
            safe = 0
        else:
            count = index.rebuild_local(documents)
        new = Position(safe=safe, synced_at=time.time())
        self._apply(new, self._pending(new))
        self.write_position(new)
        return count

    def _rebuild_soon(self, background: bool) -> None:
        # Under tests, at once: a thread would outlive the test's database.
        if not background or using_test_database():
            self.rebuild()
            return
        if not self._rebuilding.acquire(blocking=False):
            return

        def run() -> None:
            try:
                with self.locked(None):
                    current = self.read_position()
                    if current is None or current.stale():
                        self._rebuild_locked(None)
                    else:
                        self._cached = current  # another process rebuilt it
            except Exception:
                logger.exception("Rebuilding search index %s failed", self.index.name)
            finally:
                connection.close()
                self._rebuilding.release()

        threading.Thread(
            target=run, name=f"search-rebuild-{self.index.name}", daemon=True
        ).start()

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY
        try:
            prune()
        except DatabaseError:
            logger.warning("Cannot prune the search change log", exc_info=True)


def state(index: SearchIndex) -> dict[str, Any]:
    """What an operator asks: where this node is in the log (for commands)."""
    follower = getattr(index, "follower", None)
    if follower is None:
        return {"index": index.name, "location": "memory"}
    position = follower.read_position()
    return {
        "index": index.name,
        "location": str(follower.location),
        "safe": position.safe if position else None,
        "applied_above": len(position.applied) if position else None,
    }
