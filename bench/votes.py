"""Votes benchmark (issue 8): accepted votes per second over HTTP, latency,
exact reconciliation, and an in-process replay of a whole campaign.

    .venv/bin/python bench/votes.py                 # 30 s of load, replay 500,000
    .venv/bin/python bench/votes.py --quick         # 8 s of load, replay 50,000
    .venv/bin/python bench/votes.py --replay 7250000

Uses PostgreSQL and Redis on 127.0.0.1 when they answer (its own database
``dj_votes_bench`` and Redis database 14, both wiped; ``BENCH_DB_NAME``,
``BENCH_REDIS_URL`` and ``BENCH_PORT`` choose others), SQLite alone otherwise.
Serves the app with granian (WSGI, 2 workers) on a free port; 64 clients on
keep-alive connections send the mix the issue asks for: 80% valid votes,
10% over the limit, 5% retries with the same idempotency key, 5% invalid.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import fresh_environment, pg_and_redis_available, serving  # noqa: E402
from bench._wrk import WrkResult, run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Another session benchmarking at the same time sets its own.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DB_NAME = os.environ.get("BENCH_DB_NAME", "dj_votes_bench")
CLIENTS = 64
CANDIDATES = 20
VOTES_PER_DAY = 10


def make_campaign(title: str, **rule):
    import datetime as dt

    from django.utils import timezone

    from dangjian.orgs.models import Organisation
    from dangjian.voting.models import Campaign, Candidate

    city = Organisation.get_root_nodes().first() or Organisation.add_root(
        name="基准测试市委", kind=Organisation.Kind.COMMITTEE
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        title=title,
        organisation=city,
        starts_at=now - dt.timedelta(days=40),
        ends_at=now + dt.timedelta(days=1),
        open_to_public=True,
        **rule,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(campaign=campaign, number=n, name=f"候选人{n}", sort_order=n)
            for n in range(1, CANDIDATES + 1)
        ]
    )
    campaign.save_revision().publish()
    return campaign


# The load generator -----------------------------------------------------------

# One wrk thread per client (see bench/_wrk.py). Each client takes voters from
# its own file and votes until the rule stops them, with the issue's mix.
VOTE_SCRIPT = r"""
function start(args)
  campaign = args[3]
  candidates = {}
  for c in string.gmatch(args[4], "[^,]+") do candidates[#candidates + 1] = c end
  per_day = tonumber(args[5])
  voters = {}
  for line in io.lines(args[6] .. "/" .. id .. ".txt") do
    local token, device, net = string.match(line, "(%S+) (%S+) (%S+)")
    voters[#voters + 1] = {token = token, device = device, net = net}
  end
  math.randomseed(id)
  seq = 0
  current = nil
end

local function next_voter()
  current = table.remove(voters)
  if current then
    current.voted = {}
    current.done = {}
  end
end

local function body_for(candidate, key)
  if key then
    return string.format('{"campaign": %s, "candidate": %s, "idempotency_key": "%s"}', campaign, candidate, key)
  end
  return string.format('{"campaign": %s, "candidate": %s}', campaign, candidate)
end

function next_request()
  if current == nil or #current.voted >= per_day - 1 then next_voter() end
  if current == nil then
    pending = nil
    return wrk.format("GET", "/healthz")
  end
  local roll = math.random()
  local candidate, key
  if roll < 0.80 or #current.voted == 0 then
    kind = "valid"
    repeat
      candidate = candidates[math.random(#candidates)]
    until not current.voted[candidate]
    seq = seq + 1
    key = string.format("bench-%03d-%08d", id, seq)
  elseif roll < 0.90 then
    kind = "over"
    candidate = current.done[1][1]
  elseif roll < 0.95 then
    kind = "retry"
    candidate, key = current.done[#current.done][1], current.done[#current.done][2]
  else
    kind = "invalid"
    candidate = tostring(1000000000 + math.random(0, 99))
  end
  pending = {candidate, key}
  return wrk.format("POST", "/api/votes", {
    ["Content-Type"] = "application/json",
    ["X-Voter-Token"] = current.token,
    ["X-Device-Id"] = current.device,
    ["X-Forwarded-For"] = current.net,
    ["User-Agent"] = "Mozilla/5.0 (iPhone) MicroMessenger/8.0",
  }, body_for(candidate, key))
end

function on_response(status, headers, body)
  if pending == nil then return end
  count("kind:" .. kind)
  count("status:" .. status)
  if status == 201 then
    count("accepted")
    current.voted[pending[1]] = true
    current.voted[#current.voted + 1] = pending[1]
    current.done[#current.done + 1] = pending
  elseif status == 429 then
    -- Asked for a captcha (or rate limited): this voter stops, as a script
    -- without a person would, instead of hammering the limit.
    current = nil
  end
end
"""


def build_voters(n: int) -> list[tuple[str, str, str]]:
    from dangjian.voting.identity import issue_voter_token, new_device_id, phone_hash

    rng = random.Random(7)
    voters = []
    for i in range(n):
        token = issue_voter_token(phone_hash(f"13{i:09d}"))
        net = f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        # A device the server signed, as POST /api/votes/session hands out.
        voters.append((token, new_device_id(), net))
    return voters


def run_load(port, campaign_id, candidate_ids, voters, seconds) -> WrkResult:
    folder = Path(tempfile.mkdtemp(prefix="votes-bench-"))
    for i in range(CLIENTS):
        lines = (" ".join(v) for v in voters[i::CLIENTS])
        (folder / f"{i + 1}.txt").write_text("\n".join(lines) + "\n")
    try:
        return run_wrk(
            port,
            VOTE_SCRIPT,
            clients=CLIENTS,
            seconds=seconds,
            args=(
                str(campaign_id),
                ",".join(map(str, candidate_ids)),
                str(VOTES_PER_DAY),
                str(folder),
            ),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


BASELINE_SCRIPT = r"""
function start(args) req = wrk.format("GET", "/healthz") end
function next_request() return req end
function on_response(status, headers, body) count("status:" .. status) end
"""


def run_baseline(port, seconds) -> float:
    """Requests/s of /healthz (one SELECT 1 and a Redis PING) under the same
    conditions: the ceiling this machine gives a Django view right now."""
    return run_wrk(port, BASELINE_SCRIPT, clients=CLIENTS, seconds=seconds).per_second()


# Replay -------------------------------------------------------------------------


def replay(n: int, use_pg: bool) -> dict:
    import datetime as dt

    from django.db import connection

    from dangjian.voting.identity import keyed_hash
    from dangjian.voting.models import CAMPAIGN_TZ
    from dangjian.voting.replay import replay_ballots

    campaign = make_campaign(
        "重放：七百万票", votes_per_day=5, votes_per_candidate_per_day=1, votes_total=0
    )
    ids = list(campaign.candidates.values_list("pk", flat=True))
    rng = random.Random(11)
    voters = max(n // 12, 1)
    voter_hashes = [keyed_hash("voter", f"m:{i}") for i in range(min(voters, 200000))]
    nets = [keyed_hash("network", f"{i}", 16) for i in range(5000)]
    start = campaign.starts_at.astimezone(CAMPAIGN_TZ).replace(hour=8)
    span = 30 * 86400

    def ballots():
        # Time-ordered ballots over 30 days; a voter votes a few times a day.
        step = span / n
        for i in range(n):
            v = rng.randrange(len(voter_hashes))
            yield (
                ids[(v + i) % len(ids)],
                voter_hashes[v],
                start + dt.timedelta(seconds=i * step),
                nets[v % len(nets)],
                voter_hashes[v][:16],
                "wechat",
            )

    report = replay_ballots(campaign.pk, ballots(), defer_indexes=n >= 200_000)
    if use_pg:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('voting_vote'), "
                "pg_database_size(current_database())"
            )
            size, db_size = cursor.fetchone()
    else:
        size = db_size = Path(connection.settings_dict["NAME"]).stat().st_size
    return {
        "ballots": n,
        "accepted": report.accepted,
        "refused": report.refused,
        "seconds": report.seconds,
        "bytes": size,
        "db_bytes": db_size,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--replay", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="granian blocking threads"
    )
    args = parser.parse_args()
    seconds = args.seconds or (8 if args.quick else 30)
    replay_n = (
        args.replay if args.replay is not None else (50_000 if args.quick else 500_000)
    )

    use_pg = pg_and_redis_available(REDIS_URL)
    engine = (
        "PostgreSQL + Redis"
        if use_pg
        else "SQLite alone (PostgreSQL/Redis not reachable)"
    )
    print(f"votes benchmark: {engine}; figures taken while other work loads the 2 CPUs")
    env = fresh_environment(
        settings="bench._votes_settings",
        name=DB_NAME,
        redis_url=REDIS_URL,
        use_pg=use_pg,
    )
    campaign = make_campaign(
        "基准：晒党建、晒成绩",
        votes_per_day=VOTES_PER_DAY,
        votes_per_candidate_per_day=1,
        votes_total=0,
    )
    candidate_ids = list(campaign.candidates.values_list("pk", flat=True))
    voters = build_voters(int(seconds * 1500 / 6) + 2000)
    if use_pg:
        from dangjian.voting.actions import reconcile_campaign

        reconcile_campaign(campaign.pk)  # the tally exists from the start

    with serving(
        env, warm=("/healthz", "/api/votes/campaigns"), backpressure=64
    ) as port:
        baseline = run_baseline(port, 3 if args.quick else 5)
        load = run_load(port, campaign.pk, candidate_ids, voters, seconds)
    accepted = load.counts.get("accepted", 0)
    elapsed = load.seconds

    from dangjian.voting.actions import reconcile_campaign
    from dangjian.voting.chain import seal_all, verify
    from dangjian.voting.models import Vote

    sealed_started = time.monotonic()
    seal_all(campaign.pk)
    seal_seconds = time.monotonic() - sealed_started
    ledger = Vote.objects.filter(campaign=campaign).count()
    report = reconcile_campaign(campaign.pk, fix=False)
    live_tally = report.tally if report.tally is not None else report.ledger
    chain_ok = verify(campaign.pk).ok

    p50 = load.percentile(50)
    p99 = load.percentile(99)
    rate = load.per_second(accepted)
    requests = load.requests

    replay_result = replay(replay_n, use_pg) if replay_n else None

    print()
    print(f"{'measure':42} {'value':>14}")
    print("-" * 57)
    rows = [
        ("baseline: /healthz requests/s", f"{baseline:.0f}"),
        ("clients", CLIENTS),
        ("duration (s)", f"{elapsed:.1f}"),
        ("requests", requests),
        ("requests/s", f"{requests / elapsed:.0f}"),
        ("accepted votes (201)", accepted),
        ("accepted votes/s", f"{rate:.0f}"),
        ("latency p50 (ms)", f"{p50:.1f}"),
        ("latency p99 (ms)", f"{p99:.1f}"),
        (
            "answers by status",
            " ".join(
                f"{k[7:]}:{v}"
                for k, v in sorted(load.counts.items())
                if k.startswith("status:")
            ),
        ),
        (
            "requests by kind",
            " ".join(
                f"{k[5:]}:{v}" for k, v in load.counts.items() if k.startswith("kind:")
            ),
        ),
        ("ledger rows", ledger),
        ("live tally (Redis)" if use_pg else "tally (ledger)", live_tally),
        ("reconcile differences", len(report.differences)),
        ("sealing the chain (s)", f"{seal_seconds:.2f}"),
        ("chain verifies", chain_ok),
    ]
    if replay_result:
        r = replay_result
        per_second = r["ballots"] / r["seconds"]
        rows += [
            ("replay ballots", r["ballots"]),
            ("replay accepted / refused", f"{r['accepted']} / {r['refused']}"),
            ("replay time (s)", f"{r['seconds']:.1f}"),
            ("replay ballots/s", f"{per_second:.0f}"),
            ("7.25 M replay, extrapolated (min)", f"{7_250_000 / per_second / 60:.1f}"),
            ("vote table with indexes (MB)", f"{r['bytes'] / 1e6:.1f}"),
            ("database size (MB)", f"{r['db_bytes'] / 1e6:.1f}"),
            (
                "7.25 M table size, extrapolated (GB)",
                f"{r['bytes'] / max(r['accepted'], 1) * 7.25e6 / 1e9:.2f}",
            ),
        ]
    for name, value in rows:
        print(f"{name:42} {value!s:>14}")
    exact = ledger == accepted == live_tally and not report.differences
    print(
        f"\nreconcile: ledger {ledger} = tally {live_tally} = 201 answers {accepted}: {'exact' if exact else 'MISMATCH'}"
    )
    result = {
        "engine": "postgresql+redis" if use_pg else "sqlite",
        "under_load": True,
        "clients": CLIENTS,
        "accepted_votes_per_s": round(rate, 1),
        "baseline_healthz_rps": round(baseline, 1),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "answers_201": accepted,
        "ledger": ledger,
        "tally": live_tally,
        "reconcile_difference": abs(ledger - accepted) + abs(ledger - live_tally),
        "chain_ok": chain_ok,
    }
    if replay_result:
        r = replay_result
        result.update(
            {
                "replay_votes": r["ballots"],
                "replay_seconds": round(r["seconds"], 1),
                "replay_7_25m_minutes_extrapolated": round(
                    7_250_000 / (r["ballots"] / r["seconds"]) / 60, 1
                ),
                "replay_db_bytes": r["bytes"],
                "replay_db_size_mb": round(r["db_bytes"] / 1e6, 1),
                "replay_vote_table_mb": round(r["bytes"] / 1e6, 1),
                "db_size_7_25m_gb_extrapolated": round(
                    r["bytes"] / max(r["accepted"], 1) * 7.25e6 / 1e9, 2
                ),
            }
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
