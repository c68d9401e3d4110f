"""The daily cap holds when two requests award points at the same moment.

Runs on PostgreSQL only: SQLite serialises writers anyway (IMMEDIATE
transactions), so the race this guards against cannot happen there.
"""

import threading

import pytest
from django.db import connection, connections

from dangjian.orgs.models import Person
from dangjian.study.actions import do_award_points, ensure_rules
from dangjian.study.models import PointEntry, PointRule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


@pytest.fixture(autouse=True)
def _fresh_content_types():
    # A flush by an earlier transactional test recreates content types under
    # new ids; Wagtail's reference index must not use the cached old ones.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def test_two_concurrent_awards_cannot_exceed_the_daily_cap():
    ensure_rules()
    PointRule.objects.filter(kind="video_watched").update(points=4, daily_cap=6)
    person = Person.objects.create_user(username="racer", password="x")
    for round_ in range(5):
        barrier = threading.Barrier(2)
        results = []

        def award(n, round_=round_, barrier=barrier, results=results):
            try:
                barrier.wait()
                entry = do_award_points(
                    person, "video_watched", source=f"material:{round_}-{n}"
                )
                results.append(entry.points if entry else 0)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=award, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = PointEntry.objects.filter(person=person).total()
        assert total == 6, (round_, results)
        assert sorted(results) == [2, 4]
        PointEntry.objects.filter(person=person).delete()


def test_two_concurrent_awards_for_the_same_source_count_once():
    ensure_rules()
    person = Person.objects.create_user(username="twin", password="x")
    barrier = threading.Barrier(2)
    results = []

    def award():
        try:
            barrier.wait()
            results.append(do_award_points(person, "article_read", source="material:7"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=award) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert PointEntry.objects.filter(person=person).count() == 1
    assert sum(1 for r in results if r is not None) == 1
