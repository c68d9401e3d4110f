"""What organisation life publishes as 党务公开 items (the dues collection
summary, a 发展对象's 公示) through the disclosure workflow, admission
waiting for the published 公示, and recruitment documents kept private."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.orglife import publish
from dangjian.orglife import recruitment as rc
from dangjian.orglife.actions import do_declare_base
from dangjian.orglife.models import (
    DuesSummaryDisclosure,
    Recruit,
    RecruitDocument,
    RecruitNotice,
    Stage,
)
from dangjian.orglife.tests.base import DisclosureColumnMixin, OrglifeTestCase
from dangjian.orgs.actions import do_grant_role
from dangjian.orgs.models import Role
from dangjian.test import PrivateFilesMixin, make_person

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class PublishTestCase(PrivateFilesMixin, DisclosureColumnMixin, OrglifeTestCase):
    year: int

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sec_b1 = make_person("sec_b1", "公安局一支部书记")
        do_grant_role(cls.sec_b1, cls.branch_b1, Role.UNIT_ADMIN)
        cls.year = timezone.localdate().year
        do_declare_base(
            cls.member, cls.branch_a1, cls.year, "employed", "6000", confirm=True
        )

    def candidate(self) -> Recruit:
        recruit = rc.do_register_applicant(
            self.branch_a1, "刘青年", D(2000, 6, 1), D(2021, 3, 1)
        )
        rc.do_make_activist(recruit, D(2021, 6, 1))
        rc.do_record_training(recruit, D(2021, 11, 20))
        return rc.do_make_candidate(recruit, D(2022, 6, 1))

    def dues_url(self, branch=None) -> str:
        branch = branch or self.branch_a1
        return f"{reverse('orglife:branch-dues', args=[branch.pk])}?year={self.year}"


class DuesSummaryTestCase(PublishTestCase):
    def test_the_secretary_submits_the_summary_once_to_the_workflow(self):
        self.client.force_login(self.sec_a1)
        self.assertContains(self.client.get(self.dues_url()), "提交党务公开审核")
        r = self.client.post(self.dues_url(), {"action": "publish"})
        self.assertEqual(r.status_code, 302)
        link = DuesSummaryDisclosure.objects.get()
        item = DisclosureItemPage.objects.get(pk=link.item_id)
        # A draft in unit A's section, on the release workflow: not published.
        self.assertFalse(item.live)
        self.assertEqual(item.get_parent().pk, self.section_a.pk)
        self.assertEqual(item.category.name, "党费收缴、使用和管理")
        self.assertEqual(item.scope, "internal")
        self.assertEqual(list(item.audience.all()), [self.branch_a1])
        state = WorkflowState.objects.for_instance(item).get()
        self.assertEqual(state.status, WorkflowState.STATUS_IN_PROGRESS)
        self.assertIn(f"{self.year}年度党费收缴情况", item.title)
        self.assertIn("1 人", item.body)
        page = self.client.get(self.dues_url())
        self.assertContains(page, "党务公开：审核中")
        self.assertNotContains(page, 'name="action" value="publish"')
        # A second click (or a replayed form) proposes nothing new.
        self.client.post(self.dues_url(), {"action": "publish"})
        self.assertEqual(DuesSummaryDisclosure.objects.count(), 1)
        self.assertEqual(DisclosureItemPage.objects.count(), 1)
        # Once released through scan, review and approval the page says so.
        self.release_item(link.item_id)
        self.assertContains(self.client.get(self.dues_url()), "党务公开：已发布")

    def test_a_double_submit_in_one_go_proposes_one_item(self):
        first, created = publish.do_propose_dues_summary(
            self.branch_a1, self.year, acting_user=self.sec_a1
        )
        second, again = publish.do_propose_dues_summary(
            self.branch_a1, self.year, acting_user=self.secretary
        )
        self.assertEqual((created, again), (True, False))
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(DisclosureItemPage.objects.count(), 1)

    def test_others_cannot_submit_it(self):
        for person in (self.sec_b1, self.member, self.editor):
            self.client.force_login(person)
            r = self.client.post(self.dues_url(), {"action": "publish"})
            self.assertEqual(r.status_code, 403, person)
        self.client.logout()
        r = self.client.post(self.dues_url(), {"action": "publish"})
        self.assertEqual(r.status_code, 302)
        self.assertIn("login", r["Location"])
        with self.assertRaises(PermissionDenied):
            publish.do_propose_dues_summary(
                self.branch_a1, self.year, acting_user=self.sec_b1
            )
        self.assertFalse(DuesSummaryDisclosure.objects.exists())
        self.assertFalse(DisclosureItemPage.objects.exists())

    def test_a_branch_without_a_column_gets_a_clear_error(self):
        # Unit B has no section in the column.
        do_declare_base(self.outsider, self.branch_b1, self.year, "employed", "5000")
        self.client.force_login(self.sec_b1)
        r = self.client.post(
            self.dues_url(self.branch_b1), {"action": "publish"}, follow=True
        )
        self.assertContains(r, "尚未开设党务公开专栏")
        self.assertFalse(DisclosureItemPage.objects.exists())


class NoticeTestCase(PublishTestCase):
    def test_the_secretary_starts_the_notice_through_the_workflow(self):
        recruit = self.candidate()
        url = reverse("orglife:recruit", args=[recruit.pk])
        self.client.force_login(self.sec_a1)
        # Mon 13 Oct 2025: five working days end on Fri 17 Oct.
        r = self.client.post(url, {"step": "notice", "notice_from": "2025-10-13"})
        self.assertEqual(r.status_code, 302)
        notice = RecruitNotice.objects.get()
        self.assertEqual(notice.ends_on, D(2025, 10, 17))
        item = DisclosureItemPage.objects.get(pk=notice.item_id)
        self.assertFalse(item.live)
        self.assertIn("刘青年", item.title)
        self.assertIn("宣传部第一党支部", item.body)
        self.assertEqual(item.category.name, "党员发展")
        recruit.refresh_from_db()
        self.assertEqual(
            (recruit.notice_from, recruit.notice_to), (D(2025, 10, 13), D(2025, 10, 17))
        )
        self.assertContains(self.client.get(url), "党务公开：审核中")
        # Again: the standing proposal, no second item.
        self.client.post(url, {"step": "notice", "notice_from": "2025-10-20"})
        self.assertEqual(RecruitNotice.objects.count(), 1)
        self.assertEqual(DisclosureItemPage.objects.count(), 1)

    def test_a_notice_across_national_day_runs_to_the_fifth_working_day(self):
        # Sun 28 Sep 2025 is a 调休 working day; 1–8 Oct are holidays.
        self.assertEqual(publish.notice_end(D(2025, 9, 28)), D(2025, 10, 10))

    def test_others_cannot_start_it(self):
        recruit = self.candidate()
        url = reverse("orglife:recruit", args=[recruit.pk])
        for person in (self.sec_b1, self.member):
            self.client.force_login(person)
            r = self.client.post(url, {"step": "notice", "notice_from": "2025-10-13"})
            self.assertEqual(r.status_code, 403)
        self.client.logout()
        r = self.client.post(url, {"step": "notice", "notice_from": "2025-10-13"})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(RecruitNotice.objects.exists())
        self.assertFalse(DisclosureItemPage.objects.exists())

    def admit(self, recruit, on):
        return rc.do_admit(recruit, on, resolution="支部大会决议", approval="党委批复")

    def test_admission_waits_for_publication_and_the_period_from_it(self):
        recruit = self.candidate()
        with self.assertRaisesMessage(ValidationError, "须经过公示"):
            self.admit(recruit, D(2025, 11, 3))
        notice, _ = publish.do_propose_notice(
            recruit, D(2025, 10, 13), acting_user=self.sec_a1
        )
        # In review: the recorded dates have passed, but nothing is published.
        with self.assertRaisesMessage(ValidationError, "公示尚未发布（审核中）"):
            self.admit(recruit, D(2025, 11, 3))
        # Published only on Wed 22 Oct: the five days run to Tue 28 Oct.
        self.release_item(notice.item_id, D(2025, 10, 22))
        with self.assertRaisesMessage(ValidationError, "至2025-10-28"):
            self.admit(recruit, D(2025, 10, 28))
        recruit.refresh_from_db()
        self.assertEqual(recruit.stage, Stage.CANDIDATE)
        recruit = self.admit(recruit, D(2025, 10, 29))
        self.assertEqual(recruit.stage, Stage.PROBATIONARY)

    def test_a_withdrawn_notice_blocks_admission_until_a_new_one(self):
        recruit = self.candidate()
        notice = self.published_notice(recruit, D(2025, 10, 13), D(2025, 10, 13))
        self.withdraw_item(notice.item_id, "群众反映情况待核实")
        with self.assertRaisesMessage(
            ValidationError, "公示已被撤回（群众反映情况待核实）"
        ):
            self.admit(recruit, D(2025, 11, 3))
        self.client.force_login(self.sec_a1)
        page = self.client.get(reverse("orglife:recruit", args=[recruit.pk]))
        self.assertContains(page, "党务公开：已撤回")
        # A new 公示 may be started after the withdrawal, and admission
        # follows its own publication.
        second = self.published_notice(recruit, D(2025, 11, 3), D(2025, 11, 3))
        self.assertNotEqual(second.item_id, notice.item_id)
        with self.assertRaisesMessage(ValidationError, "期满后"):
            self.admit(recruit, D(2025, 11, 7))
        self.assertEqual(self.admit(recruit, D(2025, 11, 10)).stage, Stage.PROBATIONARY)


class DocumentTestCase(PublishTestCase):
    def setUp(self):
        self.recruit = rc.do_register_applicant(
            self.branch_a1, "刘青年", D(2000, 6, 1), D(2021, 3, 1)
        )
        self.step = self.recruit.steps.get()
        self.url = reverse("orglife:recruit", args=[self.recruit.pk])

    def upload(self, name="申请书.pdf", data=PDF, title="入党申请书", user=None):
        self.client.force_login(user or self.sec_a1)
        return self.client.post(
            self.url,
            {
                "action": "upload",
                "step_id": self.step.pk,
                "title": title,
                "file": SimpleUploadedFile(name, data),
            },
            follow=True,
        )

    def test_an_upload_is_private_and_served_only_to_the_branchs_admins(self):
        r = self.upload()
        self.assertContains(r, "已上传材料")
        document = RecruitDocument.objects.get()
        self.assertTrue(document.file.name.startswith("orglife/"))
        self.assertEqual(document.content_type, "application/pdf")
        self.assertEqual(document.size, len(PDF))
        self.assertEqual(document.uploaded_by, self.sec_a1)
        # On disk in the private folder, nowhere under MEDIA_ROOT.
        self.assertTrue((Path(self._private_root) / document.file.name).is_file())
        self.assertFalse((Path(self._media_root) / document.file.name).exists())
        self.assertEqual(document.file.url, "")
        self.assertContains(r, reverse("orglife:document", args=[document.pk]))
        url = reverse("orglife:document", args=[document.pk])
        for person in (self.sec_a1, self.secretary, self.admin):
            self.client.force_login(person)
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, person)
            self.assertEqual(b"".join(r.streaming_content), PDF)
            self.assertIn("no-store", r["Cache-Control"])
        for person in (self.sec_b1, self.member, self.editor, self.outsider):
            self.client.force_login(person)
            self.assertEqual(self.client.get(url).status_code, 404, person)
        self.client.logout()
        r = self.client.get(url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("login", r["Location"])
        # The /media/ route does not serve it under any spelling.
        for path in (document.file.name, "./" + document.file.name, "Orglife/x"):
            self.assertEqual(self.client.get(f"/media/{path}").status_code, 404)

    def stored(self) -> set[Path]:
        return set((Path(self._private_root) / "orglife").rglob("*.*"))

    def test_bad_files_are_refused_and_nothing_is_stored(self):
        before = self.stored()
        cases = [
            ("run.exe", b"MZ\x90\x00", "只能上传 PDF、JPG、PNG 或 DOCX"),
            ("fake.pdf", b"<html>not a pdf</html>", "文件内容与扩展名不符"),
            ("empty.pdf", b"", "请选择要上传的文件"),
        ]
        for name, data, message in cases:
            self.assertContains(self.upload(name, data), message)
        self.assertContains(self.upload(title=""), "请填写材料名称")
        big = PDF + b"0" * (publish.MAX_DOCUMENT_BYTES)
        self.assertContains(self.upload("big.pdf", big), "不能超过 10 MB")
        self.assertFalse(RecruitDocument.objects.exists())
        self.assertEqual(self.stored(), before)
        # The positive control: a real PDF is stored.
        self.assertContains(self.upload(), "已上传材料")
        self.assertEqual(len(self.stored() - before), 1)

    def test_others_cannot_upload(self):
        for person in (self.sec_b1, self.member):
            r = self.upload(user=person)
            self.assertEqual(r.status_code, 403)
        self.assertFalse(RecruitDocument.objects.exists())
