"""Settings come from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dangjian.lib.env import envbool, envdatabase, envint, envredis

ROOT = Path(__file__).resolve().parents[3]


def run_check(**env):
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_database_url_stops_startup_naming_the_variable():
    result = run_check(DATABASE_URL="mysql-ish://nonsense")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_bad_debug_value_names_the_variable():
    result = run_check(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_default_settings_pass_the_checks():
    result = run_check()
    assert result.returncode == 0, result.stderr


def test_database_url_without_a_name_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@localhost:5432/")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        envdatabase("DATABASE_URL", "")


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://dj:pw@db.internal:6543/dangjian")
    config = envdatabase("DATABASE_URL", "")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.internal",
        6543,
        "dangjian",
    )


def test_sqlite_is_the_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = envdatabase("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"


def test_redis_url_must_be_a_redis_url(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        envredis("REDIS_URL")


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    monkeypatch.setenv("X_NUM", "12")
    assert envbool("X_FLAG", "false") is True
    assert envint("X_NUM", "0") == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        envint("X_NUM", "0")


def test_time_zone_and_language_defaults(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == os.environ.get("TIME_ZONE", "Asia/Shanghai")
