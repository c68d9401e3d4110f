"""The admin as a unit's staff meet it: in Chinese, 党建云's, about their unit."""

from __future__ import annotations

import re

from dangjian.test import BaseTestCase

# What Wagtail 8's own Chinese catalogue left in English on the dashboard.
ENGLISH_ON_THE_DASHBOARD = [
    "Your pages and snippets in a workflow",
    "Search all pages",
    "editor guide",
    "Edit account avatar",
    " Pages",
    " Documents",
    " Images",
    "JavaScript is required to use Wagtail",
    "Dashboard - Wagtail",
]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sidebar_menu_names(html: str) -> set[str]:
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    assert props is not None
    return set(re.findall(r'"name":\s*"([^"]+)"', props.group(1)))


class AdminHomeTestCase(BaseTestCase):
    def test_a_chinese_editors_dashboard_has_no_wagtail_english_left(self):
        self.client.force_login(self.editor)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for phrase in ENGLISH_ON_THE_DASHBOARD:
            with self.subTest(phrase=phrase):
                self.assertNotIn(phrase, html)
        text = visible_text(html)
        self.assertIn("党建云管理后台", text)
        self.assertIn("搜索所有页面", html)
        self.assertNotIn("Wagtail", text)

    def test_the_admin_carries_the_platforms_name_and_mark(self):
        self.client.force_login(self.editor)
        html = self.client.get("/admin/").content.decode()
        self.assertIn("<title>控制面板 - 党建云管理后台</title>", html)
        self.assertIn("dangjian-admin-logo", html)
        self.assertIn("portal/favicon", html)
        self.client.logout()
        login = self.client.get("/admin/login/")
        self.assertContains(login, "登录党建云管理后台")
        self.assertNotContains(login, "Sign in to Wagtail")

    def test_a_units_staff_see_their_roles_not_the_whole_sites_counts(self):
        self.client.force_login(self.approver)
        text = visible_text(self.client.get("/admin/").content.decode())
        self.assertIn("市委宣传部 · 审批人", text)
        self.assertNotIn("个页面", text)
        self.assertNotIn("个文档", text)

    def test_the_platform_admin_keeps_the_site_wide_counts(self):
        self.client.force_login(self.admin)
        text = visible_text(self.client.get("/admin/").content.decode())
        self.assertIn("个页面", text)
        self.assertNotIn("· 审批人", text)

    def test_only_the_platform_admin_has_wagtails_help_menu(self):
        self.client.force_login(self.editor)
        names = sidebar_menu_names(self.client.get("/admin/").content.decode())
        self.assertNotIn("help", names)
        self.assertNotIn("editor-guide", names)
        self.client.force_login(self.admin)
        names = sidebar_menu_names(self.client.get("/admin/").content.decode())
        self.assertIn("help", names)
