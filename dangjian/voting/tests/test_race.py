"""Many requests of one voter at once never pass the limit. On PostgreSQL
(row locks) and Redis (Lua) only: SQLite runs one writer at a time, so it
cannot show a race at all."""

import threading

import pytest
from django.db import connection, connections

from dangjian.test import CityMixin
from dangjian.voting.actions import VoteRefused, check_cast_vote
from dangjian.voting.models import Vote
from dangjian.voting.writer import group_writer

from .helpers import candidate_ids, make_campaign, public_voter

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def campaign(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the race needs concurrent writers: run on PostgreSQL (make test-pg)"
        )
    CityMixin.build_city()
    yield make_campaign(
        CityMixin.city, candidates=8, votes_per_day=3, votes_per_candidate_per_day=1
    )
    # The group-commit writer's connection would keep the test database open.
    group_writer().close()


def race(campaign, voter, candidates, idempotency_key=None) -> list:
    barrier = threading.Barrier(len(candidates))
    results = []

    def run(candidate):
        barrier.wait()
        try:
            results.append(
                check_cast_vote(
                    campaign.pk, candidate, voter, idempotency_key=idempotency_key
                ).status
            )
        except VoteRefused as exc:
            results.append(exc.status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in candidates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_threads_voting_for_one_voter_never_exceed_the_daily_limit(campaign):
    ids = candidate_ids(campaign)
    results = race(campaign, public_voter(), ids)
    assert results.count(201) == 3
    assert results.count(409) == 5
    assert Vote.objects.filter(campaign=campaign).count() == 3


def test_threads_voting_for_one_candidate_never_exceed_its_limit(campaign):
    ids = candidate_ids(campaign)
    results = race(campaign, public_voter(), [ids[0]] * 8)
    assert results.count(201) == 1
    assert Vote.objects.filter(campaign=campaign).count() == 1


def test_a_double_click_with_one_key_is_counted_once(campaign):
    ids = candidate_ids(campaign)
    results = race(
        campaign, public_voter(), [ids[0]] * 6, idempotency_key="double-click-1"
    )
    assert results.count(201) == 1
    assert set(results) <= {200, 201, 409}
    assert Vote.objects.filter(campaign=campaign).count() == 1
