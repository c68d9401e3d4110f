"""三会一课: each rule met on time, late and missed; the branch and unit
views, the export, and recording a meeting with attendance and leave."""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.notify.models import Dispatch
from dangjian.orglife import compliance
from dangjian.orglife.actions import (
    AttendanceRow,
    do_plan_meeting,
    do_record_make_up,
    do_record_meeting,
)
from dangjian.orglife.models import Attendance, MeetingKind, MeetingRule
from dangjian.orglife.tests.base import OrglifeTestCase

D = dt.date
# Each rule: a date inside its first 2025 period, a day after that period.
RULES = {
    MeetingKind.ASSEMBLY: (D(2025, 2, 10), D(2025, 4, 3)),  # quarterly
    MeetingKind.COMMITTEE: (D(2025, 1, 10), D(2025, 2, 3)),  # monthly
    MeetingKind.GROUP: (D(2025, 1, 10), D(2025, 2, 3)),
    MeetingKind.LECTURE: (D(2025, 3, 10), D(2025, 4, 3)),
    MeetingKind.THEME_DAY: (D(2025, 1, 10), D(2025, 2, 3)),
}


def cell(rows, branch, kind, start):
    row = next(r for r in rows if r.branch_id == branch.pk)
    return next(c for c in row.cells if c.kind == kind and c.period_start == start)


class RulesTestCase(OrglifeTestCase):
    def test_the_statutory_rules_are_seeded(self):
        rules = dict(MeetingRule.objects.values_list("kind", "period"))
        self.assertEqual(
            rules,
            {
                "assembly": "quarter",
                "committee": "month",
                "group": "month",
                "lecture": "quarter",
                "theme_day": "month",
            },
        )

    def test_each_rule_on_time_late_and_missing(self):
        for kind, (inside, after) in RULES.items():
            with self.subTest(kind=kind):
                self.hold(self.branch_a1, kind, inside, inside)  # on time
                self.hold(self.branch_a2, kind, inside, after)  # late
                # branch B1 holds nothing: missing.
                rows = compliance.compute(
                    [self.branch_a1.pk, self.branch_a2.pk, self.branch_b1.pk],
                    2025,
                    today=D(2026, 1, 15),
                )
                start = inside.replace(day=1)
                if kind in (MeetingKind.ASSEMBLY, MeetingKind.LECTURE):
                    start = D(2025, 1, 1)
                self.assertEqual(
                    cell(rows, self.branch_a1, kind, start).state, "on_time"
                )
                self.assertEqual(cell(rows, self.branch_a2, kind, start).state, "late")
                self.assertEqual(
                    cell(rows, self.branch_b1, kind, start).state, "missing"
                )

    def test_the_current_period_is_due_then_compliant_once_held(self):
        today = D(2025, 3, 20)
        rows = compliance.compute([self.branch_a1.pk], 2025, today=today)
        self.assertEqual(
            cell(rows, self.branch_a1, "committee", D(2025, 3, 1)).state, "due"
        )
        self.assertEqual(
            cell(rows, self.branch_a1, "committee", D(2025, 4, 1)).state, "upcoming"
        )
        self.assertFalse(rows[0].is_compliant)

    def test_behind_branches_come_first(self):
        self.hold(self.branch_a1, "committee", D(2025, 1, 5), D(2025, 1, 6))
        rows = compliance.compute(
            [self.branch_a1.pk, self.branch_a2.pk], 2025, today=D(2025, 2, 10)
        )
        # A2 misses January's committee as well: it is listed first.
        self.assertEqual(
            [r.branch_id for r in rows], [self.branch_a2.pk, self.branch_a1.pk]
        )
        self.assertEqual(rows[0].missing, rows[1].missing + 1)

    def test_an_inactive_rule_is_not_counted(self):
        MeetingRule.objects.exclude(kind="committee").update(is_active=False)
        rows = compliance.compute([self.branch_a1.pk], 2025, today=D(2026, 1, 1))
        self.assertEqual({c.kind for c in rows[0].cells}, {"committee"})
        self.assertEqual(len(rows[0].cells), 12)


