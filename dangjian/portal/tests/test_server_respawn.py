"""The server `make run` starts survives the death of one of its workers."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PORT = 8106
HEALTHZ = f"http://127.0.0.1:{PORT}/healthz"


def make_run_command(port: int) -> list[str]:
    """The granian command of `make run`, as make would run it."""
    printed = subprocess.run(
        ["make", "-n", "-s", "run", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    text = printed.replace("\\\n", " ")
    line = next(line for line in text.splitlines() if "bin/granian" in line)
    return shlex.split(line)


def answers() -> bool:
    try:
        with urllib.request.urlopen(HEALTHZ, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_killing_one_worker_leaves_the_server_answering():
    command = make_run_command(PORT)
    assert "--respawn-failed-workers" in command
    with tempfile.TemporaryDirectory() as tmp:
        # The static folder `make run` fills with collectstatic.
        command[command.index("--static-path-mount") + 1] = tmp
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3")
        env.pop("REDIS_URL", None)
        log = Path(tmp, "granian.log").open("w")
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Generous: on a busy 2-core machine a worker takes seconds to start.
            assert wait_for(answers, 40), Path(tmp, "granian.log").read_text()
            workers = children(server.pid)
            assert len(workers) == 2, workers
            victim = min(workers)
            os.kill(victim, signal.SIGKILL)

            assert wait_for(answers, 10)
            assert server.poll() is None, "the whole server stopped"
            # A new worker takes the dead one's place.
            assert wait_for(lambda: len(children(server.pid) - {victim}) == 2, 15), (
                Path(tmp, "granian.log").read_text()
            )
            for _ in range(5):
                assert answers()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            log.close()


def test_the_readme_gives_a_supervised_service_for_the_server_and_the_worker():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\[Service\][^`]*granian[^`]*--respawn-failed-workers", readme)
    assert re.search(r"\[Service\][^`]*manage\.py db_worker", readme)
    assert "Restart=always" in readme
