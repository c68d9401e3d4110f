"""Serving the app for a benchmark: granian in WSGI mode, as `make run` serves it,
on a free port, warmed up before the load starts."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = Path("/tmp/dangjian-bench-server.log")


def free_port() -> int:
    """``BENCH_PORT`` when set (a session given its own ports), else any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    env: dict,
    port: int,
    *,
    warm: tuple[str, ...] = ("/healthz",),
    workers: int = 2,
    blocking_threads: int = 4,
    backpressure: int | None = None,
) -> subprocess.Popen:
    """Starts granian and waits until every worker has answered ``warm``."""
    command = [
        str(ROOT / ".venv/bin/granian"),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(blocking_threads),
        # As `make run`: a worker that dies is replaced, the server stays up.
        "--respawn-failed-workers",
        "--log-level",
        "warning",
    ]
    if backpressure:
        command += ["--backpressure", str(backpressure)]
    # A file, not a pipe: a full pipe would stall the workers' logging.
    log = LOG.open("w")
    server = subprocess.Popen(
        [*command, "dangjian.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"granian exited; see {LOG}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.terminate()
        raise SystemExit(f"granian did not start; see {LOG}")
    # Each worker imports Django lazily: several rounds reach both of them.
    for _ in range(6 * workers):
        for path in warm:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{path}", timeout=30
                ).read()
            except Exception:
                time.sleep(0.2)
    return server


@contextlib.contextmanager
def serving(env: dict, **options):
    """``with serving(env) as port:`` — the server stops when the block ends."""
    port = free_port()
    server = start_server(env, port, **options)
    try:
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


# A fresh database for a benchmark -------------------------------------------------

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_and_redis_available(redis_url: str) -> bool:
    try:
        import psycopg
        import redis

        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


def fresh_environment(
    *, settings: str, name: str, redis_url: str, use_pg: bool, extra: dict | None = None
) -> dict:
    """Drops and migrates the benchmark's own database ``name`` (PostgreSQL
    with Redis database ``redis_url`` wiped, or SQLite at /tmp/<name>.sqlite3),
    sets up Django in this process on it, and returns the server's environment."""
    import os
    import sys

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    env.pop("REDIS_URL", None)
    if use_pg:
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        redis.Redis.from_url(redis_url).flushdb()
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        env["REDIS_URL"] = redis_url
    else:
        path = Path(f"/tmp/{name}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(env)
    if not use_pg:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env
