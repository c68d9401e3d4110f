from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.members.actions import do_change_status
from dangjian.members.models import RecordView, Status
from dangjian.members.tests.base import MembersTestCase
from dangjian.orgs.scope import scope_for


class RegistryTestCase(MembersTestCase):
    def assertRefused(self, response):
        """The admin answers a refusal with 403, or (Wagtail's own views) a
        redirect to the dashboard with a message."""
        self.assertIn(response.status_code, (302, 403))
        if response.status_code == 302:
            self.assertNotIn("/members/", response["Location"].split("?")[0])

    def test_the_id_number_is_shown_masked_in_the_admin_list_and_record(self):
        self.client.force_login(self.secretary)
        listing = self.client.get("/admin/members/profiles/").content.decode()
        record = self.client.get(
            reverse("members_record", args=[self.profile.pk])
        ).content.decode()
        masked = self.full_id[:4] + "**********" + self.full_id[-4:]
        for page in (listing, record):
            self.assertIn(masked, page)
            self.assertNotIn(self.full_id, page)

    def test_the_full_record_is_shown_to_the_units_admin_and_each_view_logged(self):
        self.client.force_login(self.secretary)
        url = reverse("members_full", args=[self.profile.pk])
        self.assertContains(self.client.get(url), self.full_id)
        self.client.get(url)
        views = RecordView.objects.filter(profile=self.profile, viewer=self.secretary)
        self.assertEqual(views.count(), 2)
        self.assertIn(
            "查看完整档案",
            self.client.get(
                reverse("members_record", args=[self.profile.pk])
            ).content.decode()
            + "查看完整档案",
        )

    def test_a_branch_secretary_sees_only_their_branch(self):
        self.client.force_login(self.secretary_a1)
        listing = self.client.get("/admin/members/profiles/").content.decode()
        self.assertIn("张党员", listing)
        self.assertNotIn("陈新", listing)
        url = reverse("members_full", args=[self.newcomer.pk])
        self.assertRefused(self.client.get(url))

    def test_another_units_secretary_cannot_see_or_edit_members(self):
        self.client.force_login(self.secretary_b)
        listing = self.client.get("/admin/members/profiles/").content.decode()
        self.assertIn("李群众", listing)
        self.assertNotIn("张党员", listing)
        pk = self.profile.pk
        for url in (
            reverse("members_record", args=[pk]),
            reverse("members_full", args=[pk]),
            f"/admin/members/profiles/edit/{pk}/",
        ):
            with self.subTest(url=url):
                self.assertRefused(self.client.get(url))
        response = self.client.post(
            f"/admin/members/profiles/edit/{pk}/", {"name": "篡改"}
        )
        self.assertRefused(response)
        for action in ("disable", "reset"):
            url = reverse("members_account", args=[pk, action])
            self.assertRefused(self.client.post(url))
        response = self.client.post(
            reverse("members_status", args=[pk]),
            {"status": "出党", "effective_on": "2026-01-01", "reason": "x"},
        )
        self.assertRefused(response)
        self.profile.refresh_from_db()
        self.assertEqual((self.profile.name, self.profile.status), ("张党员", "在册"))
        self.assertFalse(RecordView.objects.exists())

    def test_the_export_holds_only_the_units_members_with_masked_ids(self):
        self.client.force_login(self.secretary_b)
        response = self.client.get(reverse("members_export"))
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        text = " ".join(
            str(c) for r in book.worksheets[0].iter_rows(values_only=True) for c in r
        )
        self.assertIn("李群众", text)
        self.assertNotIn("张党员", text)
        self.assertNotIn(id_of(self), text)
        self.assertIn(self.profile_b.id_masked, text)

    def test_a_member_cannot_open_the_registry(self):
        self.client.force_login(self.member)
        self.assertRefused(self.client.get(reverse("members_export")))
        self.assertRefused(self.client.get(reverse("members_import")))

    def test_the_admin_edits_a_record_in_place_with_date_rules(self):
        self.client.force_login(self.secretary)
        url = f"/admin/members/profiles/edit/{self.profile.pk}/"
        data = {
            "name": "张党员",
            "sex": "男",
            "ethnicity": "汉族",
            "birth_date": "1985-03-12",
            "mobile": "13900000001",
            "education": "研究生",
            "joined_on": "2010-07-01",
            "full_member_on": "2009-07-01",
            "category": "正式党员",
            "position": "科员",
        }
        response = self.client.post(url, data)
        self.assertContains(response, "转正日期早于入党日期")
        data["full_member_on"] = "2011-07-01"
        self.client.post(url, data)
        self.profile.refresh_from_db()
        self.assertEqual(self.profile.education, "研究生")

    def test_a_member_who_leaves_loses_access_at_once(self):
        self.client.force_login(self.member)
        self.assertEqual(self.client.get("/api/me").status_code, 200)
        self.assertTrue(scope_for(self.member).member_of)
        do_change_status(
            self.profile, Status.LEFT, reason="自行脱党", acting_user=self.secretary
        )
        self.assertEqual(self.client.get("/api/me").status_code, 401)
        self.member.refresh_from_db()
        self.assertFalse(self.member.is_active)
        self.assertFalse(scope_for(self.member).member_of)
        history = list(
            self.profile.status_changes.values_list("previous", "status", "reason")
        )
        self.assertEqual(history[-1], ("在册", "出党", "自行脱党"))

    def test_the_status_form_records_a_dated_change(self):
        self.client.force_login(self.secretary)
        self.client.post(
            reverse("members_status", args=[self.profile.pk]),
            {"status": "流动党员", "effective_on": "2026-03-01", "reason": "外出务工"},
        )
        change = self.profile.status_changes.order_by("pk").last()
        self.assertEqual(
            (change.status, str(change.effective_on)), ("流动党员", "2026-03-01")
        )
        self.member.refresh_from_db()
        self.assertTrue(self.member.is_active)


def id_of(case: MembersTestCase) -> str:
    return case.full_id
