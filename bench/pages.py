"""Public pages at surge scale (issue 21): each anonymous public page against
``/healthz`` in one run, with the page cache on and off.

    .venv/bin/python bench/pages.py
    BENCH_SECONDS=5 BENCH_CLIENTS=16 .venv/bin/python bench/pages.py

The demo city (``manage.py load_demo``) on its own SQLite database
(``/tmp/dj_pages_bench.sqlite3``, no Redis: the embedded default), served by
granian (WSGI, 2 workers) as ``make run`` serves it. For each setting
(``PAGE_CACHE=True``, then ``False``) a fresh server answers, one after the
other, ``/healthz`` and each page: home, disclosure column and item, press
conferences and one conference, a campaign and its results, the knowledge
base's landing and one entry, a public study material and a unit page; then
the signed-in pages of a party member (never cached: a session cookie): the
home page, my page (/me/), the disclosure item and a knowledge-base search
(/kb/?q=公积金提取), each beside the same server's /healthz. wrk drives
``BENCH_CLIENTS`` connections (64) for ``BENCH_SECONDS`` (15) per page.
Printed: req/s, p50 and p99 in ms, and the ratio to ``/healthz`` of the
same server. Before that, in-process: the disclosure item page's queries
and its median time uncached (Django's test client, cache off).

``BENCH_PORT`` chooses the port, ``BENCH_NAME`` the database's name (beside
another session's run); ``BENCH_SIGNED_IN_ONLY=1`` measures only /healthz and
the signed-in pages, on one server (they are never stored, so the page-cache
setting does not change them). The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import fresh_environment, serving  # noqa: E402
from bench._wrk import run_wrk  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "64"))
NAME = os.environ.get("BENCH_NAME") or "dj_pages_bench"
SIGNED_IN_ONLY = os.environ.get("BENCH_SIGNED_IN_ONLY") == "1"
STAMP = f"/tmp/{NAME}.stamp"

SCRIPT = r"""
function start(args)
  local headers = {}
  if args[4] ~= nil and args[4] ~= "" then headers["Cookie"] = args[4] end
  req = wrk.format("GET", args[3], headers)
end
function next_request() return req end
function on_response(status, headers, body)
  count("status " .. status)
end
"""


def pages() -> dict[str, str]:
    """The demo's public pages, by name, found in its database."""
    from dangjian.disclosure.models import DisclosureItemPage, PressConference
    from dangjian.kb.models import Entry
    from dangjian.portal.models import UnitPage
    from dangjian.study.models import MaterialPage
    from dangjian.voting.models import Campaign

    item = DisclosureItemPage.objects.public().order_by("pk").first()
    press = PressConference.objects.published().order_by("pk").first()
    campaign = Campaign.objects.live().order_by("pk").first()
    entry = next(e for e in Entry.objects.order_by("pk") if e.is_searchable)
    material = (
        MaterialPage.objects.live()
        .filter(visibility=MaterialPage.Visibility.PUBLIC)
        .order_by("pk")
        .first()
    )
    unit = UnitPage.objects.live().order_by("pk").first()
    found = {
        "home": "/",
        "disclosure column": "/disclosure/",
        "disclosure item": item.url if item else None,
        "press list": "/disclosure/press/",
        "press conference": press.get_absolute_url() if press else None,
        "campaign": f"/votes/{campaign.pk}/" if campaign else None,
        "campaign results": f"/votes/{campaign.pk}/results/" if campaign else None,
        "kb landing": "/kb/",
        "kb entry": f"/kb/entries/{entry.pk}/",
        "study material": material.url if material else None,
        "unit page": unit.url if unit else None,
    }
    return {k: v for k, v in found.items() if v}


KB_QUERY = "/kb/?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96"  # 公积金提取


def member_cookie() -> str:
    """A signed-in party member's session cookie (the demo's first member)."""
    from django.test import Client

    from dangjian.orgs.models import Person, Role

    person = (
        Person.objects.filter(is_superuser=False, memberships__role=Role.MEMBER)
        .order_by("pk")
        .first()
    ) or Person.objects.filter(is_superuser=False).order_by("pk").first()
    client = Client()
    client.force_login(person)
    return f"sessionid={client.cookies['sessionid'].value}"


def in_process(path: str) -> dict:
    """Queries and median time of the uncached page, in this process."""
    from django.db import connection
    from django.test import Client, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    # Counted as executed (Django empties its query log when a request starts).
    queries: list[str] = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["*"]):
        client.get(path)  # per-process caches (site, content types)
        with connection.execute_wrapper(counted):
            status = client.get(path).status_code
        times = []
        for _ in range(200):
            t = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
    return {
        "status": status,
        "queries": len(queries),
        "median_ms": round(statistics.median(times), 2),
    }


def signed_in(paths: dict[str, str]) -> dict[str, str]:
    """The pages a signed-in member opens most, by name."""
    found = {
        "home (signed in)": "/",
        "my page (signed in)": "/me/",
        "disclosure item (signed in)": paths.get("disclosure item"),
        "kb search (signed in)": KB_QUERY,
    }
    return {k: v for k, v in found.items() if v}


def measure(port: int, paths: dict[str, str], cookie: str) -> dict[str, dict]:
    rows: dict[str, dict] = {}

    def one(name: str, path: str, cookie: str = "") -> None:
        r = run_wrk(
            port,
            SCRIPT,
            clients=CLIENTS,
            seconds=SECONDS,
            args=(path, cookie),
            path=path,
        )
        statuses = {k: v for k, v in r.counts.items() if k.startswith("status")}
        rows[name] = {
            "path": path,
            "rps": round(r.per_second(), 1),
            "p50_ms": round(r.percentile(50), 1),
            "p99_ms": round(r.percentile(99), 1),
            "statuses": statuses,
        }

    one("/healthz", "/healthz")
    for name, path in paths.items():
        if not SIGNED_IN_ONLY:
            one(name, path)
    for name, path in signed_in(paths).items():
        one(name, path, cookie)
    base = rows["/healthz"]["rps"] or 1
    for row in rows.values():
        row["ratio"] = round(row["rps"] / base, 3)
    return rows


def show(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}  ({CLIENTS} clients, {SECONDS:g} s each)")
    print(f"{'page':30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'/healthz':>9}")
    for name, r in rows.items():
        print(
            f"{name:30} {r['rps']:9.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f}"
            f" {r['ratio'] * 100:8.1f}%"
        )


def main() -> None:
    env = fresh_environment(
        settings="dangjian.settings",
        name=NAME,
        redis_url="",
        use_pg=False,
        extra={"PAGE_CACHE_STAMP_FILE": STAMP, "DANGJIAN_WRITE_BEHIND_SECONDS": "2"},
    )
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", verbosity=0)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    paths = pages()
    cookie = member_cookie()
    item = in_process(paths["disclosure item"])
    print(
        f"disclosure item uncached, in-process: {item['queries']} queries, "
        f"median {item['median_ms']} ms (status {item['status']})"
    )
    results = {}
    settings = (("cached", "True"),)
    if not SIGNED_IN_ONLY:
        settings += (("uncached", "False"),)
    for label, flag in settings:
        with serving({**env, "PAGE_CACHE": flag}, warm=("/healthz", "/")) as port:
            results[label] = measure(port, paths, cookie)
        show(f"PAGE_CACHE={flag}", results[label])
    print(
        json.dumps(
            {
                "bench": "pages",
                "clients": CLIENTS,
                "seconds": SECONDS,
                "item_in_process": item,
                **results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
