"""民主评议: self and mutual evaluation, the branch's ratings with reasons,
and the ratings reaching study's quantitative assessment."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from dangjian.orglife import evaluation as ev
from dangjian.orglife.models import EvaluationCampaign
from dangjian.orglife.tests.base import OrglifeTestCase
from dangjian.study.assessment import compute
from dangjian.study.models import AssessmentScheme, Indicator


class EvaluationTestCase(OrglifeTestCase):
    def setUp(self):
        self.campaign = ev.do_open_campaign(self.branch_a1, 2025)

    def test_one_campaign_a_year(self):
        with self.assertRaisesMessage(ValidationError, "已经开展"):
            ev.do_open_campaign(self.branch_a1, 2025)
        with self.assertRaisesMessage(ValidationError, "以党支部为单位"):
            ev.do_open_campaign(self.unit_a, 2025)

    def test_members_evaluate_themselves_and_each_other(self):
        ev.do_submit_self(self.campaign, self.member, "认真学习，按时缴纳党费。")
        ev.do_submit_mutual(self.campaign, self.member, self.member2.pk, "excellent")
        ev.do_submit_mutual(self.campaign, self.sec_a1, self.member2.pk, "qualified")
        # A second opinion replaces the first.
        ev.do_submit_mutual(self.campaign, self.member, self.member2.pk, "qualified")
        summary = ev.mutual_summary(self.campaign)
        self.assertEqual(dict(summary[self.member2.pk]), {"qualified": 2})
        with self.assertRaisesMessage(ValidationError, "不能评议自己"):
            ev.do_submit_mutual(self.campaign, self.member, self.member.pk, "excellent")
        with self.assertRaisesMessage(ValidationError, "只有本支部党员"):
            ev.do_submit_mutual(
                self.campaign, self.sibling, self.member.pk, "excellent"
            )
        with self.assertRaisesMessage(ValidationError, "只有本支部党员"):
            ev.do_submit_self(self.campaign, self.outsider, "外单位")

    def test_lower_ratings_need_reasons_and_everyone_is_rated_before_finishing(self):
        with self.assertRaisesMessage(ValidationError, "须写明理由"):
            ev.do_rate(self.campaign, self.member2.pk, "basic")
        ev.do_rate(self.campaign, self.member2.pk, "basic", "多次无故缺席组织生活")
        ev.do_rate(self.campaign, self.member.pk, "excellent")
        with self.assertRaisesMessage(ValidationError, "还有 1 名党员未评定"):
            ev.do_finish(self.campaign)
        ev.do_rate(self.campaign, self.sec_a1.pk, "qualified")
        ev.do_finish(self.campaign)
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.status, EvaluationCampaign.Status.FINISHED)
        with self.assertRaisesMessage(ValidationError, "已结束"):
            ev.do_rate(self.campaign, self.member.pk, "qualified")

    def test_ratings_reach_the_assessment_once_finished(self):
        scheme = AssessmentScheme.objects.create(year=2025, name="2025年度考核")
        Indicator.objects.create(
            scheme=scheme, kind="points", weight=Decimal("50"), target=Decimal("100")
        )
        Indicator.objects.create(
            scheme=scheme,
            kind="evaluation",
            weight=Decimal("50"),
            target=Decimal("100"),
        )
        ev.do_rate(self.campaign, self.member.pk, "excellent")
        ev.do_rate(self.campaign, self.member2.pk, "unqualified", "长期不参加组织生活")
        ev.do_rate(self.campaign, self.sec_a1.pk, "qualified")

        def totals():
            return {p["person_id"]: p["total"] for p in compute(scheme).people}

        # Not finished: the indicator does not apply, points alone count.
        self.assertEqual(totals().get(self.member.pk), 0.0)
        ev.do_finish(self.campaign)
        scores = totals()
        self.assertEqual(scores[self.member.pk], 50.0)  # 0 points, 优秀 100
        self.assertEqual(scores[self.member2.pk], 0.0)  # 不合格 0
        self.assertEqual(scores[self.sec_a1.pk], 42.5)  # 合格 85
