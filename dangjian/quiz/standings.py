"""Contest leaderboards by person and by unit, read from ``ContestEntry``.

Ranking: best score (higher first), then the time that score took (shorter
first), then who reached it first. Equal score and time share a rank.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.db.models import Avg, Count, Max, Q

from dangjian.orgs.models import Organisation
from dangjian.quiz.models import Contest, ContestEntry


def ranked_entries(contest: Contest):
    return ContestEntry.objects.filter(
        contest=contest, best_score__isnull=False
    ).order_by("-best_score", "best_duration", "best_at", "id")


def person_leaderboard(contest: Contest, limit: int = 50) -> list[dict]:
    rows = ranked_entries(contest).values_list(
        "person_id",
        "person__name",
        "person__username",
        "unit__name",
        "best_score",
        "best_duration",
        "attempts",
    )[:limit]
    board, rank, previous = [], 0, None
    for position, (pid, name, username, unit, score, duration, tries) in enumerate(
        rows, start=1
    ):
        key = (score, round(duration or 0, 1))
        if key != previous:
            rank, previous = position, key
        board.append(
            {
                "rank": rank,
                "person_id": pid,
                "name": name or username,
                "unit": unit or "",
                "score": float(score),
                "seconds": round(duration or 0, 1),
                "attempts": tries,
            }
        )
    return board


def unit_leaderboard(contest: Contest, limit: int = 50) -> list[dict]:
    """Units by the average best score of their participants, then by turnout."""
    rows = list(
        ContestEntry.objects.filter(contest=contest, best_score__isnull=False)
        .values("unit_id")
        .annotate(
            participants=Count("id"),
            average=Avg("best_score"),
            top=Max("best_score"),
            seconds=Avg("best_duration"),
        )
        .order_by("-average", "-participants", "seconds")[:limit]
    )
    # Names are read for the units shown only, not joined into the grouping.
    names = dict(
        Organisation.objects.filter(
            pk__in=[r["unit_id"] for r in rows if r["unit_id"]]
        ).values_list("pk", "name")
    )
    return [
        {
            "rank": i,
            "unit_id": row["unit_id"],
            "unit": names.get(row["unit_id"], "（未归属单位）"),
            "participants": row["participants"],
            "average": round(float(row["average"]), 2),
            "top": float(row["top"]),
            "seconds": round(row["seconds"] or 0, 1),
        }
        for i, row in enumerate(rows, start=1)
    ]


def my_standing(contest: Contest, person) -> dict | None:
    entry = (
        ContestEntry.objects.filter(
            contest=contest, person=person, best_score__isnull=False
        )
        .values("best_score", "best_duration", "attempts")
        .first()
    )
    if entry is None:
        return None
    # Entries without a best score were filtered out above.
    score = cast(Decimal, entry["best_score"])
    duration = entry["best_duration"] or 0
    counts = ranked_entries(contest).aggregate(
        ahead=Count(
            "id",
            filter=Q(best_score__gt=score)
            | Q(best_score=score, best_duration__lt=duration),
        ),
        participants=Count("id"),
    )
    return {
        "rank": counts["ahead"] + 1,
        "score": float(score),
        "seconds": round(duration, 1),
        "attempts": entry["attempts"],
        "participants": counts["participants"],
    }


def mask_name(name: str) -> str:
    """A member's name as the public sees it: the surname only (张三 → 张*)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


def boards_for(boards: dict, *, show_names: bool) -> dict:
    """The leaderboards as one viewer may see them: full names only for the
    members of the contest's organisations (and its managers)."""
    if show_names:
        return boards
    return {
        **boards,
        "persons": [
            {**row, "name": mask_name(row["name"])} for row in boards["persons"]
        ],
    }
