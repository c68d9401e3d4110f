"""An on-disk index shared by several processes, as under granian's workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from dangjian.search import Document, get_index, register_index

ROOT = Path(__file__).resolve().parents[3]

WRITER = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from dangjian.search import Document, get_index, register_index
    register_index("test_shared", fields={"title": 2.0, "body": 1.0}, filters=["unit"])
    index = get_index("test_shared")
    prefix = sys.argv[1]
    for i in range(int(sys.argv[2])):
        index.upsert([Document(id=f"{prefix}{i}", fields={"title": f"居住证办理{prefix}{i}"})])
    print("ok")
    """
)


def run_writers(directory: Path, *jobs: tuple[str, int]):
    env = {
        **os.environ,
        "DANGJIAN_SEARCH_DIR": str(directory),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, prefix, str(n)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix, n in jobs
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "ok"


@pytest.mark.django_db
def test_a_write_in_one_process_is_seen_at_once_in_another(tmp_path):
    with override_settings(DANGJIAN_SEARCH_DIR=str(tmp_path)):
        register_index(
            "test_shared", fields={"title": 2.0, "body": 1.0}, filters=["unit"]
        )
        from dangjian.search import registry

        registry._indexes.pop("test_shared", None)
        index = get_index("test_shared")
        assert index.location is not None and str(tmp_path) in str(index.location)
        index.upsert([Document(id="local", fields={"title": "居住证办理本进程"})])
        # The same search as below: a remembered result must not hide the
        # other processes' writes.
        assert index.search("居住证", limit=20).total == 1

        # Two writers at once: both wait for the lock in turn, nothing is lost.
        run_writers(tmp_path, ("a", 5), ("b", 5))
        assert index.search("居住证", limit=20).total == 11
        registry._indexes.pop("test_shared", None)
