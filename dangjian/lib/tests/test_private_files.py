"""Private files live outside the public media folder and reach only the
people the permission-checked views let through.

Documents attached to a released 党内 disclosure item and to a
plan-restricted study material, study videos and posters, and the policy
experts' attachments are tried through every spelling of ``/media/…`` an
attacker might use, and through Wagtail's ``/documents/<id>/<name>`` view.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from wagtail.documents.models import Document

from dangjian import test
from dangjian.disclosure.models import DisclosureAttachment
from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.experts.models import Attachment
from dangjian.experts.tests.base import ExpertsTestCase
from dangjian.study.models import MaterialAttachment, MaterialPage, PlanItem
from dangjian.study.tests.helpers import StudyTestCase
from dangjian.test import PASSWORD

PDF = b"%PDF-1.4\n% dangjian private attachment\n" + b"0" * 1000 + b"\n%%EOF\n"


def spellings(name: str) -> list[str]:
    """The ways of asking /media/ for ``name`` that once slipped past a
    ``(?!documents/)`` look-ahead, and the plain one."""
    return [
        f"/media/{name}",
        f"/media//{name}",
        f"/media/%2e/{name}",
        f"/media/%2F{name}",
        f"/media/./{name}",
        f"/media/%2e%2e/media/{name}",
        f"/media/{name.replace('/', '//', 1)}",
        f"/media/{name[0].upper()}{name[1:]}",
    ]


def content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


class PrivateFilesMixin(test.PrivateFilesMixin):
    """Folders of their own for each test class (``dangjian.test``), and the
    checks this module makes of files."""

    def login(self, username):
        self.client.logout()
        if username:
            self.client.login(username=username, password=PASSWORD)

    def assert_no_media_path_serves(self, field_file, data, *, people):
        # Not in the public folder at all, so a web server serving /media/
        # directly cannot hand it out either.
        self.assert_kept_outside_media_root(field_file, data)
        for username in people:
            self.login(username)
            for url in spellings(field_file.name):
                response = self.client.get(url)
                self.assertIn(
                    response.status_code, (403, 404), f"{username or '匿名'} {url}"
                )
                self.assertNotIn(data, content(response))

    def assert_kept_outside_media_root(self, field_file, data):
        media_root = Path(settings.MEDIA_ROOT)
        stored = Path(field_file.path)
        self.assertEqual(stored.read_bytes(), data)
        self.assertFalse(stored.is_relative_to(media_root.resolve()), stored)
        self.assertFalse((media_root / field_file.name).exists())
        for path in files_under(media_root):
            self.assertNotEqual(path.read_bytes(), data, path)


class DisclosureAttachmentTestCase(PrivateFilesMixin, DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        self = cls()
        cls.document = Document(title="党费收缴明细")
        cls.document.file.save("dangfei.pdf", ContentFile(PDF), save=False)
        cls.document.save()
        item = self.make_item(
            "关于党费收缴情况的党内通报",
            scope="internal",
            audience=[cls.unit_a],
            include_descendants=True,
        )
        DisclosureAttachment.objects.create(page=item, document=cls.document)
        item.save_revision(user=cls.editor)
        cls.item = self.release(item)

    def test_the_attachment_of_a_released_party_item_is_never_served_as_media(self):
        self.assertTrue(self.item.live)
        self.assert_no_media_path_serves(
            self.document.file, PDF, people=[None, "outsider", "member"]
        )

    def test_the_attachment_of_a_released_party_item_is_kept_outside_media_root(self):
        self.assert_kept_outside_media_root(self.document.file, PDF)
        private = Path(settings.DANGJIAN_PRIVATE_MEDIA_ROOT).resolve()
        self.assertTrue(Path(self.document.file.path).is_relative_to(private))

    def test_only_the_items_audience_gets_the_attachment_through_the_checked_view(
        self,
    ):
        for username in (None, "outsider"):
            self.login(username)
            response = self.client.get(self.document.url)
            self.assertEqual(response.status_code, 404, username)
        self.login("member")
        response = self.client.get(self.document.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(content(response), PDF)

    def test_the_document_link_is_the_checked_view_not_a_media_address(self):
        self.assertTrue(self.document.url.startswith("/documents/"))
        self.assertEqual(self.document.file.url, "")


class StudyMaterialFilesTestCase(PrivateFilesMixin, StudyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.document = Document(title="学习辅导材料")
        cls.document.file.save("fudao.pdf", ContentFile(PDF), save=False)
        cls.document.save()
        cls.restricted = cls.make_material(
            "学习辅导材料（党内）",
            slug="private-files-d1",
            kind=MaterialPage.Kind.DOCUMENT,
            visibility=MaterialPage.Visibility.PLAN,
        )
        MaterialAttachment.objects.create(
            page=cls.restricted, document=cls.document, sort_order=0
        )
        PlanItem.objects.create(plan=cls.plan, material=cls.restricted, sort_order=2)

    def test_the_attachment_of_a_plan_restricted_material_is_never_served_as_media(
        self,
    ):
        self.assert_no_media_path_serves(
            self.document.file, PDF, people=[None, "outsider", "member"]
        )

    def test_only_the_plans_audience_gets_the_attachment_through_the_checked_view(
        self,
    ):
        for username in (None, "outsider"):
            self.login(username)
            self.assertEqual(self.client.get(self.document.url).status_code, 404)
        self.login("member")
        response = self.client.get(self.document.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(content(response), PDF)

    def test_videos_and_posters_are_never_served_as_media(self):
        video = self.video_file
        for field_file in (video.file, video.poster_file):
            data = field_file.open("rb").read()
            field_file.close()
            self.assert_no_media_path_serves(
                field_file, data, people=[None, "outsider", "member"]
            )


class ExpertAttachmentTestCase(PrivateFilesMixin, ExpertsTestCase):
    def test_an_enterprises_attachment_is_never_served_as_media(self):
        question = self.submit()
        attachment = Attachment.objects.create(
            question=question,
            file=ContentFile(PDF, name="fapiao.pdf"),
            original_name="发票.pdf",
            size=len(PDF),
            content_type="application/pdf",
        )
        self.assert_no_media_path_serves(
            attachment.file, PDF, people=[None, "outsider", "taxman"]
        )
        self.login(None)
        response = self.client.get(
            f"/experts/q/{question.token}/files/{attachment.pk}/"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(content(response), PDF)


class PublicMediaTestCase(PrivateFilesMixin, DisclosureTestCase):
    def test_public_uploads_such_as_images_are_still_served_from_media(self):
        name = default_storage.save("original_images/logo.png", ContentFile(b"png"))
        self.assertTrue((Path(settings.MEDIA_ROOT) / name).exists())
        response = self.client.get(f"/media/{name}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(content(response), b"png")

    def test_a_document_left_under_media_root_is_not_served_in_any_spelling(self):
        # An install whose files have not been moved yet (move_private_files).
        left = Path(settings.MEDIA_ROOT) / "documents" / "left.pdf"
        left.parent.mkdir(parents=True)
        left.write_bytes(PDF)
        for url in spellings("documents/left.pdf"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404, url)

    def test_a_private_folder_placed_inside_media_root_is_still_not_served(self):
        inside = f"{self._media_root}/secret"
        Path(inside, "notes").mkdir(parents=True)
        Path(inside, "notes", "list.txt").write_bytes(b"secret list")
        with override_settings(DANGJIAN_PRIVATE_MEDIA_ROOT=inside):
            response = self.client.get("/media/secret/notes/list.txt")
        self.assertEqual(response.status_code, 404)


class MovePrivateFilesTestCase(PrivateFilesMixin, DisclosureTestCase):
    """``manage.py move_private_files`` for an install whose documents were
    stored under MEDIA_ROOT by an earlier version."""

    def put_in_media_root(self, name, data):
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def test_it_moves_old_documents_out_of_media_root_and_keeps_them_working(self):
        old = self.put_in_media_root("documents/old-list.pdf", PDF)
        image = self.put_in_media_root("original_images/photo.png", b"png")
        document = Document.objects.create(
            title="旧附件", file="documents/old-list.pdf"
        )
        item = self.make_item("旧的党内通报", scope="internal", audience=[self.unit_a])
        DisclosureAttachment.objects.create(page=item, document=document)
        item.save_revision(user=self.editor)
        self.release(item)

        call_command("move_private_files", stdout=open_devnull())

        self.assertFalse(old.exists())
        self.assertFalse((Path(settings.MEDIA_ROOT) / "documents").exists())
        self.assertTrue(image.exists())
        self.assertEqual(
            (Path(self._private_root) / "documents/old-list.pdf").read_bytes(), PDF
        )
        self.assertEqual(
            self.client.get("/media//documents/old-list.pdf").status_code, 404
        )
        self.login("member")
        response = self.client.get(document.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(content(response), PDF)

    def test_running_it_again_changes_nothing_and_a_conflict_is_left_in_place(self):
        self.put_in_media_root("documents/a.pdf", PDF)
        call_command("move_private_files", stdout=open_devnull())
        call_command("move_private_files", stdout=open_devnull())
        self.assertEqual(
            (Path(self._private_root) / "documents/a.pdf").read_bytes(), PDF
        )
        # The same name again, with different content: left for an operator.
        clash = self.put_in_media_root("documents/a.pdf", b"other")
        call_command("move_private_files", stdout=open_devnull())
        self.assertTrue(clash.exists())
        self.assertEqual(
            (Path(self._private_root) / "documents/a.pdf").read_bytes(), PDF
        )


def open_devnull():
    import io

    return io.StringIO()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_city_has_real_private_attachments_that_only_their_audience_gets(
    settings, tmp_path, client
):
    from dangjian.disclosure import demo as disclosure_demo
    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.lib.demo import DemoContext
    from dangjian.orgs import demo as orgs_demo
    from dangjian.portal import demo as portal_demo
    from dangjian.study import demo as study_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DANGJIAN_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.DANGJIAN_PRIVATE_ROOT = str(tmp_path / "private")
    ctx = DemoContext(data_dir=None, write=lambda *a: None)
    orgs_demo.load(ctx)
    portal_demo.load(ctx)
    disclosure_demo.load(ctx)
    study_demo.load(ctx)

    released_party = DisclosureItemPage.objects.released().filter(scope="internal")
    disclosure_documents = [
        a.document for item in released_party for a in item.attachments.all()
    ]
    guide = MaterialPage.objects.get(slug="guide-demo")
    assert guide.visibility == MaterialPage.Visibility.PLAN
    study_documents = [a.document for a in guide.attachments.all()]
    assert len(disclosure_documents) >= 2 and len(study_documents) == 1

    member = ctx.people["member"]
    outsider = ctx.people["outsider"]
    for document in disclosure_documents + study_documents:
        with document.file.open("rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF-")
        assert not (tmp_path / "media" / document.file.name).exists()
        for url in spellings(document.file.name):
            assert client.get(url).status_code == 404, url
        client.force_login(outsider)
        visible = DisclosureItemPage.objects.visible_to(outsider)
        if not visible.filter(attachments__document=document).exists():
            assert client.get(document.url).status_code == 404, document.title
        client.logout()
        assert client.get(document.url).status_code == 404, document.title

    client.force_login(member)
    for document in study_documents + [
        d
        for d in disclosure_documents
        if DisclosureItemPage.objects.visible_to(member)
        .filter(attachments__document=d)
        .exists()
    ]:
        response = client.get(document.url)
        assert response.status_code == 200, document.title
        assert content(response).startswith(b"%PDF-")
