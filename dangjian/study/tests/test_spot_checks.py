import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.study import actions
from dangjian.study.models import SpotCheckItem
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD, make_person

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


class SpotCheckTestCase(StudyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # 9 more members in A1 (10 in all) and 4 more in A2 (5 in all).
        for n in range(9):
            do_grant_role(make_person(f"a1m{n}"), cls.branch_a1, Role.MEMBER)
        for n in range(4):
            do_grant_role(make_person(f"a2m{n}"), cls.branch_a2, Role.MEMBER)

    def draw(self, **kwargs):
        kwargs.setdefault("size", 6)
        return actions.check_create_spot_check(
            self.unit_a,
            title="一季度抽查",
            period_start=START,
            period_end=END,
            acting_user=self.secretary,
            **kwargs,
        )

    def sample(self, check):
        return sorted(check.items.values_list("branch_id", "person_id"))

    def test_the_same_seed_draws_the_same_people(self):
        first = self.draw(seed=42)
        again = self.draw(seed=42)
        other = self.draw(seed=43)
        self.assertEqual(self.sample(first), self.sample(again))
        self.assertNotEqual(self.sample(first), self.sample(other))
        self.assertEqual(first.seed, 42)

    def test_the_sample_is_stratified_by_branch(self):
        check = self.draw(size=6, seed=7)
        by_branch = {}
        for branch_id, _person in self.sample(check):
            by_branch[branch_id] = by_branch.get(branch_id, 0) + 1
        self.assertEqual(by_branch, {self.branch_a1.pk: 4, self.branch_a2.pk: 2})
        self.assertEqual(check.population, 15)

    def test_a_percentage_and_a_recorded_random_seed(self):
        check = self.draw(size=None, percent=20)
        self.assertEqual(check.items.count(), 3)
        self.assertIsNotNone(check.seed)
        # Redrawing with the recorded seed reproduces it.
        again = self.draw(size=None, percent=20, seed=check.seed)
        self.assertEqual(self.sample(check), self.sample(again))

    def test_bad_requests_are_refused_and_draw_nothing(self):
        with self.assertRaises(ValidationError):
            self.draw(size=None)
        with self.assertRaises(ValidationError):
            self.draw(size=3, percent=10)
        with self.assertRaises(PermissionDenied):
            actions.check_create_spot_check(
                self.unit_a,
                title="x",
                period_start=START,
                period_end=END,
                size=1,
                acting_user=self.editor_b,
            )
        self.assertFalse(SpotCheckItem.objects.exists())

    def test_checkers_record_results_which_show_in_the_archive(self):
        check = self.draw(seed=1)
        item = check.items.first()
        with self.assertRaisesMessage(ValidationError, "写明意见"):
            actions.check_record_spot_result(
                item, "improve", "", acting_user=self.secretary
            )
        with self.assertRaises(PermissionDenied):
            actions.check_record_spot_result(item, "pass", "", acting_user=self.member)
        check.checkers.add(self.reviewer)
        actions.check_record_spot_result(
            item, "improve", "心得偏少", acting_user=self.reviewer
        )
        item.refresh_from_db()
        self.assertEqual(item.result, "improve")
        self.client.login(username="reviewer", password=PASSWORD)
        response = self.client.get(
            reverse("study:archive-person", args=[item.person_id])
            + "?start=2026-01-01&end=2026-03-31"
        )
        self.assertContains(response, "心得偏少")

    def test_the_unit_page_draws_a_sample(self):
        self.client.login(username="secretary", password=PASSWORD)
        url = reverse("study:unit", args=[self.unit_a.pk])
        response = self.client.post(
            url,
            {
                "title": "抽查",
                "period_start": "2026-01-01",
                "period_end": "2026-03-31",
                "size": "3",
                "seed": "9",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(SpotCheckItem.objects.count(), 3)
        response = self.client.post(url, {"title": "抽查", "size": "abc"}, follow=True)
        self.assertContains(response, "须为整数")
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(url).status_code, 403)
