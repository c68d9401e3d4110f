"""View counting benchmark (issue 4): requests/s of a public item page with
view counting on and off, and an exact reconciliation of the count.

    .venv/bin/python bench/views.py              # 20 s per phase
    .venv/bin/python bench/views.py --quick      # 6 s per phase

Uses PostgreSQL and Redis on 127.0.0.1 when they answer (its own database
``dj_views_bench`` and Redis database 13, both wiped), SQLite alone
otherwise. Serves the app with granian (WSGI, 2 workers) on a free port; 64
clients on keep-alive connections GET one public disclosure item page, half
of them with a share parameter. Phases alternate OFF, ON, OFF, ON so that a
change in machine load touches both settings alike. Afterwards the pending
counts are flushed and the counted total must equal the number of 200
answers of the counting-on phases. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (  # noqa: E402
    free_port,
    fresh_environment,
    pg_and_redis_available,
    start_server,
)
from bench._wrk import run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/13"
LOG = Path("/tmp/dangjian-bench-server.log")  # bench/_server.py writes it
CLIENTS = 64
# Each worker's write-behind flusher thread writes its rows this often.
FLUSH_SECONDS = 2


def make_item() -> str:
    """A released public disclosure item; returns its path."""
    from django.utils import timezone

    from dangjian.disclosure.actions import do_ensure_column, do_ensure_section
    from dangjian.disclosure.models import DisclosureCategory, DisclosureItemPage
    from dangjian.orgs.models import Organisation
    from dangjian.portal.demo import ensure_home

    city = Organisation.add_root(name="基准测试市委", kind=Organisation.Kind.COMMITTEE)
    unit = city.add_child(name="基准宣传部", kind=Organisation.Kind.PARTY_DEPARTMENT)
    column = do_ensure_column(ensure_home())
    section = do_ensure_section(unit, column)
    category = DisclosureCategory.objects.order_by("pk").first()
    if category is None:
        category = DisclosureCategory.objects.create(name="基准类别")
    item = DisclosureItemPage(
        title="关于2026年度党务公开工作的通知",
        body="<p>" + "坚持以人民为中心，推进党务公开制度化、规范化。" * 40 + "</p>",
        category=category,
        scope=DisclosureItemPage.Scope.PUBLIC,
        live=True,
        first_published_at=timezone.now(),
    )
    section.add_child(instance=item)
    return item.url


# The load generator ------------------------------------------------------------

# Half of the clients arrive through a shared link (?from=wechat).
PAGE_SCRIPT = r"""
function start(args)
  local target = args[3]
  if id % 2 == 0 then target = target .. "?from=wechat" end
  req = wrk.format("GET", target, {["User-Agent"] = "Mozilla/5.0 (iPhone) bench-client-" .. id})
