"""Study benchmark (issue 7): the assessment of a whole city, and one archive page.

1. Builds, in its own SQLite database (/tmp/dj_study_bench.sqlite3, or
   --database-url), a city of 10,000 members in 80 units × 3 branches, with
   2,000,000 points-ledger entries for this year, 10 plan materials and
   ~50,000 completed studies, 300 sessions with ~60,000 attendances, and a
   spot check of 500 people. The rows go in with bulk inserts; the data is
   built once and reused while its size matches.
2. Times ``do_run_assessment`` on this year's scheme (every person and every
   unit scored, ranked and saved), and ``compute`` alone.
3. Starts granian (WSGI, 2 workers) on a free port and times
   GET /study/archive/ (a member's archive page for this year, ~200 ledger
   lines on it) for signed-in members: p50/p95/max over the requests.

    .venv/bin/python bench/study.py            # 10,000 members, 2 M entries
    .venv/bin/python bench/study.py --quick    # 1,000 members, 100,000 entries

The last line is one JSON object: assessment_seconds, archive_p50_ms,
archive_p95_ms, members, ledger_entries.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "sqlite:////tmp/dj_study_bench.sqlite3"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ.setdefault("DANGJIAN_SEARCH_DIR", "/tmp/dj_study_bench_search")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_schema() -> None:
    """Creates the tables straight from the models (much faster than running
    every app's migrations), once."""
    from django.core.management import call_command
    from django.db import connection

    if "study_pointentry" in connection.introspection.table_names():
        return
    from django.conf import settings

    class NoMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def build(members: int, entries: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from dangjian.orgs.models import Membership, Organisation, Role
    from dangjian.portal.demo import ensure_home
    from dangjian.study import actions
    from dangjian.study.models import (
        AssessmentScheme,
        Indicator,
        MaterialPage,
        PlanItem,
        PointEntry,
        PointRule,
        SpotCheck,
        StudyPlan,
        Topic,
    )

    Person = get_user_model()
    have = Membership.objects.filter(role=Role.MEMBER).count()
    if have == members and PointEntry.objects.count() == entries:
        print(f"reusing the data: {members} members, {entries} ledger entries")
        return
    if have:
        sys.exit(
            "the bench database holds another size; delete /tmp/dj_study_bench.sqlite3"
        )
    started = time.monotonic()
    rng = random.Random(7)
    year = timezone.localdate().year
    with transaction.atomic():
        if Page.get_first_root_node() is None:
            Locale.objects.get_or_create(language_code="zh-hans")
            Page.add_root(instance=Page(title="Root", slug="root"))
        root = Organisation.add_root(name="中共基准市委", kind="committee")
        branches = []
        for u in range(80):
            root.refresh_from_db()
            unit = root.add_child(name=f"单位{u:02d}", kind="government_department")
            for b in range(3):
                unit.refresh_from_db()
                branches.append(
                    unit.add_child(name=f"单位{u:02d}支部{b}", kind="branch")
                )
        Person.objects.bulk_create(
            [
                Person(username=f"p{i:05d}", name=f"党员{i:05d}", password="!")
                for i in range(members)
            ],
            batch_size=5000,
        )
        people = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(
                    person_id=pk,
                    organisation=branches[i % len(branches)],
                    role="member",
                )
                for i, pk in enumerate(people)
            ],
            batch_size=5000,
        )
        actions.ensure_rules()
        rules = list(PointRule.objects.values_list("pk", "points"))
        column = actions.do_ensure_column(ensure_home())
        section = actions.do_ensure_section(root, column)
        topic = Topic.objects.create(name="基准专题")
        materials = actions.do_import_materials(
            section,
            [
                MaterialPage(
                    title=f"资料{n}", slug=f"m{n}", topic=topic, body="<p>学习</p>"
                )
                for n in range(10)
            ],
            acting_user=None,
        )
        plan = StudyPlan.objects.create(
            title="基准计划",
            owner=root,
            starts_on=dt.date(year, 1, 1),
            deadline=dt.date(year, 12, 31),
        )
        plan.audience.set([root])
        plan.save()
        for n, m in enumerate(materials):
            PlanItem.objects.create(plan=plan, material=m, sort_order=n)
        scheme = AssessmentScheme.objects.create(year=year, name="基准考核")
        for n, (kind, weight, target) in enumerate(
            [
                ("points", 30, 300),
                ("plan", 30, 100),
                ("sessions", 15, 12),
                ("quiz", 15, 100),
                ("spot_check", 10, 60),
            ]
        ):
            Indicator.objects.create(
                scheme=scheme,
                kind=kind,
                weight=Decimal(weight),
                target=Decimal(target),
                sort_order=n,
            )

    today = timezone.localdate()
    days = (today - dt.date(year, 1, 1)).days + 1
    first_day = dt.date(year, 1, 1)
    now = timezone.now()
    table = PointEntry._meta.db_table
    sql = (
        f"INSERT INTO {table} (person_id, rule_id, source, label, points, day, "
        "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    batch = 50_000
    with connection.cursor() as cursor:
        for start in range(0, entries, batch):
            rows = []
            for i in range(start, min(entries, start + batch)):
                rule_id, points = rules[i % len(rules)]
                day = first_day + dt.timedelta(days=rng.randrange(days))
                rows.append(
                    (
                        people[rng.randrange(members)],
                        rule_id,
                        f"b:{i}",
                        "",
                        points,
                        day.isoformat(),
                        now,
                    )
                )
            with transaction.atomic():
                cursor.executemany(sql, rows)
        # Completed studies, sessions with attendance, a spot check.
        progress = []
        for pk in people:
            for m in rng.sample(materials, rng.randrange(0, 11)):
                progress.append((pk, m.pk, now, now, 1, 300.0, 0.0, now))
        with transaction.atomic():
            cursor.executemany(
                "INSERT INTO study_progress (person_id, material_id, first_opened_at, "
                "last_seen_at, opens, seconds, position, completed_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                progress,
            )
            organiser = people[0]
            session_rows = []
            for s in range(300):
                starts = now - dt.timedelta(days=rng.randrange(1, days))
                session_rows.append(
                    (
                        f"学习会{s}",
                        "seminar",
                        branches[s % len(branches)].pk,
                        organiser,
                        starts,
                        starts + dt.timedelta(hours=2),
                        "",
                        "",
                        "",
                        "",
                        "000000",
                        now,
                    )
                )
            cursor.executemany(
                "INSERT INTO study_studysession (title, type, organisation_id, "
                "organiser_id, starts_at, ends_at, place, online_url, agenda, minutes, "
                "checkin_code, created_at) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                session_rows,
            )
            sessions = list(
                __import__(
                    "dangjian.study.models", fromlist=["StudySession"]
                ).StudySession.objects.values_list("pk", "organisation_id")
            )
            by_branch = {}
            for i, pk in enumerate(people):
                by_branch.setdefault(branches[i % len(branches)].pk, []).append(pk)
            attendance = []
            for session_id, branch_id in sessions:
                for pk in by_branch.get(branch_id, [])[: members // 50]:
                    attendance.append((session_id, pk, "code", now, pk))
            cursor.executemany(
                "INSERT INTO study_attendance (session_id, person_id, method, "
                "checked_in_at, recorded_by_id) VALUES (%s, %s, %s, %s, %s)",
                attendance,
            )
        position = {pk: i for i, pk in enumerate(people)}
        with transaction.atomic():
            check = SpotCheck.objects.create(
                organisation=root,
                title="基准抽查",
                period_start=first_day,
                period_end=today,
                seed=1,
                population=members,
                created_by_id=organiser,
            )
            cursor.executemany(
                "INSERT INTO study_spotcheckitem (spot_check_id, person_id, branch_id, "
                "result, comment, checked_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        check.pk,
                        pk,
                        branches[position[pk] % len(branches)].pk,
                        rng.choice(["pass", "improve"]),
                        "",
                        now,
                    )
                    for pk in rng.sample(people, min(500, members))
                ],
            )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built {members} members, {entries} ledger entries, {len(progress)} "
        f"studies, {len(attendance)} attendances in {time.monotonic() - started:.0f} s"
    )


