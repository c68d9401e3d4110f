"""The per-campaign hash chain of the vote ledger.

Votes are inserted unsealed, so casting never waits for a chain lock. The
sealer (``manage.py seal_votes``, looping next to the web servers, and run
again before results are finalised) takes the campaign's ``Ledger`` row lock,
reads the unsealed rows in id order and gives each the next ``seq``, the
previous row's hash and its own::

    row_hash = sha256(prev_hash | id | campaign | candidate | voter_hash
                      | cast_at (UTC, µs) | day | network | device | ua)

Because sealing is serialised per campaign, the chain is one line however
many app servers insert. A vote that commits late (lower id, committed after
a higher one was sealed) simply gets a later ``seq``. Voiding is not part of
the hash: it is a review decision recorded in the audit log, not an edit of
the accepted vote.

Verification (``manage.py verify_votes``) walks the chain in ``seq`` order,
recomputes every hash and compares the head with the published digest: any
edited, inserted or deleted row breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from dangjian.voting.models import Ledger, Vote

GENESIS = "0" * 64
FIELDS = (
    "id",
    "campaign_id",
    "candidate_id",
    "voter_hash",
    "cast_at",
    "day",
    "network_hash",
    "device_hash",
    "ua_class",
)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(prev_hash: str, row: tuple) -> str:
    vote_id, campaign_id, candidate_id, voter, cast_at, day, net, device, ua = row
    text = "|".join(
        (
            prev_hash,
            str(vote_id),
            str(campaign_id),
            str(candidate_id),
            voter,
            _stamp(cast_at),
            day.isoformat(),
            net,
            device,
            ua,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def seal(campaign_id: int, *, batch: int = 20000) -> int:
    """Seals up to ``batch`` unsealed votes of a campaign; returns how many."""
    with transaction.atomic():
        Ledger.objects.get_or_create(campaign_id=campaign_id)
        ledger = Ledger.objects.select_for_update().get(campaign_id=campaign_id)
        rows = list(
            Vote.objects.unsealed()
            .filter(campaign_id=campaign_id)
            .order_by("id")
            .values_list(*FIELDS)[:batch]
        )
        if not rows:
            return 0
        prev = ledger.head_hash or GENESIS
        seq = ledger.length
        updates = []
        for row in rows:
            seq += 1
            digest = row_hash(prev, row)
            updates.append((seq, prev, digest, row[0]))
            prev = digest
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Vote._meta.db_table} SET seq = %s, prev_hash = %s, "
                "row_hash = %s WHERE id = %s",
                updates,
            )
        ledger.length = seq
        ledger.head_hash = prev
        ledger.sealed_at = timezone.now()
        ledger.save(update_fields=["length", "head_hash", "sealed_at"])
    return len(rows)


def seal_all(campaign_id: int, *, batch: int = 20000) -> int:
    total = 0
    while n := seal(campaign_id, batch=batch):
        total += n
    return total


@dataclass
class Verification:
    ok: bool
    length: int
    head_hash: str
    unsealed: int
    problems: list[str]


def verify(
    campaign_id: int, *, digest: str | None = None, length: int | None = None
) -> Verification:
    """Recomputes the chain; compares its head (and length) with a published digest."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 0
    rows = (
        Vote.objects.filter(campaign_id=campaign_id, seq__isnull=False)
        .order_by("seq")
        .values_list("seq", "prev_hash", "row_hash", *FIELDS)
    )
    for seq, stored_prev, stored_hash, *fields in rows.iterator(chunk_size=10000):
        expected_seq += 1
        if seq != expected_seq:
            problems.append(f"第 {expected_seq} 号记录缺失（下一条是 {seq}）")
            expected_seq = seq
        if stored_prev != prev:
            problems.append(f"第 {seq} 号记录（票 #{fields[0]}）未接上前一条记录")
        digest_now = row_hash(prev, tuple(fields))
        if digest_now != stored_hash:
            problems.append(f"第 {seq} 号记录（票 #{fields[0]}）内容被改动")
        prev = digest_now
        if len(problems) > 50:
            problems.append("问题过多，停止检查")
            break
    head = prev if expected_seq else ""
    if digest is not None and head != digest:
        problems.append("链头哈希与公布的摘要不一致")
    if length is not None and expected_seq != length:
        problems.append(f"记录数 {expected_seq} 与公布的 {length} 不一致")
    unsealed = Vote.objects.unsealed().filter(campaign_id=campaign_id).count()
    return Verification(not problems, expected_seq, head, unsealed, problems)
