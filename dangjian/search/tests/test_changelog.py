"""Each node's index follows the database's change log (changelog.py)."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.search import Document, changelog
from dangjian.search.engine import SearchIndex
from dangjian.search.models import IndexChange
from dangjian.search.types import IndexSpec

pytestmark = pytest.mark.django_db

FEED: list[Document] = []


def spec() -> IndexSpec:
    return IndexSpec(
        name="test_log",
        fields={"title": 2.0, "body": 1.0},
        filters=("unit",),
        pinyin_fields=("title",),
        feeder=lambda: iter(FEED),
    )


def node(tmp_path, name: str) -> SearchIndex:
    index = SearchIndex(spec(), tmp_path / name / "test_log")
    index.rebuild([])  # a node in service: its position is set
    return index


def found(index: SearchIndex, q: str) -> list[str]:
    assert index.follower is not None
    index.follower._next = 0.0  # the next search checks the log (no 0.5 s wait)
    return [hit.id for hit in index.search(q, limit=20).hits]


def doc(doc_id: str, title: str) -> Document:
    return Document(id=doc_id, fields={"title": title}, filters={"unit": "1"})


def test_a_write_through_one_node_reaches_the_other(
    tmp_path, django_capture_on_commit_callbacks
):
    a, b = node(tmp_path, "a"), node(tmp_path, "b")
    with django_capture_on_commit_callbacks(execute=True):
        a.upsert_on_commit([doc("1", "居住证办理")])
    # The writing node at once, the other at its next search.
    assert a.backend.count() == 1
    assert found(b, "居住证") == ["1"]

    with django_capture_on_commit_callbacks(execute=True):
        a.upsert_on_commit([doc("1", "护照办理")])
        a.upsert_on_commit([doc("2", "居住证签注")])
    assert found(b, "居住证") == ["2"]
    assert found(b, "护照") == ["1"]

    with django_capture_on_commit_callbacks(execute=True):
        b.delete_on_commit(["2"])
    assert found(a, "居住证") == []
    assert found(b, "居住证") == []


def test_a_rolled_back_change_is_neither_logged_nor_indexed(
    tmp_path, django_capture_on_commit_callbacks
):
    a, b = node(tmp_path, "a"), node(tmp_path, "b")
    before = IndexChange.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                a.upsert_on_commit([doc("9", "居住证办理")])
                raise RuntimeError("rolled back")
    assert IndexChange.objects.count() == before
    assert found(a, "居住证") == []
    assert found(b, "居住证") == []


def test_a_change_committed_late_with_a_smaller_id_is_still_applied(tmp_path):
    b = node(tmp_path, "b")
    IndexChange.objects.create(
        id=1000,
        index="test_log",
        object_id="new",
        op="upsert",
        document={"fields": {"title": "护照办理"}},
    )
    assert found(b, "护照") == ["new"]
    # A transaction that took the id 999 earlier commits only now.
    IndexChange.objects.create(
        id=999,
        index="test_log",
        object_id="late",
        op="upsert",
        document={"fields": {"title": "居住证办理"}},
    )
    assert found(b, "居住证") == ["late"]


def test_the_position_moves_past_settled_changes_only(tmp_path):
    b = node(tmp_path, "b")
    old = timezone.now() - datetime.timedelta(seconds=changelog.SETTLE * 2)
    settled = IndexChange.objects.create(
        index="test_log",
        object_id="1",
        op="upsert",
        document={"fields": {"title": "居住证办理"}},
        created=old,
    )
    recent = IndexChange.objects.create(
        index="test_log",
        object_id="2",
        op="upsert",
        document={"fields": {"title": "居住证签注"}},
    )
    assert sorted(found(b, "居住证")) == ["1", "2"]
    assert b.follower is not None
    position = b.follower.read_position()
    assert position is not None
    assert position.safe == settled.pk
    assert position.applied == {recent.pk}
    # Shared by the node's processes: a second process reads the same file.
    other = SearchIndex(spec(), b.location)
    assert other.follower is not None
    assert other.follower.read_position() == position


def test_a_new_node_and_a_node_idle_past_the_log_rebuild_from_the_feeder(
    tmp_path, django_capture_on_commit_callbacks, settings
):
    settings.SEARCH_CHANGELOG_DAYS = 7
    FEED[:] = [doc("f1", "居住证办理"), doc("f2", "护照办理")]
    try:
        fresh = SearchIndex(spec(), tmp_path / "new" / "test_log")
        assert fresh.follower is not None
        fresh.follower.sync(background=False)
        assert fresh.backend.count() == 2
        assert fresh.follower.read_position() is not None

        # Idle for longer than the log keeps rows: rebuilt, not patched.
        assert fresh.location is not None
        path = fresh.location / changelog.POSITION_FILE
        data = json.loads(path.read_text())
        data["synced_at"] = time.time() - 8 * 86400
        path.write_text(json.dumps(data))
        fresh.follower._cached = None
        FEED.append(doc("f3", "驾驶证换领"))
        fresh.follower.sync(background=False)
        assert fresh.backend.count() == 3
        position = fresh.follower.read_position()
        assert position is not None and not position.stale()
    finally:
        FEED.clear()


def test_old_changes_are_pruned(settings):
    settings.SEARCH_CHANGELOG_DAYS = 7
    old = IndexChange.objects.create(
        index="test_log", object_id="1", op="delete", created=timezone.now()
    )
    IndexChange.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(days=8)
    )
    kept = IndexChange.objects.create(index="test_log", object_id="2", op="delete")
    assert changelog.prune() == 1
    assert list(IndexChange.objects.filter(index="test_log")) == [kept]


def test_a_logged_document_the_index_no_longer_declares_is_skipped(tmp_path):
    b = node(tmp_path, "b")
    IndexChange.objects.create(
        index="test_log",
        object_id="odd",
        op="upsert",
        document={"fields": {"removed_field": "居住证"}},
    )
    IndexChange.objects.create(
        index="test_log",
        object_id="ok",
        op="upsert",
        document={"fields": {"title": "居住证办理"}},
    )
    assert found(b, "居住证") == ["ok"]
