"""A column with two unit sections on top of the shared test city."""

from __future__ import annotations

from dangjian.disclosure import actions
from dangjian.disclosure.models import (
    DisclosureCategory,
    DisclosureIndexPage,
    DisclosureItemPage,
    DisclosureSectionPage,
)
from dangjian.portal.demo import ensure_home
from dangjian.portal.models import HomePage
from dangjian.test import BaseTestCase

VALID_ID = "110101199003077571"


class DisclosureTestCase(BaseTestCase):
    home: HomePage
    column: DisclosureIndexPage
    section_a: DisclosureSectionPage
    section_b: DisclosureSectionPage
    category: DisclosureCategory

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.home = ensure_home()
        cls.column = actions.do_ensure_column(cls.home)
        cls.section_a = actions.do_ensure_section(cls.unit_a, cls.column)
        cls.section_b = actions.do_ensure_section(cls.unit_b, cls.column)
        cls.category = DisclosureCategory.objects.get(name="党的组织建设")

    def make_item(
        self,
        title="市委宣传部2026年度工作要点",
        body="<p>坚持以人民为中心的发展思想。</p>",
        *,
        scope="public",
        audience=(),
        include_descendants=True,
        section=None,
        editor=None,
        **fields,
    ) -> DisclosureItemPage:
        """Drafts an item as the unit's editor (one revision, not submitted)."""
        section = section or self.section_a
        editor = editor or self.editor
        page = DisclosureItemPage(
            title=title,
            body=body,
            category=self.category,
            scope=scope,
            include_descendants=include_descendants,
            live=False,
            owner=editor,
            **fields,
        )
        page.audience = list(audience)
        section.add_child(instance=page)
        page.save_revision(user=editor)
        return page

    def step(self, page, user, action="approve", comment=""):
        task_state = actions.current_task_state(page)
        assert task_state is not None, "the item is not in the workflow"
        return actions.do_task_action(
            task_state, action=action, comment=comment, acting_user=user
        )

    def decide_all(self, page, decision="publishable", reason="经核实可公开"):
        task_state = actions.current_task_state(page)
        for flag in actions.flags_for(page, task_state.revision):
            actions.do_decide_flag(
                flag, decision=decision, reason=reason, acting_user=self.reviewer
            )

    def release(self, page, editor=None, reviewer=None, approver=None):
        """Takes a drafted item through the whole workflow; returns it fresh."""
        actions.do_submit_item(page, acting_user=editor or self.editor)
        if actions.current_task_state(page) is not None:
            self.decide_all(page)
            self.step(page, reviewer or self.reviewer)
            self.step(page, approver or self.approver)
        return DisclosureItemPage.objects.get(pk=page.pk)
