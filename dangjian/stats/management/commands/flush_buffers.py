"""Writes the write-behind buffers (view counts, the search log) to the
database, once or in a loop.

With Redis, run it next to ``db_worker`` as a service
(``manage.py flush_buffers --loop``) and set
``DANGJIAN_WRITE_BEHIND_IN_PROCESS=False`` for the web server: the web
processes then only send their rows to Redis and this command claims and
writes them (a Redis lock lets one flusher work at a time, so two of them
are harmless). Without Redis every process writes its own rows and this
command has nothing to claim.
"""

import signal
import threading

from django.core.management.base import BaseCommand

from dangjian.lib import writebehind
from dangjian.lib.redis import redis_client


class Command(BaseCommand):
    help = "把缓冲中的浏览计数与检索日志写入数据库（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行")
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="每隔多少秒写一次（默认 DANGJIAN_WRITE_BEHIND_SECONDS；给出即持续运行）",
        )

    def handle(self, *args, loop=False, every=0, **options):
        if redis_client() is None and options["verbosity"] > 0:
            self.stderr.write(
                "REDIS_URL is not set: each web process writes its own rows; "
                "this command only writes its own."
            )
        every = every or writebehind.flush_seconds() or 10
        loop = loop or bool(options.get("every"))
        stop = threading.Event()
        if loop:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while True:
            done = writebehind.flush_all()
            if options["verbosity"] > 1 or (options["verbosity"] > 0 and not loop):
                self.stdout.write(
                    ", ".join(f"{name}: {n}" for name, n in sorted(done.items()))
                    or "no buffers"
                )
            if not loop or stop.wait(every):
                return
