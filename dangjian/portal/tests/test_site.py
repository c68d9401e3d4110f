"""The public shell: home page, login, my page, error pages, health check."""

from django.test import override_settings
from wagtail.models import Page, Site

from dangjian.portal.models import HomePage
from dangjian.test import PASSWORD, BaseTestCase


class SiteTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=HomePage(title="党建云", slug="dj-home"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "root_page": cls.home,
                "site_name": "党建云",
            },
        )

    def test_home_page_links_every_capability_in_chinese(self):
        r = self.client.get("/")
        self.assertEqual(r.status_code, 200)
        for title in [
            "学习",
            "答题",
            "党务公开",
            "12345 知识库",
            "政策专员",
            "投票",
            "数据统计",
        ]:
            self.assertContains(r, title)
        self.assertContains(r, 'lang="zh-CN"')
        self.assertContains(r, "width=device-width")

    def test_login_then_my_page_shows_my_organisations(self):
        r = self.client.post("/login/", {"username": "member", "password": PASSWORD})
        self.assertRedirects(r, "/me/", fetch_redirect_response=False)
        r = self.client.get("/me/")
        self.assertContains(r, "张党员")
        self.assertContains(r, "宣传部第一党支部")

    def test_wrong_password_says_so_in_chinese(self):
        r = self.client.post("/login/", {"username": "member", "password": "nope"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "用户名或密码不正确")

    def test_my_page_requires_login(self):
        r = self.client.get("/me/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/login/"))

    def test_logout_ends_the_session(self):
        self.client.login(username="member", password=PASSWORD)
        self.client.post("/logout/")
        self.assertEqual(self.client.get("/me/").status_code, 302)

    def test_missing_page_is_a_chinese_404(self):
        r = self.client.get("/no-such-page/")
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "页面不存在", status_code=404)

    def test_server_error_page_is_chinese(self):
        from django.test import RequestFactory

        from dangjian.portal.views import server_error

        r = server_error(RequestFactory().get("/"))
        self.assertEqual(r.status_code, 500)
        self.assertIn("服务器出现了问题", r.content.decode())


class HealthzTestCase(BaseTestCase):
    def test_healthz_reports_database_up(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["database"], "ok")

    @override_settings(REDIS_URL="redis://127.0.0.1:1/0")
    def test_healthz_with_redis_down_is_still_200(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        body = r.json()
        self.assertEqual(body["database"], "ok")
        self.assertTrue(body["redis"].startswith("error"), body)

    @override_settings(REDIS_URL="")
    def test_healthz_without_redis_says_not_configured(self):
        self.assertEqual(self.client.get("/healthz").json()["redis"], "not configured")
