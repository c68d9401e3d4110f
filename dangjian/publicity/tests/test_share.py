import io
from urllib.parse import unquote

import segno
from django.test import override_settings
from wagtail.models import Site

from dangjian.lib.plugins import absolute
from dangjian.publicity.tests.helpers import PublicityTestCase


class ShareTestCase(PublicityTestCase):
    def test_a_public_page_has_a_share_card(self):
        item = self.publish(title="公开事项标题", summary="一句话摘要")
        r = self.client.get(item.url)
        self.assertContains(r, '<meta property="og:title" content="公开事项标题">')
        self.assertContains(r, '<meta property="og:description" content="一句话摘要">')
        self.assertContains(r, 'property="og:url" content="http')
        # Pages without their own image get the site's default card.
        self.assertContains(r, "publicity/share-card.png")
        self.assertContains(r, 'name="twitter:card" content="summary_large_image"')

    def test_an_internal_page_has_no_share_card(self):
        item = self.publish(
            title="党内事项不可分享", scope="internal", audience=[self.unit_a]
        )
        self.client.force_login(self.member)
        r = self.client.get(item.url)
        self.assertContains(r, "党内事项不可分享")
        self.assertNotContains(r, "og:title")

    def test_the_qr_code_is_an_svg_of_the_share_url(self):
        r = self.client.get("/publicity/qr.svg", {"path": "/disclosure/?unit=2"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "image/svg+xml")
        # A document a browser shows in an <img>: it needs the SVG namespace.
        self.assertIn(b'<svg xmlns="http://www.w3.org/2000/svg"', r.content)

    def test_the_qr_code_refuses_other_sites(self):
        for path in (
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "evil.example/x",
            "javascript:alert(1)",
            "",
            "/" + "x" * 600,
        ):
            with self.subTest(path=path):
                r = self.client.get("/publicity/qr.svg", {"path": path})
                self.assertEqual(r.status_code, 400)
                self.assertIn("站内路径", r.content.decode())

    def test_the_share_block_shows_the_qr_code_and_a_tagged_link(self):
        from django.template import Context, Template
        from django.test import RequestFactory

        item = self.publish(title="可以分享的事项")
        request = RequestFactory().get(item.url)
        html = Template('{% include "publicity/share.html" %}').render(
            Context({"request": request, "page": item})
        )
        self.assertIn("分享", html)
        self.assertIn("/publicity/qr.svg?path=", html)
        self.assertIn("?from=share", html)


class ShareAddressTestCase(PublicityTestCase):
    """Share links and QR codes point where the site is, not at 127.0.0.1:8000."""

    HOST = "dangjian.example.gov.cn:8443"

    @override_settings(ALLOWED_HOSTS=["dangjian.example.gov.cn"])
    def test_without_site_url_links_use_the_address_the_page_was_opened_at(self):
        item = self.publish(title="换了端口也能分享")
        r = self.client.get(item.url, HTTP_HOST=self.HOST)
        self.assertContains(
            r, f'property="og:url" content="http://{self.HOST}{unquote(item.url)}"'
        )
        self.assertNotContains(r, "127.0.0.1:8000")

    @override_settings(
        SITE_URL="https://dj.example.cn",
        SITE_URL_CONFIGURED=True,
        ALLOWED_HOSTS=["dangjian.example.gov.cn"],
    )
    def test_a_configured_site_url_wins_over_the_request(self):
        item = self.publish(title="配置了站点地址")
        r = self.client.get(item.url, HTTP_HOST=self.HOST)
        self.assertContains(
            r, f'property="og:url" content="https://dj.example.cn{unquote(item.url)}"'
        )

    @override_settings(ALLOWED_HOSTS=["dangjian.example.gov.cn"])
    def test_the_qr_code_encodes_the_address_the_page_was_opened_at(self):
        r = self.client.get(
            "/publicity/qr.svg", {"path": "/disclosure/"}, HTTP_HOST=self.HOST
        )
        expected = io.BytesIO()
        segno.make(f"http://{self.HOST}/disclosure/?from=qr", error="m").save(
            expected, kind="svg", scale=4, border=2
        )
        self.assertEqual(r.content, expected.getvalue())

    def test_background_links_use_the_default_sites_address_read_once(self):
        site = Site.objects.get(is_default_site=True)
        site.hostname, site.port = "dangjian.example.gov.cn", 443
        site.save()
        self.assertEqual(
            absolute("/disclosure/"), "https://dangjian.example.gov.cn/disclosure/"
        )
        with self.assertNumQueries(0):
            absolute("/kb/")
        site.hostname = "www.example.gov.cn"
        site.save()
        self.assertEqual(absolute("/kb/"), "https://www.example.gov.cn/kb/")
