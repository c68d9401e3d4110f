"""Votes benchmark (issue 8): accepted votes per second over HTTP, latency,
exact reconciliation, and an in-process replay of a whole campaign.

    .venv/bin/python bench/votes.py                 # 30 s of load, replay 500,000
    .venv/bin/python bench/votes.py --quick         # 8 s of load, replay 50,000
    .venv/bin/python bench/votes.py --replay 7250000

Uses PostgreSQL and Redis on 127.0.0.1 when they answer (its own database
``dj_votes_bench`` and Redis database 14, both wiped), SQLite alone otherwise.
Serves the app with granian (WSGI, 2 workers) on a free port; 64 clients on
keep-alive connections send the mix the issue asks for: 80% valid votes,
10% over the limit, 5% retries with the same idempotency key, 5% invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/dj_votes_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
SQLITE_PATH = Path("/tmp/dj_votes_bench.sqlite3")
CLIENTS = 64
CANDIDATES = 20
VOTES_PER_DAY = 10


def pg_and_redis_available() -> bool:
    try:
        import psycopg
        import redis

        psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2
        ).close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def prepare_environment(use_pg: bool) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench._votes_settings"
    env["PYTHONPATH"] = str(ROOT)
    env.pop("REDIS_URL", None)
    if use_pg:
        import psycopg
        import redis

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS dj_votes_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE dj_votes_bench")
        redis.Redis.from_url(REDIS_URL).flushdb()
        env["DATABASE_URL"] = PG_URL
        env["REDIS_URL"] = REDIS_URL
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(env)
    if not use_pg:
        os.environ.pop("REDIS_URL", None)
    return env


def setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


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


class Voter:
    __slots__ = ("token", "device", "net", "voted", "done")

    def __init__(self, token, device, net):
        self.token = token
        self.device = device
        self.net = net
        self.voted: list[int] = []
        self.done: list[tuple[int, str]] = []


def build_voters(n: int) -> list[Voter]:
    from dangjian.voting.identity import issue_voter_token, phone_hash

    rng = random.Random(7)
    voters = []
    for i in range(n):
        token = issue_voter_token(phone_hash(f"13{i:09d}"))
        net = f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        voters.append(Voter(token, f"dev{i}", net))
    return voters


class Stats:
    def __init__(self):
        self.codes: dict[int, int] = {}
        self.latencies: list[float] = []
        self.accepted = 0
        self.expected: dict[str, int] = {
            "valid": 0,
            "over": 0,
            "retry": 0,
            "invalid": 0,
        }


async def client(port, campaign_id, candidate_ids, voters, stats, deadline, seed):
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    current = None
    while time.monotonic() < deadline:
        roll = rng.random()
        if current is None or len(current.voted) >= VOTES_PER_DAY - 1:
            current = voters.pop() if voters else None
            if current is None:
                break
        voter = current
        if roll < 0.80 or not voter.voted:
            kind = "valid"
            candidate = rng.choice([c for c in candidate_ids if c not in voter.voted])
            key = f"k{seed}-{time.monotonic_ns()}"
            body = {
                "campaign": campaign_id,
                "candidate": candidate,
                "idempotency_key": key,
            }
        elif roll < 0.90:
            kind = "over"  # the same candidate again the same day
            body = {"campaign": campaign_id, "candidate": voter.voted[0]}
        elif roll < 0.95 and voter.done:
            kind = "retry"
            candidate, key = voter.done[-1]
            body = {
                "campaign": campaign_id,
                "candidate": candidate,
                "idempotency_key": key,
            }
        else:
            kind = "invalid"
            body = {"campaign": campaign_id, "candidate": 10**9 + rng.randint(0, 99)}
        payload = json.dumps(body).encode()
        request = (
            f"POST /api/votes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            f"X-Voter-Token: {voter.token}\r\nX-Device-Id: {voter.device}\r\n"
            f"X-Forwarded-For: {voter.net}\r\n"
            f"User-Agent: Mozilla/5.0 (iPhone) MicroMessenger/8.0\r\n\r\n"
        ).encode() + payload
        started = time.perf_counter()
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        stats.latencies.append(time.perf_counter() - started)
        stats.codes[status] = stats.codes.get(status, 0) + 1
        stats.expected[kind] += 1
        if status == 201:
            stats.accepted += 1
            voter.voted.append(body["candidate"])
            voter.done.append((body["candidate"], body["idempotency_key"]))
        elif status == 429:
            # Asked for a captcha (or rate limited): this voter stops, as a
            # script without a person would, instead of hammering the limit.
            current = None
    writer.close()


async def baseline_client(port, deadline, counter):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    while time.monotonic() < deadline:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await reader.readexactly(length)
        counter[0] += 1
    writer.close()


async def run_baseline(port, seconds) -> float:
    """Requests/s of /healthz (one SELECT 1 and a Redis PING) under the same
    conditions: the ceiling this machine gives a Django view right now."""
    counter = [0]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(baseline_client(port, deadline, counter) for _ in range(CLIENTS))
    )
    return counter[0] / (time.monotonic() - started)


async def run_load(
    port, campaign_id, candidate_ids, voters, seconds
) -> tuple[Stats, float]:
    stats = Stats()
    per_client = [voters[i::CLIENTS] for i in range(CLIENTS)]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(
            client(port, campaign_id, candidate_ids, per_client[i], stats, deadline, i)
            for i in range(CLIENTS)
        )
    )
    return stats, time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env, port) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--blocking-threads",
            "8",
            "--backpressure",
            "64",
            "--log-level",
            "warning",
            "dangjian.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    # Warm both workers (imports, URL resolver, first connections).
    import urllib.request

    for _ in range(20):
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/votes/campaigns", timeout=5
            ).read()
        except Exception:
            time.sleep(0.2)
    return server


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
        size = db_size = SQLITE_PATH.stat().st_size
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
    args = parser.parse_args()
    seconds = args.seconds or (8 if args.quick else 30)
    replay_n = (
        args.replay if args.replay is not None else (50_000 if args.quick else 500_000)
    )

    use_pg = pg_and_redis_available()
    engine = (
        "PostgreSQL + Redis"
        if use_pg
        else "SQLite alone (PostgreSQL/Redis not reachable)"
    )
    print(f"votes benchmark: {engine}; figures taken while other work loads the 2 CPUs")
    env = prepare_environment(use_pg)
    setup_django()
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

    port = free_port()
    server = start_server(env, port)
    try:
        baseline = asyncio.run(run_baseline(port, 3 if args.quick else 5))
        stats, elapsed = asyncio.run(
            run_load(port, campaign.pk, candidate_ids, voters, seconds)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

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

    lat = sorted(stats.latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else 0
    rate = stats.accepted / elapsed
    requests = sum(stats.codes.values())

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
        ("accepted votes (201)", stats.accepted),
        ("accepted votes/s", f"{rate:.0f}"),
        ("latency p50 (ms)", f"{p50:.1f}"),
        ("latency p99 (ms)", f"{p99:.1f}"),
        (
            "answers by status",
            " ".join(f"{k}:{v}" for k, v in sorted(stats.codes.items())),
        ),
        ("requests by kind", " ".join(f"{k}:{v}" for k, v in stats.expected.items())),
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
    exact = ledger == stats.accepted == live_tally and not report.differences
    print(
        f"\nreconcile: ledger {ledger} = tally {live_tally} = 201 answers {stats.accepted}: {'exact' if exact else 'MISMATCH'}"
    )
    result = {
        "engine": "postgresql+redis" if use_pg else "sqlite",
        "under_load": True,
        "clients": CLIENTS,
        "accepted_votes_per_s": round(rate, 1),
        "baseline_healthz_rps": round(baseline, 1),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "answers_201": stats.accepted,
        "ledger": ledger,
        "tally": live_tally,
        "reconcile_difference": abs(ledger - stats.accepted) + abs(ledger - live_tally),
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
