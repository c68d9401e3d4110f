"""The API's one error contract: every error is ``{"code", "detail", …}`` in
Chinese, and the OpenAPI document declares every status each operation answers.
"""

from __future__ import annotations

import io
import json
from unittest import mock

from django.test import Client, override_settings

from dangjian.lib.api_errors import CJK
from dangjian.orgs.actions import do_issue_token
from dangjian.quiz import actions as quiz_actions
from dangjian.quiz.tests.helpers import QuizTestCase
from dangjian.test import PASSWORD

METHODS = ("get", "put", "post", "delete", "patch")


class ErrorContractTestCase(QuizTestCase):
    def setUp(self):
        super().setUp()
        quiz_actions._unit_cache.clear()
        self.anonymous = Client(raise_request_exception=False)

    def assertContract(self, response, status, code=None):
        """`response` is an error in the contract: JSON, a stable code, a
        Chinese detail."""
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        body = response.json()
        self.assertIsInstance(body.get("code"), str, body)
        self.assertRegex(body.get("detail", ""), CJK, body)
        if code is not None:
            self.assertEqual(body["code"], code, body)
        return body

    def test_the_document_declares_bearer_tokens_and_every_error_status(self):
        doc = self.client.get("/api/openapi.json").json()
        schemes = doc["components"]["securitySchemes"]
        bearer = [s for s in schemes.values() if s.get("scheme") == "bearer"]
        self.assertEqual(len(bearer), 1, schemes)
        self.assertIn("ErrorOut", doc["components"]["schemas"])
        operations = 0
        for path, item in doc["paths"].items():
            for method in METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                operations += 1
                where = f"{method.upper()} {path}"
                responses = {int(s): r for s, r in operation["responses"].items()}
                expected = {401, 500}
                parameters = operation.get("parameters", [])
                if parameters or "requestBody" in operation:
                    expected.add(422)
                if "requestBody" in operation:
                    expected.add(400)
                if any(p["in"] == "path" for p in parameters):
                    expected.add(404)
                if operation.get("security"):
                    expected.add(403)
                    self.assertIn(
                        "TokenAuth", {k for s in operation["security"] for k in s}
                    )
                self.assertLessEqual(expected, set(responses), where)
                for status, response in responses.items():
                    if status >= 400:
                        schema = response["content"]["application/json"]["schema"]
                        self.assertEqual(
                            schema, {"$ref": "#/components/schemas/ErrorOut"}, where
                        )
                        self.assertRegex(response["description"], CJK, where)
        self.assertGreater(operations, 30)

    def test_invalid_parameters_answer_422_naming_the_fields_in_chinese(self):
        r = self.anonymous.get("/api/disclosures", {"limit": "x", "year": "1800"})
        body = self.assertContract(r, 422, "invalid")
        fields = {e["field"]: e["message"] for e in body["errors"]}
        self.assertEqual(set(fields), {"limit", "year"})
        self.assertEqual(fields["limit"], "应为整数")
        self.assertEqual(fields["year"], "应不小于 1949")
        self.assertNotIn("Input should", r.content.decode())

        self.client.login(username="member", password=PASSWORD)
        r = self.client.post(
            "/api/quiz/attempts", {"contest": "abc"}, content_type="application/json"
        )
        body = self.assertContract(r, 422, "invalid")
        self.assertEqual([e["field"] for e in body["errors"]], ["contest"])

    def test_a_missing_or_bad_credential_answers_401(self):
        self.assertContract(self.anonymous.get("/api/me"), 401, "not_authenticated")
        r = self.anonymous.get("/api/me", headers={"Authorization": "Bearer nope"})
        self.assertContract(r, 401)

    def test_refusals_answer_403_also_for_a_session_without_csrf_token(self):
        self.client.login(username="member", password=PASSWORD)
        self.assertContract(self.client.get("/api/publicity/channels"), 403)
        browser = Client(enforce_csrf_checks=True)
        browser.login(username="member", password=PASSWORD)
        r = browser.post(
            "/api/quiz/attempts", {"mode": "daily"}, content_type="application/json"
        )
        self.assertContract(r, 403, "csrf_failed")

    def test_nothing_there_answers_404_also_outside_any_operation(self):
        self.assertContract(
            self.anonymous.get("/api/disclosures/999999"), 404, "not_found"
        )
        self.assertContract(self.anonymous.get("/api/nothing/here/"), 404, "not_found")
        self.assertContract(
            self.anonymous.get("/api/votes/campaigns/999999"), 404, "not_found"
        )

    def test_a_method_the_path_does_not_take_answers_405(self):
        r = self.anonymous.delete("/api/orgs")
        self.assertContract(r, 405, "method_not_allowed")
        self.assertEqual(r["Allow"], "GET")

    def test_a_conflict_answers_409(self):
        self.client.login(username="member", password=PASSWORD)

        def post(url, data=None):
            return self.client.post(
                url, data or {}, content_type="application/json"
            ).json()

        attempt = post("/api/quiz/attempts", {"mode": "daily"})
        post(f"/api/quiz/attempts/{attempt['id']}/submit")
        r = self.client.post(
            "/api/quiz/attempts", {"mode": "daily"}, content_type="application/json"
        )
        self.assertContract(r, 409, "done_today")

    @override_settings(DANGJIAN_EXPERTS_SUBMIT_RATE=(0, 3600))
    def test_too_many_requests_answer_429(self):
        for _ in range(2):
            r = self.anonymous.post(
                "/api/experts/questions", {}, content_type="application/json"
            )
        self.assertContract(r, 429)

    def test_a_body_that_is_not_json_answers_400(self):
        r = self.anonymous.post(
            "/api/votes/otp", "{not json", content_type="application/json"
        )
        self.assertContract(r, 400, "bad_json")

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_an_oversized_body_answers_400_in_chinese(self):
        r = self.anonymous.post(
            "/api/votes/otp",
            {"mobile": "1" * 5000},
            content_type="application/json",
        )
        self.assertContract(r, 400, "too_large")

    def test_a_fault_answers_500_without_its_internals(self):
        with (
            mock.patch(
                "dangjian.orgs.api.scope_for",
                side_effect=RuntimeError("secret internals at /srv/dangjian"),
            ),
            self.assertLogs("django.request", "ERROR"),
        ):
            r = self.anonymous.get(
                "/api/me",
                headers={"Authorization": "Bearer " + self.member_token()},
            )
        self.assertContract(r, 500, "server_error")
        self.assertNotIn("secret", r.content.decode())
        self.assertNotIn("Traceback", r.content.decode())

    def member_token(self) -> str:
        _token, secret = do_issue_token(self.member, name="test")
        return secret


