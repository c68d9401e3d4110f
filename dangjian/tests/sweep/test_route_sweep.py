"""Every route, every persona: no sentinel reaches a person out of scope, no
unit changes another unit's content, nothing answers 5xx (STYLE.md rule 25).

The routes come from the URL map and the Wagtail admin's registered views
(``routes.walk``), plus the paths of ``/api/openapi.json``; a route added later
is swept without anyone adding it here. A route the sweep cannot fill fails
``test_every_route_is_swept_or_skipped`` until it is filled or put in
``routes.SKIP`` with a reason.

Each persona's sweep collects every failure and reports them all at once.
Every request runs in a savepoint that is rolled back, so one persona's
(failed) attack does not change what the next request sees.
"""

from __future__ import annotations

import io
import json
import re
import traceback
from collections import defaultdict

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls.resolvers import RoutePattern

from dangjian.orgs.models import Membership
from dangjian.test import PrivateFilesMixin
from dangjian.tests.sweep import routes
from dangjian.tests.sweep.fixtures import PERSONAS, SECRETS, SweepCity

XLSX = "spreadsheetml"
# Fields an attacker's POST changes, when the form has them.
TAMPER = ("title", "name", "matter", "stem", "company_name", "answer", "summary")


# Edit routes that answer nobody, by design.
NO_EDIT_VIEW = {
    "study_ledger:edit": "the points ledger is append-only",
    "outreach_visits:edit": "grid workers' visits are read-only in the admin",
    "outreach_pushes:edit": "grid workers' pushes are read-only in the admin",
    "outreach_ratings:edit": "residents' ratings are read-only in the admin",
    "orglife_declarations:edit": "dues bases are declared on the branch's pages",
    "orglife_payments:edit": "dues payments are recorded on the branch's pages",
    "tickets_tickets:edit": "tickets change only through their steps",
    "tickets_events:edit": "a ticket's timeline is append-only",
    "tickets_models:edit": "trained models are written by train_dispatch",
}


class _Rollback(Exception):
    pass


def body_text(response) -> str:
    """The response as text, whatever its format (HTML, JSON, CSV, xlsx, PDF)."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    # Not response.close(): the test client has closed it, and closing it
    # again sends request_finished, which on PostgreSQL closes the test's
    # connection (close_old_connections) in the middle of its transaction.
    kind = response.get("Content-Type", "")
    parts = [raw.decode("utf-8", "replace")]
    if XLSX in kind or raw[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(raw), read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    parts.append(" ".join(str(c) for c in row if c is not None))
        except Exception:  # not a workbook after all
            pass
    if "pdf" in kind or raw[:5] == b"%PDF-":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(raw))
            parts += [page.extract_text() or "" for page in reader.pages]
        except Exception:
            parts.append("<unreadable pdf>")
    if "json" in kind:
        try:
            parts.append(json.dumps(json.loads(raw), ensure_ascii=False))
        except ValueError:
            pass
    parts += [f"{k}: {v}" for k, v in response.items()]
    return "\n".join(parts)


def messages_of(response) -> str:
    """The flash messages a response sets (a signed cookie the next page shows)."""
    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    morsel = response.cookies.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    if morsel is None or not morsel.value:
        return ""
    storage = CookieStorage(HttpRequest())
    decoded = storage._decode(morsel.value) or []  # type: ignore[attr-defined]
    return "\n" + "\n".join(str(m) for m in decoded)


def form_data(html: str) -> dict:
    """The fields of the page's main POST form (the one with most fields)."""
    soup = BeautifulSoup(html, "html.parser")
    best: dict = {}
    for form in soup.find_all("form"):
        if str(form.get("method") or "get").lower() != "post":
            continue
        data: dict = {}
        for field in form.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if not name or "__prefix__" in name or field.has_attr("disabled"):
                continue
            if field.name == "textarea":
                data[name] = field.text
            elif field.name == "select":
                chosen = list(field.find_all("option", selected=True))
                if not chosen and not field.has_attr("multiple"):
                    chosen = list(field.find_all("option"))[:1]
                data[name] = [o.get("value", o.text) for o in chosen]
            else:
                kind = str(field.get("type") or "text").lower()
                if kind in ("checkbox", "radio") and not field.has_attr("checked"):
                    continue
                if kind in ("file", "submit", "button", "image"):
                    continue
                data.setdefault(name, [])
                if isinstance(data[name], list):
                    default = "on" if kind in ("checkbox", "radio") else ""
                data[name].append(field.get("value", default))
        if len(data) > len(best):
            best = data
    # A change to a released item needs its correction note.
    note = best.get("correction_note")
    if "correction_note" in best and not "".join(note or []).strip():
        best["correction_note"] = "更正说明"
    for key in TAMPER:
        if key in best:
            value = best[key]
            value = value[0] if isinstance(value, list) and value else value
            best[key] = f"{value or ''} 已被他人篡改"
    return best