class RecordingTestCase(OrglifeTestCase):
    def setUp(self):
        self.meeting = do_plan_meeting(
            self.branch_a1,
            "committee",
            "学习全会精神",
            D(2025, 5, 8),
            send_notice=False,
        )

    def test_planning_sends_a_notice_to_the_branch(self):
        meeting = do_plan_meeting(
            self.branch_a1, "lecture", "书记讲党课", D(2025, 5, 9)
        )
        dispatch = Dispatch.objects.get(
            event_key=f"orglife.meeting_notice:{meeting.pk}"
        )
        self.assertEqual(dispatch.audience, [self.branch_a1.pk])
        self.assertIsNotNone(meeting.notice_sent_at)

    def test_a_leave_needs_a_reason(self):
        with self.assertRaisesMessage(ValidationError, "请假须填写事由"):
            do_record_meeting(
                self.meeting,
                D(2025, 5, 8),
                [
                    AttendanceRow(self.member.pk, "present"),
                    AttendanceRow(self.member2.pk, "leave", "  "),
                ],
            )
        self.meeting.refresh_from_db()
        self.assertIsNone(self.meeting.held_on)
        self.assertFalse(Attendance.objects.exists())

    def test_someone_outside_the_branch_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "不属于本支部"):
            do_record_meeting(
                self.meeting,
                D(2025, 5, 8),
                [
                    AttendanceRow(self.member.pk, "present"),
                    AttendanceRow(self.outsider.pk, "present"),
                ],
            )
        self.assertFalse(Attendance.objects.exists())

    def test_a_future_date_and_control_characters_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "不能晚于今天"):
            do_record_meeting(
                self.meeting, D(2999, 1, 1), [AttendanceRow(self.member.pk, "present")]
            )
        with self.assertRaisesMessage(ValidationError, "控制字符"):
            do_record_meeting(
                self.meeting,
                D(2025, 5, 8),
                [AttendanceRow(self.member.pk, "present")],
                minutes="记录\x00",
            )

    def test_a_meeting_is_recorded_once(self):
        rows = [AttendanceRow(self.member.pk, "present")]
        do_record_meeting(self.meeting, D(2025, 5, 8), rows)
        with self.assertRaisesMessage(ValidationError, "已经登记过"):
            do_record_meeting(self.meeting, D(2025, 5, 9), rows)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.held_on, D(2025, 5, 8))
        self.assertEqual(Attendance.objects.count(), 1)

    def test_make_up_study_is_recorded_against_the_missed_meeting(self):
        do_record_meeting(
            self.meeting,
            D(2025, 5, 8),
            [
                AttendanceRow(self.member.pk, "present"),
                AttendanceRow(self.member2.pk, "leave", "出差"),
            ],
        )
        leave = Attendance.objects.get(person=self.member2)
        with self.assertRaisesMessage(ValidationError, "不能早于会议召开日期"):
            do_record_make_up(leave, D(2025, 5, 1), "自学会议记录")
        do_record_make_up(leave, D(2025, 5, 12), "自学会议记录")
        leave.refresh_from_db()
        self.assertEqual(leave.made_up_on, D(2025, 5, 12))
        present = Attendance.objects.get(person=self.member)
        with self.assertRaisesMessage(ValidationError, "无需补学"):
            do_record_make_up(present, D(2025, 5, 12), "x")


