"""发展党员: every statutory check of the pipeline, working days counted
with weekends, public holidays and 调休."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from dangjian.orglife import recruitment as r
from dangjian.orglife.models import Recruit, RecruitStep, Stage
from dangjian.orglife.tests.base import DisclosureColumnMixin, OrglifeTestCase

D = dt.date


class PipelineTestCase(DisclosureColumnMixin, OrglifeTestCase):
    def applicant(self) -> Recruit:
        return r.do_register_applicant(
            self.branch_a1, "刘青年", D(2000, 6, 1), D(2021, 3, 1)
        )

    def candidate(self) -> Recruit:
        recruit = self.applicant()
        r.do_make_activist(recruit, D(2021, 6, 1), resolution="支委会决定")
        r.do_record_training(recruit, D(2021, 11, 20))
        return r.do_make_candidate(recruit, D(2022, 6, 1), resolution="支委会研究")

    def test_an_applicant_of_17_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "年满十八岁"):
            r.do_register_applicant(
                self.branch_a1, "小王", D(2008, 6, 2), D(2026, 6, 1)
            )
        self.assertFalse(Recruit.objects.exists())
        # On the 18th birthday the application is accepted.
        recruit = r.do_register_applicant(
            self.branch_a1, "小王", D(2008, 6, 1), D(2026, 6, 1)
        )
        self.assertEqual(recruit.stage, Stage.APPLICANT)
        self.assertEqual(recruit.steps.count(), 1)

    def test_the_admins_form_refuses_an_applicant_of_17_too(self):
        recruit = Recruit(
            branch=self.branch_a1,
            name="小王",
            birth_date=D(2008, 6, 2),
            applied_on=D(2026, 6, 1),
        )
        with self.assertRaisesMessage(ValidationError, "年满十八岁"):
            recruit.full_clean()

    def test_an_activist_of_11_months_is_not_yet_a_candidate(self):
        recruit = self.applicant()
        r.do_make_activist(recruit, D(2021, 6, 1))
        r.do_record_training(recruit, D(2021, 11, 20))
        with self.assertRaisesMessage(ValidationError, "满一年（2022-06-01）"):
            r.do_make_candidate(recruit, D(2022, 5, 1))
        recruit.refresh_from_db()
        self.assertEqual(recruit.stage, Stage.ACTIVIST)
        r.do_make_candidate(recruit, D(2022, 6, 1))

    def test_a_candidate_needs_the_training(self):
        recruit = self.applicant()
        r.do_make_activist(recruit, D(2021, 6, 1))
        with self.assertRaisesMessage(ValidationError, "培训结业"):
            r.do_make_candidate(recruit, D(2022, 7, 1))

    def test_a_notice_of_4_working_days_across_national_day_is_refused(self):
        recruit = self.candidate()
        # Sun 28 Sep 2025 (调休, a working day), Mon 29, Tue 30, then the
        # holiday 1–8 Oct, then Thu 9 Oct: four working days in twelve.
        with self.assertRaisesMessage(ValidationError, "只有 4 个工作日"):
            r.do_record_notice(recruit, D(2025, 9, 28), D(2025, 10, 9))
        # Plus Fri 10 Oct: five.
        r.do_record_notice(recruit, D(2025, 9, 28), D(2025, 10, 10))
        recruit.refresh_from_db()
        self.assertEqual(recruit.notice_to, D(2025, 10, 10))

    def test_a_notice_over_a_weekend_counts_only_working_days(self):
        recruit = self.candidate()
        # Thu 4 to Tue 9 Dec 2025: Thu, Fri, Mon, Tue.
        with self.assertRaisesMessage(ValidationError, "只有 4 个工作日"):
            r.do_record_notice(recruit, D(2025, 12, 4), D(2025, 12, 9))

    def test_admission_needs_the_notice_and_both_decisions(self):
        recruit = self.candidate()
        with self.assertRaisesMessage(ValidationError, "须经过公示"):
            r.do_admit(recruit, D(2025, 11, 1), resolution="大会", approval="党委")
        self.published_notice(recruit, D(2025, 10, 13), D(2025, 10, 13))
        with self.assertRaisesMessage(ValidationError, "公示期满后"):
            r.do_admit(recruit, D(2025, 10, 17), resolution="大会", approval="党委")
        with self.assertRaisesMessage(ValidationError, "上级党委审批"):
            r.do_admit(recruit, D(2025, 10, 20), resolution="大会", approval=" ")
        recruit = r.do_admit(
            recruit,
            D(2025, 10, 20),
            resolution="支部大会决议",
            approval="区委组织部批复",
        )
        self.assertEqual(recruit.stage, Stage.PROBATIONARY)
        self.assertEqual(recruit.probation_until, D(2026, 10, 20))
        step = recruit.steps.get(stage=Stage.PROBATIONARY)
        self.assertEqual(step.approval, "区委组织部批复")

    def probationary(self) -> Recruit:
        recruit = self.candidate()
        self.published_notice(recruit, D(2025, 3, 3), D(2025, 3, 3))
        return r.do_admit(recruit, D(2025, 3, 10), resolution="决议", approval="批复")

    def test_full_membership_after_the_probation_year(self):
        recruit = self.probationary()
        with self.assertRaisesMessage(ValidationError, "预备期满（2026-03-10）"):
            r.do_make_full(recruit, D(2026, 3, 9), resolution="决议", approval="批复")
        recruit = r.do_make_full(
            recruit, D(2026, 3, 10), resolution="决议", approval="批复"
        )
        self.assertEqual(recruit.stage, Stage.FULL)
        with self.assertRaisesMessage(ValidationError, "不能进行这一步"):
            r.do_cancel(recruit, D(2026, 3, 11), reason="x")

    def test_an_extension_once_and_at_most_a_year_or_a_cancellation(self):
        recruit = self.probationary()
        with self.assertRaisesMessage(ValidationError, "不能超过一年"):
            r.do_extend_probation(recruit, 13, reason="表现一般")
        recruit = r.do_extend_probation(recruit, 6, reason="需要继续考察")
        self.assertEqual(recruit.probation_until, D(2026, 9, 10))
        with self.assertRaisesMessage(ValidationError, "只能延长一次"):
            r.do_extend_probation(recruit, 3, reason="再延")
        recruit = r.do_cancel(recruit, D(2026, 1, 5), reason="不具备党员条件")
        self.assertEqual(recruit.stage, Stage.CANCELLED)
        self.assertTrue(RecruitStep.objects.filter(stage=Stage.CANCELLED).exists())

    def test_steps_out_of_order_are_refused(self):
        recruit = self.applicant()
        with self.assertRaisesMessage(ValidationError, "入党申请人"):
            r.do_admit(recruit, D(2025, 1, 1), resolution="x", approval="y")
        with self.assertRaisesMessage(ValidationError, "不能早于递交申请书"):
            r.do_make_activist(recruit, D(2021, 2, 1))

    def test_overdue_and_upcoming_deadlines(self):
        late = self.probationary()  # probation ended 2026-03-10
        activist = self.applicant()
        r.do_make_activist(activist, D(2025, 12, 1))
        found = r.deadlines(Recruit.objects.all(), today=D(2026, 11, 20))
        self.assertEqual(
            [(d.recruit.pk, d.overdue, d.on) for d in found],
            [(late.pk, True, D(2026, 3, 10)), (activist.pk, False, D(2026, 12, 1))],
        )
