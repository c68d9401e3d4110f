import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.study.assessment import competition_ranks, compute, do_run_assessment
from dangjian.study.models import (
    AssessmentScheme,
    Attendance,
    Indicator,
    PersonScore,
    PointEntry,
    PointRule,
    Progress,
    SpotCheck,
    SpotCheckItem,
    StudySession,
    UnitScore,
)
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class AssessmentTestCase(StudyTestCase):
    """A hand-computed example.

    Indicators: points 30% (100 points for full marks), plan completion 30%,
    sessions 20% (4 for full marks), spot check 20% (需改进 scores 60),
    quiz 0%.

    * member: 50 points → 50; plan 1 of 2 → 50; 1 session → 25; 需改进 → 60.
      (30×50 + 30×50 + 20×25 + 20×60) / 100 = 47.00
    * sibling: 120 points → 100; plan 0 of 2 → 0; 0 sessions → 0; not drawn.
      (30×100 + 30×0 + 20×0) / 80 = 37.50
    * outsider: 0 points; no plan; 0 sessions; not drawn. 0 / 50 = 0.00
    * 市委宣传部: (47 + 37.5) / 2 = 42.25; 市公安局: 0.00
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        year = timezone.localdate().year
        cls.year = year
        cls.plan.starts_on = dt.date(year, 1, 1)
        cls.plan.deadline = dt.date(year, 12, 31)
        cls.plan.save()
        cls.scheme = AssessmentScheme.objects.create(year=year, name="年度考核")
        for order, (kind, weight, target) in enumerate(
            [
                (Indicator.Kind.POINTS, 30, 100),
                (Indicator.Kind.PLAN_COMPLETION, 30, 100),
                (Indicator.Kind.SESSIONS, 20, 4),
                (Indicator.Kind.SPOT_CHECK, 20, 60),
                (Indicator.Kind.QUIZ_AVERAGE, 0, 100),
            ]
        ):
            Indicator.objects.create(
                scheme=cls.scheme,
                kind=kind,
                weight=Decimal(weight),
                target=Decimal(target),
                sort_order=order,
            )
        rule = PointRule.objects.get(kind="article_read")
        day = dt.date(year, 3, 1)
        for person, points in [(cls.member, 50), (cls.sibling, 120)]:
            PointEntry.objects.create(
                person=person, rule=rule, source="x", points=points, day=day
            )
        # Points of another year do not count.
        PointEntry.objects.create(
            person=cls.outsider,
            rule=rule,
            source="y",
            points=99,
            day=dt.date(year - 1, 12, 31),
        )
        moment = timezone.make_aware(dt.datetime(year, 3, 1, 10))
        Progress.objects.create(
            person=cls.member, material=cls.article, completed_at=moment, seconds=99
        )
        session = StudySession.objects.create(
            title="研讨",
            type="seminar",
            organisation=cls.branch_a1,
            organiser=cls.secretary,
            starts_at=moment,
            ends_at=moment + dt.timedelta(hours=1),
        )
        Attendance.objects.create(session=session, person=cls.member, method="code")
        check = SpotCheck.objects.create(
            organisation=cls.unit_a,
            title="抽查",
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 6, 30),
            seed=1,
            created_by=cls.secretary,
        )
        SpotCheckItem.objects.create(
            spot_check=check,
            person=cls.member,
            branch=cls.branch_a1,
            result="improve",
            comment="心得偏少",
            checked_at=moment,
        )

    def test_scores_match_the_hand_computed_example(self):
        computed = compute(self.scheme)
        totals = {r["person_id"]: r["total"] for r in computed.people}
        self.assertEqual(
            totals, {self.member.pk: 47.0, self.sibling.pk: 37.5, self.outsider.pk: 0.0}
        )
        units = {u["unit_id"]: (u["average"], u["rank"]) for u in computed.units}
        self.assertEqual(units, {self.unit_a.pk: (42.25, 1), self.unit_b.pk: (0.0, 2)})

    def test_the_breakdown_shows_how_the_score_was_computed(self):
        computed = compute(self.scheme)
        member = next(r for r in computed.people if r["person_id"] == self.member.pk)
        terms = {t["kind"]: t for t in member["breakdown"]}
        self.assertEqual(terms["points"]["value"], 50)
        self.assertEqual(terms["points"]["contribution"], 15.0)
        self.assertEqual(terms["plan"]["contribution"], 15.0)
        self.assertEqual(terms["sessions"]["contribution"], 5.0)
        self.assertEqual(terms["spot_check"]["contribution"], 12.0)
        self.assertIsNone(terms["quiz"]["score"])
        sibling = next(r for r in computed.people if r["person_id"] == self.sibling.pk)
        terms = {t["kind"]: t for t in sibling["breakdown"]}
        self.assertIsNone(terms["spot_check"]["contribution"])
        self.assertEqual(terms["points"]["effective_weight"], 37.5)

    def test_a_run_is_saved_with_ranks_and_replaces_the_previous_one(self):
        do_run_assessment(self.scheme, acting_user=self.admin)
        run = do_run_assessment(self.scheme, acting_user=self.admin)
        self.assertEqual(self.scheme.runs.count(), 1)
        ranks = dict(
            PersonScore.objects.filter(run=run).values_list("person_id", "rank")
        )
        self.assertEqual(
            ranks, {self.sibling.pk: 2, self.member.pk: 1, self.outsider.pk: 3}
        )
        self.assertEqual(UnitScore.objects.filter(run=run).count(), 2)

    def test_weights_must_add_up_to_100(self):
        Indicator.objects.filter(scheme=self.scheme, kind="points").update(weight=10)
        with self.assertRaisesMessage(ValidationError, "权重之和须为 100"):
            compute(self.scheme)

    def test_equal_totals_share_a_rank(self):
        self.assertEqual(competition_ranks([5, 9, 5, 1]), [2, 1, 2, 4])

    def test_ranking_pages_and_excel_export(self):
        from io import BytesIO

        from openpyxl import load_workbook

        self.client.login(username="admin", password=PASSWORD)
        url = reverse("study:assessment", args=[self.year])
        self.client.post(url)
        response = self.client.get(url)
        self.assertContains(response, "42.25")
        response = self.client.get(reverse("study:assessment-xlsx", args=[self.year]))
        workbook = load_workbook(BytesIO(response.content))
        units = list(workbook["单位排名"].iter_rows(values_only=True))
        self.assertEqual(units[1][:4], (1, "市委宣传部", 2, 42.25))
        people = list(workbook["个人得分"].iter_rows(values_only=True))
        self.assertEqual(people[1][:5], (1, "张党员", "member", "市委宣传部", 47.0))
        # The unit admin sees their unit's people; a member sees their own score.
        self.client.login(username="secretary", password=PASSWORD)
        response = self.client.get(url)
        self.assertContains(response, "张党员")
        self.assertNotContains(response, "李群众")
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get(url)
        self.assertContains(response, "47.00")
        self.assertContains(response, "抽查结果")
        self.assertEqual(self.client.post(url).status_code, 200)
        self.assertEqual(self.scheme.runs.count(), 1)
