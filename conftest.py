"""Test-wide settings: fast password hashing, immediate tasks, plain static files."""

import pytest


def pytest_configure(config):
    from django.conf import settings
    from django.test import override_settings

    # override_settings (not plain assignment) so that caches of these settings,
    # such as the static files storage, are reset.
    override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The test client's login() passes no request, which axes refuses;
        # dangjian/orgs/tests/test_login_throttle.py turns it back on.
        AXES_ENABLED=False,
        # No write-behind flusher thread: tests flush buffers by hand.
        DANGJIAN_WRITE_BEHIND_SECONDS=0,
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        },
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()


def _flushes_without_restoring(item) -> bool:
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if (
        cls is not None
        and issubclass(cls, TransactionTestCase)
        and not issubclass(cls, TestCase)
    ):
        return not cls.serialized_rollback
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction = marker.kwargs.get("transaction", False)
    serialized = marker.kwargs.get("serialized_rollback", False)
    return transaction and not serialized


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Transactional tests that do not restore the serialized database run last:
    their flush re-creates content types with new ids, which a later
    serialized-rollback test would then insert a second time.

    Browser tests drive a real page over a live server; on a loaded 2-core CI
    machine a timing hiccup can fail one run. They get two more tries; any other
    test that fails, fails."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=2))
    items.sort(key=_flushes_without_restoring)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (Redis is shared between tests)."""
    from django.core.cache import cache

    cache.clear()
    # Sites a test made or changed are rolled back without a signal.
    from dangjian.lib.site import forget_sites

    forget_sites()
    yield
    # Rows a test left in write-behind buffers (views, searches) belong to its
    # (rolled back) data: without this they are written at exit into a
    # database that is gone.
    from dangjian.lib.writebehind import reset_all

    reset_all()


@pytest.fixture
def browser():
    """A headless Debian chromium (see dangjian.test.BROWSER_MARKS)."""
    import os

    from playwright.sync_api import sync_playwright

    from dangjian.test import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    # Playwright's sync API runs an event loop; the live server's ORM calls
    # from the test thread are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