end
function next_request() return req end
function on_response(status, headers, body) count(tostring(status)) end
"""


def run_load(port, path, seconds) -> tuple[dict[int, int], float]:
    result = run_wrk(port, PAGE_SCRIPT, clients=CLIENTS, seconds=seconds, args=(path,))
    return {int(k): v for k, v in result.counts.items()}, result.seconds


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def counted_total() -> int:
    from django.db.models import Sum

    from dangjian.stats.models import DailyViews

    return DailyViews.objects.aggregate(n=Sum("views"))["n"] or 0


def drain_buffers() -> None:
    """Without Redis, each worker's flusher thread writes its own rows every
    FLUSH_SECONDS, with no request needed."""
    time.sleep(FLUSH_SECONDS + 1.5)


def in_process(path: str, n: int) -> dict:
    """The same page rendered in this process with counting off and on,
    alternating, and count_view() alone: steadier than HTTP on a busy box."""
    from django.test import Client, override_settings

    from dangjian.stats import counting

    client = Client(HTTP_USER_AGENT="bench-in-process")
    client.get(path)
    timings = {"off": 0.0, "on": 0.0}
    with override_settings(DANGJIAN_WRITE_BEHIND_SECONDS=0):
        for i in range(n):
            for mode in ("off", "on") if i % 2 else ("on", "off"):
                with override_settings(DANGJIAN_VIEW_COUNTING=mode == "on"):
                    started = time.perf_counter()
                    response = client.get(path)
                    timings[mode] += time.perf_counter() - started
                    assert response.status_code == 200
        from dangjian.disclosure.models import DisclosureItemPage

        item = DisclosureItemPage.objects.get()
        request = client.get(path).wsgi_request
        started = time.perf_counter()
        for _ in range(n * 5):
            counting.count_view(request, item)
        per_hit = (time.perf_counter() - started) / (n * 5)
    counting.reset_pending()
    return {
        "page_ms_off": timings["off"] / n * 1000,
        "page_ms_on": timings["on"] / n * 1000,
        "count_view_us": per_hit * 1e6,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float)
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite and the in-process buffer"
    )
    args = parser.parse_args()
    seconds = args.seconds or (6 if args.quick else 20)
    rounds = 2

    use_pg = not args.sqlite and pg_and_redis_available(REDIS_URL)
    engine = "PostgreSQL + Redis" if use_pg else "SQLite alone (no PostgreSQL/Redis)"
    LOG.unlink(missing_ok=True)
    print(f"views benchmark: {engine}; {CLIENTS} clients, granian WSGI 2 workers")
    print(
        "figures taken while other work may load the 2 CPUs; re-run on a quiet machine"
    )
    env = fresh_environment(
        settings="bench._views_settings",
        name="dj_views_bench",
        redis_url=REDIS_URL,
        use_pg=use_pg,
        extra={"DANGJIAN_WRITE_BEHIND_SECONDS": str(FLUSH_SECONDS)},
    )
    path = make_item()

    results = {"on": [], "off": []}
    ok_on = 0
    for _ in range(rounds):
        for mode in ("off", "on"):
            port = free_port()
            server_env = {**env, "DANGJIAN_VIEW_COUNTING": "1" if mode == "on" else "0"}
            server = start_server(server_env, port, blocking_threads=8)
            try:
                codes, elapsed = run_load(port, path, seconds)
                if mode == "on" and not use_pg:
                    drain_buffers()
            finally:
                stop_server(server)
            ok = codes.get(200, 0)
            results[mode].append((sum(codes.values()) / elapsed, codes))
            if mode == "on":
                ok_on += ok
            print(
                f"  counting {mode:3}: {sum(codes.values()) / elapsed:8.0f} req/s"
                f"  answers {dict(sorted(codes.items()))}",
                flush=True,
            )

    if use_pg:
        from dangjian.stats.counting import flush_views

        flush_views()
    counted = counted_total()
    local = in_process(path, 100 if args.quick else 300)
    rps_on = sum(r for r, _c in results["on"]) / rounds
    rps_off = sum(r for r, _c in results["off"]) / rounds
    cost = (rps_off - rps_on) / rps_off * 100 if rps_off else 0.0
    print()
    print(f"{'':24}{'req/s':>10}")
    print(f"{'counting off':24}{rps_off:10.0f}")
    print(f"{'counting on':24}{rps_on:10.0f}")
    print(f"{'cost of counting':24}{cost:9.1f}%  (target ≤ 10%)")
    print(f"{'200 answers (on)':24}{ok_on:10d}")
    print(f"{'views counted':24}{counted:10d}  exact: {counted == ok_on}")
    print()
    print("in this process (one run, alternating; repeatable on a busy machine):")
    print(f"  page, counting off      {local['page_ms_off']:8.2f} ms")
    print(f"  page, counting on       {local['page_ms_on']:8.2f} ms")
    print(f"  count_view() alone      {local['count_view_us']:8.1f} µs per hit")
    print(
        json.dumps(
            {
                "engine": "postgresql+redis" if use_pg else "sqlite",
                "rps_counting_on": round(rps_on, 1),
                "rps_counting_off": round(rps_off, 1),
                "counting_cost_pct": round(cost, 2),
                "counted": counted,
                "ok_responses": ok_on,
                "exact": counted == ok_on,
                "page_ms_off": round(local["page_ms_off"], 3),
                "page_ms_on": round(local["page_ms_on"], 3),
                "count_view_us": round(local["count_view_us"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
