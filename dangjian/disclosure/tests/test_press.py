"""Press conference records: public listing, detail, scope of related items, admin."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.disclosure.models import PressConference
from dangjian.disclosure.tests.helpers import DisclosureTestCase


class PressConferenceTestCase(DisclosureTestCase):
    def setUp(self):
        self.public_item = self.release(self.make_item("公开的年度工作要点"))
        self.internal_item = self.release(
            self.make_item(
                "党内的支部换届通报", scope="internal", audience=[self.unit_a]
            )
        )
        self.conference = self.make_conference("全市党建工作新闻发布会")

    def make_conference(self, title, publish=True, **fields) -> PressConference:
        conference = PressConference(
            title=title,
            held_at=timezone.now() - dt.timedelta(days=3),
            venue="市新闻中心",
            host_unit=self.unit_a,
            speakers="李明｜市委宣传部副部长\n王芳",
            summary="通报全市党建工作进展。",
            transcript="<p>各位记者朋友，大家好。</p>",
            # A record saved as a draft in the admin is not live.
            live=publish,
            **fields,
        )
        conference.units = [self.unit_b]
        conference.related_items = [self.public_item, self.internal_item]
        conference.save()
        if publish:
            conference.save_revision(user=self.admin).publish(user=self.admin)
        return conference

    def test_the_listing_shows_published_conferences_only(self):
        self.make_conference("尚未发布的发布会", publish=False)
        r = self.client.get("/disclosure/press/")
        self.assertContains(r, "全市党建工作新闻发布会")
        self.assertContains(r, "市新闻中心")
        self.assertNotContains(r, "尚未发布的发布会")

    def test_the_listing_filters_by_unit(self):
        r = self.client.get("/disclosure/press/", {"unit": self.unit_b.pk})
        self.assertContains(r, "全市党建工作新闻发布会")
        r = self.client.get("/disclosure/press/", {"unit": self.branch_b1.pk})
        self.assertContains(r, "暂无新闻发布会记录")

    def test_the_record_shows_speakers_units_transcript_and_public_items(self):
        r = self.client.get(f"/disclosure/press/{self.conference.pk}/")
        self.assertContains(r, "李明")
        self.assertContains(r, "市委宣传部副部长")
        self.assertContains(r, "市公安局")
        self.assertContains(r, "各位记者朋友")
        self.assertContains(r, "公开的年度工作要点")
        self.assertContains(r, self.public_item.url)
        # An outsider never learns of the 党内 item, not even its title.
        self.assertNotContains(r, "支部换届")
        self.assertContains(r, 'property="og:title" content="全市党建工作新闻发布会"')
        self.assertContains(r, "/publicity/qr.svg?path=")

    def test_a_member_in_scope_sees_the_internal_item_too(self):
        self.client.force_login(self.member)
        r = self.client.get(f"/disclosure/press/{self.conference.pk}/")
        self.assertContains(r, "党内的支部换届通报")
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_an_unpublished_record_is_not_found(self):
        draft = self.make_conference("草稿", publish=False)
        self.assertEqual(
            self.client.get(f"/disclosure/press/{draft.pk}/").status_code, 404
        )
        self.assertEqual(self.client.get("/disclosure/press/999999/").status_code, 404)

    def test_another_units_editor_cannot_edit_the_record(self):
        self.editor_b.is_staff = True
        self.editor_b.save()
        self.client.force_login(self.editor_b)
        url = f"/admin/snippets/disclosure/pressconference/edit/{self.conference.pk}/"
        self.assertIn(self.client.get(url).status_code, (302, 403))
        r = self.client.get("/admin/snippets/disclosure/pressconference/")
        self.assertNotContains(r, "全市党建工作新闻发布会")
        self.editor.is_staff = True
        self.editor.save()
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(url).status_code, 200)
