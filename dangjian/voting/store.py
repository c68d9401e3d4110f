"""Hot counters: rate limits, each voter's used votes, live tallies.

With ``REDIS_URL`` they live in Redis and one Lua script checks every limit
and counts the vote atomically, so two concurrent requests of one voter can
never both pass. Without Redis, ``actions`` enforces the rule in the database
under a row lock, rate limits use Django's cache (per process with the local
memory cache) and tallies are counted from the ledger.

Redis is a cache of the ledger, never the truth: a voter whose counters are
missing (expired, flushed) is reloaded from the ledger before voting, and
``reconcile_votes`` recomputes the tallies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

from dangjian.lib.redis import redis_client

if TYPE_CHECKING:
    from redis import Redis

PREFIX = "dj:v:"
_scripts: dict[tuple[str, str], object] = {}

DEFAULT_LIMITS = {
    # Hard limits per minute: above them a request gets 429.
    "voter_per_minute": 30,
    # Carrier-grade NAT puts many real phones behind one /24, so the
    # network limit is generous; the captcha threshold below bites first.
    "network_per_minute": 3000,
    "device_per_minute": 60,
    # Soft limits per minute: above them a captcha is asked for.
    "captcha_voter_per_minute": 15,
    "captcha_network_per_minute": 1200,
}


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "VOTING_RATE_LIMITS", {})}


def _redis() -> Redis:
    """The Redis client, for the functions called only when Redis is in use."""
    client = redis_client()
    if client is None:
        raise RuntimeError("the Redis vote store needs REDIS_URL")
    return client


def _script(name: str):
    client = _redis()
    key = (getattr(settings, "REDIS_URL", ""), name)
    script = _scripts.get(key)
    if script is None:
        script = client.register_script(LUA[name])
        _scripts[key] = script
    return script


def voter_key(campaign_id: int, voter_hash: str) -> str:
    return f"{PREFIX}{{{campaign_id}}}:voter:{voter_hash}"


def tally_key(campaign_id: int) -> str:
    return f"{PREFIX}{{{campaign_id}}}:tally"


def idem_key(campaign_id: int, voter_hash: str, key: str) -> str:
    return f"{PREFIX}{{{campaign_id}}}:idem:{voter_hash}:{key}"


def rate_keys(voter_hash: str, network: str, device: str, minute: int) -> list[str]:
    return [
        f"{PREFIX}rl:v:{voter_hash}:{minute}",
        f"{PREFIX}rl:n:{network}:{minute}",
        f"{PREFIX}rl:d:{device}:{minute}",
    ]


def captcha_pass_key(voter_hash: str) -> str:
    return f"{PREFIX}cap:{voter_hash}"


LUA = {
    # KEYS: voter, tally, idem, rl voter, rl network, rl device, captcha pass
    # ARGV: day, candidate, per_day, per_candidate, total, ttl, has_idem,
    #       hard voter/network/device limits, soft voter/network limits
    # Returns {code, total, today, for_candidate}:
    #   1 counted, 2 replay, 3 voter counters missing, 409 limit (code in
    #   slot 5), 429 rate limited, 428 captcha required.
    "cast": """
local day = ARGV[1]
local cand = ARGV[2]
local counts = {}
for i = 4, 6 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], 120) end
  counts[i - 3] = n
end
if counts[1] > tonumber(ARGV[8]) or counts[2] > tonumber(ARGV[9])
   or counts[3] > tonumber(ARGV[10]) then
  return {429, 0, 0, 0}
end
if (counts[1] > tonumber(ARGV[11]) or counts[2] > tonumber(ARGV[12]))
   and redis.call('EXISTS', KEYS[7]) == 0 then
  return {428, 0, 0, 0}
end
if redis.call('HEXISTS', KEYS[1], 'loaded') == 0 then
  -- The caller loads the voter and tries again: that try is what counts.
  for i = 4, 6 do redis.call('DECR', KEYS[i]) end
  return {3, 0, 0, 0}
end
local vals = redis.call('HMGET', KEYS[1], 't', 'd:' .. day, 'c:' .. day .. ':' .. cand)
local t = tonumber(vals[1]) or 0
local d = tonumber(vals[2]) or 0
local c = tonumber(vals[3]) or 0
if ARGV[7] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then
  return {2, t, d, c}
end
local total = tonumber(ARGV[5])
if total > 0 and t >= total then return {409, t, d, c, 'total'} end
if d >= tonumber(ARGV[3]) then return {409, t, d, c, 'per_day'} end
if c >= tonumber(ARGV[4]) then return {409, t, d, c, 'per_candidate'} end
redis.call('HINCRBY', KEYS[1], 't', 1)
redis.call('HINCRBY', KEYS[1], 'd:' .. day, 1)
redis.call('HINCRBY', KEYS[1], 'c:' .. day .. ':' .. cand, 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
redis.call('HINCRBY', KEYS[2], cand, 1)
if ARGV[7] == '1' then redis.call('SET', KEYS[3], '1', 'EX', tonumber(ARGV[6])) end
return {1, t + 1, d + 1, c + 1}
""",
    # Gives back a vote the database did not take.
    # KEYS: voter, tally, idem; ARGV: day, candidate, has_idem
    "release": """
redis.call('HINCRBY', KEYS[1], 't', -1)
redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[1], -1)
redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[1] .. ':' .. ARGV[2], -1)
redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) end
return 1
""",
    # Loads a voter's counters from the ledger unless another request did.
    # KEYS: voter; ARGV: ttl, then field/value pairs
    "load": """
