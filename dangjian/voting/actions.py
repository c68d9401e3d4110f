"""Casting votes, verifying voters, voiding, closing and reconciling campaigns.

``check_cast_vote`` is the one path a vote takes, from the API, the pages,
the tests and the benchmark alike. Its order matters:

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
import logging
import secrets
import time
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from wagtail.log_actions import log

from dangjian.orgs.scope import scope_for
from dangjian.voting import store
from dangjian.voting.challenge import check_challenge, new_challenge
from dangjian.voting.identity import Voter, keyed_hash, normalise_mobile, phone_hash
from dangjian.voting.models import (
    Campaign,
    Ledger,
    OneTimeCode,
    VisitDay,
    Visitor,
    Vote,
    VoteFlag,
    VoterLock,
    campaign_day,
)
from dangjian.voting.rules import CampaignRule, rule_for
from dangjian.voting.writer import save_vote

logger = logging.getLogger(__name__)

CODE_MINUTES = 5
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
CODES_PER_PHONE_PER_DAY = 10
CODES_PER_NETWORK_PER_HOUR = 60


class VoteRefused(Exception):
    """A vote (or a voter step) refused, with the HTTP status and a stable code."""

    def __init__(self, status: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def as_dict(self) -> dict:
        body = {"code": self.code, "detail": self.detail}
        for key, value in self.extra.items():
            body[key] = value.isoformat() if isinstance(value, dt.datetime) else value
        return body


@dataclass
class CastResult:
    status: int  # 201 counted, 200 a replay of an idempotency key
    body: dict = field(default_factory=dict)


LIMIT_MESSAGES = {
    "total": "您在本次投票中的票数已全部用完",
    "per_day": "今日票数已用完，明天再来",
    "per_candidate": "今天已为该候选人投满票数，可以投给其他候选人",
}

_eligibility_cache: dict[tuple[int, int], tuple[float, bool]] = {}


def check_eligible(rule: CampaignRule, voter: Voter) -> None:
    if rule.open_to_public:
        return
    if not voter.is_member:
        raise VoteRefused(403, "not_eligible", "本次投票仅限指定组织的党员参加，请登录")
    key = (rule.id, voter.person_id)
    hit = _eligibility_cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        from django.contrib.auth import get_user_model

        person = get_user_model().objects.filter(pk=voter.person_id).first()
        allowed = person is not None and scope_for(person).reaches(
            rule.eligible_ids, include_descendants=True
        )
        hit = (time.monotonic() + 60, allowed)
        _eligibility_cache[key] = hit
    if not hit[1]:
        raise VoteRefused(403, "not_eligible", "您不在本次投票的范围内")


def open_rule(campaign_id: int, now) -> CampaignRule:
    rule = rule_for(campaign_id)
    if rule is None or not rule.live:
        raise VoteRefused(404, "no_campaign", "投票活动不存在")
    if now < rule.starts_at:
        raise VoteRefused(403, "not_started", "投票尚未开始", starts_at=rule.starts_at)
    if now >= rule.ends_at:
        raise VoteRefused(403, "ended", "投票已结束", ends_at=rule.ends_at)
    return rule


def _clean_idempotency_key(key) -> str | None:
    if key in (None, ""):
        return None
    if not isinstance(key, str) or not 8 <= len(key) <= 64 or not key.isprintable():
        raise VoteRefused(400, "bad_idempotency_key", "幂等键须为 8–64 个可见字符")
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
        raise VoteRefused(400, "bad_candidate", "候选人编号无效")
    rule = open_rule(campaign_id, now)
    if candidate_id not in rule.candidate_ids:
        raise VoteRefused(400, "bad_candidate", "该候选人不属于本次投票")
    check_eligible(rule, voter)
    idempotency_key = _clean_idempotency_key(idempotency_key)
    if captcha_token:
        if not check_challenge(captcha_token, captcha_answer):
            raise VoteRefused(
                400, "bad_captcha", "验证码错误或已过期", captcha=new_challenge()
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
            "操作过于频繁，请先完成图形验证码",
            captcha=new_challenge(),
        )
    return VoteRefused(429, "rate_limited", "操作过于频繁，请稍后再试", retry_after=60)


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
                "该投票请求正在处理，请稍后重试",
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
        raise VoteRefused(503, "busy", "系统繁忙，请稍后再试")
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
    total, today, by_candidate = 0, 0, {}
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
    _forget_ledger_tally(rule.id)
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


# Live tallies ---------------------------------------------------------------


def ledger_tally(campaign_id: int) -> dict[int, int]:
    return dict(
        Vote.objects.counted()
        .filter(campaign_id=campaign_id)
        .values_list("candidate_id")
        .annotate(n=Count("id"))
        .values_list("candidate_id", "n")
    )


def _forget_ledger_tally(campaign_id: int) -> None:
    from django.core.cache import cache

    cache.delete(f"dj:v:tally:{campaign_id}")


def tally(campaign_id: int) -> dict[int, int]:
    """Counted votes per candidate: from Redis when it holds a reconciled tally,
    else from the ledger (cached for a few seconds)."""
    from django.core.cache import cache

    if store.redis_client() is not None:
        live = store.redis_tally(campaign_id)
        if live is not None:
            return {k: v for k, v in live.items() if v}
    key = f"dj:v:tally:{campaign_id}"
    counts = cache.get(key)
    if counts is None:
        counts = ledger_tally(campaign_id)
        cache.set(key, counts, 3)
    return counts


@dataclass
class Reconciliation:
    campaign_id: int
    ledger: int
    tally: int | None
    differences: dict[int, tuple[int, int | None]]
    fixed: bool

    @property
    def exact(self) -> bool:
        return not self.differences


def reconcile_campaign(campaign_id: int, *, fix: bool = True) -> Reconciliation:
    """Compares the live tally with the ledger and, with ``fix``, resets it."""
    truth = ledger_tally(campaign_id)
    live = store.redis_tally(campaign_id) if store.redis_client() else None
    differences = {}
    if store.redis_client() is not None:
        seen = live or {}
        for candidate_id in set(truth) | set(seen):
            if truth.get(candidate_id, 0) != seen.get(candidate_id, 0) or live is None:
                differences[candidate_id] = (
                    truth.get(candidate_id, 0),
                    None if live is None else seen.get(candidate_id, 0),
                )
        if fix and (differences or live is None):
            store.redis_set_tally(campaign_id, truth)
    return Reconciliation(
        campaign_id=campaign_id,
        ledger=sum(truth.values()),
        tally=None if live is None else sum(live.values()),
        differences=differences,
        fixed=fix and bool(differences),
    )


# Public voters: one-time codes ------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    return keyed_hash("otp", f"{phone}:{code}", 64)


def do_request_code(mobile: str, *, network_hash: str = "", now=None) -> dict:
    """Sends a one-time code to a mobile number (after its rate limits)."""
    from django.conf import settings
    from django.core.cache import cache

    from dangjian.lib.sms import SmsError, send_sms

    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise VoteRefused(400, "bad_mobile", "请输入正确的11位手机号")
    phone = phone_hash(number)
    latest = (
        OneTimeCode.objects.filter(phone_hash=phone).order_by("-created_at").first()
    )
    if latest and (now - latest.created_at).total_seconds() < CODE_RESEND_SECONDS:
        wait = CODE_RESEND_SECONDS - int((now - latest.created_at).total_seconds())
        raise VoteRefused(
            429, "code_too_soon", "验证码已发送，请稍后再试", retry_after=wait
        )
    since = now - dt.timedelta(days=1)
    if (
        OneTimeCode.objects.filter(phone_hash=phone, created_at__gte=since).count()
        >= CODES_PER_PHONE_PER_DAY
    ):
        raise VoteRefused(429, "code_limit", "该手机号今日获取验证码次数过多")
    if network_hash:
        net_key = f"dj:v:otpnet:{network_hash}:{int(now.timestamp() // 3600)}"
        cache.add(net_key, 0, 3700)
        if cache.incr(net_key) > CODES_PER_NETWORK_PER_HOUR:
            raise VoteRefused(429, "code_limit", "当前网络获取验证码过于频繁")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        OneTimeCode.objects.create(
            phone_hash=phone,
            code_hash=_code_hash(phone, code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        )
    try:
        send_sms(
            number,
            f"投票验证码 {code}，{CODE_MINUTES} 分钟内有效，请勿告诉他人。",
            template=getattr(settings, "VOTING_SMS_TEMPLATE", ""),
            params={"code": code, "minutes": CODE_MINUTES},
        )
    except SmsError as exc:
        logger.error("SMS sending failed: %s", exc)
        raise VoteRefused(503, "sms_failed", "短信发送失败，请稍后再试") from exc
    return {
        "sent": True,
        "expires_in": CODE_MINUTES * 60,
        "resend_in": CODE_RESEND_SECONDS,
    }


def check_verify_code(mobile: str, code: str, *, now=None) -> str:
    """Checks a one-time code; returns the voter hash of the verified number.

    A wrong code uses up one of the code's attempts, and that is kept even
    though the answer is an error.
    """
    now = now or timezone.now()
    number = normalise_mobile(mobile)
    if number is None:
        raise VoteRefused(400, "bad_mobile", "请输入正确的11位手机号")
    phone = phone_hash(number)
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None:
            raise VoteRefused(400, "no_code", "请先获取验证码")
        if otp.expires_at <= now:
            raise VoteRefused(400, "code_expired", "验证码已过期，请重新获取")
        if otp.attempts >= CODE_MAX_ATTEMPTS:
            raise VoteRefused(429, "code_locked", "错误次数过多，请重新获取验证码")
        if not secrets.compare_digest(
            otp.code_hash, _code_hash(phone, (code or "").strip())
        ):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - otp.attempts
            wrong = VoteRefused(400, "bad_code", "验证码错误", attempts_left=left)
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            wrong = None
    if wrong is not None:
        raise wrong
    return phone


# Review: flags and voiding -------------------------------------------------


@transaction.atomic
def do_void_votes(campaign: Campaign, vote_ids, *, reason: str, acting_user) -> int:
    """Voids votes: they stay in the ledger, marked, and leave the tally."""
    reason = (reason or "").strip()
    if not reason:
        raise VoteRefused(400, "reason_required", "请填写作废原因")
    now = timezone.now()
    votes = Vote.objects.select_for_update().filter(
        campaign=campaign, pk__in=list(vote_ids), voided_at__isnull=True
    )
    changes: dict[int, int] = {}
    ids = []
    for vote in votes:
        changes[vote.candidate_id] = changes.get(vote.candidate_id, 0) - 1
        ids.append(vote.pk)
    if not ids:
        return 0
    Vote.objects.filter(pk__in=ids).update(
        voided_at=now, void_reason=reason[:200], voided_by=acting_user
    )
    VoteFlag.objects.filter(vote_id__in=ids, reviewed_at__isnull=True).update(
        reviewed_at=now
    )
    transaction.on_commit(lambda: _forget_ledger_tally(campaign.pk))
    log(
        campaign,
        "dangjian.voting.void",
        user=acting_user,
        data={"votes": len(ids), "reason": reason[:200], "first_ids": ids[:20]},
    )
    if store.redis_client() is not None:
        transaction.on_commit(lambda: store.redis_adjust_tally(campaign.pk, changes))
    return len(ids)


@transaction.atomic
def do_dismiss_flags(campaign: Campaign, vote_ids, *, acting_user) -> int:
    n = VoteFlag.objects.filter(
        vote__campaign=campaign, vote_id__in=list(vote_ids), reviewed_at__isnull=True
    ).update(reviewed_at=timezone.now())
    if n:
        log(campaign, "dangjian.voting.dismiss", user=acting_user, data={"flags": n})
    return n


@transaction.atomic
def do_finalise_campaign(campaign: Campaign, *, acting_user, now=None) -> Ledger:
    """Seals the whole ledger after the end and publishes its digest."""
    from dangjian.voting.chain import seal_all

    now = now or timezone.now()
    if campaign.status(now) != "ended":
        raise VoteRefused(409, "not_ended", "投票结束后才能公布最终结果")
    seal_all(campaign.pk)
    ledger = Ledger.objects.select_for_update().get(campaign=campaign)
    if ledger.finalised_at:
        raise VoteRefused(409, "already_final", "最终结果已经公布")
    ledger.final_length = ledger.length
    ledger.final_digest = ledger.head_hash
    ledger.finalised_at = now
    ledger.finalised_by = acting_user
    ledger.save(
        update_fields=["final_length", "final_digest", "finalised_at", "finalised_by"]
    )
    log(
        campaign,
        "dangjian.voting.finalise",
        user=acting_user,
        data={"length": ledger.length, "digest": ledger.head_hash},
    )
    return ledger


def void_summary(campaign_id: int) -> list[tuple[str, int]]:
    return list(
        Vote.objects.voided()
        .filter(campaign_id=campaign_id)
        .values_list("void_reason")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("void_reason", "n")
    )


# Visits ----------------------------------------------------------------------


def count_visit(campaign_id: int, candidate_id: int, visitor: str, now=None) -> None:
    """Counts a page view and, once a day per visitor, a unique visitor."""
    now = now or timezone.now()
    day = campaign_day(now)
    visitor_hash = keyed_hash("visitor", visitor, 16)
    client = store.redis_client()
    if client is not None:
        base = f"{store.PREFIX}{{{campaign_id}}}:visit:{candidate_id}:{day.isoformat()}"
        pipe = client.pipeline(transaction=False)
        pipe.incr(base + ":views")
        pipe.pfadd(base + ":uv", visitor_hash)
        pipe.expire(base + ":views", 3 * 86400)
        pipe.expire(base + ":uv", 3 * 86400)
        pipe.sadd(f"{store.PREFIX}visit-days", f"{campaign_id}:{candidate_id}:{day}")
        pipe.execute()
        return
    with transaction.atomic():
        try:
            with transaction.atomic():
                Visitor.objects.create(
                    campaign_id=campaign_id,
                    candidate_id=candidate_id,
                    day=day,
                    visitor_hash=visitor_hash,
                )
            first = True
        except IntegrityError:
            first = False
        VisitDay.objects.bulk_create(
            [VisitDay(campaign_id=campaign_id, candidate_id=candidate_id, day=day)],
            ignore_conflicts=True,
        )
        VisitDay.objects.filter(
            campaign_id=campaign_id, candidate_id=candidate_id, day=day
        ).update(views=F("views") + 1, visitors=F("visitors") + (1 if first else 0))


def sync_visits() -> int:
    """Copies the Redis visit counters into VisitDay rows (idempotent)."""
    client = store.redis_client()
    if client is None:
        return 0
    n = 0
    for member in client.smembers(f"{store.PREFIX}visit-days"):
        campaign_id, candidate_id, day = member.decode().split(":")
        base = f"{store.PREFIX}{{{campaign_id}}}:visit:{candidate_id}:{day}"
        views = int(client.get(base + ":views") or 0)
        visitors = client.pfcount(base + ":uv")
        if not Campaign.objects.filter(pk=campaign_id).exists():
            client.srem(f"{store.PREFIX}visit-days", member)
            continue
        VisitDay.objects.update_or_create(
            campaign_id=int(campaign_id),
            candidate_id=int(candidate_id),
            day=dt.date.fromisoformat(day),
            defaults={"views": views, "visitors": visitors},
        )
        if dt.date.fromisoformat(day) < campaign_day(timezone.now()) - dt.timedelta(1):
            client.srem(f"{store.PREFIX}visit-days", member)
        n += 1
    return n


def visit_totals(campaign_id: int) -> dict:
    sync_visits()
    rows = VisitDay.objects.filter(campaign_id=campaign_id)
    page = rows.filter(candidate_id=0)
    return {
        "views": sum(r.views for r in rows),
        "campaign_views": sum(r.views for r in page),
        "campaign_visitors_by_day": {
            r.day.isoformat(): r.visitors for r in page.order_by("day")
        },
    }
