from django.urls import reverse
from wagtail.models import WorkflowPage

from dangjian.orgs.models import Role
from dangjian.orgs.roles import ensure_role_group
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD


class PagesTestCase(StudyTestCase):
    def test_the_home_page_capability_resolves(self):
        self.assertEqual(reverse("study:index"), "/study/")

    def test_the_index_lists_what_the_person_may_see(self):
        response = self.client.get(reverse("study:index"))
        self.assertContains(response, "公开的学习资料")
        self.assertNotContains(response, "微党课")
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get(reverse("study:index"))
        self.assertContains(response, "微党课")
        self.assertContains(response, "二十大精神学习计划")

    def test_each_section_is_reviewed_by_its_own_unit(self):
        workflow = WorkflowPage.objects.get(page=self.section_a).workflow
        groups = [list(task.specific.groups.all()) for task in workflow.tasks]
        self.assertEqual(
            groups,
            [
                [ensure_role_group(self.unit_a, Role.REVIEWER)],
                [ensure_role_group(self.unit_a, Role.APPROVER)],
            ],
        )
        self.assertNotEqual(
            WorkflowPage.objects.get(page=self.section_b).workflow, workflow
        )

    def test_an_editors_submission_waits_for_review(self):
        from dangjian.study.models import MaterialPage

        page = MaterialPage(
            title="待审资料", slug="draft", topic=self.topic, live=False
        )
        self.section_a.add_child(instance=page)
        revision = page.save_revision(user=self.editor)
        workflow = page.get_workflow()
        workflow.start(page, self.editor)
        page.refresh_from_db()
        self.assertFalse(page.live)
        self.assertEqual(page.current_workflow_task.name, "市委宣传部·学习资料审查")
        self.assertTrue(revision)
        self.assertFalse(
            MaterialPage.objects.visible_to(self.member).filter(pk=page.pk).exists()
        )

    def test_my_page_shows_the_study_panel(self):
        self.client.login(username="member", password=PASSWORD)
        response = self.client.get(reverse("portal:me"))
        self.assertContains(response, "我的学习档案")
        self.assertContains(response, "二十大精神学习计划")

    def test_the_unit_page_is_for_unit_admins(self):
        self.client.login(username="secretary", password=PASSWORD)
        response = self.client.get(reverse("study:manage"), follow=True)
        self.assertContains(response, "市委宣传部 · 学习情况")
        self.assertContains(response, "进度落后")
        self.client.login(username="member", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("study:manage")).status_code, 403)

    def test_admin_listings_load(self):
        self.client.login(username="admin", password=PASSWORD)
        for name in (
            "study_topics",
            "study_videos",
            "study_plans",
            "study_sessions",
            "study_point_rules",
            "study_ledger",
            "study_schemes",
        ):
            response = self.client.get(reverse(f"{name}:index"))
            self.assertEqual(response.status_code, 200, name)
        response = self.client.get(reverse("study_plans:edit", args=[self.plan.pk]))
        self.assertEqual(response.status_code, 200)
