"""Casting a vote: the one path a vote takes, and what a voter has left.

``check_cast_vote`` serves the API, the pages, the tests and the benchmark
alike. Its order matters:

1. the campaign, the candidate, the window and the voter's eligibility;
2. rate limits and the captcha (per voter, /24 or /64 network, device);
3. the rule, checked and counted atomically: by a Lua script in Redis, or
   under the voter's row lock in the database when Redis is absent;
4. the ledger row, committed before the answer 201 (with Redis, by the
   process's group-commit writer, ``writer.py``). When the database refuses
   it, the Redis reservation is given back.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.orgs.scope import scope_for
from dangjian.voting import store
from dangjian.voting.actions.errors import VoteRefused
from dangjian.voting.actions.tallies import forget_ledger_tally
from dangjian.voting.challenge import check_challenge, new_challenge
from dangjian.voting.identity import Voter
from dangjian.voting.models import Campaign, Vote, VoterLock, campaign_day
from dangjian.voting.rules import CampaignRule, rule_for
from dangjian.voting.writer import save_vote


@dataclass
class CastResult:
    status: int  # 201 counted, 200 a replay of an idempotency key
    body: dict = field(default_factory=dict)


LIMIT_MESSAGES = {
    "total": gettext_lazy("您在本次投票中的票数已全部用完"),
    "per_day": gettext_lazy("今日票数已用完，明天再来"),
    "per_candidate": gettext_lazy("今天已为该候选人投满票数，可以投给其他候选人"),
}

_eligibility_cache: dict[tuple[int, int], tuple[float, bool]] = {}


def check_eligible(rule: CampaignRule, voter: Voter) -> None:
    if rule.open_to_public:
        return
    person_id = voter.person_id
    if person_id is None:  # not a member (Voter.is_member)
        raise VoteRefused(
            403, "not_eligible", _("本次投票仅限指定组织的党员参加，请登录")
        )
    key = (rule.id, person_id)
    hit = _eligibility_cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        person = get_user_model().objects.filter(pk=person_id).first()
        allowed = person is not None and scope_for(person).reaches(
            rule.eligible_ids, include_descendants=True
        )
        hit = (time.monotonic() + 60, allowed)
        _eligibility_cache[key] = hit
    if not hit[1]:
        raise VoteRefused(403, "not_eligible", _("您不在本次投票的范围内"))


def open_rule(campaign_id: int, now) -> CampaignRule:
    rule = rule_for(campaign_id)
    if rule is None or not rule.live:
        raise VoteRefused(404, "no_campaign", _("投票活动不存在"))
    if now < rule.starts_at:
        raise VoteRefused(
            403, "not_started", _("投票尚未开始"), starts_at=rule.starts_at
        )
    if now >= rule.ends_at:
        raise VoteRefused(403, "ended", _("投票已结束"), ends_at=rule.ends_at)
    return rule


def _clean_idempotency_key(key) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or not 8 <= len(key) <= 64 or not key.isprintable():
        raise VoteRefused(400, "bad_idempotency_key", _("幂等键须为 8–64 个可见字符"))
    return key


def candidate_id_from(value):
    """A candidate id sent as text ("12") as a number; anything else as it
    came, for check_cast_vote to refuse. Only ASCII digits count: "１２" and
    "²" are not ids."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if len(value) <= 18 else value
    return value


def check_cast_vote(
    campaign_id: int,
    candidate_id,
    voter: Voter,
    *,
    idempotency_key: str | None = None,
    captcha_token: str = "",
    captcha_answer: str = "",
    now=None,
) -> CastResult:
    """Checks a vote against every rule and records it. Raises VoteRefused."""
    now = now or timezone.now()
    if not isinstance(candidate_id, int) or isinstance(candidate_id, bool):
        raise VoteRefused(400, "bad_candidate", _("候选人编号无效"))
    rule = open_rule(campaign_id, now)
    if candidate_id not in rule.candidate_ids:
        raise VoteRefused(400, "bad_candidate", _("该候选人不属于本次投票"))
    check_eligible(rule, voter)
    idempotency_key = _clean_idempotency_key(idempotency_key)
    if captcha_token:
        if not check_challenge(captcha_token, captcha_answer):
            raise VoteRefused(
                400, "bad_captcha", _("验证码错误或已过期"), captcha=new_challenge()
            )
        store.grant_captcha_pass(voter.voter_hash)
    day = campaign_day(now)
    if store.redis_client() is not None:
        return _cast_with_redis(rule, voter, candidate_id, day, now, idempotency_key)
    return _cast_with_database(rule, voter, candidate_id, day, now, idempotency_key)