class Sweep:
    """One persona's sweep: requests, findings, what it saw."""

    def __init__(self, case, persona: str):
        self.case = case
        self.persona = persona
        self.client = Client()
        attr = PERSONAS[persona]
        self.user = getattr(case, attr) if attr else None
        if self.user is not None:
            self.client.force_login(self.user)
        # Restored after every request: a route that logs out (or rotates the
        # session) must not end the persona's sweep; the savepoint's rollback
        # keeps the session row.
        self.cookies = {k: m.value for k, m in self.client.cookies.items()}
        self.failures: list[str] = []
        self.seen: dict[str, set[str]] = defaultdict(set)  # marker -> urls
        self.statuses: dict[str, int] = {}

    def fail(self, method, url, what):
        self.failures.append(f"{method} {url} [{self.persona}]: {what}")

    def request(self, method, url, data=None, *, compare=True):
        """Runs one request in a rolled-back savepoint; checks it; returns status."""
        outcome: dict = {}
        try:
            with transaction.atomic():
                try:
                    if method == "POST":
                        outcome["response"] = self.client.post(url, data or {})
                    else:
                        outcome["response"] = self.client.get(url)
                    outcome["text"] = body_text(outcome["response"]) + messages_of(
                        outcome["response"]
                    )
                except Exception as exc:  # the view raised: a 500 in production
                    outcome["error"] = exc
                    outcome["trace"] = traceback.format_exc(limit=-3)
                if compare and "error" not in outcome:
                    outcome["after"] = self.case.snapshot()
                raise _Rollback
        except _Rollback:
            pass
        # Messages are the response's own (checked above), not the next page's.
        for key in list(self.client.cookies):
            if key not in self.cookies:
                del self.client.cookies[key]
        for key, value in self.cookies.items():
            self.client.cookies[key] = value
        if "error" in outcome:
            error = outcome["error"]
            where = outcome["trace"].strip().splitlines()
            self.fail(
                method, url, f"5xx {type(error).__name__}: {error} ({where[-3:]})"
            )
            return 500
        response = outcome["response"]
        status = response.status_code
        if status >= 500:
            self.fail(method, url, f"5xx status {status}")
        self.check_leaks(method, url, outcome["text"])
        if compare:
            self.check_unchanged(method, url, outcome["after"])
        return status

    def check_leaks(self, method, url, text):
        for label, secret in SECRETS.items():
            for part, marker in secret.markers.items():
                if marker in text:
                    self.seen[marker].add(url)
                    if self.persona not in secret.allowed:
                        self.fail(method, url, f"leaks {label} ({part}: {marker})")

    def check_unchanged(self, method, url, after):
        before = self.case.before
        changed = [k for k in before if before[k] != after.get(k)]
        if changed:
            details = []
            for key in changed[:4]:
                old, new = before[key], after.get(key)
                if len(old) == len(new) and all(
                    len(a) == len(b) for a, b in zip(old, new, strict=True)
                ):
                    diff = [
                        (a[i], b[i])
                        for a, b in zip(old, new, strict=True)
                        for i in range(len(a))
                        if a[i] != b[i]
                    ]
                    details.append(f"{key}: {str(diff)[:300]}")
                else:
                    details.append(f"{key}: {len(old)} rows -> {len(new)} rows")
            self.fail(method, url, "changed unit A's content: " + "; ".join(details))


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DANGJIAN_SMS_BACKEND="dangjian.lib.sms.LogBackend",
)
class RouteSweepTestCase(PrivateFilesMixin, SweepCity, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.build_sweep_city()

    def setUp(self):
        self.snapshot_queries = self._snapshot_queries()
        from dangjian.quiz.draw import invalidate_pool
        from dangjian.search.registry import get_index, registered

        for name in registered():
            index = get_index(name)
            # Other tests register scratch indexes with nothing to feed them.
            if index.spec.feeder is not None:
                index.rebuild()
        invalidate_pool()
        self.before = self.snapshot()

    # --- State ----------------------------------------------------------------

    def snapshot(self) -> dict:
        """What no other unit may change: unit A's objects, people, roles.

        Plain SQL over the tracked rows (every table of a page's model), the
        workflow states, unit A's memberships and the personas' accounts and
        groups: it runs after every request.
        """
        state = {}
        with connection.cursor() as cursor:
            for key, sql, params in self.snapshot_queries:
                cursor.execute(sql, params)
                state[key] = cursor.fetchall()
        return state

    def _snapshot_queries(self):
        from wagtail.models import Page, WorkflowState

        def select(queryset):
            sql, params = queryset.query.sql_with_params()
            return sql, params

        queries = []
        by_model = defaultdict(list)
        for obj in self.tracked:
            model = obj.specific_class if isinstance(obj, Page) else type(obj)
            by_model[model].append(obj.pk)
        for model, ids in by_model.items():
            for concrete in [model, *model._meta.get_parent_list()]:
                table = concrete._meta.db_table
                column = concrete._meta.pk.column
                quote = connection.ops.quote_name
                marks = ", ".join(["%s"] * len(ids))
                queries.append(
                    (
                        f"{table} {ids}",
                        f"SELECT * FROM {quote(table)} WHERE {quote(column)} IN "
                        f"({marks}) ORDER BY {quote(column)}",
                        ids,
                    )
                )
        User = get_user_model()
        people = [getattr(self, a).pk for a in PERSONAS.values() if a]
        queries += [
            (
                "workflow states",
                *select(
                    WorkflowState.objects.order_by("pk").values_list(
                        "pk", "object_id", "status", "current_task_state__status"
                    )
                ),
            ),
            (
                "memberships of unit A",
                *select(
                    Membership.objects.filter(
                        organisation__path__startswith=self.unit_a.path
                    )
                    .order_by("pk")
                    .values_list("person_id", "organisation_id", "role", "title")
                ),
            ),
            (
                "personas' accounts",
                *select(
                    User.objects.filter(pk__in=people)
                    .order_by("pk")
                    .values_list(
                        "pk", "is_superuser", "is_staff", "is_active", "password"
                    )
                ),
            ),
            (
                "personas' groups",
                *select(
                    User.groups.through.objects.filter(person_id__in=people)
                    .order_by("pk")
                    .values_list("person_id", "group_id")
                ),
            ),
        ]
        return queries

    # --- The sweep ---------------------------------------------------------------

    _targets: list = []

    def all_targets(self):
        """Every route's URLs and the API document's paths (once for the class)."""
        if type(self)._targets:
            return type(self)._targets
        found, _unfilled = routes.targets(self)
        urls = {t.url.split("?")[0] for t in found}
        for path in self.openapi_paths():
            if path not in urls:
                found.append(routes.Target(path, routes.Route(path, "", [], None, [])))
        type(self)._targets = found
        return found

    def openapi_paths(self) -> list[str]:
        """The API document's paths, filled like the URL map's routes."""
        client = Client()
        client.force_login(self.admin)
        document = client.get("/api/openapi.json").json()
        generic = routes._generic(self, None)
        paths = []
        for path in document.get("paths", {}):
            try:
                paths.append(
                    re.sub(r"{(\w+)}", lambda m: str(generic[m.group(1)]), path)
                )
            except KeyError:
                paths.append(path)  # reported by the route check
        return paths

    _forms: dict = {}

    def admin_forms(self, targets) -> dict:
        """The admin's form for each POST target: what a forger would send.

        Read once for the class (every test sees the same rolled-back city)."""
        forms = type(self)._forms
        if all(t.url in forms for t in targets if t.post):
            return forms
        client = Client()
        client.force_login(self.admin)
        for target in targets:
            if not target.post or target.url in forms:
                continue
            with transaction.atomic():
                try:
                    response = client.get(target.url)
                    forms[target.url] = (
                        form_data(response.content.decode("utf-8", "replace"))
                        if response.status_code == 200
                        and not getattr(response, "streaming", False)
                        else {}
                    )
                except Exception:
                    forms[target.url] = {}
                transaction.set_rollback(True)
        return forms

    def sweep(self, persona: str) -> Sweep:
        sweep = Sweep(self, persona)
        targets = self.all_targets()
        compare = persona != "admin"
        forms = self.admin_forms(targets) if compare else {}
        for target in targets:
            status = sweep.request("GET", target.url, compare=compare)
            sweep.statuses[target.url] = status
            if target.post and compare:
                data = forms.get(target.url, {})
                sweep.request("POST", target.url, data)
                if target.route.short_name == "edit":  # … and publish
                    sweep.request("POST", target.url, {**data, "action-publish": "1"})
        return sweep

    def report(self, sweep: Sweep, extra: tuple[str, ...] | list[str] = ()):
        failures = sweep.failures + list(extra)
        if failures:
            self.fail(
                f"{len(failures)} failures for {sweep.persona}:\n" + "\n".join(failures)
            )

    # --- One test per persona ------------------------------------------------------

    def sweep_staff(self, persona: str) -> None:
        """Sweeps as another unit's staff, who must at least reach the admin."""
        sweep = self.sweep(persona)
        extra = []
        if sweep.statuses.get("/admin/") != 200:
            extra.append(f"positive control: {persona} cannot open /admin/")
        self.report(sweep, extra)

    def test_an_anonymous_visitor_sees_no_sentinel_and_changes_nothing(self):
        self.report(self.sweep("anonymous"))

    def test_a_member_of_another_unit_sees_no_sentinel_and_changes_nothing(self):
        self.report(self.sweep("outsider"))

    def test_an_editor_of_another_unit_sees_no_sentinel_and_changes_nothing(self):
        self.sweep_staff("editor_b")

    def test_an_approver_of_another_unit_sees_no_sentinel_and_changes_nothing(self):
        self.sweep_staff("approver_b")

    def test_a_unit_admin_of_another_unit_sees_no_sentinel_and_changes_nothing(self):
        self.sweep_staff("unit_admin_b")

    def test_a_member_in_scope_sees_the_party_items_and_nothing_else(self):
        sweep = self.sweep("member")
        extra = [
            f"positive control: the member never saw {label} ({part}: {marker})"
            for label in ("a_internal", "a_study")
            for part, marker in SECRETS[label].markers.items()
            if part in "tbf" and not sweep.seen[marker]
        ]
        self.report(sweep, extra)

    def test_the_platform_admin_sees_every_edit_page_and_no_5xx(self):
        sweep = self.sweep("admin")
        extra = []
        for label, secret in SECRETS.items():
            if not sweep.seen[secret.markers["t"]]:
                extra.append(f"positive control: the admin never saw {label}'s title")
        forms = self.admin_forms(self.all_targets())
        tracked = {(type(o).__name__, o.pk) for o in self.tracked}
        for target in self.all_targets():
            if target.obj is None or target.route.short_name != "edit":
                continue
            status = sweep.statuses.get(target.url)
            if target.route.name in NO_EDIT_VIEW:
                continue
            if status != 200:
                extra.append(f"positive control: admin got {status} at {target.url}")
            # The forged form the other personas send is a working one: sent
            # by the admin it changes the object.
            form = forms.get(target.url, {})
            if (type(target.obj).__name__, target.obj.pk) in tracked and any(
                key in form for key in TAMPER
            ):
                changed = Sweep(self, "admin")
                changed.request("POST", target.url, form)
                if not any("changed unit A" in f for f in changed.failures):
                    extra.append(
                        f"positive control: the admin's form changed nothing at {target.url}"
                    )
        self.report(sweep, extra)

    # --- The map itself -----------------------------------------------------------------

    def test_every_route_is_swept_or_skipped(self):
        all_routes = list(routes.walk())
        _found, unfilled = routes.targets(self, all_routes)
        keys = {r.key for r in all_routes}
        problems = [
            f"route {r.key} ({r.name or r.callback}) has parameters {r.params} the "
            "sweep cannot fill: fill it in routes.py or add it to routes.SKIP"
            for r in unfilled
        ]
        problems += [
            f"SKIP lists {key}, which is no longer a route"
            for key in routes.SKIP
            if key not in keys
        ]
        # The check itself: a route with a parameter nobody fills is caught.
        new = routes.Route(
            "sweep/<int:gadget_id>/",
            "",
            [RoutePattern("sweep/<int:gadget_id>/")],
            None,
            ["gadget_id"],
        )
        self.assertEqual(routes.targets(self, [new])[1], [new])
        generic = routes._generic(self, None)
        for path in self.openapi_paths():
            for name in re.findall(r"{(\w+)}", path):
                if name not in generic:
                    problems.append(f"API path {path}: no value for {{{name}}}")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_private_files_are_not_served_under_media_in_any_spelling(self):
        failures = []
        for persona in ("anonymous", "outsider"):
            sweep = Sweep(self, persona)
            for path in self.media_paths():
                status = sweep.request("GET", path, compare=False)
                if status == 200:
                    sweep.fail("GET", path, "a private file is served under /media/")
            failures += sweep.failures
        self.assertEqual(failures, [], "\n".join(failures))
