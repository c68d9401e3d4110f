"""三会一课 compliance benchmark (issue 17): 300 branches × a year ≤ 200 ms.

1. Builds, in its own fresh SQLite database (/tmp/dj_orglife_bench.sqlite3,
   or --database-url), a city of 30 units × 10 branches, the seeded rules,
   and a year of meetings per branch (each rule's periods, most held on
   time, some late, some missing): about 12,000 meetings.
2. Times ``compliance.compute`` for all 300 branches for the year (the
   city's view), and for one unit's 10 branches, best of --repeat runs.
3. Times an anchor in the same run: the one grouped query alone
   (``Meeting … values().annotate(Count)``, rows fetched), so the table
   shows what the Python around it costs.

    .venv/bin/python bench/orglife.py
    .venv/bin/python bench/orglife.py --database-url postgres://postgres@127.0.0.1/dj_orglife_bench

The goal is ≤ 200 ms for the 300 branches. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "sqlite:////tmp/dj_orglife_bench.sqlite3"
YEAR = 2025


def setup_django(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_schema(database_url: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    if not database_url.startswith("sqlite"):
        # A PostgreSQL database is emptied first, so each run starts the same.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def build(units: int, per_unit: int) -> list[int]:
    from dangjian.orglife.models import (
        Meeting,
        MeetingRule,
        period_bounds,
        periods_of_year,
    )
    from dangjian.orgs.models import Organisation

    root = Organisation.add_root(name="中共基准市委", kind="committee")
    ids = []
    for u in range(units):
        root.refresh_from_db()
        unit = root.add_child(name=f"基准单位{u:02d}", kind="government_department")
        for b in range(per_unit):
            unit.refresh_from_db()
            ids.append(
                unit.add_child(name=f"基准单位{u:02d}第{b + 1}党支部", kind="branch").pk
            )
    rng = random.Random(17)
    rows = []
    for branch_id in ids:
        for rule in MeetingRule.objects.all():
            for start, end in periods_of_year(rule.period, YEAR):
                roll = rng.random()
                if roll < 0.08:
                    continue  # missing
                planned = start + dt.timedelta(days=rng.randint(0, 20))
                held = planned if roll > 0.15 else end + dt.timedelta(days=10)
                p_start, p_end = period_bounds(rule.period, planned)
                rows.append(
                    Meeting(
                        branch_id=branch_id,
                        kind=rule.kind,
                        topic=f"{rule.get_kind_display()}{planned}",
                        planned_on=planned,
                        period_start=p_start,
                        period_end=p_end,
                        held_on=held,
                    )
                )
    Meeting.objects.bulk_create(rows, batch_size=2000)
    return ids


def best(fn, repeat: int) -> tuple[float, object]:
    times = []
    value = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--branches-per-unit", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django(args.database_url)
    ensure_schema(args.database_url)

    from django.db.models import Count, F, Q

    from dangjian.orglife import compliance
    from dangjian.orglife.models import Meeting
    from dangjian.orgs.models import Organisation

    started = time.perf_counter()
    ids = build(args.units, args.branches_per_unit)
    built = time.perf_counter() - started
    meetings = Meeting.objects.count()
    today = dt.date(YEAR + 1, 1, 15)

    def anchor():
        return list(
            Meeting.objects.filter(
                branch_id__in=ids,
                period_start__gte=dt.date(YEAR, 1, 1),
                period_start__lte=dt.date(YEAR, 12, 31),
                held_on__isnull=False,
            )
            .values_list("branch_id", "kind", "period_start")
            .annotate(
                on=Count("pk", filter=Q(held_on__lte=F("period_end"))),
                late=Count("pk", filter=Q(held_on__gt=F("period_end"))),
            )
            .order_by()
        )

    def city():
        return compliance.compute(Organisation.objects.branches(), YEAR, today)

    first_unit = Organisation.objects.filter(depth=2).order_by("path").first()

    def unit():
        return compliance.compute(
            Organisation.objects.branches().filter(path__startswith=first_unit.path),
            YEAR,
            today,
        )

    t_anchor, groups = best(anchor, args.repeat)
    t_city, rows = best(city, args.repeat)
    t_unit, unit_rows = best(unit, args.repeat)
    cells = sum(len(r.cells) for r in rows)
    behind = sum(1 for r in rows if not r.is_compliant)
    engine = "postgresql" if "postgres" in args.database_url else "sqlite"

    print(f"三会一课 compliance, {engine}: {len(ids)} branches, {meetings} meetings")
    print(f"(built in {built:.1f} s; best of {args.repeat})")
    print()
    print(f"{'what':<44}{'ms':>10}{'rows':>10}")
    print(
        f"{'anchor: the grouped query alone':<44}{t_anchor * 1000:>10.1f}{len(groups):>10}"
    )
    print(
        f"{'compute(): 300 branches × a year (cells)':<44}{t_city * 1000:>10.1f}{cells:>10}"
    )
    print(
        f"{'compute(): one unit (branches)':<44}{t_unit * 1000:>10.1f}{len(unit_rows):>10}"
    )
    print(f"{'branches behind':<44}{'':>10}{behind:>10}")
    print(f"goal ≤ 200 ms for the city: {'met' if t_city <= 0.2 else 'NOT met'}")
    print(
        json.dumps(
            {
                "bench": "orglife_compliance",
                "engine": engine,
                "branches": len(ids),
                "meetings": meetings,
                "cells": cells,
                "anchor_ms": round(t_anchor * 1000, 1),
                "compliance_300_ms": round(t_city * 1000, 1),
                "compliance_unit_ms": round(t_unit * 1000, 1),
                "ratio_to_anchor": round(t_city / t_anchor, 2) if t_anchor else None,
                "goal_ms": 200,
                "met": t_city <= 0.2,
            }
        )
    )


if __name__ == "__main__":
    main()