def time_assessment() -> tuple[float, float, int]:
    from django.utils import timezone

    from dangjian.study.assessment import compute, do_run_assessment
    from dangjian.study.models import AssessmentScheme, UnitScore

    scheme = AssessmentScheme.objects.get(year=timezone.localdate().year)
    started = time.monotonic()
    computed = compute(scheme)
    compute_seconds = time.monotonic() - started
    started = time.monotonic()
    run = do_run_assessment(scheme)
    run_seconds = time.monotonic() - started
    units = UnitScore.objects.filter(run=run).count()
    print(f"compute: {len(computed.people)} people, {len(computed.units)} units")
    return compute_seconds, run_seconds, units


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from dangjian.orgs.models import Person

    client = Client()
    client.force_login(Person.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def time_archive(database_url: str, members: int, requests: int) -> list[float]:
    port = free_port()
    static_root = "/tmp/dj_study_bench_static"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "False",
        "STATIC_ROOT": static_root,
    }
    env.pop("REDIS_URL", None)
    if not Path(static_root, "staticfiles.json").exists():
        # Production static files (hashed names) for the pages' CSS links.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "dangjian.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("granian did not start")
            time.sleep(0.3)
        rng = random.Random(3)
        cookies = [session_cookie(f"p{rng.randrange(members):05d}") for _ in range(10)]
        timings = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(requests + 10):
            started = time.monotonic()
            conn.request("GET", "/study/archive/", headers={"Cookie": cookies[i % 10]})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.monotonic() - started) * 1000
            if response.status != 200 or "学习档案".encode() not in body:
                raise SystemExit(f"archive page failed: {response.status}")
            if i >= 10:  # the first requests warm both workers up
                timings.append(elapsed)
        return timings
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    members, entries = (1_000, 100_000) if args.quick else (10_000, 2_000_000)
    database_url = args.database_url or (
        DEFAULT_DB.replace(".sqlite3", "_quick.sqlite3") if args.quick else DEFAULT_DB
    )
    setup_django(database_url)
    ensure_schema()
    build(members, entries)
    compute_seconds, run_seconds, units = time_assessment()
    timings = time_archive(database_url, members, 40 if args.quick else 100)
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[18]
    print()
    print("Study benchmark (taken while other helpers load the 2 CPU cores)")
    print(f"{'measure':44} {'value':>12}")
    print(f"{'members / ledger entries':44} {members:>6} / {entries}")
    print(f"{'units scored':44} {units:>12}")
    print(
        f"{'assessment compute (every person and unit)':44} {compute_seconds:>10.1f} s"
    )
    print(f"{'assessment run (compute + save scores)':44} {run_seconds:>10.1f} s")
    print(f"{'archive page p50 (HTTP, granian 2 workers)':44} {p50:>9.0f} ms")
    print(f"{'archive page p95':44} {p95:>9.0f} ms")
    print(f"{'archive page max':44} {max(timings):>9.0f} ms")
    print(
        json.dumps(
            {
                "members": members,
                "ledger_entries": entries,
                "assessment_seconds": round(run_seconds, 2),
                "assessment_compute_seconds": round(compute_seconds, 2),
                "archive_p50_ms": round(p50, 1),
                "archive_p95_ms": round(p95, 1),
                "database": "postgresql" if "postgres" in database_url else "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()
