"""The shared test city plus a secretary of 宣传部第一党支部 and a second
member there.

中共测试市委
├── 市委宣传部 (unit A)           secretary (unit admin of the unit)
│   ├── 宣传部第一党支部 (A1)      sec_a1 (its secretary), member, member2
│   └── 宣传部第二党支部 (A2)      sibling
└── 市公安局 (unit B)
    └── 公安局第一党支部 (B1)      outsider
"""

from __future__ import annotations

import datetime as dt

from dangjian.orglife.actions import AttendanceRow, do_plan_meeting, do_record_meeting
from dangjian.orglife.models import Meeting, MeetingKind
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Membership, Role
from dangjian.test import BaseTestCase, make_person


class OrglifeTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sec_a1 = make_person("sec_a1", "一支部书记")
        cls.member2 = make_person("member2", "赵党员")
        do_grant_role(cls.sec_a1, cls.branch_a1, Role.UNIT_ADMIN)
        do_grant_role(cls.sec_a1, cls.branch_a1, Role.MEMBER)
        do_grant_role(cls.member2, cls.branch_a1, Role.MEMBER)

    def hold(
        self,
        branch,
        kind: str,
        planned_on: dt.date,
        held_on: dt.date | None = None,
        *,
        attendees=None,
    ) -> Meeting:
        """A meeting planned for ``planned_on`` (and held on ``held_on``)."""
        meeting = do_plan_meeting(
            branch,
            kind,
            f"{MeetingKind(kind).label}{planned_on}",
            planned_on,
            send_notice=False,
        )
        if held_on is not None:
            people = attendees or list(
                Membership.objects.filter(
                    organisation=branch, role=Role.MEMBER
                ).values_list("person_id", flat=True)
            )
            do_record_meeting(
                meeting, held_on, [AttendanceRow(pk, "present") for pk in people]
            )
        return meeting


class DisclosureColumnMixin:
    """The disclosure column with unit A's and unit B's sections (their
    editors, reviewers and approvers come with the test city), and helpers
    that take a proposed item through the release workflow."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()  # type: ignore[misc]
        from dangjian.disclosure import actions as da
        from dangjian.portal.demo import ensure_home

        cls.column = da.do_ensure_column(ensure_home())
        cls.section_a = da.do_ensure_section(cls.unit_a, cls.column)  # type: ignore[attr-defined]

    def release_item(self, item_id: int, published_on: dt.date | None = None):
        """Approves the item's scan, 保密审查 and 单位审批 as unit A's people;
        ``published_on`` dates its first publication back."""
        from django.utils import timezone

        from dangjian.disclosure import actions as da
        from dangjian.disclosure.models import DisclosureItemPage

        item = DisclosureItemPage.objects.get(pk=item_id)
        for user in (self.reviewer, self.approver):  # type: ignore[attr-defined]
            task_state = da.current_task_state(item)
            assert task_state is not None, "the item is not in the workflow"
            for flag in da.pending_flags(item, task_state.revision):
                da.do_decide_flag(
                    flag, decision="publishable", reason="可公开", acting_user=user
                )
            da.do_task_action(task_state, action="approve", acting_user=user)
        item = DisclosureItemPage.objects.get(pk=item_id)
        assert item.live, "the item was not published"
        if published_on is not None:
            at = timezone.make_aware(dt.datetime.combine(published_on, dt.time(9, 0)))
            DisclosureItemPage.objects.filter(pk=item_id).update(
                first_published_at=at, last_published_at=at
            )
        return item

    def withdraw_item(self, item_id: int, reason: str = "群众反映情况待核实"):
        from dangjian.disclosure import actions as da
        from dangjian.disclosure.models import DisclosureItemPage

        return da.do_withdraw_item(
            DisclosureItemPage.objects.get(pk=item_id),
            reason=reason,
            acting_user=self.approver,  # type: ignore[attr-defined]
        )

    def published_notice(self, recruit, start: dt.date, published_on: dt.date):
        from dangjian.orglife import publish

        notice, _created = publish.do_propose_notice(
            recruit,
            start,
            acting_user=self.sec_a1,  # type: ignore[attr-defined]
        )
        self.release_item(notice.item_id, published_on)
        return notice
