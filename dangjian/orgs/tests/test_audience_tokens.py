"""One audience rule: the tokens search and exports filter on come from
``dangjian.orgs.scope``, and they agree with ``Scope.reaches``."""

from __future__ import annotations

import re
from pathlib import Path

from dangjian.orgs.scope import (
    audience_tokens,
    item_audience_tokens,
    scope_for,
)
from dangjian.test import BaseTestCase

PACKAGE = Path(__file__).resolve().parents[2]
# An f-string that builds an audience token, such as f"tree:{pk}".
TOKEN_SPELLING = re.compile(r"""f["'](org|tree):\{""")


class AudienceTokensTestCase(BaseTestCase):
    def test_a_persons_tokens_meet_an_audiences_tokens_exactly_when_it_reaches_them(
        self,
    ):
        people = [self.member, self.sibling, self.outsider, self.secretary, self.admin]
        orgs = [self.city, self.unit_a, self.branch_a1, self.branch_a2, self.unit_b]
        for person in people:
            mine = set(audience_tokens(person))
            for org in orgs:
                for descendants in (True, False):
                    with self.subTest(
                        person=person.username, org=org.name, descendants=descendants
                    ):
                        theirs = set(item_audience_tokens([org.pk], descendants))
                        self.assertEqual(
                            bool(mine & theirs),
                            scope_for(person).reaches([org.pk], descendants),
                        )

    def test_the_public_and_people_without_a_membership_read_public_only(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(audience_tokens(AnonymousUser()), ["public"])
        self.assertEqual(audience_tokens(self.admin), ["public"])
        self.assertIn("members", audience_tokens(self.member))

    def test_the_search_indexes_ask_the_one_rule(self):
        from dangjian.disclosure import search as disclosure_search
        from dangjian.study import search as study_search

        for person in (self.member, self.outsider, self.secretary):
            self.assertEqual(
                disclosure_search.audience_for(person), audience_tokens(person)
            )
            self.assertEqual(study_search.audience_for(person), audience_tokens(person))

    def test_no_app_spells_audience_tokens_itself(self):
        offenders = []
        for path in sorted(PACKAGE.rglob("*.py")):
            if "tests" in path.parts or path.name == "scope.py":
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if TOKEN_SPELLING.search(line):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}")
        self.assertEqual(
            offenders,
            [],
            "audience tokens are built by dangjian.orgs.scope.audience_tokens / "
            "item_audience_tokens only",
        )