class PagesTestCase(OrglifeTestCase):
    def test_a_secretary_records_a_meeting_with_a_leave(self):
        meeting = do_plan_meeting(
            self.branch_a1, "committee", "支委会", D(2025, 5, 8), send_notice=False
        )
        self.client.force_login(self.sec_a1)
        page = self.client.get(reverse("orglife:record", args=[meeting.pk]))
        self.assertContains(page, "赵党员")
        r = self.client.post(
            reverse("orglife:record", args=[meeting.pk]),
            {
                "held_on": "2025-05-08",
                f"status_{self.member.pk}": "present",
                f"status_{self.member2.pk}": "leave",
                f"reason_{self.member2.pk}": "住院",
                f"status_{self.sec_a1.pk}": "present",
            },
        )
        self.assertRedirects(r, reverse("orglife:branch", args=[self.branch_a1.pk]))
        leave = Attendance.objects.get(meeting=meeting, person=self.member2)
        self.assertEqual((leave.status, leave.leave_reason), ("leave", "住院"))

    def test_a_bad_form_shows_the_error_and_changes_nothing(self):
        meeting = do_plan_meeting(
            self.branch_a1, "committee", "支委会", D(2025, 5, 8), send_notice=False
        )
        self.client.force_login(self.sec_a1)
        r = self.client.post(
            reverse("orglife:record", args=[meeting.pk]),
            {"held_on": "2025-05-08", f"status_{self.member2.pk}": "leave"},
        )
        self.assertContains(r, "请假须填写事由")
        self.assertFalse(Attendance.objects.exists())

    def test_nobody_else_reaches_a_branch(self):
        meeting = do_plan_meeting(
            self.branch_a1, "committee", "支委会", D(2025, 5, 8), send_notice=False
        )
        urls = [
            reverse("orglife:branch", args=[self.branch_a1.pk]),
            reverse("orglife:record", args=[meeting.pk]),
        ]
        for url in urls:
            self.client.logout()
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)  # anonymous: to sign-in
            for person in (self.member, self.sibling, self.outsider, self.editor_b):
                self.client.force_login(person)
                self.assertEqual(self.client.get(url).status_code, 403, (url, person))
                self.assertEqual(
                    self.client.post(url, {"held_on": "2025-05-08"}).status_code, 403
                )
        meeting.refresh_from_db()
        self.assertIsNone(meeting.held_on)
        # The secretary of A1 does not reach A2; the unit's admin reaches both.
        self.client.force_login(self.sec_a1)
        url_a2 = reverse("orglife:branch", args=[self.branch_a2.pk])
        self.assertEqual(self.client.get(url_a2).status_code, 403)
        self.client.force_login(self.secretary)
        self.assertEqual(self.client.get(url_a2).status_code, 200)
        self.assertEqual(self.client.get(urls[0]).status_code, 200)

    def test_the_unit_view_and_export_list_the_units_branches_behind_first(self):
        year = dt.date.today().year
        self.client.force_login(self.secretary)
        page = self.client.get(reverse("orglife:compliance"), {"year": year})
        self.assertContains(page, "宣传部第一党支部")
        self.assertNotContains(page, "公安局第一党支部")
        r = self.client.get(reverse("orglife:compliance-export"), {"year": year})
        book = load_workbook(io.BytesIO(r.content), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        branches = {row[0] for row in rows[2:]}
        self.assertEqual(branches, {"宣传部第一党支部", "宣传部第二党支部"})
        # A branch secretary has no unit to roll up.
        self.client.force_login(self.sec_a1)
        self.assertEqual(
            self.client.get(reverse("orglife:compliance")).status_code, 403
        )
        self.client.force_login(self.outsider)
        self.assertEqual(
            self.client.get(reverse("orglife:compliance-export")).status_code, 403
        )

    def test_the_compliance_api_answers_only_for_ones_own_branches(self):
        self.client.force_login(self.sec_a1)
        r = self.client.get("/api/orglife/compliance?year=2025")
        self.assertEqual([b["name"] for b in r.json()], ["宣传部第一党支部"])
        cells = r.json()[0]["cells"]
        self.assertEqual(len(cells), 44)  # 3 monthly and 2 quarterly rules
        self.assertEqual(cells[0]["state"], "missing")
        self.client.force_login(self.outsider)
        r = self.client.get("/api/orglife/compliance")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["code"], "forbidden")
