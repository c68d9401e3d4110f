"""Replays of one idempotency key racing the vote they repeat, on PostgreSQL
and Redis: every answer is the first success's answer, never one without
its vote."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from dangjian.test import CityMixin
from dangjian.voting import store
from dangjian.voting.actions import VoteRefused, casting, check_cast_vote, ledger_counts
from dangjian.voting.models import Vote, campaign_day
from dangjian.voting.rules import rule_for
from dangjian.voting.writer import group_writer

from .helpers import candidate_ids, make_campaign, public_voter

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def campaign(db):
    CityMixin.build_city()
    yield make_campaign(
        CityMixin.city, candidates=4, votes_per_day=3, votes_per_candidate_per_day=1
    )
    group_writer().close()


def test_racing_replays_all_answer_the_counted_vote(campaign):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers: run on PostgreSQL")
    ids = candidate_ids(campaign)
    voter = public_voter("13800000031")
    barrier = threading.Barrier(8)
    answers = []

    def run():
        barrier.wait()
        try:
            result = check_cast_vote(
                campaign.pk, ids[0], voter, idempotency_key="double-click-9"
            )
            answers.append((result.status, result.body))
        except VoteRefused as exc:
            answers.append((exc.status, exc.as_dict()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 7 + [201], answers
    first = next(body for status, body in answers if status == 201)
    assert first["vote"] == Vote.objects.get(campaign=campaign).pk
    for status, body in answers:
        assert body == {**first, "replayed": status == 200}


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")
def test_a_replay_of_a_vote_still_being_written_never_answers_without_it(
    campaign, monkeypatch
):
    ids = candidate_ids(campaign)
    voter = public_voter("13800000032")
    rule, now = rule_for(campaign.pk), timezone.now()
    day = campaign_day(now)
    store.redis_load_voter(
        rule, voter.voter_hash, day, now, ledger_counts(rule.id, voter.voter_hash, day)
    )
    # The first request has been counted in Redis; its ledger row is not
    # written yet (the group writer is about to).
    code, *_ = store.redis_cast(rule, voter, ids[0], day, now, "in-flight-1")
    assert code == 1
    monkeypatch.setattr(casting, "REPLAY_WAIT_SECONDS", 0.2)
    with pytest.raises(VoteRefused) as refused:
        check_cast_vote(campaign.pk, ids[0], voter, idempotency_key="in-flight-1")
    assert (refused.value.status, refused.value.code) == (409, "in_progress")
    assert refused.value.extra["retry_after"] == 1
