"""Notifications benchmark (issue 18): an audience of 10,000 members.

1. Builds, in its own SQLite database (/tmp/dj_notify_bench.sqlite3, or
   --database-url), a city of 10,000 members in 40 units × 5 branches, each
   with a mobile number and SMS turned on for the platform's announcements
   (a preference row each). Built once and reused while its size matches.
2. Times ``notify()`` of the whole city (with sub-organisations) as a
   request would call it (the event row, committed: ``request_ms``), then the
   fan-out a task worker runs (every inbox row and SMS delivery written, and
   the delivery batches queued on the database task queue). Their sum is
   ``enqueue_seconds`` (the issue asks ≤ 10 s).
3. Starts ``--workers`` django-tasks database workers (``manage.py
   db_worker --batch``) and times them draining the queue: every SMS sent
   through the log backend in batches of 200 (``deliver_seconds``).

    .venv/bin/python bench/notify.py            # 10,000 members
    .venv/bin/python bench/notify.py --quick    # 1,000 members

The last line is one JSON object: members, request_ms, enqueue_seconds,
batches, deliver_seconds, delivered, deliveries_per_second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "sqlite:////tmp/dj_notify_bench.sqlite3"
KIND = "notify.announcement"


def setup_django(database_url: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DANGJIAN_NOTIFY_QUIET_HOURS": "",  # the bench runs at any hour
        "DANGJIAN_NOTIFY_DIGEST_AFTER": "1000",
        "DANGJIAN_SMS_BACKEND": "dangjian.lib.sms.LogBackend",
        "DANGJIAN_SEARCH_DIR": "/tmp/dj_notify_bench_search",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def ensure_schema() -> None:
    """Tables straight from the models (faster than every migration), once."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if "notify_delivery" in connection.introspection.table_names():
        return

    class NoMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def build(members: int) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from dangjian.notify.models import Preference
    from dangjian.orgs.models import Membership, Organisation, Role

    Person = get_user_model()
    have = Membership.objects.filter(role=Role.MEMBER).count()
    if have == members:
        print(f"reusing the data: {members} members")
        return Organisation.objects.get(depth=1).pk
    if have:
        sys.exit("the bench database holds another size; delete the database file")
    started = time.monotonic()
    with transaction.atomic():
        root = Organisation.add_root(name="中共基准市委", kind="committee")
        branches = []
        for u in range(40):
            root.refresh_from_db()
            unit = root.add_child(name=f"单位{u:02d}", kind="government_department")
            for b in range(5):
                unit.refresh_from_db()
                branches.append(
                    unit.add_child(name=f"单位{u:02d}支部{b}", kind="branch")
                )
        Person.objects.bulk_create(
            [
                Person(
                    username=f"p{i:05d}",
                    name=f"党员{i:05d}",
                    mobile=f"139{i:08d}",
                    password="!",
                )
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
        Preference.objects.bulk_create(
            [
                Preference(person_id=pk, kind=KIND, channel="sms", enabled=True)
                for pk in people
            ],
            batch_size=5000,
        )
    print(f"built {members} members in {time.monotonic() - started:.1f} s")
    return root.pk


def reset() -> None:
    from django_tasks_db.models import DBTaskResult

    from dangjian.notify.models import Dispatch

    Dispatch.objects.all().delete()  # notifications and deliveries cascade
    DBTaskResult.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    members = 1_000 if args.quick else 10_000
    database_url = args.database_url or (
        DEFAULT_DB.replace(".sqlite3", "_quick.sqlite3") if args.quick else DEFAULT_DB
    )
    env = setup_django(database_url)
    ensure_schema()
    root_id = build(members)
    reset()

    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from dangjian.notify.delivery import fan_out
    from dangjian.notify.models import Delivery, Notification
    from dangjian.notify.service import Audience, notify

    started = time.monotonic()
    with transaction.atomic():
        dispatch = notify(
            KIND,
            Audience.of([root_id], include_descendants=True),
            {"title": "关于开展主题党日活动的通知", "body": "请各支部按时参加。"},
            f"bench:{time.time()}",
        )
    request_ms = (time.monotonic() - started) * 1000
    assert dispatch is not None
    fan_out(dispatch.pk)
    enqueue_seconds = time.monotonic() - started
    inbox = Notification.objects.filter(dispatch=dispatch).count()
    batches = DBTaskResult.objects.filter(
        task_path="dangjian.notify.delivery.deliver_batch_task"
    ).count()

    started = time.monotonic()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.1",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        for _n in range(args.workers)
    ]
    for worker in workers:
        worker.wait()
    deliver_seconds = time.monotonic() - started
    delivered = Delivery.objects.filter(
        notification__dispatch=dispatch, status=Delivery.Status.SENT
    ).count()

    rows = [
        ("members in the audience", f"{members:,}"),
        ("inbox notifications written", f"{inbox:,}"),
        ("notify() in the request, committed", f"{request_ms:.1f} ms"),
        ("enqueued (fan-out, batches queued)", f"{enqueue_seconds:.2f} s"),
        ("delivery batches (200 each)", f"{batches}"),
        (f"delivered by {args.workers} workers", f"{deliver_seconds:.2f} s"),
        ("SMS sent", f"{delivered:,}"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>12}")
    print(
        json.dumps(
            {
                "members": members,
                "request_ms": round(request_ms, 1),
                "enqueue_seconds": round(enqueue_seconds, 2),
                "batches": batches,
                "deliver_seconds": round(deliver_seconds, 2),
                "delivered": delivered,
                "deliveries_per_second": round(delivered / deliver_seconds)
                if deliver_seconds
                else None,
            }
        )
    )


if __name__ == "__main__":
    main()
