"""Group commit: concurrent votes share one INSERT, and each 201 is a ledger row.

The writer thread has its own database connection, so these tests commit for
real (``transaction=True``) and close that connection when they end.
"""

import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connections
from django.utils import timezone

from dangjian.test import CityMixin
from dangjian.voting import store
from dangjian.voting.actions import check_cast_vote, reconcile_campaign
from dangjian.voting.chain import seal_all, verify
from dangjian.voting.models import Vote, campaign_day
from dangjian.voting.writer import _Pending, group_writer, save_vote

from .helpers import candidate_ids, make_campaign, public_voter

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def campaign(db):
    CityMixin.build_city()
    yield make_campaign(
        CityMixin.city, candidates=6, votes_per_day=6, votes_per_candidate_per_day=1
    )
    group_writer().close()


def new_vote(campaign, candidate, mobile, key=None) -> Vote:
    voter = public_voter(mobile)
    now = timezone.now()
    return Vote(
        campaign_id=campaign.pk,
        candidate_id=candidate,
        voter_hash=voter.voter_hash,
        day=campaign_day(now),
        cast_at=now,
        network_hash=voter.network_hash,
        device_hash=voter.device_hash,
        ua_class="mobile",
        idempotency_key=key,
    )


def run_at_once(target, args_list) -> None:
    barrier = threading.Barrier(len(args_list))

    def run(*args):
        barrier.wait()
        try:
            target(*args)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=a) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_votes_handed_over_at_once_are_all_committed_with_their_own_ids(campaign):
    ids = candidate_ids(campaign)
    votes = [new_vote(campaign, ids[i % 6], f"1390000{i:04d}") for i in range(40)]
    run_at_once(save_vote, [(v,) for v in votes])
    assert all(v.pk for v in votes)
    stored = dict(
        Vote.objects.filter(campaign=campaign).values_list("pk", "voter_hash")
    )
    assert len(stored) == 40
    for vote in votes:
        assert stored[vote.pk] == vote.voter_hash


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
def test_concurrent_votes_each_answered_201_are_each_one_ledger_row(campaign):
    ids = candidate_ids(campaign)
    answers = []

    def vote_four_times(voter):
        for n, candidate in enumerate(ids[:4]):
            answers.append(
                check_cast_vote(
                    campaign.pk, candidate, voter, idempotency_key=f"key-{n}-xyz"
                )
            )

    reconcile_campaign(campaign.pk)  # the live tally starts from the ledger
    voters = [public_voter(f"1390000{i:04d}") for i in range(12)]
    run_at_once(vote_four_times, [(v,) for v in voters])

    assert [a.status for a in answers] == [201] * 48
    rows = dict(
        Vote.objects.filter(campaign=campaign).values_list("pk", "candidate_id")
    )
    # Every 201 names its own row, and the row holds the vote it answered.
    assert sorted(a.body["vote"] for a in answers) == sorted(rows)
    for answer in answers:
        assert rows[answer.body["vote"]] == answer.body["candidate"]
    assert reconcile_campaign(campaign.pk, fix=False).exact
    seal_all(campaign.pk)
    check = verify(campaign.pk)
    assert check.ok and check.length == 48


def test_a_batch_is_written_with_one_insert_and_keeps_the_order(campaign):
    ids = candidate_ids(campaign)
    votes = [new_vote(campaign, ids[i], f"1380000000{i}") for i in range(5)]
    batch = [_Pending(v) for v in votes]
    writer = group_writer()
    before = writer.batches
    writer._write_batch(batch)
    assert writer.batches == before + 1
    assert all(p.error is None for p in batch)
    for vote in votes:
        stored = Vote.objects.get(pk=vote.pk)
        assert (stored.candidate_id, stored.voter_hash) == (
            vote.candidate_id,
            vote.voter_hash,
        )
    assert [v.pk for v in votes] == sorted(v.pk for v in votes)


def test_a_refused_vote_fails_alone_and_the_rest_of_its_batch_is_kept(campaign):
    ids = candidate_ids(campaign)
    save_vote(new_vote(campaign, ids[0], "13800000009", key="already-there"))
    votes = [
        new_vote(campaign, ids[1], "13800000001"),
        new_vote(campaign, ids[2], "13800000009", key="already-there"),
        new_vote(campaign, ids[3], "13800000002"),
    ]
    batch = [_Pending(v) for v in votes]
    group_writer()._write_batch(batch)
    assert batch[0].error is None and batch[2].error is None
    assert isinstance(batch[1].error, IntegrityError)
    assert Vote.objects.filter(campaign=campaign).count() == 3
    assert Vote.objects.filter(pk__in=[votes[0].pk, votes[2].pk]).count() == 2


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
def test_a_retry_redis_forgot_is_refused_by_the_ledger_and_given_back(campaign):
    lenient = make_campaign(
        CityMixin.city, candidates=2, votes_per_day=5, votes_per_candidate_per_day=2
    )
    ids = candidate_ids(lenient)
    reconcile_campaign(lenient.pk)
    voter = public_voter("13800000007")
    first = check_cast_vote(lenient.pk, ids[0], voter, idempotency_key="click-once")
    assert first.status == 201
    # Redis loses the key (a flush); the rule would allow another vote, so
    # only the ledger's unique key stops the retry, inside the writer's batch.
    store.flush_redis_keys(lenient.pk)
    reconcile_campaign(lenient.pk)
    again = check_cast_vote(lenient.pk, ids[0], voter, idempotency_key="click-once")
    assert again.status == 200
    assert again.body["vote"] == first.body["vote"]
    assert Vote.objects.filter(campaign=lenient).count() == 1
    # The reservation the ledger refused was given back.
    assert reconcile_campaign(lenient.pk, fix=False).exact
    assert check_cast_vote(lenient.pk, ids[0], voter).status == 201