if redis.call('HSETNX', KEYS[1], 'loaded', 1) == 0 then return 0 end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
""",
    # Replaces a tally with counts from the ledger. ARGV: field/value pairs
    "set_tally": """
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '_ok', 1)
for i = 1, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
""",
}


def redis_cast(rule, voter, candidate_id, day, now, idempotency_key) -> list:
    lim = limits()
    minute = int(now.timestamp() // 60)
    keys = [
        voter_key(rule.id, voter.voter_hash),
        tally_key(rule.id),
        idem_key(rule.id, voter.voter_hash, idempotency_key or "-"),
        *rate_keys(voter.voter_hash, voter.network_hash, voter.device_hash, minute),
        captcha_pass_key(voter.voter_hash),
    ]
    args = [
        day.isoformat(),
        candidate_id,
        rule.votes_per_day,
        rule.votes_per_candidate_per_day,
        rule.votes_total,
        rule.ttl_seconds(now),
        "1" if idempotency_key else "0",
        lim["voter_per_minute"],
        lim["network_per_minute"],
        lim["device_per_minute"],
        lim["captcha_voter_per_minute"],
        lim["captcha_network_per_minute"],
    ]
    result = _script("cast")(keys=keys, args=args)
    return [x.decode() if isinstance(x, bytes) else int(x) for x in result]


def redis_release(rule, voter_hash, candidate_id, day, idempotency_key) -> None:
    _script("release")(
        keys=[
            voter_key(rule.id, voter_hash),
            tally_key(rule.id),
            idem_key(rule.id, voter_hash, idempotency_key or "-"),
        ],
        args=[day.isoformat(), candidate_id, "1" if idempotency_key else "0"],
    )


def redis_load_voter(rule, voter_hash, day, now, counts: dict) -> None:
    """Puts a voter's counts from the ledger into Redis (``counts``: t, today,
    and per-candidate counts of the day)."""
    pairs = ["t", counts["total"], f"d:{day.isoformat()}", counts["today"]]
    for candidate_id, n in counts["by_candidate"].items():
        pairs += [f"c:{day.isoformat()}:{candidate_id}", n]
    _script("load")(
        keys=[voter_key(rule.id, voter_hash)], args=[rule.ttl_seconds(now), *pairs]
    )


def redis_voter_counts(campaign_id, voter_hash, day, candidate_id) -> tuple | None:
    client = _redis()
    vals = client.hmget(
        voter_key(campaign_id, voter_hash),
        "loaded",
        "t",
        f"d:{day.isoformat()}",
        f"c:{day.isoformat()}:{candidate_id}",
    )
    if vals[0] is None:
        return None
    return tuple(int(v or 0) for v in vals[1:])


def redis_tally(campaign_id: int) -> dict[int, int] | None:
    """The live tally, or None when Redis has no trustworthy one."""
    raw = _redis().hgetall(tally_key(campaign_id))
    if b"_ok" not in raw:
        return None
    return {int(k): int(v) for k, v in raw.items() if k != b"_ok"}


def redis_set_tally(campaign_id: int, counts: dict[int, int]) -> None:
    pairs = []
    for candidate_id, n in counts.items():
        pairs += [candidate_id, n]
    _script("set_tally")(keys=[tally_key(campaign_id)], args=pairs)


def redis_adjust_tally(campaign_id: int, changes: dict[int, int]) -> None:
    client = _redis()
    key = tally_key(campaign_id)
    if not client.hexists(key, "_ok"):
        return
    pipe = client.pipeline()
    for candidate_id, delta in changes.items():
        pipe.hincrby(key, candidate_id, delta)
    pipe.execute()


def grant_captcha_pass(voter_hash: str, seconds: int = 1800) -> None:
    client = redis_client()
    if client is not None:
        client.set(captcha_pass_key(voter_hash), 1, ex=seconds)
    else:
        cache.set(captcha_pass_key(voter_hash), 1, seconds)


def has_captcha_pass(voter_hash: str) -> bool:
    client = redis_client()
    if client is not None:
        return bool(client.exists(captcha_pass_key(voter_hash)))
    return bool(cache.get(captcha_pass_key(voter_hash)))


def cache_rate_check(voter, now) -> int | None:
    """Rate limits without Redis: returns 429, 428 (captcha) or None."""
    lim = limits()
    minute = int(now.timestamp() // 60)
    counts = []
    for key in rate_keys(
        voter.voter_hash, voter.network_hash, voter.device_hash, minute
    ):
        if cache.add(key, 1, 120):
            counts.append(1)
        else:
            try:
                counts.append(cache.incr(key))
            except ValueError:  # expired between add and incr
                cache.set(key, 1, 120)
                counts.append(1)
    if (
        counts[0] > lim["voter_per_minute"]
        or counts[1] > lim["network_per_minute"]
        or counts[2] > lim["device_per_minute"]
    ):
        return 429
    if (
        counts[0] > lim["captcha_voter_per_minute"]
        or counts[1] > lim["captcha_network_per_minute"]
    ) and not has_captcha_pass(voter.voter_hash):
        return 428
    return None


def flush_redis_keys(campaign_id: int | None = None) -> int:
    """Deletes the voting keys (all, or one campaign's). For tests and drills."""
    client = redis_client()
    if client is None:
        return 0
    pattern = f"{PREFIX}{{{campaign_id}}}:*" if campaign_id else f"{PREFIX}*"
    n = 0
    for key in client.scan_iter(pattern, count=1000):
        n += client.delete(key)
    return n
