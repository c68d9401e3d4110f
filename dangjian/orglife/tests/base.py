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
