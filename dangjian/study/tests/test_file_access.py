"""Files of restricted materials (attachments, videos, posters) follow the
material's audience: a guessed or shared link is useless outside it."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document

from dangjian.study.models import MaterialAttachment, MaterialPage, PlanItem
from dangjian.study.tests.helpers import MEDIA, StudyTestCase
from dangjian.test import PASSWORD

PDF = b"%PDF-1.4\n% study attachment\n" + b"0" * 2000 + b"\n%%EOF\n"
POSTER = (MEDIA / "demo-poster.png").read_bytes()
VIDEO = (MEDIA / "demo-video.webm").read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


class RestrictedFilesTestCase(StudyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.document = Document(title="学习辅导材料")
        cls.document.file.save("fudao.pdf", ContentFile(PDF), save=False)
        cls.document.save()
        # Only for the plan's audience (市委宣传部 and its branches).
        cls.restricted = cls.make_material(
            "学习辅导材料（党内）",
            slug="d1",
            kind=MaterialPage.Kind.DOCUMENT,
            visibility=MaterialPage.Visibility.PLAN,
        )
        MaterialAttachment.objects.create(
            page=cls.restricted, document=cls.document, sort_order=0
        )
        PlanItem.objects.create(plan=cls.plan, material=cls.restricted, sort_order=2)
        cls.public_document = Document(title="公开文件")
        cls.public_document.file.save("gongkai.pdf", ContentFile(PDF), save=False)
        cls.public_document.save()
        MaterialAttachment.objects.create(
            page=cls.public_article, document=cls.public_document, sort_order=0
        )
        cls.video_url = reverse("study:video", args=[cls.video.pk])
        cls.poster_url = reverse("study:poster", args=[cls.video.pk])

    def login(self, username):
        self.client.login(username=username, password=PASSWORD)

    def test_an_outsider_cannot_download_a_restricted_attachment(self):
        self.login("outsider")
        self.assertEqual(self.client.get(self.document.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.document.url).status_code, 404)

    def test_a_member_in_scope_downloads_the_attachment(self):
        self.login("member")
        response = self.client.get(self.document.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body(response), PDF)

    def test_the_unit_editor_may_download_it_but_another_unit_editor_may_not(self):
        self.login("editor")
        self.assertEqual(self.client.get(self.document.url).status_code, 200)
        self.login("editor_b")
        self.assertEqual(self.client.get(self.document.url).status_code, 404)

    def test_an_attachment_of_a_public_material_is_public(self):
        response = self.client.get(self.public_document.url)
        self.assertEqual(response.status_code, 200)

    def test_an_attachment_of_a_withdrawn_material_is_no_longer_served(self):
        self.login("member")
        self.restricted.unpublish()
        self.assertEqual(self.client.get(self.document.url).status_code, 404)

    def test_documents_are_not_served_as_plain_media(self):
        # dangjian/urls.py keeps /media/documents/ out of the static media view.
        self.login("outsider")
        response = self.client.get(f"/media/{self.document.file.name}")
        self.assertEqual(response.status_code, 404)

    def test_the_material_page_links_the_attachment_through_the_checked_view(self):
        self.login("member")
        response = self.client.get(self.restricted.url)
        self.assertContains(response, self.document.url)
        self.assertNotContains(response, "/media/")

    def test_an_outsider_gets_no_video_and_no_poster(self):
        self.login("outsider")
        self.assertEqual(self.client.get(self.video_url).status_code, 404)
        self.assertEqual(
            self.client.get(self.video_url, HTTP_RANGE="bytes=0-99").status_code, 404
        )
        self.assertEqual(self.client.get(self.poster_url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.poster_url).status_code, 401)

    def test_a_member_in_scope_gets_the_poster(self):
        self.login("member")
        response = self.client.get(self.poster_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("private", response["Cache-Control"])
        self.assertEqual(body(response), POSTER)

    def test_a_member_in_scope_still_gets_video_ranges(self):
        self.login("member")
        response = self.client.get(self.video_url, HTTP_RANGE="bytes=10-29")
        self.assertEqual(response.status_code, 206)
        self.assertEqual(body(response), VIDEO[10:30])

    def test_the_video_page_uses_the_checked_poster_url(self):
        self.login("member")
        response = self.client.get(self.video.url)
        self.assertContains(response, f'poster="{self.poster_url}"')

    def test_poster_and_video_files_are_outside_media_root(self):
        from django.conf import settings

        video = self.video_file
        for field in (video.file, video.poster_file):
            self.assertFalse(field.path.startswith(str(settings.MEDIA_ROOT)))
        self.assertEqual(
            self.client.get(f"/media/{video.poster_file.name}").status_code, 404
        )

    def test_a_view_restricted_material_keeps_its_files_from_members(self):
        from django.contrib.auth.models import Group
        from wagtail.models import PageViewRestriction

        group = Group.objects.create(name="只限这一组")
        restriction = PageViewRestriction.objects.create(
            page=self.video, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.set([group])
        self.login("member")
        self.assertEqual(self.client.get(self.video_url).status_code, 404)
        self.assertEqual(self.client.get(self.poster_url).status_code, 404)
        self.member.groups.add(group)
        self.assertEqual(self.client.get(self.poster_url).status_code, 200)
