"""Property-based API testing against the API's own OpenAPI document.

Schemathesis reads ``/api/openapi.json`` from the WSGI application as it is
deployed (fast paths included) and generates requests for every operation,
valid ones and invalid ones, sent as nobody and as a member with a bearer
token. Every answer must be no 5xx and conform to the document: a declared
status, the declared content type, a body matching the declared schema. A
route added later is fuzzed without anyone adding it here.

Bounded for CI: a few examples per operation and mode, derandomized so that
a failure reproduces; ``DANGJIAN_FUZZ_EXAMPLES`` raises the count for a
longer run. Schemathesis is driven through its Hypothesis strategies rather
than its pytest plugin, so that the test is an ordinary Django TestCase (the
personas, one transaction rolled back at the end).
"""

from __future__ import annotations

import os

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dangjian.orgs.actions import do_issue_token
from dangjian.quiz.tests.helpers import QuizTestCase

EXAMPLES = int(os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class ApiFuzzTestCase(QuizTestCase):
    """The quiz bank gives POST /api/quiz/attempts papers to draw."""

    def setUp(self):
        super().setUp()
        import schemathesis

        from dangjian.quiz import actions
        from dangjian.wsgi import application

        actions._unit_cache.clear()
        # Keep the test's transaction across requests, as Django's test
        # client does (dangjian.test.behind_fast_path does the same).
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)
        self.schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        _token, key = do_issue_token(self.member, name="fuzz")
        self.personas = {
            "anonymous": {},
            "member": {"Authorization": f"Bearer {key}"},
        }

    def fuzz(self, persona: str) -> None:
        headers = self.personas[persona]
        operations = [r.ok() for r in self.schema.get_all_operations()]
        self.assertGreater(len(operations), 30)
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case):
                    case.call_and_validate(headers=headers, checks=CHECKS)

                with self.subTest(operation=operation.label, mode=str(mode)):
                    try:
                        run()
                    except Unsatisfiable:
                        # Nothing invalid to send (an operation without inputs).
                        if mode is GenerationMode.POSITIVE:
                            raise

    def test_every_operation_answers_nobody_as_documented_and_never_5xx(self):
        self.fuzz("anonymous")

    def test_every_operation_answers_a_member_as_documented_and_never_5xx(self):
        self.fuzz("member")
