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