class OutOfRangeTestCase(QuizTestCase):
    """Finding 11: integers too large for the database answer 4xx, not 500."""

    def setUp(self):
        super().setUp()
        self.anonymous = Client(raise_request_exception=False)

    def test_ids_too_large_for_the_database_are_refused_not_a_fault(self):
        huge = "9" * 20
        for url in (
            f"/api/disclosures/{huge}",
            "/api/disclosures/1.6e26",
            f"/api/disclosures?unit={huge}",
            f"/api/disclosures?category={huge}",
            f"/api/experts/experts?domain={huge}",
            f"/api/kb/search?q=a&unit={huge}",
            f"/api/votes/campaigns/{huge}",
            f"/api/quiz/contests/{huge}/leaderboard",
        ):
            with self.subTest(url=url):
                r = self.anonymous.get(url)
                self.assertIn(r.status_code, (404, 422), r.content[:200])
                self.assertIn("code", r.json())
        self.anonymous.login(username="admin", password=PASSWORD)
        for url in (
            f"/api/study/units/{huge}",
            f"/api/stats/participation?org={huge}",
            f"/api/quiz/attempts/{huge}",
        ):
            with self.subTest(url=url):
                r = self.anonymous.get(url)
                self.assertIn(r.status_code, (404, 422), r.content[:200])
                self.assertIn("code", r.json())
        r = self.anonymous.post(
            "/api/quiz/attempts",
            {"contest": int(huge)},
            content_type="application/json",
        )
        self.assertEqual(r.status_code, 422)

    def test_a_page_with_an_id_too_large_for_the_database_is_not_found(self):
        self.anonymous.login(username="admin", password=PASSWORD)
        huge = "1" + "0" * 30
        for url in (
            f"/study/video/{huge}/",
            f"/study/video/{huge}/poster/",
            f"/disclosure/items/{huge}/withdraw/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.anonymous.get(url).status_code, 404)

    def test_a_unit_admin_sees_the_unit_figures_with_sessions_by_type(self):
        from datetime import timedelta

        from django.utils import timezone

        from dangjian.study.models import StudySession

        StudySession.objects.create(
            organisation=self.branch_a1,
            title="三会一课",
            type=StudySession.Type.choices[0][0],
            organiser=self.secretary,
            starts_at=timezone.now() - timedelta(hours=2),
            ends_at=timezone.now() - timedelta(hours=1),
        )
        self.client.login(username="admin", password=PASSWORD)
        r = self.client.get(f"/api/study/units/{self.unit_a.pk}")
        self.assertEqual(r.status_code, 200, r.content[:300])
        label = str(StudySession.Type.choices[0][1])
        self.assertEqual(r.json()["sessions_by_type"], {label: 1})


class ControlCharacterTestCase(QuizTestCase):
    """Finding 8: NUL and other control characters are refused at the edge."""

    def setUp(self):
        super().setUp()
        self.anonymous = Client(raise_request_exception=False)

    def test_a_search_with_nul_is_refused_and_later_searches_are_logged(self):
        from dangjian.kb import searchlog
        from dangjian.kb.models import SearchLog

        r = self.anonymous.get("/api/kb/search", {"q": "公积金\x00提取"})
        body = json.loads(r.content)
        self.assertEqual(r.status_code, 422)
        self.assertEqual(body["code"], "control_characters")
        self.assertEqual(body["errors"][0]["field"], "q")
        self.assertEqual(
            self.anonymous.get("/api/kb/search", {"q": "提取"}).status_code, 200
        )
        searchlog.flush()  # on PostgreSQL, a NUL in the batch failed it whole
        self.assertEqual(
            list(SearchLog.objects.values_list("query", flat=True)), ["提取"]
        )

    def test_control_characters_in_a_body_or_a_path_are_refused(self):
        r = self.anonymous.post(
            "/api/experts/questions",
            json.dumps({"company_name": "某公司\u0000", "text": "问题"}),
            content_type="application/json",
        )
        body = json.loads(r.content)
        self.assertEqual((r.status_code, body["code"]), (422, "control_characters"))
        self.assertEqual(body["errors"][0]["field"], "company_name")
        r = self.anonymous.get("/api/experts/questions/" + "a%01" * 8)
        self.assertEqual(r.status_code, 422)
        # Line breaks and tabs in multi-line text are fine.
        r = self.anonymous.get("/api/kb/search", {"q": "公积金\t提取\n"})
        self.assertEqual(r.status_code, 200)

    def test_the_kb_fast_path_leaves_nul_to_django(self):
        from dangjian.kb.fastpath import KbSearchFastPath
        from dangjian.test import behind_fast_path, wsgi_call

        app = behind_fast_path(self, KbSearchFastPath)
        status, _headers, body = wsgi_call(app, "/api/kb/search", query="q=a%00b")
        self.assertEqual((status, body["code"]), (422, "control_characters"))
        self.assertEqual(self.passed_on, [("/api/kb/search", "q=a%00b")])

    def test_the_vote_fast_path_leaves_nul_to_django(self):
        from dangjian.test import behind_fast_path, wsgi_call
        from dangjian.voting.fastpath import VoteFastPath
        from dangjian.voting.identity import issue_voter_token, phone_hash
        from dangjian.voting.models import Vote
        from dangjian.voting.tests.helpers import candidate_ids, make_campaign

        campaign = make_campaign(self.city)
        app = behind_fast_path(self, VoteFastPath)
        body = {
            "campaign": campaign.pk,
            "candidate": candidate_ids(campaign)[0],
            "idempotency_key": "key\u0000-0001",
        }
        status, _headers, answer = wsgi_call(
            app,
            "/api/votes",
            method="POST",
            body=body,
            x_voter_token=issue_voter_token(phone_hash("13800000001")),
        )
        self.assertEqual((status, answer["code"]), (422, "control_characters"))
        self.assertEqual(len(self.passed_on), 1)
        self.assertFalse(Vote.objects.exists())

    def test_a_page_refuses_nul_in_its_query_or_form_in_chinese(self):
        r = self.anonymous.get("/kb/", {"q": "公积金\x00"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("控制字符", r.content.decode())
        r = self.anonymous.post("/login/", {"username": "a\x00", "password": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("控制字符", r.content.decode())


class ErrorPageTestCase(QuizTestCase):
    """Finding 16: the pages users meet when something is refused are Chinese."""

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_an_oversized_form_gets_a_chinese_400_page(self):
        client = Client(raise_request_exception=False)
        r = client.post("/login/", {"username": "x" * 5000, "password": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("提交的内容过大", r.content.decode())
        self.assertNotIn("Bad Request", r.content.decode())

    def test_a_form_without_csrf_token_gets_a_chinese_403_page(self):
        client = Client(enforce_csrf_checks=True)
        r = client.post("/login/", {"username": "member", "password": PASSWORD})
        self.assertEqual(r.status_code, 403)
        self.assertIn("页面已过期", r.content.decode())
        self.assertNotIn("CSRF verification failed", r.content.decode())


class ImportedCellTestCase(QuizTestCase):
    """Findings 8, 11 and 16 for imported files, at the admin's upload form.

    The readers are H6's (dangjian/lib/tabular.py, dangjian/quiz/importing.py);
    these tests hold them to a clear Chinese 4xx, never a 500 or English."""

    def upload(self, name: str, data: bytes):
        client = Client(raise_request_exception=False)
        client.login(username="editor", password=PASSWORD)
        upload = io.BytesIO(data)
        upload.name = name
        return client.post(
            "/admin/quiz/import/",
            {"file": upload, "owner": self.unit_a.pk, "status": "draft"},
        )

    def csv(self, stem: str) -> bytes:
        from dangjian.quiz.tests.test_import import HEADER, csv_row

        row = csv_row("判断", stem, [], "正确")
        return "\n".join([HEADER, row]).encode()

    def test_a_cell_over_the_csv_field_limit_is_refused_in_chinese(self):
        r = self.upload("questions.csv", self.csv("长" * 140_000))
        self.assertIn(r.status_code, (200, 400))
        self.assertRegex(r.content.decode(), CJK)
        self.assertNotIn("field larger than field limit", r.content.decode())

    def test_a_nul_in_a_cell_never_reaches_the_database(self):
        from dangjian.quiz.models import Question

        r = self.upload("questions.csv", self.csv("民主集中制\x00是根本组织原则。"))
        self.assertIn(r.status_code, (200, 400))
        self.assertFalse(
            any("\x00" in s for s in Question.objects.values_list("stem", flat=True))
        )

    def test_a_file_that_is_not_excel_gets_a_chinese_message(self):
        r = self.upload("questions.xlsx", b"this is not a zip file at all")
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("File is not a zip file", r.content.decode())
