"""Two servers, each with its own index files, on one database.

A knowledge entry imported through node A's admin is found through node B's
search API within 2 seconds: B's index follows the database's change log.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from dangjian.test import CityMixin

ROOT = Path(settings.BASE_DIR)
GRANIAN = Path(sys.executable).parent / "granian"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not GRANIAN.exists(), reason="granian is not installed"),
]


class World(CityMixin):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(tmp: Path) -> str:
    """The test database as a URL the servers can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in this process's memory: copy it to a file.
        connection.ensure_connection()
        target = sqlite3.connect(tmp / "db.sqlite3")
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{tmp / 'db.sqlite3'}"
    assert connection.vendor == "postgresql"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Node:
    def __init__(self, name: str, tmp: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.search_dir = tmp / f"search-{name}"
        self.log_path = tmp / f"{name}.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                str(GRANIAN),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "dangjian.wsgi:application",
            ],
            cwd=ROOT,
            env={**env, "DANGJIAN_SEARCH_DIR": str(self.search_dir)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def search(self, q: str) -> list[str]:
        r = requests.get(f"{self.base}/api/kb/search", params={"q": q}, timeout=5)
        assert r.status_code == 200, r.text[:500]
        return [re.sub(r"</?mark>", "", hit["title"]) for hit in r.json()["hits"]]

    def wait_ready(self, seconds: float = 60) -> None:
        """Answers, and has built its index (a new directory is rebuilt)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()
            try:
                self.search("居住证")
            except requests.RequestException:
                time.sleep(0.3)
                continue
            if list(self.search_dir.glob("kb-*/changelog.json")):
                return
            time.sleep(0.2)
        raise AssertionError(f"node not ready: {self.log_path.read_text()}")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def test_an_entry_imported_through_node_a_is_found_through_node_b_within_2s(
    tmp_path,
):
    from django.contrib.contenttypes.models import ContentType

    # Earlier tests may have left content-type ids of another database state
    # in the process's cache; this test commits its rows for real.
    ContentType.objects.clear_cache()
    World.build_city()
    client = Client()
    client.force_login(World.admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    env = {
        **os.environ,
        "DATABASE_URL": database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "KB_SEARCH_FAST_PATH": "True",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    nodes = [Node("a", tmp_path, env), Node("b", tmp_path, env)]
    a, b = nodes
    try:
        for node in nodes:
            node.wait_ready()
        assert b.search("不动产登记") == []

        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, session)
        # Any well-formed token, the same in the cookie and the form (the
        # admin's pages need collected static files to render, so no GET).
        token = "t" * 32
        http.cookies.set(settings.CSRF_COOKIE_NAME, token)
        csv = (
            "外部编号,事项名称,群众问法,答复口径,责任单位\n"
            "n1,不动产登记查询,房子登记信息怎么查,持身份证到不动产登记中心查询。,市委宣传部\n"
        )
        posted = http.post(
            f"{a.base}/admin/kb/import/",
            data={"csrfmiddlewaretoken": token},
            files={"file": ("条目.csv", csv.encode(), "text/csv")},
            headers={"Referer": f"{a.base}/admin/kb/import/"},
            allow_redirects=False,
            timeout=30,
        )
        assert posted.status_code == 302, a.log_path.read_text()[-3000:]
        published = time.monotonic()
        # The writing node shows it at once.
        assert a.search("不动产登记") == ["不动产登记查询"]

        found = None
        while time.monotonic() - published < 5:
            titles = b.search("不动产登记")
            if titles:
                found = time.monotonic() - published
                break
            time.sleep(0.05)
        assert found is not None, "node B never found the entry"
        print(f"node B found the entry {found:.2f} s after node A published it")
        assert found <= 2.0, f"node B found it after {found:.2f} s"
        assert titles == ["不动产登记查询"]
        # Each node has its own index files.
        assert list(a.search_dir.glob("kb-*/meta.json"))
        assert list(b.search_dir.glob("kb-*/meta.json"))
    finally:
        for node in nodes:
            node.stop()
