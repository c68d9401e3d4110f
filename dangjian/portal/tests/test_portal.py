"""The portal: the home page and unit pages gather each capability's public
items through hooks; every page carries the site navigation; unit kinds."""

from __future__ import annotations

from django.test import override_settings

from dangjian.disclosure.tests.helpers import DisclosureTestCase
from dangjian.kb.tests.test_kb import make_entry
from dangjian.orgs.demo import unit_kind
from dangjian.orgs.models import Organisation
from dangjian.portal.demo import ensure_unit_pages
from dangjian.portal.models import UnitPage
from dangjian.voting.tests.helpers import make_campaign


class PortalTestCase(DisclosureTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.government = Organisation.add_root(
            name="测试市人民政府", kind=Organisation.Kind.GOVERNMENT
        )
        ensure_unit_pages(cls.home)

    def test_home_page_lists_released_public_items_but_never_internal_ones(self):
        self.release(self.make_item("市委宣传部社会公开事项甲"))
        self.release(
            self.make_item(
                "市委宣传部党内事项乙", scope="internal", audience=[self.unit_a]
            )
        )
        self.make_item("尚未发布的草稿丙")
        r = self.client.get("/")
        self.assertContains(r, "最新公开")
        self.assertContains(r, "市委宣传部社会公开事项甲")
        self.assertNotContains(r, "市委宣传部党内事项乙")
        self.assertNotContains(r, "尚未发布的草稿丙")

    def test_home_page_lists_open_public_campaigns(self):
        make_campaign(self.unit_a, title="优秀书记公开评选")
        make_campaign(self.unit_a, title="党员内部评选", public=False)
        r = self.client.get("/")
        self.assertContains(r, "正在进行的投票")
        self.assertContains(r, "优秀书记公开评选")
        self.assertNotContains(r, "党员内部评选")

    def test_home_page_names_the_city(self):
        self.assertContains(self.client.get("/"), "测试市党建云")
        with override_settings(DANGJIAN_CITY_NAME="示范市"):
            self.assertContains(self.client.get("/"), "示范市党建云")

    def test_unit_page_shows_only_that_units_items_and_entries(self):
        self.release(self.make_item("宣传部的公开事项"))
        self.release(
            self.make_item("公安局的公开事项", section=self.section_b),
            editor=self.admin,
            reviewer=self.admin,
            approver=self.admin,
        )
        make_entry(self.unit_a, "宣传部答复的问题")
        make_entry(self.unit_b, "公安局答复的问题")
        page = UnitPage.objects.get(organisation=self.unit_a)
        r = self.client.get(page.url)
        self.assertContains(r, "本单位公开事项")
        self.assertContains(r, "宣传部的公开事项")
        self.assertContains(r, "宣传部答复的问题")
        self.assertNotContains(r, "公安局的公开事项")
        self.assertNotContains(r, "公安局答复的问题")

    def test_a_unit_page_with_nothing_public_says_so(self):
        page = UnitPage.objects.get(organisation=self.unit_b)
        self.assertContains(self.client.get(page.url), "本单位暂无公开的事项")

    def test_every_inner_page_has_the_site_navigation_marking_where_one_is(self):
        for path, current in [("/kb/", "12345 知识库"), ("/votes/", "投票")]:
            with self.subTest(path=path):
                r = self.client.get(path)
                self.assertContains(r, 'aria-label="网站导航"')
                self.assertContains(r, 'href="/study/"')
                self.assertContains(r, f'aria-current="page">{current}</a>', html=False)

    def test_every_page_has_a_skip_link_and_the_elder_mode_switch(self):
        r = self.client.get("/kb/")
        self.assertContains(r, 'href="#main"')
        self.assertContains(r, 'id="main"')
        self.assertContains(r, "data-elder-toggle")
        self.assertContains(r, "portal/elder")

    def test_the_elder_mode_does_not_change_what_the_server_sends(self):
        plain = self.client.get("/kb/").content
        self.client.cookies["dj-elder"] = "1"
        self.assertEqual(self.client.get("/kb/").content, plain)


class UnitKindTestCase(DisclosureTestCase):
    def test_mass_organisations_are_not_government_departments(self):
        for name in ["团市委", "市妇联", "市总工会", "市红十字会"]:
            with self.subTest(name=name):
                kind = unit_kind({"name": name, "kind": "government_department"})
                self.assertEqual(kind, Organisation.Kind.MASS_ORGANISATION)
        self.assertEqual(
            unit_kind({"name": "市教育局", "kind": "government_department"}),
            Organisation.Kind.GOVERNMENT_DEPARTMENT,
        )

    def test_the_units_index_groups_units_by_kind(self):
        self.city.add_child(name="团市委", kind=Organisation.Kind.MASS_ORGANISATION)
        ensure_unit_pages(self.home)
        index = UnitPage.objects.first().get_parent()
        r = self.client.get(index.url)
        self.assertContains(r, "<h2>群团组织</h2>", html=True)
        self.assertContains(r, "团市委")


class NavigationTestCase(DisclosureTestCase):
    """The navigation's units link is remembered between pages, and follows
    the units index when it is added, moved or unpublished."""

    def test_the_units_link_follows_the_units_index(self):
        from dangjian.portal.models import UnitIndexPage

        r = self.client.get("/disclosure/")
        self.assertNotContains(r, 'href="/units/"')
        # Each change commits (and so purges stored pages) before the next visit.
        with self.captureOnCommitCallbacks(execute=True):
            index = self.home.add_child(
                instance=UnitIndexPage(title="单位", slug="units")
            )
        self.assertContains(self.client.get("/disclosure/"), 'href="/units/"')
        with self.captureOnCommitCallbacks(execute=True):
            index.slug = "danwei"
            index.save_revision().publish()
        r = self.client.get("/disclosure/")
        self.assertContains(r, 'href="/danwei/"')
        self.assertNotContains(r, 'href="/units/"')
        with self.captureOnCommitCallbacks(execute=True):
            index.unpublish()
        self.assertNotContains(self.client.get("/disclosure/"), 'href="/danwei/"')