def _rate_refusal(code: int) -> VoteRefused:
    if code == 428:
        return VoteRefused(
            429,
            "captcha_required",
            _("操作过于频繁，请先完成图形验证码"),
            captcha=new_challenge(),
        )
    return VoteRefused(
        429, "rate_limited", _("操作过于频繁，请稍后再试"), retry_after=60
    )


def _new_vote(rule, voter, candidate_id, day, now, idempotency_key, answer) -> Vote:
    return Vote(
        campaign_id=rule.id,
        candidate_id=candidate_id,
        voter_hash=voter.voter_hash,
        day=day,
        cast_at=now,
        network_hash=voter.network_hash,
        device_hash=voter.device_hash,
        ua_class=voter.ua_class,
        idempotency_key=idempotency_key,
        # Kept only where a replay can ask for it again.
        answer=json.dumps(answer, ensure_ascii=False) if idempotency_key else "",
    )


def _answer(rule, candidate_id, counts, now) -> dict:
    """What an accepted vote answers, but for the vote's id (not known
    before the row is written) and ``replayed``."""
    total, today, for_candidate = counts
    body = {
        "campaign": rule.id,
        "candidate": candidate_id,
        **rule.remaining(total, today, for_candidate),
    }
    refusal = rule.refusal(total, today, 0, now)
    body["next_vote_at"] = (
        refusal["next_vote_at"].isoformat()
        if refusal and refusal["next_vote_at"]
        else None
    )
    return body


def _accepted(vote_id: int, answer: dict, status: int = 201) -> CastResult:
    return CastResult(status, {"vote": vote_id, **answer, "replayed": status == 200})


def _refused(rule, refusal_limit, counts, now) -> VoteRefused:
    total, today, for_candidate = counts
    refusal = rule.refusal(total, today, for_candidate, now) or {
        "limit": refusal_limit,
        "next_vote_at": None,
    }
    return VoteRefused(
        409,
        "limit_reached",
        LIMIT_MESSAGES[refusal["limit"]],
        limit=refusal["limit"],
        next_vote_at=refusal["next_vote_at"],
        **rule.remaining(total, today, for_candidate),
    )


