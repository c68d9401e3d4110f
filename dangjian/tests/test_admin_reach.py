"""The admin's own views name only what a person may know of (issue 14).

Each test is a door an editor of another unit (市公安局) tried: Wagtail's page
views, bulk actions, reports, the admin API's documents and the page and
document choosers. Each has its positive control, so the test fails if the
door is simply shut for everyone.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model

from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.publicity.models import Channel, Delivery, Release
from dangjian.study import actions as study_actions
from dangjian.study.models import MaterialPage, Topic
from dangjian.test import PrivateFilesMixin, make_person

SECRET = "甲单位党内哨兵通报"
PLAN_ONLY = "甲单位计划专享资料"


class AdminReachTestCase(PrivateFilesMixin, DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        column = study_actions.do_ensure_column(cls.home)
        cls.study_a = study_actions.do_ensure_section(cls.unit_a, column)
        cls.plan_only = study_actions.do_publish_material(
            cls.study_a,
            MaterialPage(
                title=PLAN_ONLY,
                slug="plan-only",
                topic=Topic.objects.create(name="二十大报告"),
                body="<p>学习</p>",
                visibility=MaterialPage.Visibility.PLAN,
            ),
            acting_user=cls.admin,
        )
        Document = get_document_model()
        cls.doc_a = Document.objects.create(
            title="甲单位内部名单",
            file=ContentFile(b"a", name="a.txt"),
            uploaded_by_user=cls.editor,
        )
        cls.doc_b = Document.objects.create(
            title="乙单位办事指南",
            file=ContentFile(b"b", name="b.txt"),
            uploaded_by_user=cls.editor_b,
        )

    def setUp(self):
        self.secret = self.release(
            self.make_item(SECRET, scope="internal", audience=[self.unit_a])
        )
        self.own = self.make_item(
            "公安局便民通告", section=self.section_b, editor=self.editor_b
        )

    def get(self, user, url, **query):
        self.client.force_login(user)
        return self.client.get(url, query)

    # --- Page views --------------------------------------------------------------

    def test_another_units_page_views_answer_403_without_the_title(self):
        for name in (
            "wagtailadmin_pages:history",
            "wagtailadmin_pages:workflow_history",
        ):
            response = self.get(self.editor_b, reverse(name, args=[self.secret.pk]))
            self.assertEqual(response.status_code, 403, name)
            self.assertNotContains(response, SECRET, status_code=403)
        move = self.get(
            self.editor_b, reverse("wagtailadmin_pages:move", args=[self.secret.pk])
        )
        self.assertEqual(move.status_code, 403)
        # Positive control: the same views of their own unit's item open.
        own = self.get(
            self.editor_b, reverse("wagtailadmin_pages:history", args=[self.own.pk])
        )
        self.assertContains(own, "公安局便民通告")

    # --- Bulk actions ------------------------------------------------------------

    def test_a_bulk_action_lists_only_the_pages_the_person_may_reach(self):
        url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
        response = self.get(self.editor_b, url, id=[self.secret.pk, self.own.pk])
        self.assertNotContains(response, SECRET)
        # "All children of unit A's section": none is theirs, nothing to act on.
        response = self.get(self.editor_b, url, id="all", childOf=self.section_a.pk)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(SECRET, response.content.decode())
        # Positive control: a colleague of unit A is told about the item.
        response = self.get(self.approver, url, id=[self.secret.pk])
        self.assertContains(response, SECRET)

    # --- Reports -----------------------------------------------------------------

    def test_site_wide_reports_are_for_superusers_only(self):
        site_history = reverse("wagtailadmin_reports:site_history")
        self.assertEqual(self.get(self.editor_b, site_history).status_code, 403)
        self.assertEqual(self.get(self.approver, site_history).status_code, 403)
        self.assertContains(self.get(self.admin, site_history), SECRET)
        # Unit admins, who may lock pages, keep the report of their own locks.
        locked = self.get(self.secretary, reverse("wagtailadmin_reports:locked_pages"))
        self.assertEqual(locked.status_code, 200)

    # --- Documents -----------------------------------------------------------------

    def test_the_admin_api_and_the_chooser_list_only_the_units_documents(self):
        api = self.get(self.editor_b, reverse("wagtailadmin_api:documents:listing"))
        titles = {item["title"] for item in api.json()["items"]}
        self.assertEqual(titles, {"乙单位办事指南"})
        chooser = self.chooser(self.editor_b)
        self.assertIn("乙单位办事指南", chooser)
        self.assertNotIn("甲单位内部名单", chooser)
        # A fellow editor of the uploader's unit sees it.
        colleague = make_person("editor_a2", "宣传部编辑二")
        do_grant_role(colleague, self.unit_a, Role.EDITOR)
        self.assertIn("甲单位内部名单", self.chooser(colleague))

    def test_a_choosers_chosen_view_names_only_reachable_objects(self):
        url = "wagtaildocs_chooser:chosen"
        other = self.get(self.editor_b, reverse(url, args=[self.doc_a.pk]))
        self.assertEqual(other.status_code, 403)
        self.assertNotIn("甲单位内部名单", other.content.decode("unicode_escape"))
        own = self.get(self.editor_b, reverse(url, args=[self.doc_b.pk]))
        self.assertEqual(own.json()["result"]["title"], "乙单位办事指南")

    def chooser(self, user) -> str:
        return self.get(user, reverse("wagtaildocs_chooser:choose")).json()["html"]

    # --- Page choosers -----------------------------------------------------------------

    def test_the_page_chooser_names_no_other_units_restricted_pages(self):
        for query in ("甲单位", "哨兵", "专享"):
            response = self.get(
                self.editor_b, reverse("wagtailadmin_choose_page_search"), q=query
            )
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, SECRET)
            self.assertNotContains(response, PLAN_ONLY)
        browse = self.get(
            self.editor_b,
            reverse("wagtailadmin_choose_page_child", args=[self.section_a.pk]),
        )
        self.assertNotContains(browse, SECRET)
        # Positive control: the unit's own staff and a member in scope's
        # unit see both.
        for user in (self.editor, self.secretary):
            response = self.get(
                user, reverse("wagtailadmin_choose_page_search"), q="甲单位"
            )
            self.assertContains(response, SECRET)
            self.assertContains(response, PLAN_ONLY)


class DeliveryLogTestCase(DisclosureTestCase):
    def test_a_channels_usage_view_links_its_deliveries_to_the_read_only_log(self):
        channel = Channel.objects.create(name="公安微博", organisation=self.unit_b)
        release = Release.objects.create(
            kind=Release.Kind.KB, object_id=1, title="发布", url="/x/", unit=self.unit_b
        )
        delivery = Delivery.objects.create(release=release, channel=channel)
        response = self.get_usage(channel)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, reverse("publicity_deliveries:inspect", args=[delivery.pk])
        )

    def get_usage(self, channel):
        self.client.force_login(self.admin)
        return self.client.get(reverse("publicity_channels:usage", args=[channel.pk]))
