"""Where this process runs: facts about the settings that several search
modules ask, kept below all of them (no imports of the search package)."""

from __future__ import annotations

import os

from django.conf import settings


def using_test_database() -> bool:
    db = settings.DATABASES["default"]
    name = str(db.get("NAME") or "")
    test_name = (db.get("TEST") or {}).get("NAME")
    return (
        name.startswith("test_")
        or "memorydb" in name
        or name == ":memory:"
        or (test_name is not None and name == test_name)
        or os.path.basename(name).startswith("test_")
    )
