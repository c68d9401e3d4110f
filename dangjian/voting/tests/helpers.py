"""Campaigns and voters built in code for the voting tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.voting import store
from dangjian.voting.identity import Voter, keyed_hash, member_hash, phone_hash
from dangjian.voting.models import Campaign, Candidate
from dangjian.voting.rules import forget_rules


def make_campaign(organisation, *, candidates=3, public=True, eligible=(), **fields):
    now = timezone.now()
    values = {
        "title": "测试评选",
        "starts_at": now - dt.timedelta(days=1),
        "ends_at": now + dt.timedelta(days=10),
        "open_to_public": public,
        "votes_per_day": 3,
        "votes_per_candidate_per_day": 1,
        "votes_total": 0,
        **fields,
    }
    campaign = Campaign.objects.create(organisation=organisation, **values)
    if eligible:
        campaign.eligible_organisations.set(eligible)
        campaign.save()
    for n in range(1, candidates + 1):
        Candidate.objects.create(
            campaign=campaign, number=n, name=f"候选人{n}", sort_order=n
        )
    campaign.save_revision().publish()
    forget_rules()
    store.flush_redis_keys()
    return Campaign.objects.get(pk=campaign.pk)


def candidate_ids(campaign) -> list[int]:
    return list(campaign.candidates.order_by("number").values_list("pk", flat=True))


def public_voter(mobile="13800000001", network="1.2.3.4") -> Voter:
    return Voter(
        phone_hash(mobile),
        None,
        keyed_hash("network", network, 16),
        keyed_hash("device", mobile, 16),
        "mobile",
    )


def member_voter(person, network="1.2.3.4") -> Voter:
    return Voter(
        member_hash(person.pk),
        person.pk,
        keyed_hash("network", network, 16),
        keyed_hash("device", str(person.pk), 16),
        "wechat",
    )
