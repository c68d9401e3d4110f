"""A 党内公开 item reaches only its audience, through every path.

Each path is tried by an anonymous visitor, an out-of-scope member
(outsider, of 市公安局) and an in-scope member (member, of 宣传部第一党支部).
"""

from __future__ import annotations

import shutil
import tempfile

from django.core.files.base import ContentFile
from django.test import override_settings
from wagtail.documents.models import Document

from dangjian.disclosure.models import DisclosureAttachment, DisclosureItemPage
from dangjian.disclosure.search import index_item
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.orgs.actions import do_issue_token

MEDIA = tempfile.mkdtemp(prefix="dj-disclosure-media-")

PUBLIC_TITLE = "市委宣传部2026年度工作要点"
INTERNAL_TITLE = "关于红旗渠精神专题研讨的党内通知"
INTERNAL_WORD = "红旗渠精神"
BRANCH_TITLE = "第一党支部党费收缴情况"
DRAFT_TITLE = "尚未发布的红旗渠精神学习安排"
OTHER_TITLE = "公安局党委关于红旗渠精神学习的通报"


@override_settings(MEDIA_ROOT=MEDIA)
class ScopeTestCase(DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        self = cls()
        cls.public = self.release(
            self.make_item(PUBLIC_TITLE, "<p>全面从严治党永远在路上，红旗渠精神。</p>")
        )
        cls.document = Document.objects.create(
            title="研讨名单", file=ContentFile("研讨名单".encode(), name="list.txt")
        )
        item = self.make_item(
            INTERNAL_TITLE,
            f"<p>各支部学习{INTERNAL_WORD}，开展专题研讨。</p>",
            scope="internal",
            audience=[cls.unit_a],
            include_descendants=True,
            summary="党内摘要",
        )
        DisclosureAttachment.objects.create(page=item, document=cls.document)
        item.save_revision(user=cls.editor)
        cls.internal = self.release(item)
        cls.branch_only = self.release(
            self.make_item(
                BRANCH_TITLE,
                "<p>第三季度党费收缴情况。</p>",
                scope="internal",
                audience=[cls.branch_a1],
                include_descendants=False,
            )
        )
        cls.draft_document = Document.objects.create(
            title="草稿附件", file=ContentFile(b"draft", name="draft.txt")
        )
        cls.draft = self.make_item(
            DRAFT_TITLE,
            f"<p>{INTERNAL_WORD}学习安排（草稿）。</p>",
            scope="internal",
            audience=[cls.unit_a],
        )
        DisclosureAttachment.objects.create(page=cls.draft, document=cls.draft_document)
        cls.other = self.release(
            self.make_item(
                OTHER_TITLE,
                f"<p>公安局学习{INTERNAL_WORD}。</p>",
                scope="internal",
                audience=[cls.unit_b],
                section=cls.section_b,
                editor=cls.editor_b,
            ),
            editor=cls.editor_b,
            reviewer=cls.admin,
            approver=cls.admin,
        )

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self):
        # Index writes are logged and applied when the transaction commits.
        with self.captureOnCommitCallbacks(execute=True):
            for page in (
                self.public,
                self.internal,
                self.branch_only,
                self.draft,
                self.other,
            ):
                index_item(page.pk)

    def as_(self, who):
        self.client.logout()
        if who is not None:
            self.client.force_login(who)

    # --- Column pages, search and snippets ---------------------------------

    def test_the_column_lists_internal_items_only_to_their_audience(self):
        cases = [(None, False), (self.outsider, False), (self.member, True)]
        for who, sees in cases:
            with self.subTest(who=who):
                self.as_(who)
                response = self.client.get("/disclosure/")
                self.assertContains(response, PUBLIC_TITLE)
                self.assertEqual(INTERNAL_TITLE in response.content.decode(), sees)
                self.assertNotContains(response, DRAFT_TITLE)
        self.as_(self.outsider)
        self.assertContains(self.client.get("/disclosure/"), OTHER_TITLE)
        self.as_(self.member)
        self.assertNotContains(self.client.get("/disclosure/"), OTHER_TITLE)

    def test_search_results_and_snippets_respect_scope(self):
        for who, sees in [(None, False), (self.outsider, False), (self.member, True)]:
            with self.subTest(who=who):
                self.as_(who)
                response = self.client.get("/disclosure/", {"q": "专题研讨"})
                html = response.content.decode()
                self.assertEqual(INTERNAL_TITLE in html, sees)
                self.assertEqual("各支部学习" in html, sees)
                self.assertNotIn(DRAFT_TITLE, html)
        self.as_(self.member)
        html = self.client.get("/disclosure/", {"q": "红旗渠"}).content.decode()
        self.assertIn(PUBLIC_TITLE, html)
        self.assertIn(INTERNAL_TITLE, html)
        self.assertNotIn(OTHER_TITLE, html)
        self.assertIn("<mark>", html)

    def test_an_item_limited_to_one_branch_skips_its_sibling(self):
        self.as_(self.sibling)
        self.assertNotContains(self.client.get("/disclosure/"), BRANCH_TITLE)
        self.assertEqual(self.client.get(self.branch_only.url).status_code, 404)
        self.as_(self.member)
        self.assertContains(self.client.get(self.branch_only.url), "第三季度党费")

    # --- Item URL, previews, attachments ------------------------------------

    def test_the_item_url_serves_only_the_audience(self):
        self.as_(None)
        response = self.client.get(self.internal.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login", response["Location"])
        self.as_(self.outsider)
        self.assertEqual(self.client.get(self.internal.url).status_code, 404)
        self.as_(self.member)
        response = self.client.get(self.internal.url)
        self.assertContains(response, "开展专题研讨")
        self.assertIn("private", response["Cache-Control"])
        self.assertEqual(self.client.get(self.public.url).status_code, 200)

    def test_nothing_is_visible_before_release(self):
        self.as_(self.member)
        self.assertEqual(self.client.get(self.draft.url).status_code, 404)
        self.assertNotContains(
            self.client.get("/disclosure/", {"q": "学习安排"}), DRAFT_TITLE
        )
        self.assertEqual(
            self.client.get(f"/api/disclosures/{self.draft.pk}").status_code, 404
        )
        self.assertEqual(self.client.get(self.draft_document.url).status_code, 404)

    def test_previews_of_drafts_are_for_the_units_staff_only(self):
        revision = self.draft.get_latest_revision()
        url = f"/admin/pages/{self.draft.pk}/revisions/{revision.pk}/view/"
        self.as_(None)
        self.assertEqual(self.client.get(url).status_code, 302)
        self.as_(self.member)
        self.assertNotEqual(self.client.get(url).status_code, 200)
        self.as_(self.editor_b)
        response = self.client.get(url)
        self.assertNotEqual(response.status_code, 200)
        self.as_(self.editor)
        self.assertContains(self.client.get(url), "学习安排（草稿）")

    def test_attachments_follow_the_scope_of_their_item(self):
        url = self.document.url
        for who, status in [(None, 404), (self.outsider, 404), (self.member, 200)]:
            with self.subTest(who=who):
                self.as_(who)
                self.assertEqual(self.client.get(url).status_code, status)
        # The unit's staff can open attachments of drafts they work on.
        self.as_(self.editor)
        self.assertEqual(self.client.get(self.draft_document.url).status_code, 200)
        self.as_(self.editor_b)
        self.assertEqual(self.client.get(self.draft_document.url).status_code, 404)

    # --- Feed, sitemap, export, cache -----------------------------------------

    def test_the_feed_carries_public_items_only(self):
        for who in (None, self.member):
            self.as_(who)
            response = self.client.get("/disclosure/feed.atom")
            self.assertContains(response, PUBLIC_TITLE)
            self.assertNotContains(response, INTERNAL_TITLE)
            self.assertNotContains(response, BRANCH_TITLE)

    def test_the_sitemap_carries_public_items_only(self):
        for who in (None, self.member):
            self.as_(who)
            response = self.client.get("/disclosure/sitemap.xml")
            self.assertContains(response, self.public.url)
            self.assertNotContains(response, self.internal.url)
        self.assertEqual(self.internal.get_sitemap_urls(), [])
        self.assertTrue(self.public.get_sitemap_urls())

    def test_exports_respect_scope(self):
        for who, sees in [(None, False), (self.outsider, False), (self.member, True)]:
            with self.subTest(who=who):
                self.as_(who)
                response = self.client.get("/disclosure/export.csv")
                text = response.content.decode("utf-8-sig")
                self.assertIn(PUBLIC_TITLE, text)
                self.assertEqual(INTERNAL_TITLE in text, sees)

    def test_a_cached_column_never_carries_internal_items_to_others(self):
        self.as_(None)
        first = self.client.get("/disclosure/")
        self.assertIn("public", first["Cache-Control"])
        self.as_(self.member)
        member_page = self.client.get("/disclosure/")
        self.assertContains(member_page, INTERNAL_TITLE)
        self.assertIn("private", member_page["Cache-Control"])
        self.as_(None)
        self.assertNotContains(self.client.get("/disclosure/"), INTERNAL_TITLE)
        self.as_(self.outsider)
        self.assertNotContains(self.client.get("/disclosure/"), INTERNAL_TITLE)

    # --- API --------------------------------------------------------------------

    def test_the_api_lists_and_serves_internal_items_only_in_scope(self):
        for who, sees in [(None, False), (self.outsider, False), (self.member, True)]:
            with self.subTest(who=who):
                self.as_(who)
                data = self.client.get("/api/disclosures").json()
                titles = [i["title"] for i in data["items"]]
                self.assertIn(PUBLIC_TITLE, titles)
                self.assertEqual(INTERNAL_TITLE in titles, sees)
                detail = self.client.get(f"/api/disclosures/{self.internal.pk}")
                self.assertEqual(detail.status_code, 200 if sees else 404)
                found = self.client.get("/api/disclosures", {"q": "专题研讨"}).json()
                self.assertEqual(
                    INTERNAL_TITLE in [i["title"] for i in found["items"]], sees
                )

    def test_the_api_accepts_a_members_token(self):
        self.as_(None)
        _token, key = do_issue_token(self.member, name="测试")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        detail = self.client.get(f"/api/disclosures/{self.internal.pk}", **auth)
        self.assertEqual(detail.status_code, 200)
        self.assertEqual(detail.json()["audience"], [self.unit_a.pk])
        _token, key = do_issue_token(self.outsider, name="测试")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.assertEqual(
            self.client.get(f"/api/disclosures/{self.internal.pk}", **auth).status_code,
            404,
        )

    def test_the_api_rejects_bad_parameters_with_structured_errors(self):
        response = self.client.get("/api/disclosures", {"limit": 1000})
        self.assertEqual(response.status_code, 422)
        self.assertIn("detail", response.json())
        response = self.client.get("/api/disclosures", {"scope": "secret"})
        self.assertEqual(response.status_code, 422)

    def test_the_column_survives_bad_query_strings(self):
        response = self.client.get(
            "/disclosure/", {"unit": "abc", "year": "-1", "page": "99999"}
        )
        self.assertEqual(response.status_code, 200)

    def test_withdrawn_internal_items_stay_hidden_from_outsiders(self):
        from dangjian.disclosure.actions import do_withdraw_item

        do_withdraw_item(
            DisclosureItemPage.objects.get(pk=self.internal.pk),
            reason="内容调整",
            acting_user=self.approver,
        )
        self.as_(self.outsider)
        self.assertEqual(self.client.get(self.internal.url).status_code, 404)
        self.as_(self.member)
        self.assertContains(
            self.client.get(self.internal.url), "内容调整", status_code=410
        )
        self.assertEqual(self.client.get(self.document.url).status_code, 404)
