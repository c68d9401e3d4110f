"""Shared test personas: a small city built in code.

中共测试市委
├── 市委宣传部 (unit A)          editor, reviewer, approver, unit_admin "secretary"
│   ├── 宣传部第一党支部 (A1)     member
│   └── 宣传部第二党支部 (A2)     sibling
└── 市公安局 (unit B)            editor_b
    └── 公安局第一党支部 (B1)     outsider
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Organisation, Person, Role

PASSWORD = "test-password"


def behind_fast_path(testcase, fast_path_class):
    """`fast_path_class` in front of Django, as in dangjian.wsgi, for a test.

    Sets ``testcase.django`` (Django alone) and ``testcase.passed_on`` (the
    PATH_INFO and QUERY_STRING of each request the fast path handed to
    Django), and returns the fast path. As with Django's test client, the
    test's transaction keeps its connection: requests do not close it.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        testcase.addCleanup(signal.connect, close_old_connections)
    testcase.django = WSGIHandler()
    testcase.passed_on = []

    def django_behind(environ, start_response):
        testcase.passed_on.append((environ["PATH_INFO"], environ["QUERY_STRING"]))
        return testcase.django(environ, start_response)

    return fast_path_class(django_behind)


def wsgi_call(app, path, *, method="GET", body=b"", query="", **headers):
    """Calls a WSGI application as granian would, closing what it returns.

    Returns (status, headers, JSON body or None). Header names are given as
    keyword arguments: ``x_voter_token="..."`` is ``X-Voter-Token``.
    """
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.9",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    return answer["status"], answer["headers"], data


def make_person(username: str, name: str = "", **flags):
    person = get_user_model().objects.create_user(
        username=username, password=PASSWORD, name=name or username, **flags
    )
    return person


class PrivateFilesMixin:
    """The test class's uploads (public media and private files) go to a
    temporary folder of its own, removed after the class."""

    _files_root: str
    _media_root: str
    _private_root: str

    @classmethod
    def setUpClass(cls):
        cls._files_root = tempfile.mkdtemp(prefix="dj-files-")
        cls._media_root = f"{cls._files_root}/media"
        cls._private_root = f"{cls._files_root}/private"
        cls._files_override = override_settings(
            MEDIA_ROOT=Path(cls._media_root),
            # Both names, as the apps read either.
            DANGJIAN_PRIVATE_ROOT=cls._private_root,
            DANGJIAN_PRIVATE_MEDIA_ROOT=cls._private_root,
        )
        cls._files_override.enable()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()  # type: ignore[misc]
        cls._files_override.disable()
        shutil.rmtree(cls._files_root, ignore_errors=True)


class CityMixin:
    # Built once per test class by build_city (setUpTestData).
    city: Organisation
    unit_a: Organisation
    branch_a1: Organisation
    branch_a2: Organisation
    unit_b: Organisation
    branch_b1: Organisation
    admin: Person
    editor: Person
    reviewer: Person
    approver: Person
    secretary: Person
    member: Person
    sibling: Person
    outsider: Person
    editor_b: Person

    @classmethod
    def build_city(cls):
        cls.city = Organisation.add_root(
            name="中共测试市委", kind=Organisation.Kind.COMMITTEE
        )
        cls.unit_a = cls.city.add_child(
            name="市委宣传部",
            kind=Organisation.Kind.PARTY_DEPARTMENT,
            maintains_kb=True,
        )
        cls.unit_a.refresh_from_db()
        cls.branch_a1 = cls.unit_a.add_child(
            name="宣传部第一党支部", kind=Organisation.Kind.BRANCH
        )
        cls.unit_a.refresh_from_db()
        cls.branch_a2 = cls.unit_a.add_child(
            name="宣传部第二党支部", kind=Organisation.Kind.BRANCH
        )
        cls.city.refresh_from_db()
        cls.unit_b = cls.city.add_child(
            name="市公安局",
            kind=Organisation.Kind.GOVERNMENT_DEPARTMENT,
            maintains_kb=True,
        )
        cls.unit_b.refresh_from_db()
        cls.branch_b1 = cls.unit_b.add_child(
            name="公安局第一党支部", kind=Organisation.Kind.BRANCH
        )
        # Adding a node updates its parent's numchild in the database only.
        for org in (cls.city, cls.unit_a, cls.branch_a1, cls.branch_a2, cls.unit_b):
            org.refresh_from_db()

        cls.admin = make_person("admin", "平台管理员", is_superuser=True, is_staff=True)
        cls.editor = make_person("editor", "宣传部编辑")
        cls.reviewer = make_person("reviewer", "宣传部审查员")
        cls.approver = make_person("approver", "宣传部审批人")
        cls.secretary = make_person("secretary", "宣传部管理员")
        cls.member = make_person("member", "张党员")
        cls.sibling = make_person("sibling", "王党员")
        cls.outsider = make_person("outsider", "李群众")
        cls.editor_b = make_person("editor_b", "公安局编辑")
        do_grant_role(cls.editor, cls.unit_a, Role.EDITOR)
        do_grant_role(cls.reviewer, cls.unit_a, Role.REVIEWER)
        do_grant_role(cls.approver, cls.unit_a, Role.APPROVER)
        do_grant_role(cls.secretary, cls.unit_a, Role.UNIT_ADMIN)
        do_grant_role(cls.member, cls.branch_a1, Role.MEMBER)
        do_grant_role(cls.sibling, cls.branch_a2, Role.MEMBER)
        do_grant_role(cls.outsider, cls.branch_b1, Role.MEMBER)
        do_grant_role(cls.editor_b, cls.unit_b, Role.EDITOR)


class BaseTestCase(CityMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.build_city()


# Browser tests: Debian's chromium driven by Playwright against a live server.
# Mark a module with ``pytestmark = BROWSER_MARKS`` and take the ``browser``
# fixture (conftest.py); screenshots go to ARTIFACTS for a human to look at.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="chromium is not installed (apt-get install chromium); CI installs it",
    ),
]


def wait_until(page, expression: str, arg=None, *, timeout: float = 10.0):
    """Polls ``page.evaluate(expression, arg)`` until it is truthy.

    Playwright's ``wait_for_function`` compiles its predicate inside the page,
    which the site's Content-Security-Policy (no 'unsafe-eval') forbids;
    ``evaluate`` runs through the DevTools protocol, which the policy allows.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)
