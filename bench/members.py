"""Roster import benchmark (issue 16): 10,000 members from one file.

1. Builds, in its own fresh SQLite database (/tmp/dj_members_bench.sqlite3,
   or --database-url), a city of 40 units × 5 branches and a platform admin.
2. Generates a roster of 10,000 rows (valid ID numbers, consistent dates,
   about 5% 预备党员) as a GBK CSV and as an .xlsx.
3. Times ``import_roster`` on the CSV (every row new: checked, accounts,
   memberships, records and their first status change written), then the
   .xlsx of the same members with a new position each (every row an
   update), then a file with one bad
   row at the end (checked whole, nothing written).

    .venv/bin/python bench/members.py            # 10,000 rows
    .venv/bin/python bench/members.py --rows 1000

The goal is ≤ 60 s for the first import. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "sqlite:////tmp/dj_members_bench.sqlite3"
# Region codes valid for every birth year used (python-stdnum checks them).
REGIONS = ["110101", "110102", "110105", "110106", "110108", "310101", "310104"]
REGIONS += ["310105", "310107", "150221", "150222", "150121", "150122"]


def setup_django(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_schema() -> None:
    """Creates the tables straight from the models (faster than migrations)."""
    from django.conf import settings
    from django.core.management import call_command

    class NoMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def build_city() -> tuple[object, list[str]]:
    from django.contrib.auth import get_user_model

    from dangjian.orgs.models import Organisation

    root = Organisation.add_root(name="中共基准市委", kind="committee")
    branches = []
    for u in range(40):
        root.refresh_from_db()
        unit = root.add_child(name=f"基准单位{u:02d}", kind="government_department")
        for b in range(5):
            unit.refresh_from_db()
            branch = unit.add_child(
                name=f"基准单位{u:02d}第{b + 1}党支部", kind="branch"
            )
            branches.append(branch.name)
    admin = get_user_model().objects.create_superuser("admin", password="x")
    return admin, branches


def roster(rows: int, branches: list[str]) -> list[list[str]]:
    from stdnum.cn import ric

    from dangjian.orgs.demo_city import GIVEN, SURNAMES

    rng = random.Random(16)
    today = dt.date.today()
    out = []
    for n in range(rows):
        born = dt.date(rng.randint(1955, 1999), rng.randint(1, 12), rng.randint(1, 28))
        body = f"{REGIONS[n // 1000 % len(REGIONS)]}{born:%Y%m%d}{n % 1000:03d}"
        number = body + ric.calc_check_digit(body + "0")
        probationary = rng.random() < 0.05
        if probationary:
            joined, full = today - dt.timedelta(days=rng.randint(30, 300)), None
        else:
            joined = dt.date(born.year + rng.randint(20, 24), rng.randint(1, 12), 1)
            full = joined + dt.timedelta(days=365)
        out.append(
            [
                rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                rng.choice("男女"),
                "汉族",
                born.isoformat(),
                number,
                f"139{n:08d}",
                "大学本科",
                joined.isoformat(),
                full.isoformat() if full else "",
                "预备党员" if probationary else "正式党员",
                branches[n % len(branches)],
                "科员",
            ]
        )
    return out


def as_csv(rows: list[list[str]]) -> bytes:
    from dangjian.members.importer import COLUMNS

    lines = [",".join(COLUMNS)] + [",".join(r) for r in rows]
    return "\r\n".join(lines).encode("gbk")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    from dangjian.members.importer import COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    setup_django(args.database_url)
    ensure_schema()
    from django.core.exceptions import ValidationError

    from dangjian.members.importer import import_roster
    from dangjian.members.models import MemberProfile

    admin, branches = build_city()
    rows = roster(args.rows, branches)
    # The .xlsx changes every member's position: every row a real update.
    csv_data = as_csv(rows)
    xlsx_data = as_xlsx([[*r[:11], "支部委员"] for r in rows])
    first, result = timed(lambda: import_roster("r.csv", csv_data, user=admin))
    assert result.created == args.rows, result
    again, result = timed(lambda: import_roster("r.xlsx", xlsx_data, user=admin))
    assert result.updated == args.rows, result
    bad_rows = [*rows, [*rows[0][:10], "不存在的党支部", "科员"]]
    bad_rows[-1][4] = rows[0][4]

    def refused():
        try:
            import_roster("bad.csv", as_csv(bad_rows), user=admin)
        except ValidationError as exc:
            return len(exc.messages)
        raise AssertionError("the bad file was imported")

    checked, errors = timed(refused)
    count = MemberProfile.objects.count()
    print()
    print("Roster import benchmark (taken while other helpers load the 2 CPU cores)")
    print(f"{'measure':46} {'value':>10}")
    print(f"{'rows':46} {args.rows:>10}")
    print(f"{'first import, GBK CSV (all new)':46} {first:>8.1f} s")
    print(f"{'re-import, .xlsx (every row changed)':46} {again:>8.1f} s")
    label = f"bad file checked and refused ({errors} errors)"
    print(f"{label:46} {checked:>8.1f} s")
    print(f"{'records in the database':46} {count:>10}")
    print(
        json.dumps(
            {
                "rows": args.rows,
                "first_import_seconds": round(first, 2),
                "reimport_xlsx_seconds": round(again, 2),
                "refused_seconds": round(checked, 2),
                "goal_seconds": 60,
                "database": "postgresql"
                if "postgres" in args.database_url
                else "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()