def _replay(rule, voter, key, day, now) -> CastResult | None:
    """The answer of the vote first cast with ``key``, again (status 200,
    ``replayed``), or None when the ledger has no such vote (yet)."""
    # Plain SQL: this and ledger_counts() run on the hot path of a vote.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, candidate_id, answer FROM {Vote._meta.db_table}"
            " WHERE campaign_id = %s AND voter_hash = %s AND idempotency_key = %s"
            " LIMIT 1",
            [rule.id, voter.voter_hash, key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    vote_id, candidate_id, answer = row
    if answer:
        return _accepted(vote_id, json.loads(answer), 200)
    # A vote from before answers were kept: its candidate, today's counts.
    counts = ledger_counts(rule.id, voter.voter_hash, day)
    triple = (
        counts["total"],
        counts["today"],
        counts["by_candidate"].get(candidate_id, 0),
    )
    return _accepted(vote_id, _answer(rule, candidate_id, triple, now), 200)


REPLAY_WAIT_SECONDS = 2.0


def _replay_in_flight(rule, voter, key, day, now) -> CastResult:
    """Redis has the key, so its first request was counted; its ledger row
    is being written (the group writer commits within milliseconds). Waits
    for it rather than answer without the vote; if it does not come, the
    client is told to try again (the first request may still fail and give
    the key back)."""
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        replay = _replay(rule, voter, key, day, now)
        if replay is not None:
            return replay
        if time.monotonic() >= deadline:
            raise VoteRefused(
                409,
                "in_progress",
                _("该投票请求正在处理，请稍后重试"),
                retry_after=1,
            )
        time.sleep(0.02)


def _cast_with_redis(rule, voter, candidate_id, day, now, key) -> CastResult:
    for _attempt in range(3):
        code, total, today, for_candidate, *rest = store.redis_cast(
            rule, voter, candidate_id, day, now, key
        )
        if code != 3:
            break
        # The voter's counters are missing (first vote, expiry, a flush):
        # load them from the ledger, then try again.
        store.redis_load_voter(
            rule,
            voter.voter_hash,
            day,
            now,
            ledger_counts(rule.id, voter.voter_hash, day),
        )
    else:
        raise VoteRefused(503, "busy", _("系统繁忙，请稍后再试"))
    counts = (total, today, for_candidate)
    if code in (428, 429):
        raise _rate_refusal(code)
    if code == 409:
        raise _refused(rule, rest[0] if rest else "per_day", counts, now)
    if code == 2:
        return _replay_in_flight(rule, voter, key, day, now)
    answer = _answer(rule, candidate_id, counts, now)
    vote = _new_vote(rule, voter, candidate_id, day, now, key, answer)
    try:
        # Committed before the 201, shared with the votes arriving meanwhile.
        save_vote(vote)
    except IntegrityError:
        store.redis_release(rule, voter.voter_hash, candidate_id, day, None)
        # The Redis record of this key was lost but the ledger has it.
        replay = _replay(rule, voter, key, day, now) if key else None
        if replay is not None:
            return replay
        raise
    except BaseException:
        store.redis_release(rule, voter.voter_hash, candidate_id, day, key)
        raise
    return _accepted(vote.pk, answer)


def ledger_counts(campaign_id: int, voter_hash: str, day: dt.date) -> dict:
    """A voter's votes in the ledger: in total, on ``day``, and per candidate that day.

    Voided votes still count against the voter: voiding removes a vote from
    the tally, it does not hand the voter a new one.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, candidate_id, COUNT(*) FROM {Vote._meta.db_table}"
            " WHERE campaign_id = %s AND voter_hash = %s GROUP BY day, candidate_id",
            [campaign_id, voter_hash],
        )
        rows = cursor.fetchall()
    iso = day.isoformat()
    total, today = 0, 0
    by_candidate: dict[int, int] = {}
    for row_day, candidate_id, n in rows:
        total += n
        if str(row_day) == iso:  # a date on PostgreSQL, text on SQLite
            today += n
            by_candidate[candidate_id] = n
    return {"total": total, "today": today, "by_candidate": by_candidate}


def _cast_with_database(rule, voter, candidate_id, day, now, key) -> CastResult:
    code = store.cache_rate_check(voter, now)
    if code is not None:
        raise _rate_refusal(code)
    with transaction.atomic():
        # Lock the voter's row so two concurrent votes of one voter queue up
        # here and the second one sees the first in the ledger.
        VoterLock.objects.bulk_create(
            [VoterLock(campaign_id=rule.id, voter_hash=voter.voter_hash)],
            ignore_conflicts=True,
        )
        list(
            VoterLock.objects.select_for_update().filter(
                campaign_id=rule.id, voter_hash=voter.voter_hash
            )
        )
        counts = ledger_counts(rule.id, voter.voter_hash, day)
        triple = (
            counts["total"],
            counts["today"],
            counts["by_candidate"].get(candidate_id, 0),
        )
        if key:
            replay = _replay(rule, voter, key, day, now)
            if replay is not None:
                return replay
        if rule.refusal(*triple, now):
            raise _refused(rule, "per_day", triple, now)
        answer = _answer(
            rule, candidate_id, (triple[0] + 1, triple[1] + 1, triple[2] + 1), now
        )
        vote = _new_vote(rule, voter, candidate_id, day, now, key, answer)
        vote.save(force_insert=True)
    # This process shows its own vote in the tally at once; others within
    # the cache's few seconds.
    forget_ledger_tally(rule.id)
    return _accepted(vote.pk, answer)


def voter_remaining(campaign: Campaign, voter: Voter | None, now=None) -> dict | None:
    """What a voter has left today, overall and per candidate (for pages and API)."""
    if voter is None:
        return None
    now = now or timezone.now()
    rule = rule_for(campaign.pk)
    if rule is None:
        return None
    day = campaign_day(now)
    counts = ledger_counts(campaign.pk, voter.voter_hash, day)
    summary = rule.remaining(counts["total"], counts["today"], 0)
    summary["by_candidate"] = {
        cid: rule.remaining(counts["total"], counts["today"], n)[
            "remaining_for_candidate_today"
        ]
        for cid, n in counts["by_candidate"].items()
    }
    summary["per_candidate_default"] = summary["remaining_for_candidate_today"]
    return summary
