"""Typed readers for settings that come from the environment.

Every reader names the variable in its error, so a typo in a deployment
fails at start-up with a message that says which variable to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false/1/0/yes/no/on/off, got {value!r}"
    )


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be an integer, got {value!r}"
        ) from None


def envlist(name: str, default: str) -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def envsecret(name: str, default: str = "") -> str:
    """Reads a secret from NAME, or from the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}") from None
    return os.environ.get(name, default)


def envdatabase(name: str, default: str) -> dict[str, Any]:
    """Parses a database URL such as postgres://user@host:5432/db."""
    import dj_database_url

    url = os.environ.get(name, default).strip()
    supported = ("sqlite", "postgres", "postgresql", "pgsql")
    scheme = url.split(":", 1)[0] if ":" in url else ""
    if scheme not in supported:
        raise ImproperlyConfigured(
            f"{name} is not a valid database URL: {url!r} "
            "(expected sqlite:///path/to/db.sqlite3 or postgres://user@host:port/name)"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types
        raise ImproperlyConfigured(
            f"{name} is not a valid database URL: {exc}"
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} does not name a database: {url!r}")
    return dict(config)


def envredis(name: str) -> str:
    url = os.environ.get(name, "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"{name} must start with redis://, rediss:// or unix://, got {url!r}"
        )
    return url
