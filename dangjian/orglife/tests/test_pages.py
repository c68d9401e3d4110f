"""The branch's dues, recruits and review pages: what the secretary does
there, and nobody else reaching them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from dangjian.orglife import evaluation as ev
from dangjian.orglife import recruitment as rc
from dangjian.orglife.actions import do_declare_base
from dangjian.orglife.models import (
    BranchRating,
    DuesPayment,
    MutualEvaluation,
    Recruit,
    SelfEvaluation,
    Stage,
)
from dangjian.orglife.tests.base import OrglifeTestCase

D = dt.date


class BranchPagesTestCase(OrglifeTestCase):
    def setUp(self):
        self.declaration = do_declare_base(
            self.member, self.branch_a1, 2025, "employed", "6000"
        )
        self.recruit = rc.do_register_applicant(
            self.branch_a1, "刘青年", D(2000, 6, 1), D(2021, 3, 1)
        )

    def test_the_secretary_confirms_a_base_and_records_payments(self):
        self.client.force_login(self.sec_a1)
        url = reverse("orglife:branch-dues", args=[self.branch_a1.pk]) + "?year=2025"
        self.assertContains(self.client.get(url), "确认基数")
        self.client.post(url, {"declaration": self.declaration.pk, "action": "confirm"})
        self.declaration.refresh_from_db()
        self.assertIsNotNone(self.declaration.confirmed_at)
        r = self.client.post(
            url,
            {
                "declaration": self.declaration.pk,
                "months": ["2025-01-01", "2025-02-01"],
                "method": "transfer",
            },
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(
            list(DuesPayment.objects.values_list("month", "method")),
            [(D(2025, 2, 1), "transfer"), (D(2025, 1, 1), "transfer")],
        )
        # A forged month outside the year changes nothing.
        self.client.post(
            url,
            {
                "declaration": self.declaration.pk,
                "months": ["2024-12-01"],
                "method": "cash",
            },
        )
        self.assertEqual(DuesPayment.objects.count(), 2)

    def test_the_secretary_takes_a_recruit_through_a_step(self):
        self.client.force_login(self.sec_a1)
        url = reverse("orglife:recruit", args=[self.recruit.pk])
        r = self.client.post(url, {"step": "admit", "on": "2025-01-01"})
        self.assertContains(self.client.get(url), "刘青年")
        self.recruit.refresh_from_db()
        self.assertEqual(self.recruit.stage, Stage.APPLICANT)
        r = self.client.post(url, {"step": "activist", "on": "2021-06-01"})
        self.assertEqual(r.status_code, 302)
        self.recruit.refresh_from_db()
        self.assertEqual(self.recruit.stage, Stage.ACTIVIST)
        # Registering an applicant of 17 on the branch's page is refused.
        r = self.client.post(
            reverse("orglife:branch-recruits", args=[self.branch_a1.pk]),
            {"name": "小李", "birth_date": "2009-01-01", "applied_on": "2026-01-01"},
            follow=True,
        )
        self.assertContains(r, "年满十八岁")
        self.assertEqual(Recruit.objects.count(), 1)

    def test_a_review_from_members_to_the_branchs_rating(self):
        self.client.force_login(self.sec_a1)
        url = reverse("orglife:branch-review", args=[self.branch_a1.pk]) + "?year=2025"
        self.client.post(url, {"action": "open"})
        self.client.force_login(self.member)
        self.client.post(
            reverse("orglife:my-review"), {"action": "self", "text": "按时参加"}
        )
        self.client.post(
            reverse("orglife:my-review"),
            {"ratee": self.member2.pk, "rating": "excellent"},
        )
        self.assertEqual(SelfEvaluation.objects.get().text, "按时参加")
        self.assertEqual(MutualEvaluation.objects.get().rating, "excellent")
        self.client.force_login(self.sec_a1)
        self.assertContains(self.client.get(url), "优秀 1")
        self.client.post(url, {"person": self.member2.pk, "rating": "unqualified"})
        self.assertFalse(BranchRating.objects.exists())  # a reason is required
        self.client.post(
            url, {"person": self.member2.pk, "rating": "unqualified", "reason": "失联"}
        )
        self.assertEqual(BranchRating.objects.get().rating, "unqualified")

    def test_nobody_else_reaches_the_branch_pages(self):
        ev.do_open_campaign(self.branch_a1, 2025)
        urls = [
            reverse("orglife:branch-dues", args=[self.branch_a1.pk]),
            reverse("orglife:branch-recruits", args=[self.branch_a1.pk]),
            reverse("orglife:branch-review", args=[self.branch_a1.pk]) + "?year=2025",
            reverse("orglife:recruit", args=[self.recruit.pk]),
        ]
        for person in (self.member, self.sibling, self.outsider, self.editor_b):
            self.client.force_login(person)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 403, (url, person))
            self.client.post(
                urls[0], {"declaration": self.declaration.pk, "action": "confirm"}
            )
            self.client.post(urls[3], {"step": "activist", "on": "2021-06-01"})
            self.client.post(urls[2], {"person": self.member.pk, "rating": "excellent"})
        self.declaration.refresh_from_db()
        self.recruit.refresh_from_db()
        self.assertIsNone(self.declaration.confirmed_at)
        self.assertEqual(self.recruit.stage, Stage.APPLICANT)
        self.assertFalse(BranchRating.objects.exists())
        # A member of another branch is not part of this branch's review.
        self.client.force_login(self.sibling)
        self.assertContains(self.client.get(reverse("orglife:my-review")), "没有进行中")


class MemberDeclaresTestCase(OrglifeTestCase):
    def test_a_member_declares_and_cannot_change_after_confirmation(self):
        from dangjian.orglife.actions import do_confirm_declaration
        from dangjian.orglife.models import DuesDeclaration

        self.client.force_login(self.member)
        url = reverse("orglife:mine")
        r = self.client.post(url, {"kind": "employed", "base": "abc"}, follow=True)
        self.assertContains(r, "须为数字")
        self.assertFalse(DuesDeclaration.objects.exists())
        self.client.post(url, {"kind": "employed", "base": "6000"})
        declaration = DuesDeclaration.objects.get(person=self.member)
        self.assertEqual(
            (declaration.branch_id, str(declaration.monthly)),
            (self.branch_a1.pk, "90.00"),
        )
        do_confirm_declaration(declaration)
        r = self.client.post(url, {"kind": "employed", "base": "100"}, follow=True)
        self.assertContains(r, "已由支部确认")
        declaration.refresh_from_db()
        self.assertEqual(str(declaration.monthly), "90.00")
